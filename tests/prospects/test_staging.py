"""Where an import stages its rows: a scratch file on SQLite, a temporary table otherwise.

Both stagings must store the same prospects, provenance and report, and the scratch file must
never outlive its import.
"""

from __future__ import annotations

import os
import resource
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core.management import CommandError
from django.db import DatabaseError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from licite.ingest.gating import staged_frame
from licite.lib.ahead import THREAD_NAME
from licite.prospects import staging
from licite.prospects.importing import ImportRequest, run_import
from licite.prospects.models import ImportBatch, Prospect, Provenance
from licite.prospects.staging import PREFIX, TABLE
from licite.rights.actions import do_suppress
from tests.conftest import HEADER, LICITE, ROOT, import_file
from tests.prospects.test_import_interrupted import large_file, prepared
from tests.prospects.test_import_paths import IGNORED, PATHS, load, stored

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scratch_dir(tmp_path, monkeypatch) -> Path:
    """The system's temporary directory, for this test alone."""
    directory = tmp_path / "tmp"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    return directory


def staging_table_left() -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT COUNT(*) FROM sqlite_temp_master WHERE name LIKE %s", [f"{TABLE}%"])
        else:
            cursor.execute("SELECT COUNT(*) FROM pg_class WHERE relname LIKE %s", [f"{TABLE}%"])
        return bool(cursor.fetchone()[0])


def staging_tables(queries: CaptureQueriesContext) -> list[dict[str, str]]:
    """The temporary staging tables the queries created."""
    return [query for query in queries if query["sql"].startswith(f"CREATE TEMPORARY TABLE {TABLE}")]


def part_tables() -> list[str]:
    """PostgreSQL's unlogged staging tables, of any import."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE tablename LIKE %s", [f"{staging._PART}%"])
        return sorted(row[0] for row in cursor.fetchall())


def another_session() -> Any:
    """A connection of its own to the test database, in autocommit."""
    other = type(connections["default"])(dict(connection.settings_dict))
    other.ensure_connection()
    return other


def provenance_inserts(queries: CaptureQueriesContext) -> list[dict[str, str]]:
    """One a staged part stored."""
    return [query for query in queries if query["sql"].startswith("INSERT INTO prospects_provenance")]


def foreign_keys_broken() -> list[tuple[Any, ...]]:
    """The rows whose foreign key points at nothing (SQLite: the import writes with its checks
    off, see importing.run_import), once SQLite checks them again."""
    if connection.vendor != "sqlite":
        return []  # PostgreSQL's are never off
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1
        cursor.execute("PRAGMA foreign_key_check")
        return [tuple(row) for row in cursor.fetchall()]


def attached() -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor != "sqlite":
            return []
        cursor.execute("PRAGMA database_list")
        return [row[1] for row in cursor.fetchall() if row[1] not in ("main", "temp")]


@pytest.mark.parametrize("path", PATHS)
def test_the_scratch_file_and_the_temporary_table_store_the_same(source, tmp_path, scratch_dir, path):
    do_suppress(None, "paul.durand@acme.example", "objection")
    with CaptureQueriesContext(connection) as queries:
        scratch = load(source, tmp_path / "scratch", path)
    attaches = [query["sql"] for query in queries if query["sql"].startswith("ATTACH")]
    assert len(attaches) == (2 if connection.vendor == "sqlite" else 0)  # one per import
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        temporary = load(source, tmp_path / "temporary", path)
    assert not [query for query in queries if query["sql"].startswith("ATTACH")]
    assert not staging_table_left()
    assert part_tables() == []
    assert scratch == temporary
    assert temporary[1]["suppressed"] == 1
    assert list(scratch_dir.iterdir()) == []
    assert attached() == []


@contextmanager
def provenance_refused() -> Iterator[None]:
    """Every provenance insert fails inside the block."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("CREATE TRIGGER no_provenance BEFORE INSERT ON prospects_provenance "
                           "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")  # fmt: skip
        else:
            cursor.execute("CREATE FUNCTION no_provenance() RETURNS trigger LANGUAGE plpgsql AS "
                           "$$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$")  # fmt: skip
            cursor.execute("CREATE TRIGGER no_provenance BEFORE INSERT ON prospects_provenance "
                           "FOR EACH ROW EXECUTE FUNCTION no_provenance()")  # fmt: skip
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("DROP TRIGGER no_provenance")
            else:
                cursor.execute("DROP TRIGGER no_provenance ON prospects_provenance")
                cursor.execute("DROP FUNCTION no_provenance()")


def test_a_failed_import_leaves_no_staging_behind_and_nothing_stored(source, write_csv, scratch_dir):
    run_import(
        ImportRequest(path=Path(write_csv("E-mail\njeanne@acme.example\n", name="ok.csv")), source=source)
    )
    # Known and new addresses, whose provenance cannot be written: the import fails once its
    # rows are staged, while storing them.
    path = Path(write_csv("E-mail\njeanne@acme.example\nlea@acme.example\n"))
    with provenance_refused(), pytest.raises(DatabaseError, match="refused by the test"):
        run_import(ImportRequest(path=path, source=source))
    assert list(Prospect.objects.values_list("email", flat=True)) == ["jeanne@acme.example"]
    assert Provenance.objects.count() == 1
    assert list(scratch_dir.iterdir()) == []
    assert attached() == []
    assert part_tables() == []


def test_the_staging_tables_of_a_killed_import_are_dropped_by_the_next_not_a_running_ones(source, write_csv):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's staging tables")
    killed, running = f"{staging._PART}111_0", f"{staging._PART}222_0"
    other = another_session()
    try:
        with other.cursor() as cursor:
            cursor.execute(f"CREATE UNLOGGED TABLE {killed} (email text)")  # nobody holds lock 111
            cursor.execute(f"CREATE UNLOGGED TABLE {running} (email text)")
            cursor.execute("SELECT pg_advisory_lock(%s, 222)", [staging._LOCK_CLASS])  # its writer's
        run_import(ImportRequest(path=Path(write_csv("E-mail\njeanne@acme.example\n")), source=source))
        assert part_tables() == [running]
        assert Prospect.objects.count() == 1
    finally:
        with other.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {running}, {killed}")
        other.close()


def test_a_user_who_owns_no_table_and_may_create_none_imports_all_the_same(source, write_csv):
    """An app's database user is often not the owner of its tables (who ran the migrations),
    and since PostgreSQL 15 may create no table in the public schema: such an import keeps the
    indexes (only their owner may drop them) and stages into temporary tables."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's privileges")
    role = "licite_test_app_user"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {role}")
        cursor.execute(f"CREATE ROLE {role}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
        cursor.execute(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role}")
        cursor.execute("SELECT has_schema_privilege(%s, 'public', 'CREATE')", [role])
        if cursor.fetchone()[0]:
            cursor.execute(f"DROP OWNED BY {role}")
            cursor.execute(f"DROP ROLE {role}")
            pytest.skip("every user may create tables in public here (PostgreSQL before 15)")
        cursor.execute(f"SET ROLE {role}")
    try:
        path = Path(write_csv("E-mail\njeanne@acme.example\nlea@acme.example\n"))
        with CaptureQueriesContext(connection) as queries:
            report = run_import(ImportRequest(path=path, source=source))
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
            cursor.execute(f"DROP OWNED BY {role}")
            cursor.execute(f"DROP ROLE {role}")
    assert report.created == Prospect.objects.count() == Provenance.objects.count() == 2
    assert len(staging_tables(queries)) == 1
    assert not [query for query in queries if query["sql"].startswith(("DROP INDEX", "ALTER TABLE"))]
    assert part_tables() == []


def test_an_interrupted_import_leaves_no_staging_table_on_postgresql(source, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's staging tables (SQLite's: tests/prospects/test_import_interrupted.py)")
    test_database = urlsplit(os.environ["LICITE_DATABASE_URL"])._replace(
        path=f"/{connection.settings_dict['NAME']}"
    )
    env = {**os.environ, "LICITE_HOME": str(tmp_path / "home"), "LICITE_DATABASE_URL": test_database.geturl()}
    path = large_file(tmp_path / "salon.csv", 300_000, "une note")
    importing = subprocess.Popen(
        [*LICITE, "import", str(path), "--source", source.name, "--json"], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while len(part_tables()) < 2 and time.monotonic() < deadline and importing.poll() is None:
        time.sleep(0.005)
    assert len(part_tables()) >= 2, "the import never staged two parts"
    os.killpg(importing.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    _out, err = importing.communicate(timeout=60)
    assert (importing.returncode, err.strip().splitlines()) == (130, ["licite: interrupted"])
    assert part_tables() == []
    assert not ImportBatch.objects.exists()
    assert not Prospect.objects.exists()


def test_a_scratch_file_left_by_a_killed_import_is_removed_by_the_next(source, write_csv, scratch_dir):
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                           text=True, check=True)  # fmt: skip
    dead = scratch_dir / f"{PREFIX}{int(ended.stdout)}-abc"
    dead.mkdir()
    (dead / "staging.sqlite3").write_bytes(b"personal data")
    ours = scratch_dir / f"{PREFIX}1-abc"  # pid 1 runs: a live import's, kept
    ours.mkdir()
    run_import(ImportRequest(path=Path(write_csv("E-mail\njeanne@acme.example\n")), source=source))
    expected = [ours] if connection.vendor == "sqlite" else [dead, ours]
    assert sorted(scratch_dir.iterdir()) == sorted(expected)


def test_no_room_for_the_scratch_file_is_one_clear_line_and_nothing_stored(
    source, write_csv, tmp_path, monkeypatch
):
    if connection.vendor != "sqlite":
        pytest.skip("the scratch file is SQLite's alone")
    not_a_directory = tmp_path / "full"
    not_a_directory.write_text("")
    monkeypatch.setattr(tempfile, "tempdir", str(not_a_directory))
    with pytest.raises(CommandError) as raised:
        import_file(write_csv("E-mail\njeanne@acme.example\n"))
    message = str(raised.value)
    assert message.startswith(f"cannot create the import's scratch directory in {not_a_directory} (")
    assert "nothing was imported" in message
    assert "TMPDIR" in message
    assert not Prospect.objects.exists()
    assert not ImportBatch.objects.exists()


def test_a_scratch_file_that_outgrows_the_disk_is_one_clear_line(tmp_path):
    """A real write failure: the importing process may write files of 4 MiB at most."""
    env = prepared(tmp_path)  # the database is created meanwhile, well under the limit
    path = large_file(tmp_path / "salon.csv", 40_000, "une note")  # about 8 MiB once staged

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (4 << 20, 4 << 20))

    done = subprocess.run([*LICITE, "import", str(path), "--source", "Salon"], env=env, cwd=ROOT,
                          capture_output=True, text=True, preexec_fn=small_files, check=False)  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.startswith(
        f"CommandError: cannot write the import's scratch file in {tmp_path / 'tmp'} ("
    )
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert list((tmp_path / "tmp").iterdir()) == []
    with sqlite3.connect(tmp_path / "home" / "licite.sqlite3") as database:
        assert database.execute("SELECT COUNT(*) FROM prospects_prospect").fetchone() == (0,)


def test_rows_staged_in_parts_store_what_one_part_stores(source, tmp_path, scratch_dir, monkeypatch):
    """Parts of two to four rows (frames of two): a first load, a bulk load over known
    prospects, then a load smaller than the table, against one temporary table each."""
    do_suppress(None, "paul.durand@acme.example", "objection")
    smaller = (
        HEADER
        + "".join(f"Nina;Roy;nina.roy{i}@roy{i}.example;Directrice;Roy {i} SA;;;France\n" for i in range(4))
        + "Paul;Durand;paul.durand@acme.example;DAF;Acme;;;UK\n"
        + "Eve;Roux;eve@roux.example;;;;;\n"
    )

    def imports(work: Path) -> tuple[Any, ...]:
        first = load(source, work, "columns", keep=True, frame_rows=2)
        path = work / "smaller.csv"
        path.write_text(smaller, encoding="utf-8")
        with time_machine.travel(datetime(2026, 11, 4, 9, 0, tzinfo=UTC), tick=False):
            report = run_import(ImportRequest(path=path, source=source, frame_rows=2)).as_dict()
        result = first, {key: value for key, value in report.items() if key not in IGNORED}, stored()
        assert foreign_keys_broken() == []
        Prospect.objects.all().delete()
        ImportBatch.objects.all().delete()
        return result

    monkeypatch.setattr(staging, "MIN_PART_ROWS", 2)
    with CaptureQueriesContext(connection) as queries:
        parts = imports(tmp_path / "parts")
    attaches = [query for query in queries if query["sql"].startswith("ATTACH")]
    stored_parts = provenance_inserts(queries)
    monkeypatch.setattr(staging, "MIN_PART_ROWS", 10**9)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        whole = imports(tmp_path / "whole")
    # three imports, each in several parts (scratch files on SQLite, tables on PostgreSQL)
    assert len(stored_parts) >= 9
    assert len(attaches) >= 9 if connection.vendor == "sqlite" else not attaches
    assert len(staging_tables(queries)) == len(provenance_inserts(queries)) == 3  # one temporary table each
    assert parts == whole
    assert [whole[1][key] for key in ("created", "updated", "suppressed")] == [1, 4, 1]
    assert part_tables() == []
    assert list(scratch_dir.iterdir()) == []
    assert attached() == []


def test_an_import_in_as_many_parts_as_sqlite_can_attach(source, write_csv, scratch_dir, monkeypatch):
    # Rows in frames of one, parts of five: MAX_PARTS - 1 full parts, then an empty one.
    monkeypatch.setattr(staging, "MIN_PART_ROWS", 1)
    count = (staging.MAX_PARTS - 1) * 5
    rows = "".join(f"A;B;buyer{i}@acme.example;Achats;Acme;;;France\n" for i in range(count))
    path = Path(write_csv(HEADER + rows))
    with CaptureQueriesContext(connection) as queries:
        report = run_import(ImportRequest(path=path, source=source, frame_rows=1))
    attaches = [query for query in queries if query["sql"].startswith("ATTACH")]
    assert len(attaches) == (staging.MAX_PARTS if connection.vendor == "sqlite" else 0)
    assert report.created == Prospect.objects.count() == Provenance.objects.count() == count
    assert list(scratch_dir.iterdir()) == []
    assert attached() == []


def test_the_staging_writer_stops_at_the_next_frame_when_the_import_stops(scratch_dir):
    """Ctrl-C while a part is written (here, the only one: the rows were not counted ahead)."""

    class Interrupted(Exception):
        """What Ctrl-C raises, raised here by a timer."""

    written = []

    def frames():  # 3 s of frames, had the writer to write them all
        for line in range(2, 302):
            written.append(line)
            time.sleep(0.01)
            yield staged_frame([(line, f"a{line}@acme.example", f"{line:064x}", "nominative", "b2b",
                                 "legitimate_interest", "active", *[""] * 8)])  # fmt: skip

    def interrupt(_signal, _frame):
        raise Interrupted

    scratch = staging._Sqlite()
    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.3)
    try:
        with pytest.raises(Interrupted):
            next(scratch.parts(frames(), None))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    # Interrupted after 0.3 s, the writer (joined by then) stopped at its next frame.
    assert 5 < len(written) < 100
    assert THREAD_NAME not in [thread.name for thread in threading.enumerate()]
    scratch.close()
    assert list(scratch_dir.iterdir()) == []
