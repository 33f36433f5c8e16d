"""Loading many rows at once: indexes and foreign-key checks rebuilt once, not kept up row by row.

Inserting a million rows into a table keeps each of its secondary indexes up to date one row at
a time, in random order, and PostgreSQL checks each foreign key of each row with a trigger. A
database builds an index from a sort, and checks a foreign key added to a table with one
query, several times faster (PostgreSQL: 25 s against 6 s for the prospects of a 1M-row file).

`indexes_rebuilt_after(cursor, tables)` drops what can be rebuilt (the indexes that enforce no
constraint and, on PostgreSQL, the foreign keys and the unique constraints no foreign key
relies on), runs the block, then creates them again from the definitions the database itself
gave, in the reverse order. It runs inside the caller's transaction: DDL is
transactional in SQLite and PostgreSQL, so a failure restores every index and constraint with
the rest, and a load that broke a unique constraint fails when the constraint comes back.
Primary keys stay, and so do SQLite's unique constraints, which are part of their table. A
load inside the block must not rely on a unique index to find conflicts (no
`ON CONFLICT (column)`): it looks for the existing rows itself.

An index on columns whose values the rows of a load share (a date, a status, a batch) is the
exception on SQLite: its new keys go to a few places, each hot in the cache, and it costs less
kept up than built again from a scan of the whole table (the benchmark's 1M-row import: 7.4 to
7.6 s in all with three such indexes kept up, 8.5 to 8.9 s with them built again). The caller
names those columns (`shared`). PostgreSQL rebuilds them all the same: kept up, they made its
inserts twice as slow (921k prospects 7.0 s against 3.0 s, their provenance 4.0 s against 1.8
s, for 1.6 s of index builds).

On PostgreSQL the tables stay locked for the rest of the transaction (readers wait), so the
callers keep this for loads at least as large as the table already is.

`written_once(connection)` is for a load that may have the database to itself (SQLite only:
`licite import --exclusive`, and a large first load, see licite.prospects.importing). In WAL
mode every page a transaction writes goes to the WAL, and the checkpoint that follows the commit
copies it into the database: a 1M-row import writes 1.5 GB for a 580 MB database, and its commit
takes 3 to 4.5 s. Behind a rollback journal the new pages go straight into the database file,
and the journal keeps only the few pages that already existed (commit 0.7 s). The switch needs
the database to itself: while another connection has it open, it is refused at once
(`DatabaseInUse`; or, when not `required`, the block runs through the WAL as usual), nothing
changed; and while the block runs, another process cannot connect (its connection waits for the
busy timeout). The WAL comes back when the block ends, whatever the outcome; if a killed process
could not bring it back, the next connection does (licite's connections ask for WAL) once SQLite
has rolled the unfinished transaction back.

`written_back_early(connection)` is for any large write to a SQLite file. The kernel keeps what
a process writes in its page cache, and on a machine with memory to spare writes none of it
back before the commit's sync, which then waits for all of it: 550 MB for the benchmark's 1M
rows, 1.4 to 1.8 s of a `--exclusive` commit at this disk's 283 MB/s. A thread asks for the
database's files to be written back every half second while the block runs: the disk works
while the cores compute, and the commit finds little left (0.03 to 0.19 s). It only makes the
kernel write sooner what SQLite has written already, which the kernel may write back at any
time: SQLite's own syncs, and their order, are unchanged. It syncs SQLite's own descriptors of
the files and never opens them itself: closing a descriptor would drop SQLite's locks (see
WriteBack).
"""

from __future__ import annotations

import logging
import os
import threading
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import OperationalError

__all__ = [
    "DatabaseInUse",
    "WriteBack",
    "indexes_rebuilt_after",
    "may_rebuild_indexes",
    "written_back_early",
    "written_once",
]

log = logging.getLogger("licite.bulkload")
WRITE_BACK_EVERY = 0.5  # seconds
# A database's own files: the database, its rollback journal, its write-ahead log.
DATABASE_FILES = ("", "-journal", "-wal")


class DatabaseInUse(Exception):
    """The database cannot be had alone: another connection has it open."""


@contextmanager
def written_once(connection: Any, required: bool = True) -> Iterator[bool]:
    """On a SQLite file in WAL mode, outside any transaction: a rollback journal for the block.

    Yields whether the journal was switched (False on PostgreSQL, in memory, in a transaction).
    When another connection has the database open, nothing is changed: if `required`, it
    raises DatabaseInUse; else the block runs through the WAL as usual (and yields False).
    """
    if connection.vendor != "sqlite" or connection.is_in_memory_db() or connection.in_atomic_block:
        yield False
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA main.journal_mode")
        switched = cursor.fetchone()[0] == "wal"
        if switched:
            cursor.execute("PRAGMA main.synchronous")
            synchronous = int(cursor.fetchone()[0])
            try:
                cursor.execute("PRAGMA main.journal_mode = DELETE")
            except OperationalError:  # "database is locked": another connection has it open
                if required:
                    raise DatabaseInUse("another process has the database open") from None
                switched = False
        if switched:
            # Behind a rollback journal, NORMAL may lose the database to a power cut: FULL syncs
            # the journal before the database is written (a few syncs for a whole bulk load).
            cursor.execute("PRAGMA main.synchronous = FULL")
    if not switched:
        yield False
        return
    try:
        yield True
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA main.synchronous = {synchronous}")
            try:
                cursor.execute("PRAGMA main.journal_mode = WAL")
            except OperationalError:  # a process connected meanwhile: its connection asks for WAL
                log.warning("the database stays in rollback-journal mode until its next connection")


class WriteBack:
    """The thread of `written_back_early`: writes back a database's files until stopped.

    Through SQLite's own descriptors of them, never one of its own: a process that closes any
    descriptor of a file loses every POSIX lock it holds on it, SQLite's included, and another
    process could then switch the database's journal or write into the middle of the import's
    transaction (sqlite.org/howtocorrupt.html, 2.2). They are found in /proc/self/fd (Linux);
    elsewhere nothing is written back early.
    """

    def __init__(self, path: str, every: float) -> None:
        self.every = every
        self.files = {os.path.realpath(path) + suffix: suffix for suffix in DATABASE_FILES}
        self.written_back: Counter[str] = Counter()  # by file: "" (the database), "-journal", "-wal"
        self._stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="licite-write-back", daemon=True)

    def _run(self) -> None:
        while not self._stopped.wait(self.every):
            for suffix, descriptor in self._descriptors().items():
                try:
                    os.fdatasync(descriptor)
                except OSError as exc:  # closed meanwhile, say; the commit's own sync will tell
                    log.debug("write-back skipped: %s", exc.strerror)
                    continue
                self.written_back[suffix] += 1

    def _descriptors(self) -> dict[str, int]:
        """The descriptors this process has open on the database's files, by suffix. One may
        be closed, even given to another file, before it is synced: a sync changes nothing."""
        found: dict[str, int] = {}
        try:
            entries = os.listdir("/proc/self/fd")
        except OSError:  # not Linux
            return found
        for entry in entries:
            try:
                suffix = self.files.get(os.readlink(f"/proc/self/fd/{entry}"))
            except OSError:  # closed meanwhile
                continue
            if suffix is not None:
                found[suffix] = int(entry)
        return found

    def stop(self) -> None:
        self._stopped.set()
        self.thread.join()


@contextmanager
def written_back_early(connection: Any, every: float = WRITE_BACK_EVERY) -> Iterator[WriteBack | None]:
    """On a SQLite file: its files written back to disk every `every` seconds while the block
    runs, by a thread, which has stopped when the block ends. Yields the thread's WriteBack,
    None on PostgreSQL or in memory, where it does nothing."""
    if connection.vendor != "sqlite" or connection.is_in_memory_db():
        yield None
        return
    write_back = WriteBack(str(connection.settings_dict["NAME"]), every)
    write_back.thread.start()
    try:
        yield write_back
    finally:
        write_back.stop()


@contextmanager
def indexes_rebuilt_after(cursor: Any, tables: Sequence[str], shared: Collection[str] = ()) -> Iterator[None]:
    """Drop the rebuildable indexes and constraints of `tables`, run the block, rebuild them.

    On SQLite, indexes on `shared` columns alone stay.
    """
    vendor = cursor.db.vendor
    if vendor == "postgresql":
        # A table with deferred checks pending cannot be altered: run those checks now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    dropped = [item for table in tables for item in _rebuildable(cursor, vendor, table, frozenset(shared))]
    for drop, _create in dropped:
        cursor.execute(drop)
    yield
    if vendor == "postgresql":
        # Each index is built from one sort: room to sort a million keys in memory rather
        # than in temporary files (the default is 64 MB). For this transaction only.
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for _drop, create in reversed(dropped):
        cursor.execute(create)


def may_rebuild_indexes(cursor: Any, tables: Sequence[str]) -> bool:
    """Whether the database user may drop and create again the indexes of `tables`: on
    PostgreSQL only their owner may (an app often connects as a user that is not)."""
    if cursor.db.vendor != "postgresql":
        return True
    cursor.execute(
        "SELECT bool_and(pg_has_role(current_user, relowner, 'USAGE')) FROM pg_class "
        "WHERE oid = ANY(%s::regclass[])",
        [list(tables)],
    )
    return bool(cursor.fetchone()[0])


def _rebuildable(cursor: Any, vendor: str, table: str, shared: frozenset[str]) -> list[tuple[str, str]]:
    """(statement that drops it, statement that creates it again) for each index and key.

    In the order they can be dropped: foreign keys, unique constraints, then plain indexes. On
    SQLite, those on `shared` columns alone stay.
    """
    quote = cursor.db.ops.quote_name
    if vendor == "sqlite":
        # Indexes behind UNIQUE and PRIMARY KEY constraints have no SQL of their own.
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
            [table],
        )
        rebuilt = []
        for name, sql in cursor.fetchall():
            cursor.execute(f"PRAGMA index_info({quote(name)})")  # (rank, column number, column name)
            columns = {row[2] for row in cursor.fetchall()}  # None for an expression, never shared
            if not (columns and columns <= shared):
                rebuilt.append((f"DROP INDEX {quote(name)}", sql))
        return rebuilt
    if vendor != "postgresql":
        return []
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = %s::regclass "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)",
        [table],
    )
    indexes = [(f"DROP INDEX {quote(name)}", definition) for name, definition in cursor.fetchall()]
    # Foreign keys first, then the unique constraints that no foreign key (of any table) uses.
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint k WHERE conrelid = %s::regclass "
        "AND (contype = 'f' OR contype = 'u' AND NOT EXISTS ("
        "SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = k.conindid)) "
        "ORDER BY contype = 'u', conname",
        [table],
    )
    constraints = [
        (
            f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}",
            f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}",
        )
        for name, definition in cursor.fetchall()
    ]
    return constraints + indexes
