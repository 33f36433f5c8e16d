"""The suppression list ("liste repoussoir") and the one erasure action every way in goes through."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from licite.audit.actions import record
from licite.campaigns.models import OutboundMessage
from licite.core.clocks import suppression_keep_until
from licite.core.suppression import suppression_hash
from licite.prospects.models import Prospect
from licite.rights.models import SuppressionEntry

ERASE_BATCH = 500  # keyed hashes per statement: well under every database's parameter limit


@dataclass(frozen=True)
class Erasure:
    added: int  # new suppression entries
    renewed: int  # entries already there, their keeping period restarted
    erased_prospects: int
    cancelled_messages: int


@dataclass(frozen=True)
class Suppression:
    entry: SuppressionEntry
    created: bool
    erased_prospects: int


def key_hash(address: str) -> str:
    """The keyed hash of an address (RULES F4); raises InvalidEmail for an invalid address."""
    return suppression_hash(address, settings.SUPPRESSION_KEY)


def is_suppressed(address: str) -> bool:
    return SuppressionEntry.objects.filter(key_hash=key_hash(address)).exists()


def do_suppress(actor: Any, address: str, reason: str, channel: str = "staff") -> Suppression:
    """RULES G3, G4, F3: stop at once and for good, erase the person, keep only the keyed hash."""
    return do_suppress_hash(actor, key_hash(address), reason, channel=channel)


def do_suppress_hash(actor: Any, digest: str, reason: str, channel: str = "staff") -> Suppression:
    """The same, from the keyed hash alone (a link in a message, after the address is gone)."""
    erasure = do_erase(actor, [digest], reason, channel)
    entry = SuppressionEntry.objects.get(key_hash=digest)
    return Suppression(entry, erasure.added == 1, erasure.erased_prospects)


@transaction.atomic
def do_erase(
    actor: Any, digests: Iterable[str], reason: str, channel: str, action: str = "", **detail: Any
) -> Erasure:
    """RULES G4, F3, F4: the one erasure. The keyed hash goes on (or stays on) the suppression list,
    so that no import brings the person back; their prospect records go (with provenance, consent
    records and contact events); their queued messages are cancelled; the outbox keeps no address
    and no body for them. One audit entry, of ids and counts only.

    `action` names that entry after its cause (default: suppression.added or .renewed)."""
    hashes = sorted(set(digests))
    now = timezone.now()
    added = renewed = erased = cancelled = 0
    for start in range(0, len(hashes), ERASE_BATCH):
        batch = hashes[start : start + ERASE_BATCH]
        batch_added, batch_renewed = _suppress(batch, reason, now)
        added, renewed = added + batch_added, renewed + batch_renewed
        erased += _delete_prospects(batch)
        cancelled += _clear_outbox(batch)
    target = SuppressionEntry.objects.get(key_hash=hashes[0]) if len(hashes) == 1 else None
    if len(hashes) != 1:
        detail["entries"] = len(hashes)
    record(
        actor,
        action or ("suppression.added" if added else "suppression.renewed"),
        target,
        reason=reason,
        channel=channel,
        erased_prospects=erased,
        cancelled_messages=cancelled,
        **detail,
    )
    return Erasure(added, renewed, erased, cancelled)


def _suppress(hashes: list[str], reason: str, now: Any) -> tuple[int, int]:
    keep_until = suppression_keep_until(now)
    known = set(SuppressionEntry.objects.filter(key_hash__in=hashes).values_list("key_hash", flat=True))
    SuppressionEntry.objects.bulk_create(
        SuppressionEntry(key_hash=digest, reason=reason, created_at=now, keep_until=keep_until)
        for digest in hashes
        if digest not in known
    )
    # RULES F4: a renewed objection restarts the minimum keeping period; the first reason stays.
    SuppressionEntry.objects.filter(key_hash__in=known, keep_until__lt=keep_until).update(
        keep_until=keep_until
    )
    return len(hashes) - len(known), len(known)


def _delete_prospects(hashes: list[str]) -> int:
    _, deleted = Prospect.objects.filter(key_hash__in=hashes).delete()
    return deleted.get(Prospect._meta.label, 0)


def _clear_outbox(hashes: list[str]) -> int:
    messages = OutboundMessage.objects.filter(key_hash__in=hashes)
    cancelled = messages.filter(status=OutboundMessage.Status.QUEUED).update(
        status=OutboundMessage.Status.CANCELLED, status_reason="suppressed"
    )
    messages.update(to_address="", body_text="", body_html="")
    return cancelled
