"""Retention that runs by itself (RULES F1-F4, C2, D2): what the purge erases, batch by batch.

`licite purge` runs it by hand, `licite worker` daily (licite.rights.tasks). Each batch is its
own transaction with its own audit entry (ids and counts, never an address), so a purge stopped
half-way (a crash, a restart) has lost nothing and the next run takes up what is left: what is
due is found again from the records themselves. The rows go set-based, never one object each.

Which erasures keep the keyed hash on the suppression list (RULES F4, docs/retention.md):
- a consumer who did not consent (RULES C2): yes, reason "no consent", so that no later import
  asks them again;
- a prospect whose retention ended, or whose notice was never sent: no. They did not object,
  and the suppression list serves objections and nothing else (RULES F4); a later collection
  from a new source is lawful, with a new notice and a new retention period.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from licite.audit.actions import record
from licite.campaigns.models import OutboundMessage
from licite.core import clocks
from licite.prospects.models import Prospect, ProspectStatus
from licite.rights.actions import delete_prospect_rows, do_erase, rows_where, scrub_files
from licite.rights.models import SuppressionEntry, SuppressionReason

PURGE_BATCH = 10_000  # rows per transaction: short write locks, and a crash loses one batch at most
DEFAULT_LAST_CHANCE_DAYS = 30

# What the purge erases, in the order it runs, as named in its report and audit entries.
RETENTION_ENDED = "retention_ended"
NO_CONSENT = "no_consent"
NOTICE_NEVER_SENT = "notice_never_sent"
SUPPRESSION_EXPIRED = "suppression_expired"
STEPS = (RETENTION_ENDED, NO_CONSENT, NOTICE_NEVER_SENT, SUPPRESSION_EXPIRED)


@dataclass
class PurgeReport:
    """Counts only: what was (or, on a dry run, would be) erased, and the last-chance messages."""

    dry_run: bool
    erased: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STEPS, 0))
    batches: int = 0
    last_chance: int = 0


def retention_ended(now: datetime) -> QuerySet[Prospect]:
    """RULES F1, F1b: 3 years from collection or the last contact the prospect initiated.
    A restricted record waits for its restriction to be lifted (art. 18.1.b: the person may ask
    for restriction precisely instead of erasure)."""
    return Prospect.objects.filter(retain_until__lte=now).exclude(status=ProspectStatus.RESTRICTED)


def notice_never_sent(now: datetime) -> QuerySet[Prospect]:
    """RULES D2: the Art. 14 notice was due and never sent, LICITE_NOTICE_GRACE_DAYS ago."""
    cutoff = clocks.notice_grace_cutoff(now, settings.LICITE_NOTICE_GRACE_DAYS)
    return Prospect.objects.filter(notice_sent_at__isnull=True, notice_due_at__lte=cutoff).exclude(
        status=ProspectStatus.RESTRICTED
    )


def no_consent(now: datetime) -> QuerySet[Prospect]:
    """RULES C2: consumers who did not consent within LICITE_CONSENT_DELAY_DAYS of the request."""
    from licite.campaigns.actions import consent_expired_prospects

    expired: QuerySet[Prospect] = consent_expired_prospects(now)
    return expired


def suppression_expired(now: datetime) -> QuerySet[SuppressionEntry]:
    """RULES F4: entries kept LICITE_SUPPRESSION_KEEP_YEARS after the latest objection; none when
    the setting is empty (the default: kept for good)."""
    cutoff = clocks.suppression_purge_cutoff(now, settings.LICITE_SUPPRESSION_KEEP_YEARS)
    if cutoff is None:
        return SuppressionEntry.objects.none()
    return SuppressionEntry.objects.filter(keep_until__lte=cutoff)


def run_purge(
    actor: Any, now: datetime | None = None, *, dry_run: bool = False, last_chance: bool | None = None
) -> PurgeReport:
    """The whole purge: every step in batches, then the last-chance messages if they are on
    (LICITE_LAST_CHANCE_DAYS, or `last_chance`), then the database files are scrubbed."""
    now = now or timezone.now()
    report = PurgeReport(dry_run)
    steps: dict[str, Callable[[Any, datetime, PurgeReport], None]] = {
        RETENTION_ENDED: _erase_without_suppression(RETENTION_ENDED, retention_ended),
        NO_CONSENT: _erase_unconsented,
        NOTICE_NEVER_SENT: _erase_without_suppression(NOTICE_NEVER_SENT, notice_never_sent),
        SUPPRESSION_EXPIRED: _drop_suppression_entries,
    }
    for name in STEPS:
        if dry_run:
            report.erased[name] = _due(name, now).count()
        else:
            steps[name](actor, now, report)
    days = last_chance_days(last_chance)
    if days:
        report.last_chance = do_queue_last_chance(actor, now, days, dry_run=dry_run)
    if report.batches:
        scrub_files()
    if not dry_run:
        # The run itself, even when nothing was due: `licite compliance` checks the purge runs.
        record(actor, "purge.completed", None, **report.erased, last_chance=report.last_chance)
    return report


def last_chance_days(switch: bool | None) -> int:
    """The days before the end of retention of the last-chance message, 0 when it is off."""
    if switch is False:
        return 0
    days = settings.LICITE_LAST_CHANCE_DAYS
    if switch:
        return days or DEFAULT_LAST_CHANCE_DAYS
    return days or 0


def expire_consent_requests(actor: Any, now: datetime) -> int:
    """`licite consent expire`, now one step of the purge: the consumers erased for no consent."""
    report = PurgeReport(dry_run=False)
    _erase_unconsented(actor, now, report)
    if report.batches:
        scrub_files()
    return report.erased[NO_CONSENT]


def _due(name: str, now: datetime) -> QuerySet[Any]:
    finders: dict[str, Callable[[datetime], QuerySet[Any]]] = {
        RETENTION_ENDED: retention_ended,
        NO_CONSENT: no_consent,
        NOTICE_NEVER_SENT: notice_never_sent,
        SUPPRESSION_EXPIRED: suppression_expired,
    }
    return finders[name](now)


def _in_batches(
    due: Callable[[], QuerySet[Any]], step: Callable[[list[Any]], None], column: str = "pk"
) -> None:
    """Run `step` on what is due, batch by batch, each batch in its own transaction and found
    again inside it (locked on PostgreSQL; SQLite's transaction holds the write lock already), so
    that a prospect whose retention was just renewed is not erased. What a batch erased is gone;
    a batch found twice would mean it was not: stop rather than loop."""
    previous: list[Any] = []
    while True:
        with transaction.atomic():
            rows = due().select_for_update().order_by().values_list(column, flat=True)
            batch = list(rows[:PURGE_BATCH])
            if not batch or batch == previous:
                return
            step(batch)
        previous = batch


def _erase_without_suppression(
    name: str, finder: Callable[[datetime], QuerySet[Prospect]]
) -> Callable[[Any, datetime, PurgeReport], None]:
    def erase(actor: Any, now: datetime, report: PurgeReport) -> None:
        def batch(ids: list[int]) -> None:
            cancelled = _clear_outbox(ids)
            erased = delete_prospect_rows(ids)
            record(actor, f"purge.{name}", None, erased_prospects=erased, cancelled_messages=cancelled)
            report.erased[name] += erased
            report.batches += 1

        _in_batches(lambda: finder(now), batch)

    return erase


def _clear_outbox(prospect_ids: list[int]) -> int:
    """Queued messages stop; the outbox keeps neither address nor body. It keeps the keyed hash,
    so that the unsubscribe link of a message already received still works (RULES E2, E3)."""
    queued, cancelled = OutboundMessage.Status.QUEUED.value, OutboundMessage.Status.CANCELLED.value
    stopped = rows_where(
        f"UPDATE {{table}} SET status = '{cancelled}', status_reason = 'erased'",  # noqa: S608
        OutboundMessage, "prospect_id", prospect_ids, also=f"status = '{queued}'",
    )  # fmt: skip
    rows_where("UPDATE {table} SET to_address = '', body_text = '', body_html = ''", OutboundMessage,
               "prospect_id", prospect_ids)  # fmt: skip
    return stopped


def _erase_unconsented(actor: Any, now: datetime, report: PurgeReport) -> None:
    def batch(hashes: list[str]) -> None:
        erasure = do_erase(
            actor, hashes, SuppressionReason.NO_CONSENT, channel="consent_expiry", action="consent.expired",
            delay_days=settings.LICITE_CONSENT_DELAY_DAYS,
        )  # fmt: skip
        report.erased[NO_CONSENT] += erasure.erased_prospects
        report.batches += 1

    _in_batches(lambda: no_consent(now), batch, "key_hash")


def _drop_suppression_entries(actor: Any, now: datetime, report: PurgeReport) -> None:
    def batch(ids: list[int]) -> None:
        dropped, _ = SuppressionEntry.objects.filter(pk__in=ids).delete()
        record(
            actor, f"purge.{SUPPRESSION_EXPIRED}", None, entries=dropped,
            keep_years=settings.LICITE_SUPPRESSION_KEEP_YEARS,
        )  # fmt: skip
        report.erased[SUPPRESSION_EXPIRED] += dropped
        report.batches += 1

    _in_batches(lambda: suppression_expired(now), batch)


# --- The last-chance message (RULES F1) --------------------------------------------------------


def last_chance_due(now: datetime, days: int) -> QuerySet[Prospect]:
    """RULES F1: prospects whose retention ends within `days`, who may still be written to (active:
    not restricted, not waiting for consent; their notice sent) and who were not asked yet since
    their retention last started (at collection, or at their last contact)."""
    asked = OutboundMessage.objects.filter(
        prospect=OuterRef("pk"),
        kind=OutboundMessage.Kind.LAST_CHANCE,
        queued_at__gte=Coalesce(OuterRef("last_contact_by_prospect_at"), OuterRef("collected_at")),
    )
    suppressed = SuppressionEntry.objects.filter(key_hash=OuterRef("key_hash"))
    return (
        Prospect.objects.filter(
            retain_until__gt=now,
            retain_until__lte=clocks.last_chance_from(now, days),
            status=ProspectStatus.ACTIVE,
            notice_sent_at__isnull=False,
        )
        .exclude(Exists(asked))
        .exclude(Exists(suppressed))
    )


def do_queue_last_chance(actor: Any, now: datetime, days: int, *, dry_run: bool = False) -> int:
    """RULES F1: queue the one message asking whether to stay in touch, through the outbox; the
    worker checks each again when it sends. One audit entry per batch, of counts."""
    from licite.campaigns.actions import enqueue_sending

    due = last_chance_due(now, days)
    if dry_run:
        return due.count()
    queued = 0

    def batch(ids: list[int]) -> None:
        nonlocal queued
        messages = OutboundMessage.objects.bulk_create(
            _last_chance_message(prospect, now) for prospect in Prospect.objects.filter(pk__in=ids)
        )
        record(actor, "purge.last_chance", None, queued_messages=len(messages), days=days)
        message_ids = [message.pk for message in messages]
        transaction.on_commit(lambda: enqueue_sending(message_ids))
        queued += len(messages)

    _in_batches(lambda: last_chance_due(now, days), batch)
    return queued


def _last_chance_message(prospect: Prospect, now: datetime) -> OutboundMessage:
    from licite.campaigns.rendering import new_token, render_last_chance

    token = new_token()
    rendered = render_last_chance(prospect, token, prospect.retain_until)
    return OutboundMessage(
        kind=OutboundMessage.Kind.LAST_CHANCE, prospect=prospect, key_hash=prospect.key_hash,
        to_address=prospect.email, to_domain=prospect.email.rpartition("@")[2],
        language=rendered.language, subject=rendered.subject, body_text=rendered.text,
        body_html=rendered.html, token=token, queued_at=now,
    )  # fmt: skip


@transaction.atomic
def do_stay_in_touch(message: OutboundMessage, now: datetime | None = None) -> bool:
    """RULES F1: the person's "yes" to the last-chance message is a contact they initiated, which
    renews their retention; False when they are erased already (too late)."""
    from licite.campaigns.actions import do_record_click

    prospect = Prospect.objects.filter(pk=message.prospect_id).first() if message.prospect_id else None
    if prospect is None or message.kind != OutboundMessage.Kind.LAST_CHANCE:
        return False
    do_record_click(message, now)
    prospect.refresh_from_db(fields=["retain_until"])
    record(None, "retention.renewed", prospect, message=message.pk, channel="last_chance")
    return True
