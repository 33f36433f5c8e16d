"""Use cases of contacting prospects: campaigns, the outbox, consent requests, contacts.

What the person does in answer (object, withdraw or give consent) is in licite.rights.actions.

Every way in (CLI, web, worker, provider webhooks) calls these functions, so each rule is
applied in one place. Eligibility itself is decided by `licite.core.eligibility`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import logging
import os
import smtplib
import socket
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone

from licite.accounts.models import Organisation
from licite.audit.actions import record
from licite.campaigns.models import (
    PROSPECT_INITIATED,
    Campaign,
    Channel,
    ContactEvent,
    ContactKind,
    OutboundMessage,
    WorkerBeat,
)
from licite.campaigns.notices import Sender, notice_language, public_url
from licite.campaigns.rendering import new_token, render_campaign_message, render_consent_request
from licite.conf import reaches_mailboxes, unreachable_links
from licite.core import clocks
from licite.core import inbound as inbound_rules
from licite.core.eligibility import (
    CampaignFacts,
    Decision,
    Exclusion,
    ProspectFacts,
    decide,
    explain_unrelated,
    normalize_words,
    summarize,
)
from licite.core.functions import TABLE, FunctionTable, parse_additions
from licite.prospects.models import Prospect, ProspectStatus, Provenance
from licite.rights.models import ConsentChannel, ConsentRecord, SuppressionEntry, SuppressionReason

log = logging.getLogger("licite.campaigns")
CONSENT_PURPOSE_FR = "nos offres par courrier électronique"
CONSENT_PURPOSE_EN = "our offers by email"
CONSENT_WORDING_VERSION = "2026-11"
MAX_ATTEMPTS = 3


# --- Eligibility ---------------------------------------------------------------------------


def annotated_prospects() -> Any:
    """Prospects with the facts eligibility needs, fetched in one query (never one per row)."""
    consents = ConsentRecord.objects.filter(prospect=OuterRef("pk"))
    return Prospect.objects.annotate(
        is_suppressed=Exists(SuppressionEntry.objects.filter(key_hash=OuterRef("key_hash"))),
        has_consent=Exists(consents.filter(given_at__isnull=False, withdrawn_at__isnull=True)),
        consent_withdrawn=Exists(consents.filter(withdrawn_at__isnull=False)),
    )


def prospect_facts(prospect: Any) -> ProspectFacts:
    return ProspectFacts(
        audience=prospect.audience, email_kind=prospect.email_kind, status=prospect.status,
        job_title=prospect.job_title, retain_until=prospect.retain_until,
        notice_sent_at=prospect.notice_sent_at, notice_due_at=prospect.notice_due_at,
        suppressed=prospect.is_suppressed, consent_given=prospect.has_consent,
        consent_withdrawn=prospect.consent_withdrawn, hard_bounced=False,  # RULES B5: a bounce erases
    )  # fmt: skip


def campaign_facts(campaign: Campaign) -> CampaignFacts:
    functions = tuple(campaign.functions)
    return CampaignFacts(audience=campaign.audience, functions=functions, table=function_table())


def function_table() -> FunctionTable:
    """RULES C3: licite's table of functions with the organisation's titles (Organisation.job_functions)."""
    additions = Organisation.objects.values_list("job_functions", flat=True).first()
    return _table_with(json.dumps(additions or {}, sort_keys=True))


@functools.lru_cache(maxsize=8)
def _table_with(additions: str) -> FunctionTable:
    try:
        return TABLE.with_additions(parse_additions(json.loads(additions)))
    except ValueError:  # saved around the admin's check: licite's own table still holds (the stricter one)
        log.warning("the organisation's job functions are not valid: licite's own table is used")
        return TABLE


@dataclass(frozen=True)
class ExcludedTitle:
    """Prospects excluded for their job title (RULES C3), grouped by title as a reader would."""

    title: str  # as first met; "" for no title
    count: int
    reason: Exclusion
    why: str


@dataclass(frozen=True)
class Preview:
    eligible: list[int]
    counts: dict[str, int]
    excluded: dict[int, Decision]
    titles: list[ExcludedTitle] = field(default_factory=list)  # most frequent first


def preview_campaign(campaign: Campaign, now: datetime) -> Preview:
    """Who this campaign may reach now, and why each other prospect is excluded."""
    facts = campaign_facts(campaign)
    decisions: dict[int, Decision] = {}
    titles: dict[tuple[Exclusion, str], ExcludedTitle] = {}
    for prospect in annotated_prospects().filter(audience=campaign.audience).iterator(chunk_size=2000):
        decision = decisions[prospect.pk] = decide(prospect_facts(prospect), facts, now)
        if decision.reason in (Exclusion.JOB_UNRELATED, Exclusion.NO_JOB_TITLE):
            key = (decision.reason, " ".join(normalize_words(prospect.job_title)))
            group = titles.get(key) or _excluded_title(prospect.job_title, decision.reason, facts)
            titles[key] = dataclasses.replace(group, count=group.count + 1)
    eligible = [pk for pk, decision in decisions.items() if decision.eligible]
    excluded = {pk: decision for pk, decision in decisions.items() if not decision.eligible}
    groups = sorted(titles.values(), key=lambda group: (-group.count, group.title.casefold()))
    return Preview(eligible, summarize(decisions.values()), excluded, groups)


def _excluded_title(title: str, reason: Exclusion, facts: CampaignFacts) -> ExcludedTitle:
    """The reason, said once for all the prospects of one title (RULES C3)."""
    if not facts.functions:
        why = "the campaign declares no functions"
    elif reason is Exclusion.NO_JOB_TITLE:
        why = "no job title"
    else:
        why = explain_unrelated(facts.functions, facts.table)
    return ExcludedTitle(title.strip(), 0, reason, why)


# --- Campaigns -----------------------------------------------------------------------------


@transaction.atomic
def do_create_campaign(actor: Any, **fields: Any) -> Campaign:
    """A draft campaign, checked by the model; a name already taken is a ValidationError on `name`,
    even when another request took it between the check and the insert (PostgreSQL: the unique
    constraint refuses ours; the savepoint keeps the transaction usable), never a 500."""
    campaign = Campaign(**fields, created_by=actor if getattr(actor, "pk", None) else None)
    campaign.full_clean()
    try:
        with transaction.atomic():
            campaign.save()
    except IntegrityError:
        if Campaign.objects.filter(name=campaign.name).exists():
            # The very error of a name found taken by the check: the forms put it on `name`.
            raise ValidationError({"name": campaign.unique_error_message(Campaign, ("name",))}) from None
        raise
    record(actor, "campaign.created", campaign, audience=campaign.audience, functions=len(campaign.functions))
    return campaign


class CampaignNotSendable(ValueError):
    """A campaign that was already sent, or is being sent, is not queued again."""


def do_queue_campaign(actor: Any, campaign: Campaign, now: datetime | None = None) -> int:
    """Render one message per eligible prospect into the outbox and enqueue their sending.

    A campaign is sent once: sent or being sent, it raises CampaignNotSendable. With nothing
    eligible, nothing changes and it stays a draft (0 is returned).
    """
    now = now or timezone.now()
    _require_draft(campaign)
    preview = preview_campaign(campaign, now)
    if not preview.eligible:
        return 0
    sender = Sender.load()
    already = set(OutboundMessage.objects.filter(campaign=campaign).values_list("key_hash", flat=True))
    # The consents: the footer of a consumer's message says when they agreed (licite.campaigns.rendering).
    eligible = Prospect.objects.filter(pk__in=preview.eligible).prefetch_related(
        "provenance__source", "consents"
    )
    queued: list[int] = []
    with transaction.atomic():
        _require_draft(Campaign.objects.select_for_update().get(pk=campaign.pk))  # two sends at once
        for chunk in _chunks(eligible.order_by("pk"), 500):
            messages = [_outbound(p, campaign, now, sender) for p in chunk if p.key_hash not in already]
            queued.extend(m.pk for m in OutboundMessage.objects.bulk_create(messages))
        if not queued:  # nothing to send: the campaign stays a draft, never "sending" with nothing to send
            return 0
        campaign.status, campaign.queued_at = Campaign.Status.SENDING, now
        campaign.save(update_fields=["status", "queued_at"])
        record(actor, "campaign.queued", campaign, queued=len(queued), excluded=len(preview.excluded))
        transaction.on_commit(lambda: enqueue_sending(queued))
    return len(queued)


def _require_draft(campaign: Campaign) -> None:
    if campaign.status == Campaign.Status.SENT:
        when = campaign_status(campaign).sent_on
        raise CampaignNotSendable(
            f"Campaign {campaign.name} was already sent on {day_and_time(when)}: nothing queued"
        )
    if campaign.status == Campaign.Status.SENDING:
        raise CampaignNotSendable(
            f"Campaign {campaign.name} is being sent since {day_and_time(campaign.queued_at)}: "
            f"nothing queued; `licite campaign status {campaign.name}` says where its messages stand"
        )
    if campaign.status == Campaign.Status.CANCELLED:
        raise CampaignNotSendable(
            f"Campaign {campaign.name} was queued on {day_and_time(campaign.queued_at)} and every one of "
            "its messages was cancelled before it left: nothing queued; create a new campaign to write "
            "to the prospects eligible now"
        )


def day_and_time(moment: datetime | None) -> str:
    """ "2026-12-04 09:12", in the installation's time zone (LICITE_TIME_ZONE)."""
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else "an unknown date"


# A worker sends a batch (SEND_BATCH messages) within minutes; a message still "sending" this long
# after its claim was left by a worker that stopped (killed, or its machine lost).
STUCK_AFTER = timedelta(seconds=settings.LICITE_CLAIM_TIMEOUT_SECONDS)


@dataclass(frozen=True)
class CampaignStatus:
    """Where a campaign's messages stand."""

    status: str
    counts: list[tuple[str, str, int]]  # (message status, reason, messages)
    sent_on: datetime | None  # the last message sent, or the queueing if none was
    stuck: int  # "sending" since longer than STUCK_AFTER: a worker stopped while sending them


def campaign_status(campaign: Campaign, now: datetime | None = None) -> CampaignStatus:
    """Counts of the campaign's messages by status, and those a stopped worker left "sending"."""
    now = now or timezone.now()
    messages = OutboundMessage.objects.filter(campaign=campaign)
    rows = (
        messages.values("status", "status_reason").annotate(n=Count("id")).order_by("status", "status_reason")
    )
    last = (
        messages.filter(sent_at__isnull=False).order_by("-sent_at").values_list("sent_at", flat=True).first()
    )
    return CampaignStatus(
        status=campaign.status,
        counts=[(row["status"], row["status_reason"], row["n"]) for row in rows],
        sent_on=last or campaign.queued_at,
        stuck=_stuck(messages, now).count(),
    )


def message_counts(campaign_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Each campaign's messages: sent, pending (queued or being sent), cancelled, failed. One
    grouped query for all of them (index message_campaign_status), for the lists of the pages
    and of the API."""
    ids = list(campaign_ids)
    rows = (
        OutboundMessage.objects.filter(campaign__in=ids)
        .values("campaign_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    found: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    for row in rows:
        found[row["campaign_id"]][row["status"]] = row["n"]
    return {
        pk: {
            "sent": states.get("sent", 0),
            "pending": states.get("queued", 0) + states.get("sending", 0),
            "cancelled": states.get("cancelled", 0),
            "failed": states.get("failed", 0),
        }
        for pk, states in found.items()
    }


# RULES G3: the suppression reasons by which a recipient refused more messages.
OBJECTIONS = (SuppressionReason.OBJECTION, SuppressionReason.WITHDRAWAL, SuppressionReason.COMPLAINT)


def campaign_feedback(campaign: Campaign) -> dict[str, int]:
    """What came back since the campaign was queued: the suppression entries of its recipients
    (objections, consent withdrawals, complaints, bounces: RULES G3, B5), counted by reason."""
    if campaign.queued_at is None:
        return {}
    recipients = OutboundMessage.objects.filter(campaign=campaign).values("key_hash")
    rows = (
        SuppressionEntry.objects.filter(key_hash__in=Subquery(recipients), created_at__gte=campaign.queued_at)
        .values("reason")
        .annotate(n=Count("id"))
        .order_by("reason")
    )
    return {row["reason"]: row["n"] for row in rows}


def _stuck(messages: Any, now: datetime) -> Any:
    """Messages "sending" since longer than STUCK_AFTER whose worker no longer beats: a slow
    worker still alive (a batch held by slow mail servers) keeps its claims, however long."""
    return (
        messages.filter(status=OutboundMessage.Status.SENDING)
        .filter(Q(claimed_at__lt=now - STUCK_AFTER) | Q(claimed_at__isnull=True))
        .exclude(claimed_by__in=_live_workers(now))
    )


def _live_workers(now: datetime) -> list[str]:
    """The workers ("host:pid") whose heartbeat is recent (licite.campaigns.workers)."""
    beats = WorkerBeat.objects.filter(beat_at__gte=now - WorkerBeat.lost_after()).values_list("host", "pid")
    return [f"{host}:{pid}" for host, pid in beats]


@dataclass(frozen=True)
class Settled:
    """What became of the messages a stopped worker left "sending"."""

    requeued: int  # never handed to the mail server: queued again, sent by the next worker
    failed: int  # handed over (or claimed before hand-overs were recorded): may have left, never resent
    cancelled: int = 0  # never handed over, but claimed MAX_ATTEMPTS times: reached nobody


def do_settle_stuck(actor: Any, campaign: Campaign, now: datetime | None = None) -> Settled:
    """Settle the messages of one campaign a stopped worker left "sending", by the rule of
    _settle_claims, and close the campaign if nothing is left to send. The workers do the same
    for the whole outbox on their own (do_settle_abandoned); this is the button and command."""
    now = now or timezone.now()
    with transaction.atomic():
        settled, ids = _settle_claims(OutboundMessage.objects.filter(campaign=campaign), now)
        record(actor, "campaign.settled", campaign, **dataclasses.asdict(settled))
    _close_finished_campaigns(ids)
    return settled


def do_settle_abandoned(now: datetime | None = None) -> Settled:
    """Settle every message of the outbox left "sending" by a worker that stopped (claimed more
    than LICITE_CLAIM_TIMEOUT_SECONDS ago), by the rule of _settle_claims. Every `licite worker`
    runs it every few seconds (licite.campaigns.workers), so no message stays stuck for good;
    an audit entry counts what it did, when it did anything."""
    now = now or timezone.now()
    with transaction.atomic():
        settled, ids = _settle_claims(OutboundMessage.objects.all(), now)
        if ids:
            record(None, "outbox.settled", None, **dataclasses.asdict(settled))
    if ids:
        log.warning(
            "outbox: of the messages a stopped worker left, %d queued again (never handed to the mail "
            "server), %d marked failed (worker_stopped: handed over, unconfirmed), %d cancelled",
            settled.requeued,
            settled.failed,
            settled.cancelled,
        )
        _close_finished_campaigns(ids)
    return settled


def _settle_claims(messages: Any, now: datetime) -> tuple[Settled, list[int]]:
    """The rule of a dead claim: at most once, never lost without a trace.

    A worker records, and commits, the moment it hands each message to the mail server
    (`handed_over_at`, written just before the SMTP conversation) under its own claim. So a
    stuck message (still "sending" STUCK_AFTER after its claim, and its worker's heartbeat lost:
    _stuck) whose claim was recorded with its worker (`claimed_by`) and that was never handed
    over provably never reached the server:
    it is queued again and sent by the next worker, up to MAX_ATTEMPTS claims (a message that
    keeps killing its workers is cancelled, reason worker_stopped: it reached nobody). One that
    was handed over may or may not have gone out: licite never sends it again; it is marked
    failed, reason worker_stopped, its address forgotten, for a person to check in the mail
    server's log (header X-Licite-Message). So is a claim made before hand-overs were recorded
    (no `claimed_by`): its fate is unknown. Its prospect keeps no notice date: their next
    message carries the notice (RULES D2). A worker still alive but slow cannot send a message
    settled so: its hand-over is conditional on its own claim (_hand_over).

    Run inside a transaction; on PostgreSQL the rows another worker is settling are skipped.
    Returns the counts and the ids settled."""
    stuck = _stuck(messages.select_for_update(skip_locked=True), now)
    rows = list(stuck.values_list("pk", "claimed_by", "handed_over_at", "attempts"))
    never = [pk for pk, by, handed, attempts in rows if by and handed is None and attempts < MAX_ATTEMPTS]
    spent = [pk for pk, by, handed, attempts in rows if by and handed is None and attempts >= MAX_ATTEMPTS]
    doubtful = [pk for pk, by, handed, _attempts in rows if not by or handed is not None]
    OutboundMessage.objects.filter(pk__in=never).update(
        status=OutboundMessage.Status.QUEUED, claimed_at=None, claimed_by=""
    )
    OutboundMessage.objects.filter(pk__in=spent).update(
        status=OutboundMessage.Status.CANCELLED, status_reason="worker_stopped", to_address=""
    )
    OutboundMessage.objects.filter(pk__in=doubtful).update(
        status=OutboundMessage.Status.FAILED, status_reason="worker_stopped", to_address=""
    )
    if never:
        transaction.on_commit(lambda: enqueue_sending(never))
    settled = Settled(requeued=len(never), failed=len(doubtful), cancelled=len(spent))
    return settled, [pk for pk, *_ in rows]


def _chunks(queryset: Any, size: int) -> Iterable[list[Any]]:
    """Model instances in lists of `size`, each list with its prefetches done in one query."""
    ids = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(ids), size):
        yield list(queryset.filter(pk__in=ids[start : start + size]))


def _outbound(prospect: Prospect, campaign: Campaign, now: datetime, sender: Sender) -> OutboundMessage:
    """A message rendered for the outbox (a campaign reaches one person once: see the caller)."""
    token = new_token()
    include_notice = prospect.notice_sent_at is None  # RULES D2: the first message carries it
    rendered = render_campaign_message(prospect, campaign, token, include_notice, sender)
    return OutboundMessage(
        kind=OutboundMessage.Kind.CAMPAIGN, campaign=campaign, prospect=prospect, key_hash=prospect.key_hash,
        to_address=prospect.email, to_domain=prospect.email.rpartition("@")[2], language=rendered.language,
        subject=rendered.subject, body_text=rendered.text, body_html=rendered.html,
        includes_notice=include_notice, token=token, queued_at=now,
    )  # fmt: skip


def _consent_requests() -> Any:
    """The consent requests that count as asking. One cancelled before it left (licite refused to
    send it: a base URL nobody could reach, say) reached nobody: the consumer is asked again,
    rather than kept pending for good (RULES C2). One that failed may have reached the server
    first (a message is sent at most once): it counts, never to be sent twice."""
    return OutboundMessage.objects.filter(kind=OutboundMessage.Kind.CONSENT_REQUEST).exclude(
        status=OutboundMessage.Status.CANCELLED
    )


def do_request_consent(actor: Any, prospect: Prospect, now: datetime | None = None) -> OutboundMessage:
    """RULES C2: the first and only message a consumer may receive before consenting."""
    now = now or timezone.now()
    if prospect.status != ProspectStatus.CONSENT_PENDING:
        raise ValueError("a consent request goes only to a prospect whose consent is pending")
    if _consent_requests().filter(prospect=prospect).exists():
        raise ValueError("this prospect was already asked for consent")
    token = new_token()
    # RULES D4: the same language as the notice the request carries (the person's, else the
    # organisation's), so that the message is never half French, half English.
    language = notice_language(prospect, Sender.load().organisation)
    purpose = CONSENT_PURPOSE_FR if language == "fr" else CONSENT_PURPOSE_EN
    rendered = render_consent_request(prospect, token, purpose)
    with transaction.atomic():
        message = OutboundMessage.objects.create(
            kind=OutboundMessage.Kind.CONSENT_REQUEST, prospect=prospect, key_hash=prospect.key_hash,
            to_address=prospect.email, to_domain=prospect.email.rpartition("@")[2],
            language=rendered.language, subject=rendered.subject, body_text=rendered.text,
            body_html=rendered.html, includes_notice=True,
            token=token, queued_at=now,
        )  # fmt: skip
        ConsentRecord.objects.create(
            prospect=prospect,
            purpose=purpose,
            wording_version=CONSENT_WORDING_VERSION,
            channel=ConsentChannel.EMAIL_LINK,
            requested_at=now,
        )
        record(actor, "consent.requested", prospect, message=message.pk)
        transaction.on_commit(lambda: enqueue_sending([message.pk]))
    return message


def do_request_pending_consents(actor: Any, now: datetime | None = None) -> int:
    pending = Prospect.objects.filter(status=ProspectStatus.CONSENT_PENDING).exclude(
        Exists(_consent_requests().filter(prospect=OuterRef("pk")))
    )
    count = 0
    for prospect in pending.iterator(chunk_size=500):
        do_request_consent(actor, prospect, now)
        count += 1
    return count


# --- Sending -------------------------------------------------------------------------------


SEND_BATCH = 200  # messages per task: one SMTP connection and one task's bookkeeping for all


def enqueue_sending(message_ids: Iterable[int]) -> None:
    from licite.campaigns.tasks import send_messages

    ids = list(message_ids)
    for start in range(0, len(ids), SEND_BATCH):
        send_messages.enqueue(ids[start : start + SEND_BATCH])


def do_send_batch(message_ids: list[int]) -> dict[int, datetime]:
    """Send a batch over one SMTP connection; return the messages to try again, and when.

    The batch is claimed in one transaction that checks every message again (suppression,
    eligibility, the domain's rate). Just before each send, the suppression list is read once
    more, so an objection recorded while the batch runs still stops its messages (RULES E3).
    A claimed message is never sent twice, even if the worker dies before marking it sent: a
    lost message is the safe error, a duplicate is not. Each hand-over to the mail server is
    committed before the SMTP conversation (_hand_over), so that a worker's death leaves proof
    of what never left (the rule: _settle_claims). The messages to try later are enqueued at
    once, not after the batch, so that a worker killed mid-batch loses none of them.
    """
    now = timezone.now()
    if _links_unreachable(message_ids):
        return {}
    claimed, retry = _claim_batch(message_ids, now)
    _retry_later(retry)
    connection = get_connection()
    _open(connection)
    sent: list[tuple[OutboundMessage, datetime]] = []
    try:
        for message in claimed:
            if not _hand_over(message):
                continue
            try:
                _deliver(message, connection)
            except Exception as exc:  # whatever happens, the message gets a final status
                connection.close()  # a broken connection is opened again for the next message
                _open(connection)
                retry_after = _failed(message, exc, now)
                if retry_after is not None:
                    retry[message.pk] = retry_after
                    _retry_later({message.pk: retry_after})
                continue
            sent.append((message, timezone.now()))
    finally:
        connection.close()
        _mark_sent(sent)  # what went out is recorded, even if the batch stopped half-way
    _close_finished_campaigns(message_ids)
    return retry


def _hand_over(message: OutboundMessage) -> bool:
    """Record, committed before the SMTP conversation, that the message goes to the mail server
    now; False (and nothing sent) when the person objected meanwhile (RULES E3: cancelled), or
    when the claim is no longer this worker's (settled as stopped while this one was slow, and
    maybe claimed again: _settle_claims). One conditional UPDATE does the check and the record."""
    mine = OutboundMessage.objects.filter(
        pk=message.pk,
        status=OutboundMessage.Status.SENDING,
        claimed_by=message.claimed_by,
        attempts=message.attempts,
        handed_over_at__isnull=True,
    )
    if message.kind != OutboundMessage.Kind.RIGHTS:  # RULES G1: answers go to whoever asked
        mine = mine.exclude(Exists(SuppressionEntry.objects.filter(key_hash=OuterRef("key_hash"))))
    if mine.update(handed_over_at=timezone.now()):
        return True
    if message.kind != OutboundMessage.Kind.RIGHTS and _suppressed_now(message):
        OutboundMessage.objects.filter(
            pk=message.pk, status=OutboundMessage.Status.SENDING, claimed_by=message.claimed_by
        ).update(status=OutboundMessage.Status.CANCELLED, status_reason="suppressed", to_address="")
    return False


def _retry_later(retry: dict[int, datetime]) -> None:
    from licite.campaigns.tasks import send_messages

    for message_id, after in retry.items():
        send_messages.using(run_after=after).enqueue([message_id])


@dataclass(frozen=True)
class SendOutcome:
    status: str
    retry_after: datetime | None = None


def do_send_message(message_id: int) -> SendOutcome:
    """Send one message of the outbox (a batch of one)."""
    retry = do_send_batch([message_id])
    status = OutboundMessage.objects.filter(pk=message_id).values_list("status", flat=True).first()
    return SendOutcome(status or "missing", retry.get(message_id))


def _open(connection: Any) -> None:
    """Open the backend's connection once for the batch (an SMTP session shared by its messages)."""
    with contextlib.suppress(OSError):  # each send tries again, and fails or succeeds on its own
        connection.open()


def _failed(message: OutboundMessage, exc: Exception, now: datetime) -> datetime | None:
    """The server could not be reached: nothing left, so try again later. Any other error may
    come after the server took the message: never retried (at most once)."""
    unreached = isinstance(exc, ConnectionRefusedError | smtplib.SMTPConnectError | socket.gaierror)
    if unreached and message.attempts < MAX_ATTEMPTS:
        OutboundMessage.objects.filter(pk=message.pk).update(status=OutboundMessage.Status.QUEUED)
        log.warning("message %s: server unreachable (%s), retried later", message.pk, type(exc).__name__)
        return now + timedelta(minutes=5 * message.attempts)
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=OutboundMessage.Status.FAILED, status_reason=type(exc).__name__[:60]
    )
    log.warning("message %s failed: %s", message.pk, type(exc).__name__)
    return None


@transaction.atomic
def _claim_batch(message_ids: list[int], now: datetime) -> tuple[list[OutboundMessage], dict[int, datetime]]:
    """Lock the queued messages of the batch, check each again, claim those that may go now.

    On PostgreSQL, rows another transaction holds are skipped rather than waited for (SKIP
    LOCKED), so workers never wait on each other; a skipped row still queued afterwards is tried
    again a few seconds later (no task is lost for it). SQLite has one writer at a time anyway."""
    locked = OutboundMessage.objects.select_for_update(of=("self",), skip_locked=True)
    queued = locked.select_related("campaign").filter(
        pk__in=message_ids, status=OutboundMessage.Status.QUEUED
    )
    messages = list(queued.order_by("pk"))
    hashes = {message.key_hash for message in messages}
    suppressed = set(SuppressionEntry.objects.filter(key_hash__in=hashes).values_list("key_hash", flat=True))
    prospects = annotated_prospects().filter(pk__in={m.prospect_id for m in messages if m.prospect_id})
    by_id = {prospect.pk: prospect for prospect in prospects}
    recent = Counter(
        dict(
            OutboundMessage.objects.filter(
                to_domain__in={m.to_domain for m in messages}, sent_at__gte=now - timedelta(minutes=1)
            )
            .values("to_domain")
            .annotate(n=Count("id"))
            .values_list("to_domain", "n")
        )
    )
    claimed: list[OutboundMessage] = []
    retry = _skipped(message_ids, messages, now)
    demo = _demo_prospects(set(by_id))
    worker = worker_name()
    for message in messages:
        refusal = _refusal(message, by_id.get(message.prospect_id or 0), message.key_hash in suppressed, now)
        refusal = refusal or ("demo_data" if message.prospect_id in demo else "")
        if refusal:
            _cancel([message], refusal)
        elif recent[message.to_domain] >= settings.LICITE_RATE_PER_DOMAIN:
            retry[message.pk] = now + timedelta(seconds=60)
        else:
            recent[message.to_domain] += 1
            message.status, message.attempts = OutboundMessage.Status.SENDING, message.attempts + 1
            message.claimed_at, message.claimed_by, message.handed_over_at = now, worker, None
            claimed.append(message)
    fields = ["status", "attempts", "claimed_at", "claimed_by", "handed_over_at"]
    OutboundMessage.objects.bulk_update(claimed, fields)
    return claimed, retry


def _skipped(message_ids: list[int], claimable: list[OutboundMessage], now: datetime) -> dict[int, datetime]:
    """The batch's messages still queued that SKIP LOCKED passed over (a row another transaction
    held for a moment): tried again in a few seconds rather than lost."""
    if len(claimable) == len(message_ids):
        return {}
    seen = {message.pk for message in claimable}
    others = [pk for pk in message_ids if pk not in seen]
    queued = OutboundMessage.objects.filter(pk__in=others, status=OutboundMessage.Status.QUEUED)
    return {pk: now + timedelta(seconds=5) for pk in queued.values_list("pk", flat=True)}


def worker_name() -> str:
    """This process as "host:pid": who claimed a message, and whose beat /api/ready reads."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}"


def _links_unreachable(message_ids: list[int]) -> bool:
    """RULES E1, E2 (defence in depth, after `licite check`): with a backend that reaches real
    mailboxes, no message goes out whose objection link points where nobody can reach it. The
    links are in the rendered bodies, so the messages are cancelled rather than wait: none of them
    left, so a consent request cancelled so is asked again once the setting is fixed."""
    problem = unreachable_links(settings.LICITE_BASE_URL, settings.EMAIL_BACKEND)
    if not problem:
        return False
    cancelled = OutboundMessage.objects.filter(
        pk__in=message_ids, status=OutboundMessage.Status.QUEUED
    ).update(status=OutboundMessage.Status.CANCELLED, status_reason="base_url_not_https", to_address="")
    log.error("%s messages not sent: %s; set LICITE_BASE_URL=https://...", cancelled, problem)
    _close_finished_campaigns(message_ids)
    return True


def _demo_prospects(prospect_ids: set[int]) -> set[int]:
    """Demo data never reaches a real mail server, whatever its addresses (licite.web.demo)."""
    if not prospect_ids or not reaches_mailboxes(settings.EMAIL_BACKEND):
        return set()
    # licite.web.demo.DEMO_MARK: the report of the demo's import batches says "demo": true.
    demo = Provenance.objects.filter(prospect__in=prospect_ids, batch__report__demo=True)
    return set(demo.values_list("prospect_id", flat=True))


def _cancel(messages: list[OutboundMessage], reason: str) -> None:
    for message in messages:
        message.status, message.status_reason = OutboundMessage.Status.CANCELLED, reason
        message.to_address = ""  # nothing left to send: do not keep the address
    OutboundMessage.objects.bulk_update(messages, ["status", "status_reason", "to_address"])


def _suppressed_now(message: OutboundMessage) -> bool:
    return SuppressionEntry.objects.filter(key_hash=message.key_hash).exists()


def _refusal(message: OutboundMessage, prospect: Any, suppressed: bool, now: datetime) -> str:
    if message.kind == OutboundMessage.Kind.RIGHTS:
        return ""  # RULES G1: the answer to a rights request goes to whoever asked, suppressed or erased
    if suppressed:
        return "suppressed"
    if prospect is None:
        return "erased"
    if message.kind == OutboundMessage.Kind.CONSENT_REQUEST:
        return "" if prospect.status == ProspectStatus.CONSENT_PENDING else "consent_not_pending"
    if message.kind == OutboundMessage.Kind.LAST_CHANCE:  # RULES F1: never to a restricted record
        return "" if prospect.status == ProspectStatus.ACTIVE else "not_active"
    assert message.campaign is not None
    decision = decide(prospect_facts(prospect), campaign_facts(message.campaign), now)
    return "" if decision.eligible else str(decision.reason)


def _deliver(message: OutboundMessage, connection: Any = None) -> None:
    email_for(message, connection).send()


def email_for(message: OutboundMessage, connection: Any = None) -> EmailMultiAlternatives:
    """The email of a message of the outbox, as the person receives it (the inspection pack
    shows a sample: licite.compliance.pack)."""
    unsubscribe = public_url("unsubscribe", message.token)
    mailto_user, _, mailto_domain = settings.LICITE_UNSUBSCRIBE_MAILTO.partition("@")
    email = EmailMultiAlternatives(
        subject=message.subject, body=message.body_text, to=[message.to_address], connection=connection,
        headers={
            # RULES E2 (RFC 8058): one HTTPS URL with an opaque token, a mailto, one-click POST.
            "List-Unsubscribe": f"<{unsubscribe}>, <mailto:{mailto_user}+{message.token}@{mailto_domain}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "X-Licite-Message": str(message.pk),
            # RULES F1: a reply quotes it (In-Reply-To): tied to this message (licite.campaigns.inbound).
            "Message-ID": inbound_rules.message_id(message.pk, settings.SECRET_KEY.encode(), mailto_domain),
        },
    )  # fmt: skip
    email.attach_alternative(message.body_html, "text/html")
    return email


def _close_finished_campaigns(message_ids: list[int]) -> None:
    """A campaign with nothing left queued or being sent is sent; if every one of its messages
    was cancelled before it left (everyone objected meanwhile, say), it says so: nothing sent."""
    campaigns = set(
        OutboundMessage.objects.filter(pk__in=message_ids, campaign__isnull=False).values_list(
            "campaign", flat=True
        )
    )
    pending = (OutboundMessage.Status.QUEUED, OutboundMessage.Status.SENDING)
    for campaign_id in campaigns:
        messages = OutboundMessage.objects.filter(campaign_id=campaign_id)
        if messages.filter(status__in=pending).exists():
            continue
        # A failed message may have reached the server first (licite.campaigns.actions._failed).
        left = messages.exclude(status=OutboundMessage.Status.CANCELLED).exists()
        status = Campaign.Status.SENT if left else Campaign.Status.CANCELLED
        Campaign.objects.filter(pk=campaign_id).update(status=status)


@transaction.atomic
def _mark_sent(sent: list[tuple[OutboundMessage, datetime]]) -> None:
    """Record the messages sent: their status, a contact event each, the notice date (RULES D2)."""
    for message, at in sent:
        message.status, message.sent_at = OutboundMessage.Status.SENT, at
    OutboundMessage.objects.bulk_update([message for message, _ in sent], ["status", "sent_at"])
    ids = {message.prospect_id for message, _ in sent}
    # A person erased meanwhile (an objection while the message was on its way): nothing to record.
    alive = set(Prospect.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))
    events = []
    for message, at in sent:
        if message.prospect_id not in alive:
            continue
        kind = (
            ContactKind.CONSENT_REQUEST
            if message.kind == OutboundMessage.Kind.CONSENT_REQUEST
            else ContactKind.MESSAGE
        )
        events.append(
            ContactEvent(prospect_id=message.prospect_id, kind=kind, occurred_at=at, message=message)
        )
        if message.includes_notice:
            events.append(
                ContactEvent(
                    prospect_id=message.prospect_id, kind=ContactKind.NOTICE, occurred_at=at, message=message
                )
            )
            Prospect.objects.filter(pk=message.prospect_id, notice_sent_at__isnull=True).update(
                notice_sent_at=at
            )
    ContactEvent.objects.bulk_create(events)


# --- What the person does -------------------------------------------------------------------


def message_for_token(token: str) -> OutboundMessage | None:
    if not token or len(token) > 64:
        return None
    return OutboundMessage.objects.filter(token=token).first()


def do_record_click(message: OutboundMessage, now: datetime | None = None) -> None:
    """RULES F1: a click is a contact the prospect initiated; an open never is."""
    if message.prospect_id is not None:
        _record_prospect_contact(message.prospect_id, ContactKind.CLICK, now or timezone.now(), message)


def do_record_contact(actor: Any, prospect: Prospect, kind: str, now: datetime | None = None) -> None:
    """A reply or a call from the prospect, recorded by staff (RULES F1)."""
    if kind not in PROSPECT_INITIATED:
        raise ValueError(f"{kind} is not a contact the prospect initiates")
    _record_prospect_contact(prospect.pk, kind, now or timezone.now(), None, actor)
    record(actor, "contact.recorded", prospect, kind=kind)


@transaction.atomic
def _record_prospect_contact(
    prospect_id: int, kind: str, at: datetime, message: Any, actor: Any = None
) -> None:
    prospect = Prospect.objects.select_for_update().filter(pk=prospect_id).first()
    if prospect is None:
        return
    channel = Channel.WEB if kind == ContactKind.CLICK else Channel.EMAIL
    ContactEvent.objects.create(
        prospect=prospect,
        kind=kind,
        channel=channel,
        initiated_by_prospect=True,
        occurred_at=at,
        message=message,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    latest = max(at, prospect.last_contact_by_prospect_at or at)
    prospect.last_contact_by_prospect_at = latest
    prospect.retain_until = clocks.retain_until(prospect.collected_at, latest)
    prospect.save(update_fields=["last_contact_by_prospect_at", "retain_until", "updated_at"])


def consent_expired_prospects(now: datetime) -> Any:
    """RULES C2: consumers with no consent within the delay from the sending of the latest
    request, or who refused. A request still unsent starts no clock."""
    limit = now - timedelta(days=settings.LICITE_CONSENT_DELAY_DAYS)
    latest_request = OutboundMessage.objects.filter(
        prospect=OuterRef("pk"), kind=OutboundMessage.Kind.CONSENT_REQUEST
    ).order_by("-queued_at", "-pk")
    consents = ConsentRecord.objects.filter(prospect=OuterRef("pk"))
    return (
        Prospect.objects.filter(status=ProspectStatus.CONSENT_PENDING)
        .annotate(asked_at=Subquery(latest_request.values("sent_at")[:1]))
        .filter(Q(asked_at__lte=limit) | Exists(consents.filter(refused_at__isnull=False)))
        .exclude(Exists(consents.filter(given_at__isnull=False, withdrawn_at__isnull=True)))
    )


def do_expire_consent_requests(now: datetime | None = None, actor: Any = None) -> int:
    """RULES C2: the consumers who did not consent in time are erased, their keyed hash kept (no
    consent) so no import asks them again. One step of the purge (licite.rights.purge), in
    batches; `licite consent expire` runs it alone."""
    from licite.rights.purge import expire_consent_requests

    return expire_consent_requests(actor, now or timezone.now())
