"""Writing the audit trail: every action function calls `record` inside its transaction."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from licite.audit import chain, origin
from licite.audit.models import AuditEvent

logger = logging.getLogger(__name__)


def record(
    actor: Any | None,
    action: str,
    target: models.Model | None = None,
    **detail: Any,
) -> AuditEvent:
    """Append one entry to the chain. `detail` holds ids and counts only, never personal data.

    `actor` is a user, a label naming who acted without being a user ("os:jdoe", a command
    run by that operating system user), or None for licite itself ("system"). The way in (web,
    API, command line, worker) comes from `licite.audit.origin`.
    """
    label = actor if isinstance(actor, str) else getattr(actor, "username", "")
    # What the database gives back, so that what is hashed is what `audit verify` reads.
    detail = json.loads(chain.canonical_detail(detail))
    with transaction.atomic():
        head = _locked_last()
        event = AuditEvent(
            sequence=head.sequence + 1,
            at=timezone.now(),  # under the lock: times follow the sequence
            actor=actor if getattr(actor, "pk", None) else None,
            actor_label=label or "system",
            action=action,
            object_type=target._meta.label_lower if target is not None else "",
            object_id=str(target.pk) if target is not None else "",
            detail=detail,
            via=origin.current(),
            prev_hash=head.hash,
        )
        event.hash = event_hash(event)
        event.save(force_insert=True)
        acknowledged = chain.Head(event.sequence, event.hash)
        transaction.on_commit(lambda: acknowledge(acknowledged))
    return event


def event_hash(event: AuditEvent) -> str:
    return chain.entry_hash(
        settings.AUDIT_KEY,
        event.sequence,
        chain.canonical_at(event.at),
        event.actor_label,
        event.action,
        event.object_type,
        event.object_id,
        chain.canonical_detail(event.detail),
        event.via,
        event.prev_hash,
    )


# The key of PostgreSQL's lock on appending to this database's chain ("licite-audit").
CHAIN_LOCK = 0x6C6963697465


def _locked_last() -> chain.Head:
    """The chain's last entry, read once this transaction holds the chain's lock: the next
    writer waits for the commit (or the rollback) and then reads the entry written here.

    PostgreSQL: a transaction-level advisory lock. SQLite has one writer at a time, and
    licite's transactions take the write lock as they begin (BEGIN IMMEDIATE); a write that
    changes nothing takes it in any transaction, before the last entry is read.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
        else:
            cursor.execute("UPDATE audit_auditevent SET sequence = sequence WHERE 0 = 1")
    last = AuditEvent.objects.order_by("-sequence").values_list("sequence", "hash").first()
    return chain.Head(*last) if last else chain.Head(0, chain.GENESIS)


def acknowledge(head: chain.Head, *, force: bool = False) -> None:
    """Record the chain's new head outside the database, after the commit that appended it."""
    try:
        chain.write_head(Path(settings.AUDIT_HEAD_FILE), head, force=force)
    except OSError as exc:
        # The entry is committed; `audit verify` will say the head lags behind it.
        logger.error("audit head not written: %s", exc.strerror or type(exc).__name__)


def verify() -> chain.Verdict:
    """Walk the whole chain, in batches, and check its end against the head file."""
    head = chain.read_head(Path(settings.AUDIT_HEAD_FILE))
    connection.ensure_connection()
    # Closed here, even when the walk stops early: its cursor must not outlive the connection.
    with contextlib.closing(chain.select_batches(connection.connection, connection.vendor)) as batches:
        return chain.verify(chain.rows_of(batches, connection.vendor), settings.AUDIT_KEY, head)


def do_verify(actor: Any) -> tuple[bool, int, str]:
    """Walk the whole chain (RULES H) and record what was found, so the trail viewer shows the last
    result without walking a million entries on every view. Returns (intact, entries, problem or
    warning). The entry says where the chain broke (sequence numbers), never what an entry held."""
    try:
        verdict = verify()
    except chain.ChainError as exc:
        intact, length, problem = False, _last_sequence(), str(exc)
    else:
        intact, length, problem = True, verdict.length, "; ".join(verdict.warnings)
    record(actor, VERIFIED, None, intact=intact, entries=length, problem=problem)
    return intact, length, problem


VERIFIED = "audit.verified"


def _last_sequence() -> int:
    return AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0


def last_verification() -> AuditEvent | None:
    """The entry of the last verification made through `do_verify` (through the action's index)."""
    return AuditEvent.objects.filter(action=VERIFIED).order_by("-sequence").first()


EXPORT_FIELDS = ("id", "sequence", "at", "actor", "action", "object_type", "object_id", "detail",
                 "via", "prev_hash", "hash")  # fmt: skip


def do_export(actor: Any, out: Path, since: datetime | None = None) -> int:
    """Write the chain (from `since` on) as JSON lines with the hashes, so that whoever holds
    the key can check it again; the export is itself an entry. Returns the entries written."""
    count = 0
    with out.open("w", encoding="utf-8") as handle:
        for row in _exported_rows(since):
            handle.write(json.dumps(dict(zip(EXPORT_FIELDS, row, strict=True)), ensure_ascii=False) + "\n")
            count += 1
    record(actor, "audit.exported", None, entries=count, since=since.isoformat() if since else None)
    return count


def _exported_rows(since: datetime | None) -> Iterator[tuple[Any, ...]]:
    first = 0
    if since is not None:
        sequences = AuditEvent.objects.filter(at__gte=since).order_by("sequence")
        first = (sequences.values_list("sequence", flat=True).first() or 2**63) - 1
    connection.ensure_connection()
    with contextlib.closing(chain.select_batches(connection.connection, connection.vendor, first)) as batches:
        for row in chain.rows_of(batches, connection.vendor):
            yield (*row[:7], json.loads(row[7]), *row[8:])
