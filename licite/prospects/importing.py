"""The import of a prospect file through the compliance gate (RULES A-C, F4).

Rows stream from the file in chunks through `licite.core.gate` (classification, legal basis,
minimization), into staging tables (`licite.prospects.staging`, one or several parts); the
database then does the rest, part by part as they are staged, in a few set-based statements:
drop the suppressed, update the known, create the new, link each to its provenance. An import
at least as large as the prospects table rebuilds their indexes once, after loading
(`licite.lib.bulkload`). The whole import is one transaction: a failure leaves the database as
it was, indexes included.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import phonenumbers
import polars as pl
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from licite.audit.actions import record
from licite.core import clocks
from licite.core.basis import BASIS_BY_KIND
from licite.core.gate import GateNotes, Rejected, RowGate
from licite.core.sources import SourceDecision, may_collect_from
from licite.ingest.columns import NO_EMAIL_COLUMN, ColumnMapping, map_headers
from licite.ingest.errors import IngestError, safe_value
from licite.ingest.framegate import FrameGate
from licite.ingest.frames import read_frame
from licite.ingest.gating import ChunkGate, ChunkResult, collecting_rarely, gate_chunks
from licite.ingest.reader import Table, check_regular_file, open_table
from licite.lib.ahead import ahead
from licite.lib.bulkload import (
    DatabaseInUse,
    indexes_rebuilt_after,
    may_rebuild_indexes,
    written_back_early,
    written_once,
)
from licite.lib.refusals import IMPORT_WARNINGS
from licite.prospects.actions import source_facts
from licite.prospects.models import ImportBatch, Prospect, Source
from licite.prospects.staging import Staging, StagingFailed, staging_table
from licite.register.models import ProcessingActivity

log = logging.getLogger("licite.import")
# A large import rebuilds these tables' indexes once, after loading (see licite.lib.bulkload),
# but for those on columns whose few values every row of an import shares.
BULK_TABLES = ("prospects_prospect", "prospects_provenance")
SHARED_COLUMNS = ("status", "retain_until", "notice_due_at", "source_id", "batch_id")
# A re-import refreshes these and nothing else: never status, basis, consent or suppression.
DESCRIPTIVE = (
    "first_name", "last_name", "job_title", "company", "company_domain", "phone", "country", "language",
)  # fmt: skip
KNOWN = "licite_import_known"
REJECTIONS_LISTED = 1000
GATED_AHEAD = 4  # slices gated ahead of the staging: more than a part (staging.MIN_PART_ROWS)
# A first load at least this large has the database alone, when nobody else has it open (_alone).
ALONE_FROM_ROWS = 100_000
PARALLEL_FROM_BYTES = 8 * 1024 * 1024  # below this, starting worker processes costs more than it saves


class ImportRefused(Exception):
    """The import cannot run at all; `hint` is the command that would fix it, `decision` the
    source's refusal with its codes (a page says it in the reader's language)."""

    def __init__(self, message: str, hint: str = "", decision: SourceDecision | None = None) -> None:
        super().__init__(message)
        self.hint = hint
        self.decision = decision


@dataclass
class ImportReport:
    file: str
    source: str
    dry_run: bool
    # Who ran it (RULES B3): a user's name, or "os:NAME" for a system user who is none.
    imported_by: str = ""
    batch: int | None = None
    already_imported: str = ""
    format: str = ""
    encoding: str | None = None
    delimiter: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates_in_file: int = 0
    suppressed: int = 0
    # Valid rows whose retention had ended when they were imported: not kept (RULES F1).
    expired: int = 0
    rejected: int = 0
    rejections: list[dict[str, Any]] = field(default_factory=list)
    dropped_columns: list[dict[str, Any]] = field(default_factory=list)
    by_email_kind: dict[str, int] = field(default_factory=dict)
    by_legal_basis: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    # How the file was read and gated: by polars, column by column ("columns"), or by the csv
    # module or a spreadsheet reader, row by row ("rows").
    path: str = ""
    # Whether the import had the database to itself (SQLite: `--exclusive`, or a large first
    # load nobody else had open): see written_once.
    exclusive: bool = False
    # How many times the database's files were written back to disk while it ran (SQLite): see
    # written_back_early.
    written_back: int = 0
    # Where the time went: reading and gating the rows into the staging table, storing them
    # (suppression, updates, creations, provenance), committing.
    timings: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ImportRequest:
    path: Path
    source: Source
    actor: Any = None
    overrides: dict[str, str] = field(default_factory=dict)
    dry_run: bool = False
    collected_at: datetime | None = None
    chunk_rows: int = 5_000
    frame_rows: int = 50_000  # rows gated at once, column by column
    workers: int | None = None  # None: decided by the file's size
    # The database to itself (licite.lib.bulkload.written_once): True, or refused while another
    # connection has it open; False, never; None, for a large first load nobody else has open.
    exclusive: bool | None = None
    # A file this source gave before is answered "already imported" and left alone. False: it is
    # imported again, each row updating its prospect or leaving it unchanged, as the API's push of
    # one record needs when it is pushed twice (licite.prospects.push).
    once_per_file: bool = True


def run_import(request: ImportRequest, progress: Callable[[int], None] | None = None) -> ImportReport:
    """Import a file; raise ImportRefused or IngestError (nothing stored) when it cannot run."""
    started = time.monotonic()
    source = request.source
    decision = may_collect_from(source_facts(source), legitimate_interest=True)
    if not decision.allowed:
        raise ImportRefused("; ".join(decision.reasons), decision.hint, decision)
    report = ImportReport(
        file=request.path.name, source=source.name, dry_run=request.dry_run, imported_by=_label(request.actor)
    )
    # The file's digest, read on the other core while polars reads the file (0.26 s of 7 for 1M
    # rows); nothing is written before both are done. A FIFO or a device would keep that
    # thread reading forever: only a regular file gets that far.
    try:
        check_regular_file(request.path)
    except IngestError as exc:
        _failed(request, "", exc)
        raise
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="licite-digest") as pool:
        hashing = pool.submit(file_sha256, request.path)
        try:
            opened = _open(request)
        except IngestError as exc:
            _failed(request, "" if hashing.exception() else hashing.result(), exc)
            raise
        digest = hashing.result()
    previous = _imported_before(source, digest) if request.once_per_file else None
    if previous is not None:
        report.already_imported = IMPORT_WARNINGS["already_imported"] % {
            "when": f"{timezone.localtime(previous.started_at):%Y-%m-%d %H:%M}",
            "batch": previous.pk,
        }
        report.batch = previous.pk
        return report
    alone = _alone(request, opened)
    # SQLite looks up the parent of each foreign key of each row written, and the children of
    # each prospect created (the benchmark's 1M rows: 0.7 to 1.1 s of 5 in the statements). The
    # import's statements take every key from rows of its own transaction, which no other
    # connection may change meanwhile (one writer at a time), and delete nothing but staged
    # rows: its keys hold by construction, and the checks are off for it (SQLite only, and
    # only outside a caller's transaction; tests check every key after each kind of import).
    # On SQLite, the database's pages go to disk as they are written, rather than all at the
    # commit (see written_back_early: the benchmark's 1M rows, 1.4 to 1.8 s of commit, 0.2 s).
    try:
        with staging_table() as staging, alone as report.exclusive, connection.constraint_checks_disabled():
            with written_back_early(connection) as write_back, transaction.atomic():
                _import(request, opened, staging, digest, report, progress)
                if request.dry_run:
                    transaction.set_rollback(True)
                committing = time.monotonic()
            report.timings["committing"] = _since(committing)
            report.written_back = sum(write_back.written_back.values()) if write_back else 0
    except (IngestError, ImportRefused, StagingFailed, DatabaseInUse) as exc:
        _failed(request, digest, exc)
        raise
    if request.exclusive and connection.vendor != "sqlite":
        report.warnings.append("--exclusive changes nothing on PostgreSQL: the import ran as usual")
    report.seconds = _since(started)
    log.info(
        "import batch=%s rows=%s created=%s seconds=%s",
        report.batch,
        report.rows_read,
        report.created,
        report.seconds,
    )
    return report


def _imported_before(source: Source, digest: str) -> ImportBatch | None:
    """The import of this very file from this source that kept something, if any."""
    return next(
        (
            batch
            for batch in ImportBatch.objects.filter(
                source=source, file_sha256=digest, status=ImportBatch.Status.DONE
            )
            if not _all_expired(batch.report)
        ),
        None,
    )


def _all_expired(report: dict[str, Any]) -> bool:
    """Whether a batch kept nothing because every row's retention had ended (RULES F1): the same
    file with a later collection date (--collected-on set right) is not that import again."""
    kept = sum(report.get(count, 0) for count in ("created", "updated", "unchanged", "suppressed"))
    return bool(report.get("expired")) and kept == 0


def _alone(request: ImportRequest, opened: _Opened) -> AbstractContextManager[bool]:
    """Whether the import has the SQLite database alone (licite.lib.bulkload.written_once):
    asked for (`--exclusive`), or a large first load into an empty table that no other
    connection has open (else through the WAL, as usual). Its commit then writes the pages
    once, not twice (the README's Benchmarks give the figures). Meanwhile another process
    cannot even read: it waits, up to its busy timeout, which matters little to a first
    load (there is nothing to read yet)."""
    if request.exclusive:
        return written_once(connection)
    rows = None if opened.frame is None else opened.frame.height
    if request.exclusive is False or request.dry_run or rows is None or rows < ALONE_FROM_ROWS:
        return nullcontext(False)
    if Prospect.objects.exists():
        return nullcontext(False)
    return written_once(connection, required=False)  # nothing on PostgreSQL


def _failed(request: ImportRequest, digest: str, error: Exception) -> None:
    record(request.actor, "import.failed", request.source, file_sha256=digest, error=type(error).__name__)


@dataclass
class _Opened:
    """A file opened, its headers mapped and, when polars can, its rows read (`frame`): all
    that an import does before it writes anything."""

    table: Table
    mapping: ColumnMapping
    frame: pl.DataFrame | None
    started: float  # when the reading began: the report's "gating" counts from there


def _open(request: ImportRequest) -> _Opened:
    started = time.monotonic()
    table = open_table(request.path, chunk_rows=request.chunk_rows)
    mapping = map_headers(table.headers, request.overrides, file=table.name)
    if "email" not in mapping.field_index:
        headers = ", ".join(repr(header) for header in table.headers)
        raise IngestError(NO_EMAIL_COLUMN, params={"headers": headers}, file=table.name)
    return _Opened(table, mapping, read_frame(table), started)


def _since(start: float) -> float:
    return round(time.monotonic() - start, 3)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise IngestError(f"cannot read the file ({exc.strerror or exc})", file=path.name) from None
    return digest.hexdigest()


def _import(
    request: ImportRequest,
    opened: _Opened,
    staging: Staging,
    digest: str,
    report: ImportReport,
    progress: Callable[[int], None] | None,
) -> None:
    table, mapping = opened.table, opened.mapping
    keep_phone = ProcessingActivity.objects.filter(keeps_professional_phone=True).exists()
    field_index = dict(mapping.field_index)
    dropped = list(mapping.dropped)
    if "phone" in field_index and not keep_phone:
        # RULES B6: a phone is kept only when the processing activity declares it.
        dropped.append((field_index.pop("phone"), mapping.headers[mapping.field_index["phone"]]))
        report.warnings.append(IMPORT_WARNINGS["phone_dropped"])
    report.format, report.encoding, report.delimiter = table.format, table.encoding, table.delimiter
    report.columns = {name: mapping.headers[index] for name, index in field_index.items()}
    report.warnings.extend(mapping.warnings)
    # Whole seconds: the clocks need no more, and a million rows store 35 MB less.
    now = timezone.now().replace(microsecond=0)
    collected_at = request.collected_at or now
    batch = ImportBatch.objects.create(
        source=request.source,
        filename=table.name[:255],
        file_sha256=digest,
        imported_by=_user(request.actor),
        started_at=now,
    )
    report.batch = batch.pk
    expired = clocks.retention_ended(collected_at, now)  # RULES F1: then no row is kept
    gate = RowGate(field_index, keep_phone=keep_phone, phone_normalizer=normalize_phone, expired=expired)
    dropped.sort()
    dropped_counts = [0] * len(dropped)
    notes = GateNotes()
    kinds: Counter[tuple[str, str]] = Counter()
    gating = opened.started
    frame, opened.frame = opened.frame, None  # the gate alone holds it (see below)
    report.path = "rows" if frame is None else "columns"
    # Read by polars, the file's rows are known: staged in parts, stored while the next are gated.
    expected_rows = None if frame is None else frame.height
    results = _gated(table, frame, gate, [index for index, _ in dropped], request)
    del frame  # the gate holds it, until its last slice: then its memory goes to the indexes' sorts
    with collecting_rarely():  # a million rows of new objects, none in a cycle
        rows = _stage(results, report, dropped_counts, notes, kinds, progress)
        parts = _arrivals(staging.parts(rows, expected_rows), report, gating)
        _apply(parts, batch, request, collected_at, now, report, kinds, expected_rows)
    report.timings["storing"] = round(_since(gating) - report.timings["gating"], 3)
    report.dropped_columns = [
        {"column": mapping.column_label(index), "values": count}
        for (index, _), count in zip(dropped, dropped_counts, strict=True)
    ]
    _gate_warnings(notes, report)
    if expired:
        report.warnings.append(
            IMPORT_WARNINGS["expired"]
            % {
                "collected": f"{timezone.localtime(collected_at):%Y-%m-%d}",
                "ended": f"{timezone.localtime(clocks.retain_until(collected_at)):%Y-%m-%d}",
            }
        )
    elif collected_at < now and clocks.notice_due_at(collected_at) < now:
        report.warnings.append(IMPORT_WARNINGS["notice_overdue"])
    batch.status, batch.finished_at = ImportBatch.Status.DONE, timezone.now()
    batch.report = {k: v for k, v in report.as_dict().items() if k != "rejections"}
    batch.save(update_fields=["status", "finished_at", "report"])
    record(
        request.actor,
        "import.completed",
        batch,
        rows=report.rows_read,
        created=report.created,
        updated=report.updated,
        suppressed=report.suppressed,
        rejected=report.rejected,
        expired=report.expired,
        dry_run=request.dry_run,
    )


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _label(actor: Any) -> str:
    return actor if isinstance(actor, str) else getattr(actor, "username", "")


def _user_id(user: Any) -> int | None:
    return user.pk if user else None


def _stage(
    results: Iterable[ChunkResult],
    report: ImportReport,
    dropped_counts: list[int],
    notes: GateNotes,
    kinds: Counter[tuple[str, str]],
    progress: Callable[[int], None] | None,
) -> Iterator[pl.DataFrame]:
    """Collect the gated chunks in file order, drop in-file duplicates, yield the rows to stage,
    counting them by email kind and legal basis."""
    first_seen = _FirstSeen()
    for result in results:
        rows = result.staged.filter(first_seen(result.staged["email"]))
        report.duplicates_in_file += result.staged.height - rows.height
        for kind, basis, count in rows.group_by("email_kind", "legal_basis").len().iter_rows():
            kinds[kind, basis] += count
        for verdict in result.rejected:
            _reject(report, verdict)
        report.expired += result.expired
        for position, count in enumerate(result.dropped_values):
            dropped_counts[position] += count
        notes.add(result.notes)
        report.rows_read += result.rows
        if progress is not None:
            progress(result.rows)
        yield rows


class _FirstSeen:
    """Which rows of each frame, frames taken in file order, hold an address no row before held.

    The frame's own repeats by polars, the addresses met before by set operations, in C: the
    time grows with the rows, whatever the frames' size (a million rows: about 0.5 s, against
    1.1 s asking the set row by row).
    """

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def __call__(self, emails: pl.Series) -> pl.Series:
        first = emails.is_first_distinct()
        addresses = emails.to_list()
        again = self.seen.intersection(addresses)
        self.seen.update(addresses)
        if again:
            first &= ~emails.is_in(pl.Series(list(again), dtype=pl.String).implode())
        return first


def _gated(
    table: Table, frame: pl.DataFrame | None, gate: RowGate, dropped: list[int], request: ImportRequest
) -> Iterator[ChunkResult]:
    """The file's rows through the gate: column by column when polars could read the file exactly
    (`frame`), else row by row, in worker processes for a large file."""
    if frame is None:
        return gate_chunks(table, ChunkGate(gate, settings.SUPPRESSION_KEY, dropped), _workers(request))
    frame_gate = FrameGate(gate, settings.SUPPRESSION_KEY, dropped)
    size = request.frame_rows
    # A few slices ahead: staged into temporary tables, nothing takes them while a part is stored.
    slices = (frame_gate(frame.slice(start, size)) for start in range(0, frame.height, size))
    return ahead(slices, steps=GATED_AHEAD)


def _reject(report: ImportReport, verdict: Rejected) -> None:
    report.rejected += 1
    if len(report.rejections) < REJECTIONS_LISTED:
        report.rejections.append({
            "line": verdict.line, "column": verdict.field,
            "value": safe_value(verdict.value), "reason": verdict.reason,
        })  # fmt: skip


def _workers(request: ImportRequest) -> int:
    """Worker processes for the gate: all cores (up to 4) for a large file, none for a small one."""
    if request.workers is not None:
        return request.workers
    try:
        large = request.path.stat().st_size >= PARALLEL_FROM_BYTES
    except OSError:
        return 1
    return min(4, os.cpu_count() or 1) if large else 1


def _gate_warnings(notes: GateNotes, report: ImportReport) -> None:
    counted = {
        "truncated": notes.truncated,
        "unknown_countries": notes.unknown_countries,
        "invalid_phones": notes.invalid_phones,
        "unknown_languages": notes.unknown_languages,
        "rejections_listed": REJECTIONS_LISTED if report.rejected > REJECTIONS_LISTED else 0,
    }
    # Written in English, kept with the batch; a page says them in its reader's language.
    report.warnings.extend(
        IMPORT_WARNINGS[name] % {"count": count} for name, count in counted.items() if count
    )


def normalize_phone(raw: str, region: str) -> str | None:
    """A valid phone number in E.164 form ("+33142000000"), else None."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _arrivals(parts: Iterable[str], report: ImportReport, gating: float) -> Iterator[str]:
    """The staged parts; "gating" in the report's timings ends when the last one arrives."""
    for part in parts:
        report.timings["gating"] = _since(gating)
        yield part


def _apply(
    parts: Iterable[str],
    batch: ImportBatch,
    request: ImportRequest,
    collected_at: datetime,
    now: datetime,
    report: ImportReport,
    kinds: Counter[tuple[str, str]],
    expected_rows: int | None,
) -> None:
    """The set-based part: suppression, updates, creations, provenance (RULES F4, B3, D2, F1),
    part by part as they are staged.

    Each staged part is read in file order and has no index of its own: every statement below
    walks it once. The known prospects are found by their email and marked; in a bulk load, new
    prospects get their ids from their line and provenance needs no lookup.
    """
    user = _user(request.actor)
    store = _Store(
        provenance=[batch.source_id, batch.pk, batch.source.url, _sql_datetime(collected_at), _user_id(user)],
        collected_at=collected_at, now=now, user=user,
    )  # fmt: skip
    parts = iter(parts)
    first = next(parts)  # one at least; written whole when expected_rows is None
    with connection.cursor() as cursor:
        if expected_rows is None:  # the whole file is staged: its rows are known now
            expected_rows = report.rows_read - report.rejected - report.expired - report.duplicates_in_file
        # A bulk load drops and builds again indexes, which needs the tables' owner.
        bulk = _at_least_as_large_as_the_table(cursor, expected_rows) and may_rebuild_indexes(
            cursor, BULK_TABLES
        )
        with _tuned_for(cursor, bulk):
            if bulk:
                _store_in_bulk(cursor, itertools.chain([first], parts), store)
            else:
                for part in itertools.chain([first], parts):
                    store.part(cursor, part, "prospects_prospect")
    report.suppressed = sum(store.suppressed.values())
    kinds.subtract(store.suppressed)
    report.created, report.updated = store.created, store.updated
    staged = (
        report.rows_read - report.rejected - report.expired - report.duplicates_in_file - report.suppressed
    )
    report.unchanged = staged - report.created - report.updated
    by_kind: Counter[str] = Counter()
    by_basis: Counter[str] = Counter()
    for (kind, basis), count in kinds.items():
        if count:
            by_kind[kind] += count
            by_basis[basis] += count
    report.by_email_kind = dict(sorted(by_kind.items()))
    report.by_legal_basis = dict(sorted(by_basis.items()))


@dataclass
class _Store:
    """Stores staged parts one after the other, counting what it did."""

    provenance: list[Any]  # source, batch, page, collected at, collected by
    collected_at: datetime
    now: datetime
    user: Any
    first_id: int | None = None  # a bulk load's: see _create_new
    suppressed: Counter[tuple[str, str]] = field(default_factory=Counter)  # by kind and basis
    created: int = 0
    updated: int = 0

    def part(self, cursor: Any, staging: str, known: str | None) -> None:
        """Store one part; `known` holds the prospects stored before, by email (None: none)."""
        # RULES F4: a suppressed person is never imported again, whatever the file says.
        cursor.execute(
            f"DELETE FROM {staging} WHERE key_hash IN (SELECT key_hash FROM rights_suppressionentry) "
            "RETURNING email_kind"
        )
        self.suppressed.update((kind, BASIS_BY_KIND[kind].legal_basis) for (kind,) in cursor.fetchall())
        if known is not None:
            cursor.execute(
                f"UPDATE {staging} SET prospect_id = k.id FROM {known} k WHERE k.email = {staging}.email"
            )
            self.updated += _update_known(cursor, staging, self.now)
        self.created += _create_new(cursor, staging, self.collected_at, self.now, self.user, self.first_id)
        if self.first_id is None:
            join = "JOIN prospects_prospect p ON p.email = s.email"
            _record_provenance(cursor, staging, "p.id", join, self.provenance)
        else:
            new_id = "COALESCE(s.prospect_id, %s + s.line)"
            _record_provenance(cursor, staging, new_id, "", [self.first_id, *self.provenance])


@contextmanager
def _tuned_for(cursor: Any, bulk: bool) -> Iterator[None]:
    """SQLite's connection tuned for the way this import stores its rows, as it was after.

    A bulk load appends to its tables, then builds their indexes from sorts, which SQLite
    runs in threads, and best with its small default page cache: the 921,483 emails of the
    benchmark's file took 0.45 s, against 1.3 s sorted in one piece in a 128 MiB cache. An
    import into a larger table puts its keys at random places of large indexes, which a large
    cache serves: 150,000 rows into a million, 4.3 s against 5.4 s with the default cache.
    """
    if connection.vendor != "sqlite":
        yield
        return
    name, value = ("threads", min(8, os.cpu_count() or 1)) if bulk else ("cache_size", -131072)  # 128 MiB
    cursor.execute(f"PRAGMA {name}")
    previous = int(cursor.fetchone()[0])
    cursor.execute(f"PRAGMA {name} = {value}")
    try:
        yield
    finally:
        with suppress(DatabaseError):  # else gone with the connection
            cursor.execute(f"PRAGMA {name} = {previous}")


def _at_least_as_large_as_the_table(cursor: Any, rows: int) -> bool:
    """Whether an import of `rows` would at least double the prospects (counting at most that)."""
    cursor.execute("SELECT COUNT(*) FROM (SELECT 1 FROM prospects_prospect LIMIT %s) known", [rows])
    return bool(rows) and int(cursor.fetchone()[0]) < rows


def _update_known(cursor: Any, staging: str, now: datetime) -> int:
    """Refresh the descriptive fields of known prospects; never status, basis or consent."""
    target = "prospects_prospect"
    assignments = ", ".join(
        f"{name} = CASE WHEN s.{name} <> '' THEN s.{name} ELSE {target}.{name} END" for name in DESCRIPTIVE
    )
    changed = " OR ".join(f"(s.{name} <> '' AND s.{name} <> {target}.{name})" for name in DESCRIPTIVE)
    cursor.execute(
        f"UPDATE {target} SET {assignments}, updated_at = %s FROM {staging} s "
        f"WHERE {target}.id = s.prospect_id AND ({changed})",
        [_sql_datetime(now)],
    )
    return int(max(cursor.rowcount, 0))


def _create_new(
    cursor: Any, staging: str, collected_at: datetime, now: datetime, user: Any, first_id: int | None = None
) -> int:
    """Create the unknown prospects with their clocks: notice due (RULES D2), retention (RULES F1),
    and their language as the gate decided it (RULES D4).

    In file order, leaving out the known ones, marked in the staging table. Without `first_id`
    the ids come from the table, and ON CONFLICT leaves out an address another session added
    meanwhile, which the provenance then links to. With it (a bulk load, which has the table to
    itself), each new prospect's id is its line plus `first_id`, so that its provenance can be
    written without looking it up again.
    """
    basis = ", ".join(_basis_of(name) for name in ("audience", "legal_basis", "status"))  # RULES C1-C3
    id_column, id_value, conflicts, params = "", "", " ON CONFLICT (email) DO NOTHING", []
    if first_id is not None:
        id_column, id_value, conflicts, params = "id, ", "%s + s.line, ", "", [first_id]
    cursor.execute(
        f"INSERT INTO prospects_prospect ({id_column}email, key_hash, email_kind, first_name, last_name, "
        "job_title, company, company_domain, phone, country, language, audience, legal_basis, status, "
        "collected_at, collected_by_id, notice_due_at, retain_until, created_at, updated_at) "
        f"SELECT {id_value}s.email, s.key_hash, s.email_kind, s.first_name, s.last_name, s.job_title, "
        f"s.company, s.company_domain, s.phone, s.country, s.language, {basis}, "
        f"%s, %s, %s, %s, %s, %s FROM {staging} s WHERE s.prospect_id IS NULL{conflicts}",
        [*params, _sql_datetime(collected_at), _user_id(user),
         _sql_datetime(clocks.notice_due_at(collected_at)), _sql_datetime(clocks.retain_until(collected_at)),
         _sql_datetime(now), _sql_datetime(now)],
    )  # fmt: skip
    return int(max(cursor.rowcount, 0))


def _basis_of(name: str) -> str:
    """SQL for a staged row's `name` (audience, legal_basis or status), from its email_kind:
    the staging tables leave them out (licite.prospects.staging.DERIVED_COLUMNS)."""
    cases = " ".join(f"WHEN '{kind}' THEN '{getattr(basis, name)}'" for kind, basis in BASIS_BY_KIND.items())
    return f"CASE s.email_kind {cases} END"


def _store_in_bulk(cursor: Any, parts: Iterable[str], store: _Store) -> None:
    """Store the parts of a bulk load: indexes rebuilt after, ids taken from the lines.

    Meanwhile the table is this import's alone: SQLite has one writer at a time, and on
    PostgreSQL the bulk load locks it. The ids after the highest ever given are therefore free.
    Without their email index, the prospects known before are looked up in a copy of theirs.
    """
    known = _known_before(cursor)
    with indexes_rebuilt_after(cursor, BULK_TABLES, shared=SHARED_COLUMNS):
        sequence = "pg_get_serial_sequence('prospects_prospect', 'id')"
        if connection.vendor == "postgresql":
            # Held already, since the bulk load dropped indexes: said here, as the ids rely on it.
            cursor.execute("LOCK TABLE prospects_prospect IN EXCLUSIVE MODE")
            cursor.execute(f"SELECT GREATEST(nextval({sequence}), (SELECT MAX(id) FROM prospects_prospect))")
        else:  # AUTOINCREMENT: never an id given before, even to a prospect erased since
            cursor.execute(
                "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'prospects_prospect'), "
                "0), COALESCE((SELECT MAX(id) FROM prospects_prospect), 0))"
            )
        store.first_id = int(cursor.fetchone()[0])
        for part in parts:
            store.part(cursor, part, known)
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT setval({sequence}, MAX(id)) FROM prospects_prospect")
        if known is not None:
            cursor.execute(f"DROP TABLE {known}")


def _known_before(cursor: Any) -> str | None:
    """A temporary copy of the stored prospects' emails and ids, if any, indexed by email."""
    cursor.execute("SELECT EXISTS (SELECT 1 FROM prospects_prospect)")
    if not cursor.fetchone()[0]:
        return None
    cursor.execute(f"DROP TABLE IF EXISTS {KNOWN}")
    cursor.execute(f"CREATE TEMPORARY TABLE {KNOWN} (email TEXT PRIMARY KEY, id BIGINT)")
    cursor.execute(f"INSERT INTO {KNOWN} (email, id) SELECT email, id FROM prospects_prospect")
    return KNOWN


def _record_provenance(cursor: Any, staging: str, prospect_id: str, join: str, params: list[Any]) -> None:
    """One provenance entry per staged row (RULES B3): source, batch, line, page, date, collector."""
    cursor.execute(
        "INSERT INTO prospects_provenance (prospect_id, source_id, batch_id, line_number, page_url, "
        f"collected_at, collected_by_id) SELECT {prospect_id}, %s, %s, s.line, %s, %s, %s "
        f"FROM {staging} s {join}",
        params,
    )


def _sql_datetime(value: datetime) -> Any:
    """A datetime in the form the ORM stores it; passed raw, SQLite would keep its "+00:00"."""
    return connection.ops.adapt_datetimefield_value(value)
