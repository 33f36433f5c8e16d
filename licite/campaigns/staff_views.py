"""The staff's campaign pages: the list, create, preview, send and follow. They do what `licite
campaign` does, through the same actions (licite.campaigns.actions), under the permission matrix
(RULES F5). The recipients' own pages (unsubscribe, consent, click) are licite.campaigns.views."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from licite.audit.actions import record
from licite.campaigns.actions import (
    OBJECTIONS,
    STUCK_AFTER,
    CampaignNotSendable,
    ExcludedTitle,
    campaign_feedback,
    campaign_status,
    do_create_campaign,
    do_queue_campaign,
    do_settle_stuck,
    message_counts,
    preview_campaign,
)
from licite.campaigns.forms import CampaignForm
from licite.campaigns.models import Campaign, OutboundMessage
from licite.campaigns.notices import NoticeUnavailable
from licite.campaigns.rendering import new_token, render_campaign_message
from licite.core.permissions import Perm
from licite.prospects.models import Prospect
from licite.rights.models import SuppressionReason
from licite.web.access import can, requires
from licite.web.dashboard import cached
from licite.web.paging import keyset_page, page_key

PAGE_SIZE = 50
SHOWN_TITLES = 20  # as `licite campaign preview`: the most frequent excluded titles of each reason
PREVIEW_SECONDS = 300  # as the dashboard: what changes with the clock alone shows within 5 minutes

# Why a prospect is left out, in the words of the person running the campaign: the reasons of
# licite.core.eligibility.Exclusion, and those the worker gives at send time (actions._refusal...).
REASONS: dict[str, Promise] = {
    "suppressed": gettext_lazy("on the suppression list (objected, withdrew consent, bounced or erased)"),
    "erased": gettext_lazy("erased meanwhile"),
    "hard_bounce": gettext_lazy("the address bounced"),
    "invalid_address": gettext_lazy("an address of no known kind"),
    "retention_expired": gettext_lazy("kept past their retention period"),
    "restricted": gettext_lazy("processing restricted while a request is handled"),
    "audience_mismatch": gettext_lazy("not the audience of the campaign (B2B or B2C)"),
    "consent_withdrawn": gettext_lazy("consent withdrawn"),
    "no_consent": gettext_lazy("a consumer whose consent is not proved"),
    "no_job_title": gettext_lazy("no job title: relevance to the offer cannot be shown"),
    "job_unrelated": gettext_lazy("a job the offer does not relate to"),
    "notice_overdue": gettext_lazy("the notice is overdue"),
    "consent_not_pending": gettext_lazy("consent no longer pending"),
    "not_active": gettext_lazy("not active"),
    "demo_data": gettext_lazy("demo data, never sent to a real mail server"),
    "base_url_not_https": gettext_lazy("the links would not work: LICITE_BASE_URL is not an https address"),
    "worker_stopped": gettext_lazy("a worker stopped while sending it: it may or may not have left"),
}


def reason_label(reason: str) -> str:
    return str(REASONS.get(reason, reason or "—"))


# --- the list ----------------------------------------------------------------------------------


@require_GET
@requires(Perm.VIEW_PROSPECTS)
def campaign_list(request: HttpRequest) -> HttpResponse:
    """The campaigns, newest first, each with its state and its messages' counts, by key pages."""
    page = keyset_page(
        Campaign.objects.all(), after=page_key(request, "after"), before=page_key(request, "before")
    )
    _attach_counts(page.items)
    return render(request, "campaigns/staff/list.html", {"page": page})


def _attach_counts(campaigns: Sequence[Campaign]) -> None:
    counts = message_counts(c.pk for c in campaigns)
    for campaign in campaigns:
        campaign.counts = counts[campaign.pk]  # type: ignore[attr-defined]


# --- create ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@requires(Perm.CREATE_CAMPAIGNS)
def campaign_create(request: HttpRequest) -> HttpResponse:
    """As `licite campaign create`, through do_create_campaign; each error names its field."""
    form = CampaignForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = do_create_campaign(request.user, **form.campaign_fields())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Campaign created. Check its preview before sending it."))
            return redirect("campaign_detail", pk=campaign.pk)
    return render(request, "campaigns/staff/create.html", {"form": form})


# --- preview and follow ------------------------------------------------------------------------


@require_GET
@requires(Perm.VIEW_PROSPECTS)
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A draft's preview (RULES C1-C3: who it may reach now, and why the others not) and one
    message as a recipient receives it (RULES E1, D2); once queued, where its messages stand."""
    campaign = get_object_or_404(Campaign, pk=pk)
    context: dict[str, Any] = {"campaign": campaign, "may_send": can(request.user, Perm.SEND_CAMPAIGNS)}
    if campaign.status == Campaign.Status.DRAFT:
        summary = preview_summary(campaign)
        context["preview"] = _preview_context(summary)
        if summary.first_eligible is not None and can(request.user, Perm.VIEW_PROSPECT_DETAIL):
            context["sample"] = _sample(request, campaign, summary.first_eligible)
    else:
        context["follow"] = _follow(campaign)
    context["stuck_minutes"] = int(STUCK_AFTER.total_seconds() // 60)
    return render(request, "campaigns/staff/detail.html", context)


@dataclass(frozen=True)
class PreviewSummary:
    """What the pages show of preview_campaign, and when it was counted: counts by reason code
    (labelled in the reader's language by the view), the most frequent excluded titles, and the
    id of the first eligible prospect (whose message is shown, read again at each view)."""

    counted_at: datetime
    eligible: int
    first_eligible: int | None
    excluded: list[tuple[str, int]]
    excluded_total: int
    titles: list[tuple[str, list[ExcludedTitle], int]]  # reason, the first groups, how many more


def preview_summary(campaign: Campaign) -> PreviewSummary:
    """preview_campaign reads every prospect of the audience (100,000: a second and more): its
    summary is kept like the dashboard's figures (licite.web.dashboard.cached), under the last
    audit entry that changes something, for PREVIEW_SECONDS at most. The page says when it was
    counted; sending does not use it: do_queue_campaign decides again (RULES C1-C3, E3)."""
    return cached(f"campaign-preview:{campaign.pk}", lambda: _summarize(campaign), PREVIEW_SECONDS)


def _summarize(campaign: Campaign) -> PreviewSummary:
    now = timezone.now()
    preview = preview_campaign(campaign, now)
    titles: dict[str, list[ExcludedTitle]] = {}
    for group in preview.titles:
        titles.setdefault(group.reason.value, []).append(group)
    return PreviewSummary(
        counted_at=now,
        eligible=len(preview.eligible),
        first_eligible=preview.eligible[0] if preview.eligible else None,
        excluded=[(reason, n) for reason, n in preview.counts.items() if n and reason != "eligible"],
        excluded_total=len(preview.excluded),
        titles=[
            (reason, groups[:SHOWN_TITLES], len(groups) - SHOWN_TITLES) for reason, groups in titles.items()
        ],
    )


def _preview_context(summary: PreviewSummary) -> dict[str, Any]:
    return {
        "counted_at": summary.counted_at,
        "eligible": summary.eligible,
        "excluded": [(reason_label(reason), count) for reason, count in summary.excluded],
        "excluded_total": summary.excluded_total,
        "titles": [(reason_label(reason), groups, more) for reason, groups, more in summary.titles],
    }


@dataclass(frozen=True)
class Sample:
    prospect_id: int
    language: str = ""
    subject: str = ""
    text: str = ""
    html: str = ""
    problem: str = ""


def _sample(request: HttpRequest, campaign: Campaign, prospect_id: int) -> Sample | None:
    """The message the first eligible prospect would receive; a read of their data, audited. None
    when the preview was counted before they were erased."""
    prospect = (
        Prospect.objects.prefetch_related("provenance__source", "consents").filter(pk=prospect_id).first()
    )
    if prospect is None:
        return None
    record(request.user, "prospect.viewed", prospect, page="campaign preview")
    try:
        rendered = render_campaign_message(prospect, campaign, new_token(), prospect.notice_sent_at is None)
    except NoticeUnavailable as exc:
        return Sample(prospect.pk, problem=str(exc))
    return Sample(prospect.pk, rendered.language, rendered.subject, rendered.text, rendered.html)


@dataclass(frozen=True)
class Follow:
    sent: int
    pending: int
    cancelled: list[tuple[str, int]]  # excluded at send time, by reason
    failed: list[tuple[str, int]]
    objections: int
    bounces: int
    stuck: int
    sent_on: Any


def _follow(campaign: Campaign) -> Follow:
    status = campaign_status(campaign)
    totals: dict[str, int] = {}
    cancelled, failed = [], []
    for state, reason, count in status.counts:
        totals[state] = totals.get(state, 0) + count
        if state == OutboundMessage.Status.CANCELLED:
            cancelled.append((reason_label(reason), count))
        elif state == OutboundMessage.Status.FAILED:
            failed.append((reason_label(reason), count))
    feedback = campaign_feedback(campaign)
    return Follow(
        sent=totals.get("sent", 0), pending=totals.get("queued", 0) + totals.get("sending", 0),
        cancelled=cancelled, failed=failed,
        objections=sum(feedback.get(reason, 0) for reason in OBJECTIONS),
        bounces=feedback.get(SuppressionReason.BOUNCE, 0), stuck=status.stuck, sent_on=status.sent_on,
    )  # fmt: skip


# --- send and settle ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@requires(Perm.SEND_CAMPAIGNS)
def campaign_send(request: HttpRequest, pk: int) -> HttpResponse:
    """A confirmation page, then do_queue_campaign: one message per eligible prospect goes to
    the outbox, and the worker sends each after checking it again (RULES E3)."""
    campaign = get_object_or_404(Campaign, pk=pk)
    if request.method == "POST":
        return _queue(request, campaign)
    summary = preview_summary(campaign) if campaign.status == Campaign.Status.DRAFT else None
    return render(
        request,
        "campaigns/staff/send.html",
        {"campaign": campaign, "eligible": summary.eligible if summary else None, "summary": summary},
    )


def _queue(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    try:
        queued = do_queue_campaign(request.user, campaign)
    except CampaignNotSendable:
        messages.error(request, _not_sendable(campaign))
        return redirect("campaign_detail", pk=campaign.pk)
    except NoticeUnavailable as exc:
        messages.error(
            request, _("Nothing queued: a message cannot be rendered (%(problem)s).") % {"problem": exc}
        )
        return redirect("campaign_detail", pk=campaign.pk)
    if not queued:
        messages.error(
            request,
            _("No prospect is eligible: nothing queued, the campaign stays a draft. The preview says why."),
        )
    else:
        text = ngettext(
            "%(count)s message queued; the worker sends it.",
            "%(count)s messages queued; the worker sends them.",
            queued,
        )
        messages.success(request, text % {"count": _number(queued)})
    return redirect("campaign_detail", pk=campaign.pk)


def _number(count: int) -> str:
    """A count with the reader's language's thousands separator (1,234 or 1 234)."""
    return number_format(count, force_grouping=True)


def _not_sendable(campaign: Campaign) -> str:
    campaign.refresh_from_db(fields=["status"])
    if campaign.status == Campaign.Status.SENDING:
        return _("Nothing queued: this campaign is being sent.")
    if campaign.status == Campaign.Status.CANCELLED:
        return _("Nothing queued: every message of this campaign was cancelled. Create a new campaign.")
    return _("Nothing queued: a campaign is sent only once, and this one was already sent.")


@require_POST
@requires(Perm.SEND_CAMPAIGNS)
def campaign_settle(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark failed the messages a stopped worker left "sending": never sent again (do_settle_stuck)."""
    campaign = get_object_or_404(Campaign, pk=pk)
    settled = do_settle_stuck(request.user, campaign)
    if settled.requeued:  # never handed to the mail server: provably never sent (docs/operations.md)
        text = ngettext(
            "%(count)s message never reached the mail server: it is queued again.",
            "%(count)s messages never reached the mail server: they are queued again.",
            settled.requeued,
        )
        messages.success(request, text % {"count": _number(settled.requeued)})
    if settled.failed or settled.cancelled:
        text = ngettext(
            "%(count)s message marked failed; it will never be sent again.",
            "%(count)s messages marked failed; they will never be sent again.",
            settled.failed + settled.cancelled,
        )
        messages.success(request, text % {"count": _number(settled.failed + settled.cancelled)})
    if not (settled.requeued or settled.failed or settled.cancelled):
        messages.success(request, _("No message was left “sending” by a stopped worker."))
    return redirect("campaign_detail", pk=campaign.pk)
