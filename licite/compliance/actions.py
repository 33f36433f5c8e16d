"""Use cases of accountability: the breach log, the suppression key's backup, the compliance check.

Each writes its audit entry (ids, counts and choices, never the free text of a breach).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from licite.audit.actions import record
from licite.compliance.models import Breach, BreachRisk, KeyAcknowledgement
from licite.core import compliance

BREACH_FIELDS = (
    "found_at", "nature", "data_concerned", "persons_count", "records_count", "consequences",
    "measures", "risk",
)  # fmt: skip


class BreachError(Exception):
    """A change the breach log refuses: the message says why; `field` names the input at fault
    and `code` the refusal, so that a page can say it in the reader's language beside the field."""

    def __init__(self, message: str, field: str = "", code: str = "") -> None:
        super().__init__(message)
        self.field = field
        self.code = code


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _require_past(moment: datetime, name: str, now: datetime, field: str) -> None:
    if moment > now:
        raise BreachError(f"{name} {moment:%Y-%m-%d %H:%M} is in the future", field, "future")


@transaction.atomic
def do_record_breach(actor: Any, now: datetime | None = None, **fields: Any) -> Breach:
    """RULES H1b (art. 33.5): document a breach; the 72-hour clock runs from `found_at`."""
    _require_past(fields["found_at"], "found at", now or timezone.now(), "found_at")
    breach = Breach(**fields, recorded_by=_user(actor))
    breach.full_clean()
    breach.save()
    record(actor, "breach.recorded", breach, risk=breach.risk, nature=breach.nature,
           persons=breach.persons_count, records=breach.records_count)  # fmt: skip
    return breach


@transaction.atomic
def do_update_breach(
    actor: Any, breach: Breach, reason: str = "", now: datetime | None = None, **fields: Any
) -> Breach:
    """Complete what was learnt since (risk, counts, measures): the entry names the fields changed.

    RULES H1b (art. 33.1): the 72-hour clock runs from `found_at`; it may move earlier as facts come
    in, never into the future, and later only with a reason (kept out of the audit: its length only)."""
    unknown = set(fields) - set(BREACH_FIELDS)
    if unknown:
        raise ValueError(f"unknown breach fields: {', '.join(sorted(unknown))}")
    found_at = fields.get("found_at")
    later = found_at is not None and found_at > breach.found_at
    if found_at is not None:
        _require_past(found_at, "found at", now or timezone.now(), "found_at")
    told = [at for at in (breach.cnil_notified_at, breach.persons_told_at) if at is not None]
    if found_at is not None and told and found_at > min(told):
        raise BreachError(
            "--found-at is after the CNIL or the persons were told of the breach", "found_at", "after_told"
        )
    if later and not reason.strip():
        raise BreachError(
            "--found-at is later than the recorded one: this moves the 72-hour clock back; "
            "say why with --reason",
            "reason",
            "later_needs_reason",
        )
    changed = sorted(name for name, value in fields.items() if getattr(breach, name) != value)
    for name in changed:
        setattr(breach, name, fields[name])
    breach.full_clean()
    breach.save()
    detail: dict[str, Any] = {"fields": changed, "risk": breach.risk}
    if later:
        detail["found_at_moved_later"] = True
        detail["reason_length"] = len(reason.strip())
    record(actor, "breach.updated", breach, **detail)
    return breach


@transaction.atomic
def do_notify_breach(
    actor: Any, breach: Breach, at: datetime, now: datetime | None = None, delay_reason: str = ""
) -> Breach:
    """RULES H1b (art. 33.1): the CNIL was notified at `at`, once; after the 72 hours the reasons
    for the delay go with it (kept on the breach, out of the audit: its length only)."""
    _require_past(at, "--at", now or timezone.now(), "at")
    if breach.cnil_notified_at is not None:
        raise BreachError(
            f"breach {breach.pk}: the CNIL was already notified on {breach.cnil_notified_at:%Y-%m-%d %H:%M}"
            " (a notification date is not rewritten)",
            "at",
            "already_notified",
        )
    if at < breach.found_at:
        raise BreachError("the notification cannot come before the breach was found", "at", "before_found")
    late = at > breach.deadline
    if late and not delay_reason.strip():
        raise BreachError(
            "--delay-reason: the notification comes after the 72 hours; "
            "the reasons for the delay must go with it (GDPR art. 33.1)",
            "delay_reason",
            "late_needs_reason",
        )
    breach.cnil_notified_at = at
    breach.notification_delay_reason = delay_reason.strip() if late else ""
    breach.save(update_fields=["cnil_notified_at", "notification_delay_reason", "updated_at"])
    detail: dict[str, Any] = {"late": late}
    if late:
        detail["delay_reason_length"] = len(breach.notification_delay_reason)
    record(actor, "breach.notified", breach, **detail)
    return breach


@transaction.atomic
def do_waive_notification(actor: Any, breach: Breach, reason: str) -> Breach:
    """RULES H1b (art. 33.1): no notification, for a breach unlikely to result in a risk; why is written."""
    if breach.risk != BreachRisk.NONE:
        raise BreachError(
            f"breach {breach.pk} is recorded with risk {breach.risk!r}: only a breach unlikely to "
            "result in a risk may go unnotified (set --risk none with `licite breach update` first)",
            "reason",
            "not_riskless",
        )
    if not reason.strip():
        raise BreachError(
            "--reason: say why the breach is unlikely to result in a risk", "reason", "reason_missing"
        )
    breach.no_notification_reason = reason.strip()
    breach.save(update_fields=["no_notification_reason", "updated_at"])
    record(actor, "breach.notification_waived", breach)
    return breach


@transaction.atomic
def do_tell_persons(actor: Any, breach: Breach, at: datetime, now: datetime | None = None) -> Breach:
    """RULES H1b (art. 34): the persons concerned were told at `at`."""
    _require_past(at, "--at", now or timezone.now(), "at")
    if at < breach.found_at:
        raise BreachError("the persons cannot be told before the breach was found", "at", "before_found")
    breach.persons_told_at = at
    breach.save(update_fields=["persons_told_at", "updated_at"])
    record(actor, "breach.persons_told", breach)
    return breach


@transaction.atomic
def do_not_tell_persons(actor: Any, breach: Breach, reason: str) -> Breach:
    """RULES H1b (art. 34.3): why the persons are not told (data unintelligible, risk removed...)."""
    if not reason.strip():
        raise BreachError(
            "--reason: say why the persons are not told (GDPR art. 34.3)", "reason", "reason_missing"
        )
    breach.persons_not_told_reason = reason.strip()
    breach.save(update_fields=["persons_not_told_reason", "updated_at"])
    record(actor, "breach.persons_not_told", breach)
    return breach


# --- The suppression key's backup (RULES F4) ---------------------------------------------------


def current_fingerprint() -> str:
    return compliance.key_fingerprint(settings.SUPPRESSION_KEY)


def key_acknowledged() -> KeyAcknowledgement | None:
    """The latest acknowledgement of the key in use, if any."""
    return KeyAcknowledgement.objects.filter(fingerprint=current_fingerprint()).first()


@transaction.atomic
def do_acknowledge_key(actor: Any, typed: str) -> KeyAcknowledgement:
    """RULES F4: whoever backed the key up types its fingerprint back: it must be the key in use."""
    fingerprint = compliance.normalize_fingerprint(typed)
    if fingerprint != current_fingerprint():
        raise ValueError(
            f"{fingerprint} is not the fingerprint of the suppression key in use: "
            "run `licite key fingerprint` and back up that key"
        )
    label = actor if isinstance(actor, str) else getattr(actor, "username", "") or "system"
    acknowledgement = KeyAcknowledgement.objects.create(
        fingerprint=fingerprint, acknowledged_by=_user(actor), acknowledged_by_label=label,
        acknowledged_at=timezone.now(),
    )  # fmt: skip
    record(actor, "suppression_key.acknowledged", acknowledgement, fingerprint=fingerprint)
    return acknowledgement


# --- The compliance check -----------------------------------------------------------------------


def do_check_compliance(actor: Any, now: datetime | None = None) -> list[Any]:
    """Run every check against the live data; the entry keeps the counts by status and the codes
    that did not pass."""
    from licite.compliance.checks import run_checks

    results = run_checks(now or timezone.now())
    counts = {status: sum(1 for r in results if r.status == status) for status in compliance.STATUSES}
    failing = sorted(r.code for r in results if r.status != compliance.OK)
    record(actor, "compliance.checked", None, **counts, not_passed=failing)
    return results
