"""The audit chain: how an entry is hashed, how the chain is walked, where its head is kept.

Each entry's hash is HMAC-SHA256, keyed with a secret kept outside the database, of its
sequence number, time, actor, action, object, detail, way in and the previous entry's hash. Whoever
can write the database but lacks the key cannot make an edited entry verify again, nor re-link the
entries after it. The head (the last sequence number and hash) is also kept in a file outside the
database, so that cutting the chain's tail is seen too (docs/audit.md). No Django import here.
"""

from __future__ import annotations

import contextlib
import fcntl
import hmac
import json
import os
import tempfile
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# The "previous hash" of the first entry.
GENESIS = "0" * 64
BATCH = 10_000

# (id, sequence, at, actor, action, object type, object id, detail, via, previous hash, hash), as
# `select_batch` reads them: `at` and `detail` as their canonical text.
Row = tuple[int, int, str, str, str, str, str, str, str, str, str]


class ChainError(Exception):
    """The chain or its head is not as it was written: the message names the first problem."""


# --- Hashing -------------------------------------------------------------------------------


def canonical_at(at: datetime) -> str:
    """The time of an entry as hashed: UTC, to the microsecond (as both databases keep it)."""
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def canonical_detail(detail: Any) -> str:
    """The detail as hashed and, on SQLite, as stored: JSON with sorted keys and no spaces."""
    return json.dumps(detail, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(
    key: bytes,
    sequence: int,
    at: str,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    detail: str,
    via: str,
    prev_hash: str,
) -> str:
    """HMAC-SHA256 of the entry's fields, each prefixed with its length (no two entries read
    alike), in hexadecimal."""
    message = (
        f"licite-audit-1 {sequence} {len(at)}:{at}{len(actor)}:{actor}{len(action)}:{action}"
        f"{len(object_type)}:{object_type}{len(object_id)}:{object_id}{len(detail)}:{detail}"
        f"{len(via)}:{via}{prev_hash}"
    )
    return hmac.digest(key, message.encode(), "sha256").hex()


# --- Reading the chain ---------------------------------------------------------------------

_COLUMNS = {
    # Text as stored: no datetime to build on SQLite; jsonb's own text on PostgreSQL.
    "sqlite": 'id, sequence, CAST("at" AS TEXT), actor_label, action, object_type, object_id, '
    "detail, via, prev_hash, hash",
    "postgresql": "id, sequence, to_char(\"at\" AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'), "
    "actor_label, action, object_type, object_id, detail::text, via, prev_hash, hash",
}


def batch_query(vendor: str) -> str:
    """The query that reads one batch of the chain, in order, after a sequence number."""
    mark = "?" if vendor == "sqlite" else "%s"
    return (
        f"SELECT {_COLUMNS[vendor]} FROM audit_auditevent "  # noqa: S608 (constant text)
        f"WHERE sequence > {mark} ORDER BY sequence LIMIT {mark}"
    )


def select_batches(
    dbapi: Any, vendor: str, since: int = 0, batch: int = BATCH
) -> Generator[list[tuple[Any, ...]], None, None]:
    """The rows of the chain, batch after batch (a keyset walk: each batch starts where the last
    one ended, through the sequence's index), raw from the DB-API connection."""
    query = batch_query(vendor)
    cursor = dbapi.cursor()
    try:
        while True:
            cursor.execute(query, (since, batch))
            rows = cursor.fetchall()
            if not rows:
                return
            yield rows
            since = rows[-1][1]
    finally:
        cursor.close()


def rows_of(batches: Iterable[list[tuple[Any, ...]]], vendor: str) -> Iterator[Row]:
    """The rows with `at` and `detail` as hashed: SQLite keeps both as licite wrote them (at
    lacks its microseconds when they are 0); PostgreSQL's jsonb keeps its own spacing and order."""
    for rows in batches:
        if vendor == "sqlite":
            for row in rows:
                at = row[2]
                yield (*row[:2], at if len(at) == 26 else f"{at}.000000", *row[3:])
        else:
            for row in rows:
                yield (*row[:7], _canonical_text(row[7]), *row[8:])


_CANONICAL: dict[str, str] = {}  # jsonb's text -> canonical text: many details repeat ({} ...)


def _canonical_text(text: str) -> str:
    canonical = _CANONICAL.get(text)
    if canonical is None:
        canonical = canonical_detail(json.loads(text))
        if len(_CANONICAL) < 10_000:
            _CANONICAL[text] = canonical
    return canonical


# --- Walking it ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Head:
    sequence: int
    hash: str


@dataclass(frozen=True)
class Verdict:
    """What `verify` found: the chain's length and last hash, and warnings that are no tampering."""

    length: int
    last: Head
    warnings: tuple[str, ...] = ()


def walk(rows: Iterable[Row], key: bytes, head: Head | None = None) -> Iterator[Row]:
    """Each row, after checking it follows the one before: a `ChainError` names the first that
    does not."""
    expected, prev_hash, prev_id = 1, GENESIS, 0
    iterator = iter(rows)
    for row in iterator:
        row_id, sequence, at, actor, action, otype, oid, detail, via, prev, stored = row
        if (
            sequence != expected
            or prev != prev_hash
            or row_id <= prev_id
            or entry_hash(key, sequence, at, actor, action, otype, oid, detail, via, prev) != stored
        ):
            after = next(iterator, None)
            raise ChainError(_diagnosis(key, row, after, Head(expected - 1, prev_hash), prev_id, head))
        yield row
        expected, prev_hash, prev_id = sequence + 1, stored, row_id


def _diagnosis(key: bytes, row: Row, after: Row | None, before: Head, prev_id: int, head: Head | None) -> str:
    """Why `row` does not follow the entry `before` it, looking at the entry `after` it too."""
    row_id, sequence = row[0], row[1]
    where = f"entry #{sequence} (id {row_id})"
    if sequence > before.sequence + 1:
        first, last = before.sequence + 1, sequence - 1
        missing = f"#{first}" if first == last else f"#{first} to #{last}"
        return f"entry {missing} deleted: the chain jumps from #{before.sequence} to #{sequence}"
    if after is not None and row[9] == after[10]:
        return f"{where} reordered: it was written after the entry that follows it"
    if after is not None and after[9] == before.hash:
        return f"{where} inserted: the entry after it continues the chain from #{before.sequence}"
    if row_id <= prev_id or (after is not None and after[0] < row_id):
        return f"{where} reordered: it does not sit where it was written"
    if _signed(key, row):
        return f"{where} does not continue the chain: it was copied or moved from elsewhere"
    if head is not None and sequence > head.sequence:
        past = f"past the head file's #{head.sequence}"
        return f"{where} inserted or modified: it does not match its hash, {past}"
    if row[9] != before.hash:
        return (
            f"{where} modified, or entries before it deleted and the rest renumbered: it does not "
            f"link to #{before.sequence}"
        )
    return f"{where} modified: its content does not match its hash"


def _signed(key: bytes, row: Row) -> bool:
    return entry_hash(key, *row[1:10]) == row[10]


def verify(rows: Iterable[Row], key: bytes, head: Head | None) -> Verdict:
    """Walk the whole chain and hold its end against the head kept outside the database."""
    last: Row | None = None
    at_head, wanted = None, head.sequence if head is not None else -1
    for last in walk(rows, key, head):
        if last[1] == wanted:
            at_head = Head(wanted, last[10])
    end = Head(last[1], last[10]) if last is not None else Head(0, GENESIS)
    return Verdict(end.sequence, end, _against_head(end, at_head, head))


def _against_head(last: Head, at_head: Head | None, head: Head | None) -> tuple[str, ...]:
    if head is None:
        if last.sequence:
            raise ChainError(
                f"the head file is missing: the chain's {last.sequence} entries verify, but a cut "
                "of its end cannot be seen. Restore the head file from the backup taken with the "
                "database"
            )
        return ()
    if head.sequence > last.sequence:
        cut = head.sequence - last.sequence
        return _raise(
            f"the chain's tail is missing: it ends at #{last.sequence}, the head file says "
            f"#{head.sequence} ({cut} entries deleted from the end)"
        )
    if head.sequence and (at_head is None or at_head.hash != head.hash):
        return _raise(
            f"entry #{head.sequence} is not the one the head file recorded: the chain was rewritten"
        )
    if last.sequence > head.sequence:
        return (
            f"{last.sequence - head.sequence} entries after the head file's #{head.sequence} are "
            "not acknowledged there yet (written by another machine, or just before a crash)",
        )
    return ()


def _raise(message: str) -> tuple[str, ...]:
    raise ChainError(message)


# --- The head, outside the database ---------------------------------------------------------


def read_head(path: Path) -> Head | None:
    """The head file's sequence and hash, None when there is none; a `ChainError` when unreadable."""
    try:
        data = json.loads(path.read_text(encoding="ascii"))
        return Head(int(data["sequence"]), str(data["hash"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ChainError(f"the head file {path} cannot be read ({type(exc).__name__})") from None


def write_head(path: Path, head: Head, *, force: bool = False) -> None:
    """Record the head atomically (a new file, synced, renamed over the old one), never going
    back: commits of several processes end in any order. `force` resets it (a new chain)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{path}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not force:
            with contextlib.suppress(ChainError):
                current = read_head(path)
                if current is not None and current.sequence >= head.sequence:
                    return
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(fd, "w", encoding="ascii") as out:
                json.dump({"sequence": head.sequence, "hash": head.hash}, out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
