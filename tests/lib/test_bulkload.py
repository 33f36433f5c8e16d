"""Large imports drop and rebuild indexes and foreign keys, inside their transaction."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from contextlib import nullcontext

import pytest
from django.db import IntegrityError, OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext

from licite.lib.bulkload import DatabaseInUse, indexes_rebuilt_after, written_back_early, written_once
from licite.prospects.models import Prospect, Provenance
from tests.conftest import HEADER, import_file

pytestmark = pytest.mark.django_db(transaction=True)
TABLES = ("prospects_prospect", "prospects_provenance")


def schema() -> list[tuple[str, ...]]:
    """Every index and constraint of the tables, as the database describes them."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, tbl_name, COALESCE(sql, '') FROM sqlite_master "
                "WHERE tbl_name IN (%s, %s) ORDER BY name",
                TABLES,
            )
            return cursor.fetchall()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN (%s, %s) "
            "UNION ALL SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid IN (%s::regclass, %s::regclass) ORDER BY 1, 2",
            [*TABLES, *TABLES],
        )
        return cursor.fetchall()


def test_a_large_import_rebuilds_every_index_and_constraint_it_dropped(source, write_csv):
    before = schema()
    rows = "".join(f"A;B;buyer{i}@acme.example;Achats;Acme;;;France\n" for i in range(50))
    with CaptureQueriesContext(connection) as queries:
        report = import_file(write_csv(HEADER + rows))
    assert report["created"] == 50
    assert any(query["sql"].startswith("DROP INDEX") for query in queries), "the table was empty: a bulk load"
    assert schema() == before
    assert Prospect.objects.filter(email="buyer7@acme.example").exists()


def test_a_large_import_into_a_smaller_table_finds_the_known_addresses_and_keeps_them_unique(
    source, write_csv
):
    import_file(write_csv(HEADER + "".join(f"A;B;buyer{i}@acme.example;Achats;;;;\n" for i in range(3))))
    rows = "".join(f"A;B;buyer{i}@acme.example;Direction;;;;\n" for i in range(1, 11))
    with CaptureQueriesContext(connection) as queries:
        report = import_file(write_csv(HEADER + rows, name="more.csv"))
    assert any(query["sql"].startswith("DROP INDEX") for query in queries), "3 known, 10 in the file: bulk"
    # The unique index on email goes, and comes back built from one sort.
    assert any(
        query["sql"].startswith("DROP INDEX") and "prospect_email_unique" in query["sql"] for query in queries
    )
    assert (report["created"], report["updated"]) == (8, 2)
    assert Prospect.objects.count() == 11
    assert Prospect.objects.get(email="buyer2@acme.example").job_title == "Direction"
    assert set(
        Provenance.objects.filter(batch_id=report["batch"]).values_list("prospect__email", "line_number")
    ) == {(f"buyer{i}@acme.example", i + 1) for i in range(1, 11)}
    known = Prospect.objects.get(email="buyer0@acme.example")
    clocks = {"collected_at": known.collected_at, "notice_due_at": known.notice_due_at,
              "retain_until": known.retain_until}  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        Prospect.objects.create(email=known.email, key_hash=known.key_hash, **clocks)
    # The ids the load gave by itself are past: the next prospect gets a new one.
    later = Prospect.objects.create(email="later@acme.example", key_hash="0" * 64, **clocks)
    assert later.pk > max(Prospect.objects.exclude(pk=later.pk).values_list("pk", flat=True))


def test_a_bulk_load_never_gives_again_the_id_of_an_erased_prospect(source, write_csv):
    import_file(write_csv(HEADER + "".join(f"A;B;buyer{i}@acme.example;;;;;\n" for i in range(10))))
    erased = list(Prospect.objects.order_by("-pk").values_list("pk", flat=True)[:5])
    Prospect.objects.filter(pk__in=erased).delete()
    rows = "".join(f"A;B;new{i}@acme.example;;;;;\n" for i in range(8))
    with CaptureQueriesContext(connection) as queries:
        report = import_file(write_csv(HEADER + rows, name="new.csv"))
    assert any(query["sql"].startswith("DROP INDEX") for query in queries), "8 rows, 5 known: bulk"
    assert report["created"] == 8
    assert min(Prospect.objects.filter(email__startswith="new").values_list("pk", flat=True)) > max(erased)


def test_a_small_import_into_a_larger_table_keeps_its_indexes(source, write_csv):
    import_file(write_csv(HEADER + "".join(f"A;B;buyer{i}@acme.example;;;;;\n" for i in range(20))))
    with CaptureQueriesContext(connection) as queries:
        report = import_file(write_csv(HEADER + "A;B;new@acme.example;;;;;\n", name="one.csv"))
    assert report["created"] == 1
    assert not any(query["sql"].startswith("DROP INDEX") for query in queries)


def test_on_sqlite_indexes_on_columns_the_rows_of_a_load_share_stay_and_the_others_go():
    before = schema()
    shared = ("status", "retain_until", "notice_due_at")
    with transaction.atomic(), connection.cursor() as cursor, indexes_rebuilt_after(cursor, TABLES, shared):
        during = {row[0] for row in schema()}
    on_shared = {"prospect_status", "prospect_retain_until", "prospect_notice_due"}
    if connection.vendor == "sqlite":
        # On those columns alone: kept up row by row. The partial index's condition is no key.
        assert on_shared <= during
    else:  # kept up, they slow PostgreSQL down
        assert not during & on_shared
    assert not during & {"prospect_key_hash", "prospect_email_unique"}
    assert schema() == before


def test_a_failure_during_the_load_restores_the_indexes_and_constraints():
    before = schema()
    during = []

    def load_that_fails() -> None:
        with transaction.atomic(), connection.cursor() as cursor, indexes_rebuilt_after(cursor, TABLES):
            during.append(schema())
            raise RuntimeError("the load failed half-way")

    with pytest.raises(RuntimeError):
        load_that_fails()
    assert during[0] != before
    assert schema() == before


def test_the_email_has_one_unique_index_and_no_pattern_index():
    definitions = [" ".join(row).lower() for row in schema()]
    assert [row for row in definitions if "prospect_email_unique" in row]
    assert not [row for row in definitions if "pattern_ops" in row and "(email" in row]


def licite_sqlite(path, alias: str):
    """A connection of licite's own settings to the SQLite file at `path`, whatever the tests' database."""
    from django.db.backends.sqlite3.base import DatabaseWrapper

    from licite.conf import _sqlite

    return DatabaseWrapper({**connection.settings_dict, **_sqlite(path)}, alias)


@pytest.fixture
def sqlite_file(tmp_path):
    """A connection of licite's own settings to a SQLite file of its own."""
    wrapper = licite_sqlite(tmp_path / "alone.sqlite3", "alone")
    with wrapper.cursor() as cursor:
        cursor.execute("CREATE TABLE rows (value INTEGER)")
    yield wrapper
    wrapper.close()


def pragmas(wrapper) -> tuple[str, int]:
    with wrapper.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
        cursor.execute("PRAGMA synchronous")
        return mode, int(cursor.fetchone()[0])


def test_written_once_swaps_the_wal_for_a_rollback_journal_for_the_block(sqlite_file):
    assert pragmas(sqlite_file) == ("wal", 1)  # licite's settings: WAL, synchronous NORMAL
    with written_once(sqlite_file) as switched:
        assert switched
        assert pragmas(sqlite_file) == ("delete", 2)  # FULL
        with sqlite_file.cursor() as cursor:
            cursor.execute("INSERT INTO rows VALUES (1)")
    assert pragmas(sqlite_file) == ("wal", 1)


def test_written_once_puts_the_wal_back_after_a_failure(sqlite_file):
    def fail_midway() -> None:
        with written_once(sqlite_file), sqlite_file.cursor() as cursor:
            cursor.execute("INSERT INTO rows VALUES (1)")
            cursor.execute("INSERT INTO missing VALUES (1)")

    with pytest.raises(OperationalError, match="no such table"):
        fail_midway()
    assert pragmas(sqlite_file) == ("wal", 1)


def test_written_once_is_refused_at_once_while_another_connection_has_the_database(sqlite_file, tmp_path):
    other = sqlite3.connect(tmp_path / "alone.sqlite3", timeout=20)
    try:
        other.execute("SELECT COUNT(*) FROM rows").fetchone()
        started = time.monotonic()
        with pytest.raises(DatabaseInUse), written_once(sqlite_file):
            pytest.fail("the block must not run")
        assert time.monotonic() - started < 5  # refused, not waited for
    finally:
        other.close()
    assert pragmas(sqlite_file) == ("wal", 1)


def test_written_once_leaves_a_database_without_wal_as_it_is(sqlite_file):
    with sqlite_file.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode = TRUNCATE")
    with written_once(sqlite_file) as switched:
        assert not switched
    assert pragmas(sqlite_file) == ("truncate", 1)


def test_a_wal_that_cannot_come_back_at_once_comes_back_with_the_next_connection(
    sqlite_file, tmp_path, caplog
):
    sqlite_file.settings_dict["OPTIONS"]["timeout"] = 0.1  # not the 20 s the app waits
    sqlite_file.close()
    reader = sqlite3.connect(tmp_path / "alone.sqlite3", isolation_level=None)
    try:
        with written_once(sqlite_file):
            reader.execute("BEGIN")
            reader.execute("SELECT COUNT(*) FROM rows").fetchone()  # a reader, mid-transaction
        assert pragmas(sqlite_file) == ("delete", 1)
        assert "stays in rollback-journal mode until its next connection" in caplog.text
    finally:
        reader.close()
    sqlite_file.close()  # the next connection, with licite's settings, asks for the WAL
    assert pragmas(sqlite_file) == ("wal", 1)


def test_written_once_changes_nothing_in_a_transaction_on_postgresql_or_in_memory():
    # The tests' own database: in memory on SQLite, else PostgreSQL; either way, in a transaction.
    with transaction.atomic(), written_once(connection) as switched:
        assert not switched


def _written_back_until(write_back, suffix: str, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while not write_back.written_back[suffix] and time.monotonic() < deadline:
        time.sleep(0.01)
    return bool(write_back.written_back[suffix])


def test_written_back_early_writes_the_files_back_while_the_block_runs_and_stops_with_it(sqlite_file):
    with written_back_early(sqlite_file, every=0.01) as write_back, sqlite_file.cursor() as cursor:
        cursor.execute("BEGIN")
        cursor.executemany("INSERT INTO rows VALUES (%s)", [(n,) for n in range(20_000)])
        assert write_back.thread.is_alive()
        assert _written_back_until(write_back, "")  # the database
        assert _written_back_until(write_back, "-wal")  # licite's SQLite files are in WAL mode
        cursor.execute("COMMIT")
    assert not write_back.thread.is_alive()
    with sqlite_file.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM rows")
        assert cursor.fetchone()[0] == 20_000


def test_written_back_early_writes_back_the_rollback_journal_of_an_exclusive_load(sqlite_file):
    with (
        written_once(sqlite_file),
        written_back_early(sqlite_file, every=0.01) as write_back,
        sqlite_file.cursor() as cursor,
    ):
        cursor.execute("BEGIN")
        cursor.execute("INSERT INTO rows VALUES (1)")  # its page existed: first copied to the journal
        assert _written_back_until(write_back, "-journal")
        cursor.execute("COMMIT")
    assert not write_back.thread.is_alive()


# Another process: what SQLite answers it, at once (no busy timeout).
OTHER_PROCESS = """
import sqlite3, sys
other = sqlite3.connect(sys.argv[1], timeout=0, isolation_level=None)
try:
    print(other.execute(sys.argv[2]).fetchall())
except sqlite3.OperationalError as error:
    print(error)
"""


def _in_another_process(path, statement: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", OTHER_PROCESS, str(path), statement],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.strip()


@pytest.mark.parametrize("alone", [False, True], ids=["wal", "rollback-journal"])
def test_written_back_early_leaves_the_locks_of_the_connection_as_they_were(sqlite_file, tmp_path, alone):
    # A process that closes a descriptor of a file loses every POSIX lock it holds on it,
    # SQLite's included (sqlite.org/howtocorrupt.html, 2.2): had the write-back opened the
    # database itself, another process could switch its journal or write into the middle of
    # this one's transaction, and the database would be corrupt.
    path = tmp_path / "alone.sqlite3"
    with (
        written_once(sqlite_file) if alone else nullcontext(),
        written_back_early(sqlite_file, every=0.01) as write_back,
        sqlite_file.cursor() as cursor,
    ):
        cursor.execute("BEGIN IMMEDIATE")
        cursor.executemany("INSERT INTO rows VALUES (%s)", [(n,) for n in range(20_000)])
        assert _written_back_until(write_back, "")
        time.sleep(0.05)  # a few more write-backs
        if alone:  # the import's write lock is its lock on the database file
            assert _in_another_process(path, "BEGIN IMMEDIATE") == "database is locked"
        else:  # in WAL mode, each connection's shared lock on it: none may leave the WAL
            answer = _in_another_process(path, "PRAGMA journal_mode = DELETE")
            assert answer in ("[('wal',)]", "database is locked")  # unchanged
        cursor.execute("COMMIT")
    with sqlite_file.cursor() as cursor:
        cursor.execute("PRAGMA integrity_check")
        assert cursor.fetchone()[0] == "ok"
        cursor.execute("SELECT COUNT(*) FROM rows")
        assert cursor.fetchone()[0] == 20_000


def test_written_back_early_stops_when_the_block_fails(sqlite_file):
    with (
        pytest.raises(RuntimeError, match="midway"),
        written_back_early(sqlite_file, every=0.01) as write_back,
    ):
        raise RuntimeError("midway")
    assert not write_back.thread.is_alive()


def test_written_back_early_does_nothing_on_postgresql_or_in_memory():
    # The tests' own database: in memory on SQLite, else PostgreSQL.
    with written_back_early(connection) as write_back:
        assert write_back is None


def test_a_new_database_has_16_kib_pages_and_an_existing_one_keeps_its_own(sqlite_file, tmp_path):
    with sqlite_file.cursor() as cursor:
        cursor.execute("PRAGMA page_size")
        assert cursor.fetchone()[0] == 16384
    older = tmp_path / "older.sqlite3"
    with sqlite3.connect(older) as made_before:  # SQLite's default: 4 KiB
        made_before.execute("CREATE TABLE rows (value INTEGER)")
    wrapper = licite_sqlite(older, "older")
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("PRAGMA page_size")
            assert cursor.fetchone()[0] == 4096
            cursor.execute("SELECT COUNT(*) FROM rows")
            assert cursor.fetchone()[0] == 0
    finally:
        wrapper.close()
