"""The prospect pages: the list (search, filters, keyset pages), one prospect's detail with its
history, and the actions on it. Each calls the action of its use case; each detail read is
an audit entry (DESIGN: every read of a prospect's detail)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from licite.audit.actions import record
from licite.campaigns.actions import do_record_contact
from licite.campaigns.notices import NoticeUnavailable, compose_for
from licite.campaigns.rendering import new_token
from licite.core.notice import NoticeInvalid
from licite.core.permissions import Perm, perm_to_suppress
from licite.lib.refusals import refusal
from licite.prospects.forms import ContactForm, EraseForm, ProspectFilterForm, RestrictForm
from licite.prospects.models import LegalBasis, Prospect, ProspectStatus
from licite.rights.actions import RightsError, do_erase, do_restrict_prospect
from licite.rights.models import RightsRequest
from licite.web.access import can, requires
from licite.web.paging import keyset_page, query_without_keys

PAGE_SIZE = 50


@require_GET
@requires(Perm.VIEW_PROSPECTS)
def prospect_list(request: HttpRequest) -> HttpResponse:
    """RULES F5: the prospects, 50 a page, found without counting the table."""
    form = ProspectFilterForm(request.GET)
    page = None
    if form.is_valid():
        data = form.cleaned_data
        rows = form.filtered().only(*LIST_COLUMNS)
        page = keyset_page(rows, after=data["after"], before=data["before"], size=PAGE_SIZE)
        _label(page.items)
    may_open = can(request.user, Perm.VIEW_PROSPECT_DETAIL)
    return render(
        request,
        "prospects/list.html",
        {
            "form": form,
            "page": page,
            "rows": _rows(page.items, may_open) if page else "",
            "query": query_without_keys(request),
            "may_open": may_open,
        },
    )


LIST_COLUMNS = ("email", "first_name", "last_name", "company", "legal_basis", "status", "collected_at")
_BASIS, _STATUS = dict(LegalBasis.choices), dict(ProspectStatus.choices)


def _label(prospects: Sequence[Prospect]) -> None:
    """The labels of the basis and status, translated once a page and looked up in a dict once a
    row, rather than through get_FOO_display's field lookups and a lazy string's gettext a row."""
    bases = {value: str(label) for value, label in _BASIS.items()}
    statuses = {value: str(label) for value, label in _STATUS.items()}
    for prospect in prospects:
        prospect.basis_label = bases.get(prospect.legal_basis, prospect.legal_basis)  # type: ignore[attr-defined]
        prospect.status_label = statuses.get(prospect.status, prospect.status)  # type: ignore[attr-defined]


def _rows(prospects: Sequence[Prospect], may_open: bool) -> SafeString:
    """The table's rows, built here rather than in the template's loop, with the standard
    library's escape rather than format_html's per value: the template's fifty rows were a
    sixth of the page, format_html's then a tenth (issue 22's 150 ms p95 under 16 clients:
    bench/web_bench.py). Every value goes through `_cell`'s escape."""
    prefix = reverse("prospect_detail", args=[0]).removesuffix("0/")  # one reverse, not one a row
    return mark_safe("\n".join(_row(prospect, prefix, may_open) for prospect in prospects))  # noqa: S308


def _row(prospect: Any, prefix: str, may_open: bool) -> str:
    address = _cell(prospect.email)
    if may_open:
        address = f'<a href="{prefix}{prospect.pk}/">{address}</a>'
    return (
        f"<tr>\n<td>{address}</td>\n<td>{_cell(prospect.first_name)} {_cell(prospect.last_name)}</td>\n"
        f"<td>{_cell(prospect.company)}</td>\n<td>{_cell(prospect.basis_label)}</td>\n"
        f"<td>{_cell(prospect.status_label)}</td>\n"
        f"<td>{timezone.localtime(prospect.collected_at):%Y-%m-%d}</td>\n</tr>"
    )


def _cell(value: Any) -> str:
    """A value as the page shows it, escaped for HTML as Django's templates do."""
    return html.escape(str(value))


@require_GET
@requires(Perm.VIEW_PROSPECT_DETAIL)
def prospect_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole record and its history (RULES B3: every source, date, URL and batch)."""
    prospect = get_object_or_404(Prospect, pk=pk)
    record(request.user, "prospect.viewed", prospect, page="detail")
    return render(request, "prospects/detail.html", _history(prospect))


def _history(prospect: Prospect) -> dict[str, Any]:
    return {
        "prospect": prospect,
        "provenance": prospect.provenance.select_related("source", "batch").order_by("collected_at", "pk"),
        "consents": prospect.consents.order_by("requested_at", "pk"),
        "contacts": prospect.contacts.order_by("-occurred_at", "-pk"),
        "messages_sent": prospect.messages.select_related("campaign").order_by("-queued_at", "-pk"),
        "requests": RightsRequest.objects.filter(key_hash=prospect.key_hash).order_by("-received_at"),
        "contact_form": ContactForm(),
        "restrict_form": RestrictForm(),
        "restricted": prospect.status == ProspectStatus.RESTRICTED,
    }


@require_GET
@requires(Perm.VIEW_PROSPECT_DETAIL)
def notice_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """RULES D1, D4: the notice as the person would receive it, in their language unless asked."""
    prospect = get_object_or_404(Prospect, pk=pk)
    language = request.GET.get("lang") if request.GET.get("lang") in ("fr", "en") else None
    context: dict[str, Any] = {"prospect": prospect}
    try:
        context["notice"] = compose_for(prospect, new_token(), language)
    except (NoticeUnavailable, NoticeInvalid) as exc:
        context["problem"] = refusal(exc)
    record(request.user, "prospect.viewed", prospect, page="notice preview")
    return render(request, "prospects/notice.html", context)


@require_POST
@requires(Perm.VIEW_PROSPECT_DETAIL)
def record_contact(request: HttpRequest, pk: int) -> HttpResponse:
    """RULES F1: a reply or a call from the prospect restarts the retention clock."""
    prospect = get_object_or_404(Prospect, pk=pk)
    form = ContactForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the kind of contact: a reply or a call."))
        return redirect("prospect_detail", pk=pk)
    do_record_contact(request.user, prospect, form.cleaned_data["kind"])
    prospect.refresh_from_db()
    messages.success(
        request,
        _("Contact recorded; the record is now kept until %(date)s.")
        % {"date": f"{timezone.localtime(prospect.retain_until):%Y-%m-%d}"},
    )
    return redirect("prospect_detail", pk=pk)


@require_POST
@requires(Perm.HANDLE_RIGHTS)
def restrict(request: HttpRequest, pk: int) -> HttpResponse:
    """GDPR art. 18: recorded as the person's restriction request and fulfilled at once, so that
    the rights queue shows it and lifting it (do_lift_restriction) gives back the former status."""
    prospect = get_object_or_404(Prospect, pk=pk)
    form = RestrictForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say how the person asked: letter, phone or email."))
        return redirect("prospect_detail", pk=pk)
    try:
        # The action refuses a prospect already restricted (the API calls it too).
        do_restrict_prospect(request.user, prospect, form.cleaned_data["channel"], form.cleaned_data["note"])
    except RightsError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, _("Processing restricted: the prospect is left out of every campaign."))
    return redirect("prospect_detail", pk=pk)


@require_http_methods(["GET", "POST"])
@requires(Perm.RECORD_OBJECTION)
def erase(request: HttpRequest, pk: int) -> HttpResponse:
    """RULES G4: the one erasure, after a confirmation page; only the keyed hash stays. RULES G3:
    any prospecting role records an objection received by phone or letter, as `licite suppress
    add` and the API's suppression do (perm_to_suppress); an erasure request, the rights handler."""
    prospect = get_object_or_404(Prospect, pk=pk)
    if request.method == "POST" and not can(request.user, perm_to_suppress(request.POST.get("reason", ""))):
        raise PermissionDenied
    form = EraseForm(request.POST if request.method == "POST" else None)
    if not can(request.user, Perm.HANDLE_RIGHTS):
        reason = form.fields["reason"]
        reason.choices = [c for c in reason.choices if can(request.user, perm_to_suppress(str(c[0])))]  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        erasure = do_erase(request.user, [prospect.key_hash], form.cleaned_data["reason"], channel="staff")
        messages.success(
            request,
            _("Prospect erased (records deleted: %(count)s); its keyed hash is on the suppression list.")
            % {"count": erasure.erased_prospects},
        )
        return redirect("prospect_list")
    return render(request, "prospects/erase.html", {"prospect": prospect, "form": form})
