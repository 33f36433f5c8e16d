"""The compliance pages: the compliance check with the page that fixes each finding, the key
backup's acknowledgement (RULES F4), and the breach log with its 72-hour clock (RULES H1b).

Each page calls the action of its use case (licite.compliance.actions), which writes the audit
entry; a refusal of the action is shown beside the field it concerns, in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from licite.compliance.actions import (
    BreachError,
    current_fingerprint,
    do_acknowledge_key,
    do_check_compliance,
    do_not_tell_persons,
    do_notify_breach,
    do_record_breach,
    do_tell_persons,
    do_update_breach,
    do_waive_notification,
    key_acknowledged,
)
from licite.compliance.checks import PRACTICE_TITLES, CheckResult
from licite.compliance.forms import BreachForm, BreachUpdateForm, KeyForm, NotifyForm, ReasonForm, TellForm
from licite.compliance.models import Breach, BreachNature, BreachRisk
from licite.compliance.report import STATUS_WORDS
from licite.core import compliance
from licite.core.permissions import Perm
from licite.web.access import requires
from licite.web.dashboard import fix_url
from licite.web.forms import add_action_errors

# The breach actions' refusals (BreachError.code), in the reader's language.
REFUSALS = {
    "future": gettext_lazy("This moment is in the future."),
    "after_told": gettext_lazy(
        "The breach cannot have been found after the CNIL or the persons were told of it."
    ),
    "later_needs_reason": gettext_lazy(
        "The time found moves later, which moves the 72-hour clock back: say why."
    ),
    "already_notified": gettext_lazy("The CNIL was already notified: a notification date is not rewritten."),
    "before_found": gettext_lazy("This comes before the breach was found."),
    "late_needs_reason": gettext_lazy(
        "The notification comes after the 72 hours: the reasons for the delay must go with it "
        "(GDPR art. 33.1)."
    ),
    "not_riskless": gettext_lazy(
        "Only a breach unlikely to result in a risk may go unnotified: change its risk first."
    ),
    "reason_missing": gettext_lazy("Write the reason."),
}


# --- The compliance check -------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    title: str
    results: list[dict[str, Any]]


@require_GET
@requires(Perm.EDIT_REGISTER)
def compliance_check(request: HttpRequest) -> HttpResponse:
    """Every check, grouped by practice as `licite compliance` prints them; each run is audited."""
    results = do_check_compliance(request.user)
    return render(request, "compliance/check.html", {**_check_context(results), **_key_context()})


def _check_context(results: list[CheckResult]) -> dict[str, Any]:
    groups = []
    for practice, title in PRACTICE_TITLES.items():
        rows = [_result_row(result) for result in results if result.practice == practice]
        if rows:
            groups.append(Group(str(title), rows))
    counts = {status: sum(1 for r in results if r.status == status) for status in compliance.STATUSES}
    return {"groups": groups, "counts": counts, "overall": compliance.worst(r.status for r in results)}


def _result_row(result: CheckResult) -> dict[str, Any]:
    passed = result.status == compliance.OK
    return {
        "code": result.code, "status": result.status, "status_word": STATUS_WORDS[result.status],
        "count": result.count, "rule": result.rule, "title": result.title,
        "what_to_do": "" if passed else result.what_to_do, "url": None if passed else fix_url(result.code),
    }  # fmt: skip


def _key_context(form: KeyForm | None = None) -> dict[str, Any]:
    return {
        "fingerprint": current_fingerprint(),
        "acknowledged": key_acknowledged(),
        "key_form": form or KeyForm(),
    }


@require_POST
@requires(Perm.EDIT_REGISTER)
def key_acknowledge(request: HttpRequest) -> HttpResponse:
    """RULES F4: whoever backed the key up types its fingerprint back."""
    form = KeyForm(request.POST)
    if form.is_valid():
        try:
            do_acknowledge_key(request.user, form.cleaned_data["fingerprint"])
        except ValueError:
            form.add_error(
                "fingerprint",
                _(
                    "This is not the fingerprint of the key in use: back up the key shown, then type its "
                    "fingerprint."
                ),
            )
        else:
            messages.success(request, _("Backup of the suppression key acknowledged."))
            return redirect("compliance")
    results = do_check_compliance(request.user)
    return render(request, "compliance/check.html", {**_check_context(results), **_key_context(form)})


# --- The breach log -------------------------------------------------------------------------------


@require_GET
@requires(Perm.EDIT_REGISTER)
def breach_list(request: HttpRequest) -> HttpResponse:
    """RULES H1b: every breach, newest first, with the 72-hour clock of those not notified. The
    log holds a handful of entries in a lifetime: one page."""
    now = timezone.now()
    breaches = [_with_clock(breach, now) for breach in Breach.objects.order_by("-found_at", "-pk")]
    return render(request, "compliance/breach_list.html", {"breaches": breaches})


@dataclass(frozen=True)
class Clock:
    """Where a breach stands with the CNIL: `state` is notified, waived, unneeded, running or overdue."""

    state: str
    hours: int = 0


def clock_of(breach: Breach, now: datetime) -> Clock:
    """RULES H1b (art. 33.1): notified, not needed (with or without the reason written), or the
    hours left before the 72 hours are up, or the hours past them."""
    if breach.cnil_notified_at is not None:
        return Clock("notified")
    if breach.risk == BreachRisk.NONE:
        return Clock("waived" if breach.no_notification_reason else "unneeded")
    left = compliance.hours_left(breach.found_at, now)
    return Clock("running", left) if left >= 0 else Clock("overdue", -left)


def _with_clock(breach: Breach, now: datetime) -> Breach:
    breach.clock = clock_of(breach, now)  # type: ignore[attr-defined]
    breach.nature_labels = [str(BreachNature(n).label) for n in breach.nature if n in BreachNature.values]  # type: ignore[attr-defined]
    return breach


@require_http_methods(["GET", "POST"])
@requires(Perm.EDIT_REGISTER)
def breach_create(request: HttpRequest) -> HttpResponse:
    """RULES H1b (art. 33.5): document a breach; its clock starts when it was found."""
    form = BreachForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            breach = do_record_breach(request.user, **form.fields_for_action())
        except (BreachError, ValidationError) as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Breach #%(id)s recorded.") % {"id": breach.pk})
            return redirect("breach_detail", pk=breach.pk)
    return render(request, "compliance/breach_form.html", {"form": form, "breach": None})


@require_http_methods(["GET", "POST"])
@requires(Perm.EDIT_REGISTER)
def breach_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Complete what was learnt since; the time found moves later only with a reason."""
    breach = get_object_or_404(Breach, pk=pk)
    form = BreachUpdateForm(request.POST or None, instance=Breach.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            do_update_breach(
                request.user, breach, reason=form.cleaned_data["reason"], **form.fields_for_action()
            )
        except (BreachError, ValidationError) as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Breach #%(id)s updated.") % {"id": breach.pk})
            return redirect("breach_detail", pk=breach.pk)
    return render(request, "compliance/breach_form.html", {"form": form, "breach": breach})


@require_GET
@requires(Perm.EDIT_REGISTER)
def breach_detail(request: HttpRequest, pk: int) -> HttpResponse:
    breach = get_object_or_404(Breach, pk=pk)
    return render(request, "compliance/breach_detail.html", _detail(breach))


def _detail(breach: Breach, **forms_given: forms.BaseForm) -> dict[str, Any]:
    """The breach, its clock, and a form for each action still open to it."""
    now = timezone.now()
    _with_clock(breach, now)
    open_forms: dict[str, forms.BaseForm | None] = {
        "notify_form": NotifyForm(prefix="notify")
        if breach.cnil_notified_at is None and breach.risk != BreachRisk.NONE
        else None,
        "waive_form": ReasonForm(prefix="waive")
        if breach.cnil_notified_at is None and breach.risk == BreachRisk.NONE
        else None,
        "tell_form": TellForm(prefix="tell") if breach.persons_told_at is None else None,
        "not_told_form": ReasonForm(prefix="not_told") if breach.persons_untold() else None,
    }
    open_forms.update(forms_given)
    return {
        "breach": breach, "deadline": breach.deadline, "late": _notified_late(breach),
        "persons_untold": breach.persons_untold(), **open_forms,
    }  # fmt: skip


def _notified_late(breach: Breach) -> bool:
    return breach.cnil_notified_at is not None and breach.cnil_notified_at > breach.deadline


@require_POST
@requires(Perm.EDIT_REGISTER)
def breach_notify(request: HttpRequest, pk: int) -> HttpResponse:
    """RULES H1b (art. 33.1): the CNIL was notified; after 72 hours, with the reasons for the delay."""
    breach = get_object_or_404(Breach, pk=pk)
    form = NotifyForm(request.POST, prefix="notify")
    return _act(request, breach, form, "notify_form", lambda data: do_notify_breach(
        request.user, breach, data["at"], delay_reason=data["delay_reason"]
    ), _("The CNIL's notification is recorded."))  # fmt: skip


@require_POST
@requires(Perm.EDIT_REGISTER)
def breach_waive(request: HttpRequest, pk: int) -> HttpResponse:
    """RULES H1b (art. 33.1): no notification for a breach unlikely to result in a risk, and why."""
    breach = get_object_or_404(Breach, pk=pk)
    form = ReasonForm(request.POST, prefix="waive")
    return _act(request, breach, form, "waive_form",
                lambda data: do_waive_notification(request.user, breach, data["reason"]),
                _("Not notified: the reason is recorded."))  # fmt: skip


@require_POST
@requires(Perm.EDIT_REGISTER)
def breach_tell(request: HttpRequest, pk: int) -> HttpResponse:
    """RULES H1b (art. 34): the persons concerned were told."""
    breach = get_object_or_404(Breach, pk=pk)
    form = TellForm(request.POST, prefix="tell")
    return _act(request, breach, form, "tell_form",
                lambda data: do_tell_persons(request.user, breach, data["at"]),
                _("Telling the persons is recorded."))  # fmt: skip


@require_POST
@requires(Perm.EDIT_REGISTER)
def breach_not_told(request: HttpRequest, pk: int) -> HttpResponse:
    """RULES H1b (art. 34.3): why the persons are not told."""
    breach = get_object_or_404(Breach, pk=pk)
    form = ReasonForm(request.POST, prefix="not_told")
    return _act(request, breach, form, "not_told_form",
                lambda data: do_not_tell_persons(request.user, breach, data["reason"]),
                _("Why the persons are not told is recorded."))  # fmt: skip


def _act(
    request: HttpRequest, breach: Breach, form: forms.BaseForm, name: str, action: Any, done: str
) -> HttpResponse:
    """Run one breach action on a valid form; otherwise, or when the action refuses, the page
    again with the error beside its field."""
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except (BreachError, ValidationError) as exc:
            _refused(form, exc)
        else:
            messages.success(request, done)
            return redirect("breach_detail", pk=breach.pk)
    breach.refresh_from_db()
    return render(request, "compliance/breach_detail.html", _detail(breach, **{name: form}))


def _refused(form: forms.BaseForm, exc: BreachError | ValidationError) -> None:
    """The action's refusal, beside the field it names (or above the form)."""
    if isinstance(exc, ValidationError):
        add_action_errors(form, exc)
        return
    message = REFUSALS.get(exc.code, str(exc))
    form.add_error(exc.field if exc.field in form.fields else None, str(message))
