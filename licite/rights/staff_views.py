"""The DPO's pages (RULES G1-G5, F1-F4): the queue of rights requests with their deadlines, one
request with its history and the actions `licite rights` offers, and the retention page (the
purge's history, its next run, a dry run and "run now"). Each page calls the action of its use
case, which writes the audit entry; none is under rights/ or access/, the person's own pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from licite.audit.models import AuditEvent
from licite.campaigns.models import OutboundMessage
from licite.core import deadlines
from licite.core.emails import InvalidEmail
from licite.core.permissions import Perm
from licite.lib.refusals import refusal
from licite.prospects.models import Prospect, ProspectStatus
from licite.rights import purge as purging
from licite.rights.actions import (
    RightsError,
    do_export_access,
    do_extend_request,
    do_fulfil_request,
    do_lift_restriction,
    do_move_request,
    do_receive_request,
    do_refuse_request,
    requests_in_queue,
)
from licite.rights.forms import (
    OPEN,
    ExtendForm,
    FulfilForm,
    MoveForm,
    ReceiveRequestForm,
    RefuseForm,
    RequestFilterForm,
)
from licite.rights.models import ERASING_KINDS, OPEN_STATES, RequestKind, RequestState, RightsRequest
from licite.rights.tasks import do_request_purge, next_purge, purge_pending
from licite.web.access import can, requires
from licite.web.dashboard import cached
from licite.web.paging import keyset_page, page_key, query_without_keys

PAGE_SIZE = 50
EXPIRING_DAYS = 30  # the retention page lists the records whose retention ends within this many days
EXPIRING_SHOWN = 50
DRY_RUN_SECONDS = 300  # as the dashboard: what changes with the clock alone shows within 5 minutes

# What each audit entry of a request means, in the staff's words.
ACTION_LABELS = {
    "rights.received": gettext_lazy("Received"),
    "rights.confirmation_sent": gettext_lazy("Confirmation link sent"),
    "rights.identity_confirmed": gettext_lazy("Identity confirmed"),
    "rights.state_changed": gettext_lazy("State changed"),
    "rights.extended": gettext_lazy("Deadline extended"),
    "rights.refused": gettext_lazy("Refused"),
    "rights.fulfilled": gettext_lazy("Fulfilled"),
    "rights.restriction_lifted": gettext_lazy("Restriction lifted"),
    "rights.access_downloaded": gettext_lazy("Export downloaded by the person"),
    "rights.access_exported": gettext_lazy("Export written by the staff"),
    "purge.completed": gettext_lazy("Purge run"),
    "purge.requested": gettext_lazy("Purge asked for"),
    f"purge.{purging.RETENTION_ENDED}": gettext_lazy("Retention ended: records erased"),
    f"purge.{purging.NOTICE_NEVER_SENT}": gettext_lazy("Notice never sent: records erased"),
    f"purge.{purging.SUPPRESSION_EXPIRED}": gettext_lazy("Suppression entries dropped"),
    "purge.last_chance": gettext_lazy("Last-chance messages queued"),
    "consent.expired": gettext_lazy("No consent in time: records erased"),
}
STEP_LABELS = {
    purging.RETENTION_ENDED: gettext_lazy("Prospects past their retention date (RULES F1)"),
    purging.NO_CONSENT: gettext_lazy("Consumers without consent in time (RULES C2)"),
    purging.NOTICE_NEVER_SENT: gettext_lazy("Prospects whose notice was never sent (RULES D2)"),
    purging.SUPPRESSION_EXPIRED: gettext_lazy("Suppression entries past their keeping period (RULES F4)"),
}


# --- The queue ---------------------------------------------------------------------------------


@require_GET
@requires(Perm.HANDLE_RIGHTS)
def rights_queue(request: HttpRequest) -> HttpResponse:
    """RULES G1: the open requests with their deadlines (overdue ones marked), closed ones a
    filter away, 50 a page by key (no COUNT of the table)."""
    form = RequestFilterForm(request.GET)
    today = timezone.localdate()
    page = None
    if form.is_valid():
        data = form.cleaned_data
        page = keyset_page(_filtered(data, today), after=data["after"], before=data["before"], size=PAGE_SIZE)
        for rights in page.items:
            _mark_deadline(rights, today)
    return render(
        request,
        "rights/staff/queue.html",
        {
            "form": form,
            "page": page,
            "query": query_without_keys(request),
            "overdue": RightsRequest.objects.filter(state__in=OPEN_STATES, due_on__lt=today).count(),
            "due_soon": _due_soon(today).count(),
        },
    )


def _filtered(data: dict[str, Any], today: date) -> QuerySet[RightsRequest]:
    """The queue's filters, by the function the API's list uses too."""
    return cast(
        QuerySet[RightsRequest],
        requests_in_queue(data.get("state") or OPEN, data.get("kind") or "", data.get("due") or "", today),
    )


def _due_soon(today: date) -> QuerySet[RightsRequest]:
    until = today + timedelta(days=deadlines.DUE_SOON_DAYS)
    return RightsRequest.objects.filter(state__in=OPEN_STATES, due_on__gte=today, due_on__lte=until)


def _mark_deadline(rights: RightsRequest, today: date) -> None:
    """Days left for an open request; `deadline` names its CSS class (overdue, due-soon)."""
    rights.days_left = (rights.due_on - today).days if rights.is_open else None  # type: ignore[attr-defined]
    rights.days_late = -rights.days_left if rights.is_open and rights.days_left < 0 else 0  # type: ignore[attr-defined]
    deadline = ""
    if rights.is_open and rights.due_on < today:
        deadline = "overdue"
    elif rights.is_open and rights.days_left <= deadlines.DUE_SOON_DAYS:  # type: ignore[attr-defined]
        deadline = "due-soon"
    rights.deadline = deadline  # type: ignore[attr-defined]


# --- A request received by letter, phone or email ------------------------------------------------


@require_http_methods(["GET", "POST"])
@requires(Perm.HANDLE_RIGHTS)
def rights_request_new(request: HttpRequest) -> HttpResponse:
    """RULES G1: record a request received by another channel, due a calendar month after receipt."""
    form = ReceiveRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        received_at = None
        if data["received_on"]:
            received_at = timezone.make_aware(datetime.combine(data["received_on"], time(12)))
        try:
            rights = do_receive_request(
                request.user, data["email"], data["kind"], data["channel"], note=data["note"],
                identity_check=data["identity_check"], language=data["language"], received_at=received_at,
            )  # fmt: skip
        except InvalidEmail as exc:
            form.add_error("email", refusal(exc))
        except RightsError as exc:
            form.add_error(None, refusal(exc))
        else:
            messages.success(
                request,
                _("Request #%(id)s recorded: due on %(day)s (one calendar month after receipt).")
                % {"id": rights.pk, "day": f"{rights.due_on:%Y-%m-%d}"},
            )
            return redirect("rights_request", pk=rights.pk)
    return render(request, "rights/staff/new.html", {"form": form})


# --- One request ---------------------------------------------------------------------------------


@require_GET
@requires(Perm.HANDLE_RIGHTS)
def rights_request(request: HttpRequest, pk: int) -> HttpResponse:
    """The request, the person's address, its history, the prospects it concerns, its actions."""
    rights = get_object_or_404(RightsRequest, pk=pk)
    return render(request, "rights/staff/request.html", _context(request, rights))


def _context(request: HttpRequest, rights: RightsRequest, **forms_given: Any) -> dict[str, Any]:
    today = timezone.localdate()
    _mark_deadline(rights, today)
    history = list(
        AuditEvent.objects.filter(object_type=rights._meta.label_lower, object_id=str(rights.pk)).order_by(
            "at", "pk"
        )
    )
    for event in history:
        event.label = ACTION_LABELS.get(event.action, event.action)  # type: ignore[attr-defined]
    answers = sorted({e.detail["message"] for e in history if isinstance(e.detail.get("message"), int)})
    first_month = deadlines.due_date(timezone.localdate(rights.received_at))
    context = {
        "rights": rights,
        "history": history,
        "answers": OutboundMessage.objects.filter(pk__in=answers).order_by("queued_at", "pk"),
        "prospects": Prospect.objects.filter(key_hash=rights.key_hash).order_by("pk"),
        "may_open_prospects": can(request.user, Perm.VIEW_PROSPECT_DETAIL),
        "may_extend": rights.is_open and today <= first_month and rights.extension_months < 2,
        "may_lift": rights.kind == RequestKind.RESTRICTION
        and rights.state == RequestState.FULFILLED
        and rights.restriction_lifted_at is None,
        "erasing": rights.kind
        in (RequestKind.ERASURE, RequestKind.OBJECTION, RequestKind.CONSENT_WITHDRAWAL),
        "exportable": rights.kind in (RequestKind.ACCESS, RequestKind.PORTABILITY) and bool(rights.email),
        "move_form": MoveForm(),
        "extend_form": ExtendForm(),
        "refuse_form": RefuseForm(),
        "fulfil_form": FulfilForm(kind=rights.kind),
    }
    context.update(forms_given)
    return context


def _step(
    request: HttpRequest, pk: int, form_name: str, form: forms.Form, act: Any, done: str
) -> HttpResponse:
    """One action on a request: the form checked, the action called; on success back to the
    request with `done`; otherwise the page again, with the form's errors or the action's refusal."""
    rights = get_object_or_404(RightsRequest, pk=pk)
    problem = ""
    if form.is_valid():
        try:
            act(rights, form.cleaned_data)
        except RightsError as exc:
            problem = refusal(exc)  # the rule that refused, in one line, without the address
        else:
            messages.success(request, done)
            return redirect("rights_request", pk=pk)
    rights.refresh_from_db()
    context = _context(request, rights, problem=problem, **{form_name: form})
    return render(request, "rights/staff/request.html", context)


@require_POST
@requires(Perm.HANDLE_RIGHTS)
def rights_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Wait for the person (identity, precision) or mark in progress; the deadline keeps running."""
    return _step(
        request, pk, "move_form", MoveForm(request.POST),
        lambda rights, data: do_move_request(request.user, rights, data["state"]),
        _("State changed; the deadline keeps running from receipt."),
    )  # fmt: skip


@require_POST
@requires(Perm.HANDLE_RIGHTS)
def rights_extend(request: HttpRequest, pk: int) -> HttpResponse:
    """RULES G1 (art. 12.3): two more months at most, within the first month, the person told why."""
    return _step(
        request, pk, "extend_form", ExtendForm(request.POST),
        lambda rights, data: do_extend_request(request.user, rights, data["months"], data["reason"]),
        _("Deadline extended; the person is told why and the new date."),
    )  # fmt: skip


@require_POST
@requires(Perm.HANDLE_RIGHTS)
def rights_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    """RULES G1 (art. 12.4): the person is told the reason and their right to complain to the CNIL."""
    return _step(
        request, pk, "refuse_form", RefuseForm(request.POST),
        lambda rights, data: do_refuse_request(request.user, rights, data["reason"]),
        _("Request refused; the person is told the reason and their right to complain to the CNIL."),
    )  # fmt: skip


@require_POST
@requires(Perm.HANDLE_RIGHTS)
def rights_fulfil(request: HttpRequest, pk: int) -> HttpResponse:
    """RULES G2-G5: answer as the request's kind asks (do_fulfil_request), then close it."""
    rights = get_object_or_404(RightsRequest, pk=pk)
    form = FulfilForm(request.POST, kind=rights.kind)
    changes = form.changes if rights.kind == RequestKind.RECTIFICATION else dict
    return _step(
        request, pk, "fulfil_form", form,
        lambda rights, data: do_fulfil_request(request.user, rights, changes()),
        _fulfilled(rights.kind),
    )  # fmt: skip


def _fulfilled(kind: str) -> str:
    """What the page tells the staff once a request of this kind is fulfilled."""
    if kind in (RequestKind.ACCESS, RequestKind.PORTABILITY):
        return _("Request fulfilled: a signed link to the data (valid 48 hours) is sent to the person.")
    if kind in ERASING_KINDS:
        return _("Request fulfilled: the person is erased; only the keyed hash of the address is kept.")
    if kind == RequestKind.RECTIFICATION:
        return _("Request fulfilled: the changes are applied.")
    if kind == RequestKind.RESTRICTION:
        return _("Request fulfilled: the person is left out of every campaign until it is lifted.")
    return _("Request fulfilled and closed.")


@require_POST
@requires(Perm.HANDLE_RIGHTS)
def rights_lift(request: HttpRequest, pk: int) -> HttpResponse:
    """GDPR art. 18.3: the restriction ends; the prospects get back the status they had."""
    rights = get_object_or_404(RightsRequest, pk=pk)
    try:
        lifted = do_lift_restriction(request.user, rights)
    except RightsError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(
            request, _("Restriction lifted: %(count)s prospect(s) back to their status.") % {"count": lifted}
        )
    return redirect("rights_request", pk=pk)


@require_http_methods(["GET", "POST"])
@requires(Perm.HANDLE_RIGHTS)
def rights_export(request: HttpRequest, pk: int) -> HttpResponse:
    """RULES G2: what is held about the request's address, as `licite rights access` writes it
    (HTML, or JSON for portability), to send by another channel; audited without the address.
    Written on a POST only: a GET (a prefetcher, a crawler) is sent to the request's form."""
    rights = get_object_or_404(RightsRequest, pk=pk)
    if request.method != "POST":
        return redirect(reverse("rights_request", kwargs={"pk": pk}) + "#export")
    if rights.kind not in (RequestKind.ACCESS, RequestKind.PORTABILITY):
        messages.error(request, _("Only an access or portability request has an export."))
        return redirect("rights_request", pk=pk)
    if not rights.email:
        messages.error(request, _("This request keeps no address any more: nothing to export."))
        return redirect("rights_request", pk=pk)
    fmt = "json" if request.POST.get("format") == "json" else "html"
    document, _held = do_export_access(request.user, rights.email, fmt, rights.language)
    response = HttpResponse(document, content_type="application/json" if fmt == "json" else "text/html")
    response["Content-Disposition"] = f'attachment; filename="request-{rights.pk}-data.{fmt}"'
    return response


# --- Retention: the purge ------------------------------------------------------------------------

PURGE_ACTIONS = (*(a for a in ACTION_LABELS if a.startswith("purge.")), "consent.expired")


@require_GET
@requires(Perm.HANDLE_RIGHTS)
def purge(request: HttpRequest) -> HttpResponse:
    """RULES F1-F4, C2, D2: the purge's history (its audit entries, counts only), its next run,
    the records whose retention ends soon, and what a purge would erase now (the dry run of
    `licite purge --dry-run`, the same function)."""
    now = timezone.now()
    after, before = page_key(request, "after"), page_key(request, "before")
    history = keyset_page(AuditEvent.objects.filter(action__in=PURGE_ACTIONS), after=after, before=before)
    for event in history.items:
        event.label = ACTION_LABELS.get(event.action, event.action)
    dry = dry_run()
    days = purging.last_chance_days(None)
    return render(
        request,
        "rights/staff/purge.html",
        {
            "history": history,
            "next_run": next_purge(now),
            "schedule": settings.LICITE_PURGE_SCHEDULE,
            "pending": purge_pending(),
            "last_run": AuditEvent.objects.filter(action="purge.completed").order_by("-sequence").first(),
            "dry_run": [(STEP_LABELS[name], count) for name, count in dry.report.erased.items()],
            "dry_total": sum(dry.report.erased.values()),
            "dry_counted_at": dry.counted_at,
            "last_chance_days": days,
            "last_chance": dry.report.last_chance,
            "expiring_days": EXPIRING_DAYS,
            "expiring": _expiring(now)[:EXPIRING_SHOWN],
            "expiring_count": _expiring(now).count(),
            # Art. 18.1.b: past their retention, kept until their restriction is lifted.
            "restricted_waiting": Prospect.objects.filter(
                retain_until__lte=now, status=ProspectStatus.RESTRICTED
            ).count(),
            "may_open_prospects": can(request.user, Perm.VIEW_PROSPECT_DETAIL),
        },
    )


@dataclass(frozen=True)
class DryRun:
    counted_at: datetime
    report: purging.PurgeReport


def dry_run() -> DryRun:
    """What a purge would erase now (`licite purge --dry-run`: counts over the whole database),
    kept like the dashboard's figures (licite.web.dashboard.cached) for DRY_RUN_SECONDS at most;
    the page says when it was counted. The purge itself finds again what is due, batch by batch."""

    def count() -> DryRun:
        now = timezone.now()
        return DryRun(now, purging.run_purge(None, now, dry_run=True))

    return cached("purge-dry-run", count, DRY_RUN_SECONDS)


def _expiring(now: datetime) -> QuerySet[Prospect]:
    """RULES F1: the records whose retention ends within EXPIRING_DAYS (a range of its index)."""
    return Prospect.objects.filter(
        retain_until__gt=now, retain_until__lte=now + timedelta(days=EXPIRING_DAYS)
    ).order_by("retain_until", "pk")


@require_POST
@requires(Perm.HANDLE_RIGHTS)
def purge_run(request: HttpRequest) -> HttpResponse:
    """The "run now" button: the purge of `licite purge`, enqueued for the worker, which runs it."""
    if do_request_purge(request.user) is None:
        messages.error(
            request, _("A purge is already waiting for the worker or running: nothing more to do.")
        )
    else:
        messages.success(
            request, _("Purge asked for: the worker runs it now; its report appears below when done.")
        )
    return redirect("purge")
