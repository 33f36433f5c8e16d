"""The suppression list ("liste repoussoir"): adding to it, and checking an address against it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from licite.audit.actions import record
from licite.core.clocks import suppression_keep_until
from licite.core.suppression import suppression_hash
from licite.prospects.models import Prospect
from licite.rights.models import SuppressionEntry


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


@transaction.atomic
def do_suppress_hash(actor: Any, digest: str, reason: str, channel: str = "staff") -> Suppression:
    """The same, from the keyed hash alone (a link in a message, after the address is gone)."""
    now = timezone.now()
    entry, created = SuppressionEntry.objects.get_or_create(
        key_hash=digest,
        defaults={"reason": reason, "created_at": now, "keep_until": suppression_keep_until(now)},
    )
    if not created and entry.keep_until < suppression_keep_until(now):
        # RULES F4: a renewed objection restarts the minimum keeping period.
        entry.keep_until = suppression_keep_until(now)
        entry.save(update_fields=["keep_until"])
    _, deleted = Prospect.objects.filter(key_hash=digest).delete()
    erased = deleted.get(Prospect._meta.label, 0)
    record(
        actor,
        "suppression.added" if created else "suppression.renewed",
        entry,
        reason=reason,
        channel=channel,
        erased_prospects=erased,
    )
    return Suppression(entry, created, erased)
