"""The staging tables: where an import's admitted rows wait for its set-based statements.

The rows arrive as polars frames (`licite.ingest.gating.STAGED_SCHEMA`) and reach the database
without becoming Python objects one by one:

- on PostgreSQL, into tables by COPY from the CSV polars writes;
- on SQLite, into tables of scratch database files, through ADBC's SQLite driver, which binds
  the Arrow columns in C without holding the GIL; Python's sqlite3 module binds each value of
  each row holding the GIL: for the benchmark's 921,483 rows, 5.9 s inside an import (2.2 s
  alone), against 1.9 s with another thread busy.

On SQLite the rows are staged in parts when the import knows how many rows its file has (read
by polars): a writer thread fills one scratch file after the other, and each, once written and
closed, is attached to the import's connection and stored by its statements while the next
ones are gated and written, on the machine's other core. A part stays attached until the
import's transaction has ended (an attached file can be detached only once no transaction is
open; SQLite attaches 10 at most, hence `MAX_PARTS`). An import run inside a caller's
transaction (a test's, say) stages into temporary tables instead, through sqlite3, and the
same statements follow (tests/prospects/test_staging.py holds both to the same result).

On PostgreSQL the parts are unlogged tables, written by COPY on a second connection in a
thread (`_Copied`), each stored by the import's connection while the next is written: the two
servers run on the two cores. A user who may not create tables, or an import inside a caller's
transaction, gets temporary tables on the import's own connection, part after part too.

The scratch files are written outside the import's transaction, and nothing outside the import
reads them: a failure leaves the database as it was. They live in a directory of their own
(mode 0700, under the system's temporary directory, where SQLite puts its own temporary files),
removed when the import ends, whatever the outcome; one a killed process left behind is removed
by the next import. ADBC links a SQLite library of its own: a file is only ever open in one of
the two libraries at a time (ADBC closes it before sqlite3 attaches it), as SQLite requires of
two copies in one process.
"""

from __future__ import annotations

import itertools
import os
import re
import secrets
import shutil
import sys
import tempfile
import threading
from abc import ABC, abstractmethod
from collections.abc import Generator, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

import polars as pl
from django.db import DatabaseError, connection, connections

from licite.ingest.gating import STAGED_COLUMNS
from licite.lib.ahead import ahead

__all__ = ["Staging", "StagingFailed", "staging_table"]

PREFIX = "licite-import-"
TABLE = "licite_import_staging"
_ALIAS = "licite_staging_"
_PART = "licite_import_part_"  # PostgreSQL: the unlogged tables of _Copied, then key and number
_LOCK_CLASS = 1_741_626_121  # the first key of their advisory locks: licite's staging
# Each part stays attached until the import's transaction has ended, and SQLite attaches 10
# files at most (main and temp aside); smaller parts would cost more statements than they let
# overlap.
MAX_PARTS = 10
MIN_PART_ROWS = 100_000
_aliases = itertools.count(1)
T = TypeVar("T")
# The gate's audience, legal basis and status follow from the address's kind alone (RULES
# C1-C3, licite.core.basis.BASIS_BY_KIND): the statements derive them from it (importing._basis_of), and
# leaving them out saves a fifth of the work of writing the parts (the benchmark's 921,483 rows).
DERIVED_COLUMNS = ("audience", "legal_basis", "status")
STORED_COLUMNS = tuple(name for name in STAGED_COLUMNS if name not in DERIVED_COLUMNS)


def _columns(vendor: str) -> str:
    binary = "BYTEA" if vendor == "postgresql" else "BLOB"
    types = {"line": "INTEGER", "key_hash": binary}
    columns = ", ".join(f"{name} {types.get(name, 'TEXT')}" for name in STORED_COLUMNS)
    return columns + ", prospect_id BIGINT"  # the known prospect, if any (importing._apply)


def _as_stored(frame: pl.DataFrame, vendor: str) -> pl.DataFrame:
    """The frame as its table holds it: the columns the statements do not derive, the keyed
    hash, hexadecimal in the frame, as its bytes (licite.lib.keyhash); for PostgreSQL's COPY
    from CSV, in bytea's hexadecimal form."""
    key_hash = pl.col("key_hash")
    stored = (pl.lit("\\x") + key_hash) if vendor == "postgresql" else key_hash.str.decode("hex")
    return frame.select(stored.alias(name) if name == "key_hash" else pl.col(name) for name in STORED_COLUMNS)


class StagingFailed(Exception):
    """The staging area cannot be written (no room, no such directory): nothing was stored."""


class Staging(ABC):
    """Where one import stages its rows."""

    _writer: Generator[Any, None, None] | None = None  # the parts of a writer thread, once started
    _stopped: threading.Event | None = None

    def _written_in_thread(self, written: Iterator[T]) -> Generator[T, None, None]:
        """What `written` yields, computed ahead in a writer thread, which close() stops."""
        self._writer = ahead(written, steps=MAX_PARTS, stop=self._stopped)
        return self._writer

    def _stop_writer(self) -> None:
        """Stop the writer thread and wait for it: an interrupted import's may still be writing
        (its parts are closed only when the interruption's traceback goes)."""
        if self._stopped is not None:
            self._stopped.set()
        if self._writer is not None:
            self._writer.close()  # ahead's generator: waits for its thread

    @abstractmethod
    def parts(self, frames: Iterable[pl.DataFrame], expected_rows: int | None) -> Iterator[str]:
        """Write the frames; yield each staged table's name, in the caller's thread, as soon as
        the import's statements can read it. `expected_rows` (at most that many) lets the rows
        be staged in several parts, read while the next ones are written."""

    @abstractmethod
    def close(self) -> None:
        """The import has ended, and its transaction: remove what is left, whatever the outcome."""


class _Temporary(Staging):
    """Temporary tables, created and filled inside the import's transaction (a failure rolls
    them back with the rest): COPY on PostgreSQL; on SQLite, inside a caller's transaction.

    In parts, like the scratch files, on the import's own connection: while the statements
    store one part, the server is busy, but the gate goes on in its thread, on the other
    core, and the next part is copied from what it gated meanwhile. Each part's table is
    dropped once stored, when the next one is asked for.
    """

    def __init__(self) -> None:
        self.tables: list[str] = []

    def parts(self, frames: Iterable[pl.DataFrame], expected_rows: int | None) -> Iterator[str]:
        part_rows, pending = _part_rows(expected_rows, limited=False), iter(frames)
        with connection.cursor() as cursor:
            for number in itertools.count():
                if self.tables:  # the last part is stored
                    cursor.execute(f"DROP TABLE {self.tables.pop()}")
                table = f"{TABLE}_{number}"
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
                cursor.execute(f"CREATE TEMPORARY TABLE {table} ({_columns(connection.vendor)})")
                self.tables.append(table)
                more = self._fill(cursor, table, pending, part_rows)
                yield table
                if not more:
                    return

    def _fill(self, cursor: Any, table: str, frames: Iterator[pl.DataFrame], part_rows: int) -> bool:
        """Copy frames into `table` until it holds `part_rows` rows; whether frames may remain."""
        if connection.vendor == "postgresql":
            return _copy_part(cursor, table, frames, part_rows)
        marks = ", ".join(["%s"] * len(STORED_COLUMNS))
        insert = f"INSERT INTO {table} ({', '.join(STORED_COLUMNS)}) VALUES ({marks})"
        rows = 0
        for frame in frames:
            cursor.executemany(insert, _as_stored(frame, "sqlite").rows())
            rows += frame.height
            if rows >= part_rows:
                return True
        return False

    def close(self) -> None:
        _drop(self.tables)  # gone already if the import's transaction was rolled back


class _Copied(Staging):
    """PostgreSQL: unlogged tables, one a part, written by COPY on a second connection in a
    thread and committed there, each stored by the import's statements while the next one is
    written (the two connections' servers on the two cores).

    They are written outside the import's transaction and read only by it: a failure leaves
    the database as it was, and they are dropped when the import ends, whatever the outcome.
    Their writer holds an advisory lock named in theirs: tables whose lock nobody holds any
    more (their import was killed) are dropped by the next import.
    """

    def __init__(self) -> None:
        _drop_left_behind()
        self.key = secrets.randbelow(2**31)
        self.tables: list[str] = []

    def parts(self, frames: Iterable[pl.DataFrame], expected_rows: int | None) -> Iterator[str]:
        self._stopped = threading.Event()  # the import has stopped: an error, Ctrl-C
        part_rows = _part_rows(expected_rows, limited=False)
        main = connections[connection.alias]  # the import's own, not the proxy of each thread's
        written = self._write(frames, part_rows, self._stopped, type(main), dict(main.settings_dict))
        yield from self._written_in_thread(written)

    def _write(
        self,
        frames: Iterable[pl.DataFrame],
        part_rows: int,
        stopped: threading.Event,
        wrapper: type[Any],
        settings_dict: dict[str, Any],
    ) -> Iterator[str]:
        """Each part's table, once written and committed (in the writer's thread, on a
        connection of its own, made like the import's)."""
        import psycopg  # PostgreSQL only

        writer = wrapper(settings_dict)
        pending = iter(frames)
        try:
            with writer.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s, %s)", [_LOCK_CLASS, self.key])
                for number in itertools.count():
                    table = f"{_PART}{self.key}_{number}"
                    self.tables.append(table)
                    cursor.execute(f"CREATE UNLOGGED TABLE {table} ({_columns('postgresql')})")
                    more = _copy_part(cursor, table, pending, part_rows, stopped)
                    if stopped.is_set():
                        return
                    yield table
                    if not more:
                        return
        except (DatabaseError, psycopg.Error) as exc:  # no room, say; never the message: it may quote a row
            raise StagingFailed(
                f"cannot write the import's staging tables ({type(exc.__cause__ or exc).__name__}); "
                "nothing was imported"
            ) from None
        finally:
            writer.close()  # and with it the advisory lock

    def close(self) -> None:
        self._stop_writer()
        _drop(self.tables)


class _Sqlite(Staging):
    """Tables in scratch files, written through ADBC in a thread, each attached to the import's
    connection once written."""

    def __init__(self) -> None:
        _remove_left_behind()
        try:
            self.directory = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
        except OSError as exc:
            raise StagingFailed(_cannot("create the import's scratch directory", exc)) from None
        self.aliases: list[str] = []

    def parts(self, frames: Iterable[pl.DataFrame], expected_rows: int | None) -> Iterator[str]:
        self._stopped = threading.Event()  # the import has stopped: an error, Ctrl-C
        written = self._write(frames, _part_rows(expected_rows), self._stopped)
        for path in self._written_in_thread(written):
            yield self._attach(path)

    def _write(
        self, frames: Iterable[pl.DataFrame], part_rows: int, stopped: threading.Event
    ) -> Iterator[Path]:
        """Each part's file, once written and closed (in the writer's thread: ADBC alone); when
        the import stops, at the next frame, not at the end of the part."""
        import adbc_driver_sqlite.dbapi as adbc  # SQLite only

        pending = iter(frames)
        try:
            for number in itertools.count():
                path = self.directory / f"staging-{number}.sqlite3"
                rows, more = 0, False
                with adbc.connect(str(path), autocommit=True) as scratch, scratch.cursor() as cursor:
                    # A scratch file: nothing to recover after a crash, so no journal and no fsync.
                    cursor.execute("PRAGMA journal_mode = OFF")
                    cursor.execute("PRAGMA synchronous = OFF")
                    cursor.execute(f"CREATE TABLE {TABLE} ({_columns('sqlite')})")
                    for frame in pending:
                        if stopped.is_set():
                            return
                        if frame.height:
                            cursor.adbc_ingest(TABLE, _as_stored(frame, "sqlite"), mode="append")
                            rows += frame.height
                        if rows >= part_rows:
                            more = True
                            break
                yield path
                if not more:
                    return
        except adbc.Error as exc:  # a full disk, say; the rows are not in the message
            raise StagingFailed(_cannot("write the import's scratch file", exc)) from None

    def _attach(self, path: Path) -> str:
        alias = f"{_ALIAS}{os.getpid()}_{next(_aliases)}"
        with connection.cursor() as cursor:
            cursor.execute(f"ATTACH DATABASE %s AS {alias}", [str(path)])
            self.aliases.append(alias)
            cursor.execute(f"PRAGMA {alias}.journal_mode = OFF")
        return f"{alias}.{TABLE}"

    def close(self) -> None:
        self._stop_writer()
        for alias in self.aliases:
            _detach(alias)
        shutil.rmtree(self.directory, ignore_errors=True)


def _copy_part(
    cursor: Any,
    table: str,
    frames: Iterator[pl.DataFrame],
    part_rows: int,
    stopped: threading.Event | None = None,
) -> bool:
    """PostgreSQL: COPY frames into `table` until it holds `part_rows` rows (or the import has
    `stopped`); whether frames may remain."""
    rows = 0
    with cursor.cursor.copy(
        f"COPY {table} ({', '.join(STORED_COLUMNS)}) FROM STDIN WITH (FORMAT csv)"
    ) as copy:
        for frame in frames:
            if stopped is not None and stopped.is_set():
                return True
            # Empty strings are written "" and read back as such; no value is null.
            copy.write(_as_stored(frame, "postgresql").write_csv(include_header=False))
            rows += frame.height
            if rows >= part_rows:
                return True
    return False


def _drop(tables: list[str]) -> None:
    """Drop the staging tables left, on the import's connection, after its transaction."""
    for table in tables:
        with suppress(DatabaseError), connection.cursor() as cursor:  # else gone with the connection
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
    tables.clear()


def _part_rows(expected_rows: int | None, limited: bool = True) -> int:
    """The rows of a part: all in one without an estimate, else in up to MAX_PARTS parts (the
    scratch files, `limited` by SQLite's attachments; temporary tables, one at a time, are
    not, and stay near the same size)."""
    if expected_rows is None:
        return sys.maxsize
    if not limited:
        return MIN_PART_ROWS
    return max(MIN_PART_ROWS, -(-expected_rows // (MAX_PARTS - 1)))  # the last part may be empty


@contextmanager
def staging_table() -> Iterator[Staging]:
    """A staging area for one import; `parts(frames, expected_rows)` writes it and gives the
    staged tables' names.

    Enter it outside the import's transaction: on SQLite the scratch file is detached when the
    block ends, once the transaction has.
    """
    # Attached inside a transaction, the scratch file could be detached only when it ends; a
    # table committed by another connection could only be dropped once it ends: a caller's
    # transaction (a test's, say) gets temporary tables.
    staging: Staging = _Temporary()
    if not connection.in_atomic_block:
        if connection.vendor == "sqlite":
            staging = _Sqlite()
        elif _may_create_tables():
            staging = _Copied()
    try:
        yield staging
    finally:
        staging.close()


def _cannot(what: str, error: Exception) -> str:
    reason = getattr(error, "strerror", None) or str(error).splitlines()[0][:200]
    return (
        f"cannot {what} in {tempfile.gettempdir()} ({reason}); nothing was imported. "
        "Set TMPDIR to a writable directory with room for about 200 MB per million rows"
    )


def _detach(alias: str) -> None:
    with suppress(DatabaseError), connection.cursor() as cursor:  # else gone with the connection
        cursor.execute(f"DETACH DATABASE {alias}")


def _may_create_tables() -> bool:
    """Whether the database user may create tables where the import's statements find them
    (PostgreSQL 15 no longer lets every user create tables in the public schema): else the
    import stages into temporary tables, which any user may create."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT has_schema_privilege(current_schema(), 'CREATE')")
        return bool(cursor.fetchone()[0])


def _drop_left_behind() -> None:
    """Drop the staging tables of imports whose writer is gone (killed, crashed): the advisory
    lock named in their name is free."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE %s",
            [f"{_PART}%"],
        )
        for (table,) in cursor.fetchall():
            match = re.fullmatch(rf"{_PART}(\d+)_\d+", table)
            if match is None:
                continue
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_LOCK_CLASS, int(match.group(1))])
            if cursor.fetchone()[0]:
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_LOCK_CLASS, int(match.group(1))])


def _remove_left_behind() -> None:
    """Remove the scratch directories of imports whose process is gone (killed, crashed)."""
    pattern = re.compile(rf"^{re.escape(PREFIX)}(\d+)-")
    for entry in Path(tempfile.gettempdir()).glob(f"{PREFIX}*"):
        match = pattern.match(entry.name)
        if match and entry.is_dir() and not _alive(int(match.group(1))):
            shutil.rmtree(entry, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True
