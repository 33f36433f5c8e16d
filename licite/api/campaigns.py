"""Campaigns (RULES C1-C3, E1): create, list, preview, send and follow, as the staff's campaign
pages and `licite campaign`.

A campaign is checked by the web's own form (licite.campaigns.forms.CampaignForm) and created by
do_create_campaign; sending is do_queue_campaign, which decides each prospect's eligibility again
and queues one message each for the worker (RULES E3). No answer here names a prospect: counts,
reason codes and job titles only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field, StringConstraints

from licite.api.auth import require
from licite.api.errors import ERRORS, ApiError, not_found
from licite.api.paging import PageQuery, keyset
from licite.api.sources import form_invalid
from licite.campaigns.actions import (
    OBJECTIONS,
    CampaignNotSendable,
    ExcludedTitle,
    campaign_feedback,
    campaign_status,
    do_create_campaign,
    do_queue_campaign,
    message_counts,
)
from licite.campaigns.forms import CampaignForm
from licite.campaigns.models import Campaign, OutboundMessage
from licite.campaigns.notices import NoticeUnavailable
from licite.campaigns.staff_views import preview_summary, reason_label
from licite.core.permissions import Perm
from licite.prospects.models import Audience
from licite.rights.models import SuppressionReason

router = Router(tags=["campaigns"])
# A function is one item: the web form and the command line take them comma-separated.
Function = Annotated[str, StringConstraints(max_length=100, pattern=r"^[^,]*$")]
# Why a campaign that is not a draft cannot be sent again, by its status.
NOT_SENDABLE: dict[str, tuple[str, str]] = {
    Campaign.Status.SENT: ("already_sent", "this campaign was already sent: a campaign is sent once"),
    Campaign.Status.SENDING: ("being_sent", "this campaign is being sent: GET it to follow its messages"),
    Campaign.Status.CANCELLED: (
        "all_cancelled",
        "every message of this campaign was cancelled before it left: create a new campaign",
    ),
}


# --- schemas -----------------------------------------------------------------------------------


class CampaignIn(Schema):
    """The fields of the web form and of `licite campaign create`, checked the same way."""

    name: str = Field(max_length=200, description="Unique")
    audience: Audience = Field(Audience.B2B, description="b2b: professionals; b2c: consumers (RULES C1)")
    purpose: str = Field(max_length=10000)
    offer: str = Field(max_length=10000, description="What the message offers, in a sentence")
    functions: list[Function] = Field(
        [],
        max_length=50,
        description=(
            "The functions or job-title words the offer concerns (RULES C3), e.g. achats, procurement: "
            "a professional whose job relates to none is left out"
        ),
    )
    link_url: str = Field("", max_length=500, description="The offer's page; a click is a contact (RULES F1)")
    subject_fr: str = Field(max_length=200)
    subject_en: str = Field(max_length=200)
    body_fr: str = Field(max_length=100000)
    body_en: str = Field(max_length=100000)


class Counts(Schema):
    sent: int
    pending: int = Field(description="Queued or being sent")
    cancelled: int = Field(description="Excluded at send time (RULES E3)")
    failed: int


class CampaignSummary(Schema):
    id: int
    name: str
    audience: str
    status: str = Field(description="draft, sending, sent, or cancelled (nothing sent)")
    created_at: datetime
    queued_at: datetime | None
    counts: Counts


class CampaignPage(Schema):
    items: list[CampaignSummary]
    next: int | None


class ReasonCount(Schema):
    reason: str = Field(description="A stable code: suppressed, hard_bounce, job_unrelated...")
    label: str
    count: int


class Follow(Schema):
    """Where the messages stand (campaign_status) and what came back (campaign_feedback)."""

    sent: int
    pending: int
    cancelled: list[ReasonCount] = Field(description="Excluded at send time, by reason (RULES E3)")
    failed: list[ReasonCount]
    objections: int = Field(description="Recipients who objected, withdrew consent or complained since")
    bounces: int = Field(description="Addresses that bounced since (RULES B5)")
    stuck: int = Field(description="Left 'sending' by a stopped worker: never sent again")
    sent_on: datetime | None


class CampaignOut(Schema):
    id: int
    name: str
    audience: str
    status: str
    purpose: str
    offer: str
    functions: list[str]
    link_url: str
    subject_fr: str
    subject_en: str
    body_fr: str
    body_en: str
    created_at: datetime
    queued_at: datetime | None
    follow: Follow


class TitleCount(Schema):
    title: str = Field(description="The job title as first met; empty for none")
    count: int


class ExcludedTitles(Schema):
    reason: str
    label: str
    titles: list[TitleCount] = Field(description="The most frequent first")
    more: int = Field(description="How many other titles")


class PreviewOut(Schema):
    """RULES C1-C3: who the campaign may reach now, and why the others not."""

    counted_at: datetime
    eligible: int
    excluded_total: int
    excluded: list[ReasonCount]
    excluded_titles: list[ExcludedTitles]


class Queued(Schema):
    id: int
    status: str
    queued: int = Field(description="Messages put in the outbox; the worker sends them")


# --- answers -----------------------------------------------------------------------------------


def _get(campaign_id: int) -> Campaign:
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        raise not_found("campaign")
    return campaign


def _reason(reason: str, count: int) -> dict[str, Any]:
    return {"reason": reason, "label": reason_label(reason), "count": count}


def _follow(campaign: Campaign) -> dict[str, Any]:
    status = campaign_status(campaign)
    totals: dict[str, int] = {}
    by_reason: dict[str, list[dict[str, Any]]] = {"cancelled": [], "failed": []}
    for state, reason, count in status.counts:
        totals[state] = totals.get(state, 0) + count
        if state in by_reason:
            by_reason[state].append(_reason(reason, count))
    feedback = campaign_feedback(campaign)
    pending = totals.get(OutboundMessage.Status.QUEUED, 0) + totals.get(OutboundMessage.Status.SENDING, 0)
    return {
        "sent": totals.get(OutboundMessage.Status.SENT, 0), "pending": pending, **by_reason,
        "objections": sum(feedback.get(reason, 0) for reason in OBJECTIONS),
        "bounces": feedback.get(SuppressionReason.BOUNCE, 0), "stuck": status.stuck,
        "sent_on": status.sent_on,
    }  # fmt: skip


def _campaign(campaign: Campaign) -> dict[str, Any]:
    fields = ("name", "audience", "status", "purpose", "offer", "functions", "link_url")
    texts = ("subject_fr", "subject_en", "body_fr", "body_en", "created_at", "queued_at")
    values = {name: getattr(campaign, name) for name in (*fields, *texts)}
    return {"id": campaign.pk, **values, "follow": _follow(campaign)}


def _summary(campaign: Campaign, counts: dict[str, int]) -> dict[str, Any]:
    fields = ("name", "audience", "status", "created_at", "queued_at")
    return {"id": campaign.pk, **{name: getattr(campaign, name) for name in fields}, "counts": counts}


def _titles(reason: str, groups: list[ExcludedTitle], more: int) -> dict[str, Any]:
    """RULES C3: the job titles left out for one reason, with their counts."""
    titles = [{"title": group.title, "count": group.count} for group in groups]
    return {"reason": reason, "label": reason_label(reason), "titles": titles, "more": max(more, 0)}


# --- operations --------------------------------------------------------------------------------


@router.get(
    "", response={200: CampaignPage, **ERRORS}, url_name="campaigns_list", summary="List the campaigns"
)
def list_campaigns(request: HttpRequest, page: Query[PageQuery]) -> dict[str, Any]:
    """The campaigns, newest first, each with its state and its messages' counts."""
    require(request, Perm.VIEW_PROSPECTS)
    rows, next_key = keyset(Campaign.objects.all(), page)
    counts = message_counts(campaign.pk for campaign in rows)
    return {"items": [_summary(campaign, counts[campaign.pk]) for campaign in rows], "next": next_key}


@router.post(
    "", response={201: CampaignOut, **ERRORS}, url_name="campaigns_create", summary="Create a campaign"
)
def create_campaign(request: HttpRequest, body: CampaignIn) -> Status[dict[str, Any]]:
    """RULES C3, E1: a draft campaign, checked as the web form checks it (each error names its
    field). Preview it, then send it: nothing leaves before."""
    user = require(request, Perm.CREATE_CAMPAIGNS)
    form = CampaignForm({**body.dict(), "functions": ", ".join(body.functions)})
    if not form.is_valid():
        raise form_invalid(form)
    campaign = do_create_campaign(user, **form.campaign_fields())
    return Status(201, _campaign(campaign))


@router.get(
    "/{campaign_id}",
    response={200: CampaignOut, **ERRORS},
    url_name="campaigns_detail",
    summary="Read a campaign and where its messages stand",
)
def read_campaign(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    """The campaign, its messages sent and pending, those excluded at send time by reason, and
    the objections and bounces since it was queued, as the campaign's page and `licite campaign
    status`."""
    require(request, Perm.VIEW_PROSPECTS)
    return _campaign(_get(campaign_id))


@router.get(
    "/{campaign_id}/preview",
    response={200: PreviewOut, **ERRORS},
    url_name="campaigns_preview",
    summary="Who the campaign may reach now, and why the others not",
)
def preview(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    """RULES C1-C3: eligible and excluded counts by reason, and the job titles left out, as the
    campaign's page shows them: counted at `counted_at`, kept a few minutes. Sending decides again."""
    require(request, Perm.VIEW_PROSPECTS)
    summary = preview_summary(_get(campaign_id))
    titles = [_titles(reason, groups, more) for reason, groups, more in summary.titles]
    return {
        "counted_at": summary.counted_at,
        "eligible": summary.eligible,
        "excluded_total": summary.excluded_total,
        "excluded": [_reason(reason, count) for reason, count in summary.excluded],
        "excluded_titles": titles,
    }


@router.post(
    "/{campaign_id}/send",
    response={202: Queued, **ERRORS},
    url_name="campaigns_send",
    summary="Send a campaign",
)
def send(request: HttpRequest, campaign_id: int) -> Status[dict[str, Any]]:
    """RULES C1-C3, E3: one message per prospect eligible now goes to the outbox, and the worker
    sends each after checking it again. A campaign is sent once: 409 `already_sent`,
    `being_sent` or `all_cancelled` when it is not a draft; 409 `nothing_eligible` when no
    prospect may be reached (it stays a draft); 409 `notice_unavailable` when the organisation's
    profile or the register lacks what the notice must say (RULES D1)."""
    user = require(request, Perm.SEND_CAMPAIGNS)
    campaign = _get(campaign_id)
    try:
        queued = do_queue_campaign(user, campaign)
    except CampaignNotSendable:
        campaign.refresh_from_db(fields=["status"])
        code, message = NOT_SENDABLE.get(campaign.status, ("not_sendable", "this campaign cannot be sent"))
        raise ApiError(409, code, message) from None
    except NoticeUnavailable as exc:
        raise ApiError(409, "notice_unavailable", f"nothing queued: {exc}", rule="D1") from None
    if not queued:
        message = "no prospect is eligible: nothing queued, the campaign stays a draft; its preview says why"
        raise ApiError(409, "nothing_eligible", message)
    return Status(202, {"id": campaign.pk, "status": Campaign.Status.SENDING, "queued": queued})
