"""`licite import --exclusive`: a rollback journal while the import has the SQLite database alone.

Run through the real command, on a real database file: the journal is back to WAL afterwards,
whatever happened, and nothing is stored when the database was not to be had alone.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import run_licite
from tests.prospects.test_import_interrupted import large_file, prepared, start_import

TABLES = ("prospects_prospect", "prospects_importbatch", "prospects_provenance")


def database(tmp_path: Path) -> Path:
    return tmp_path / "home" / "licite.sqlite3"


def state(tmp_path: Path) -> tuple[str, list[int], str]:
    """The journal mode, the rows of each table, and the integrity check's verdict."""
    with sqlite3.connect(database(tmp_path)) as db:
        counts = [db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in TABLES]  # noqa: S608
        return (db.execute("PRAGMA journal_mode").fetchone()[0], counts,
                db.execute("PRAGMA integrity_check").fetchone()[0])  # fmt: skip


def test_an_exclusive_import_stores_everything_and_leaves_the_wal_on(tmp_path):
    env = prepared(tmp_path)
    path = large_file(tmp_path / "salon.csv", 2_000, "une note")
    done = run_licite("import", str(path), "--source", "Salon", "--json", "--exclusive", env=env)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["exclusive"] is True
    assert report["created"] == 2_000
    assert state(tmp_path) == ("wal", [2_000, 1, 2_000], "ok")
    assert not Path(f"{database(tmp_path)}-journal").exists()
    again = run_licite("import", str(path), "--source", "Salon", "--json", env=env)  # as usual now
    assert json.loads(again.stdout)["already_imported"]


def test_an_import_writes_the_database_back_to_disk_while_it_runs(tmp_path):
    env = prepared(tmp_path)
    # Large enough to last well over the half second between two write-backs, on a fast machine too.
    # Through the WAL, then behind a rollback journal.
    for number, options in enumerate((("--no-exclusive",), ("--exclusive",))):
        path = large_file(tmp_path / f"salon-{number}.csv", 200_000, f"note {number}")
        done = run_licite("import", str(path), "--source", "Salon", "--json", *options, env=env)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["written_back"] > 0
    assert state(tmp_path) == ("wal", [200_000, 2, 400_000], "ok")


@contextmanager
def another_process_connected(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    """The app, say, between two requests: a connection to the database, open."""
    app = sqlite3.connect(database(tmp_path))
    try:
        assert app.execute("SELECT COUNT(*) FROM prospects_source").fetchone() == (1,)
        yield app
    finally:
        app.close()


def test_an_exclusive_import_is_refused_while_another_process_has_the_database(tmp_path):
    env = prepared(tmp_path)
    path = large_file(tmp_path / "salon.csv", 100, "une note")
    with another_process_connected(tmp_path):
        done = run_licite("import", str(path), "--source", "Salon", "--exclusive", env=env)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "CommandError: --exclusive: another process has the database open (the app, a worker, "
        "another command?); nothing was imported. Stop it, or import without --exclusive"
    ]
    assert state(tmp_path) == ("wal", [0, 0, 0], "ok")
    with sqlite3.connect(database(tmp_path)) as db:
        failures = db.execute("SELECT detail FROM audit_auditevent WHERE action = 'import.failed'").fetchall()
    assert [json.loads(detail)["error"] for (detail,) in failures] == ["DatabaseInUse"]


def started_midway(tmp_path: Path, path: Path, env: dict[str, str], *options: str) -> subprocess.Popen[str]:
    """An import started, once it is writing its rows behind a rollback journal."""
    size = database(tmp_path).stat().st_size
    importing = start_import(path, env, *options)
    deadline = time.monotonic() + 60

    def midway() -> bool:
        # Switching from the WAL writes a journal too, for a moment: the import's own
        # transaction is the one whose pages grow the database file behind it.
        return journal(tmp_path).exists() and database(tmp_path).stat().st_size > size + 4 * 1024 * 1024

    while not midway() and time.monotonic() < deadline and importing.poll() is None:
        time.sleep(0.005)
    assert midway(), "the import never wrote behind a rollback journal"
    return importing


def journal(tmp_path: Path) -> Path:
    return Path(f"{database(tmp_path)}-journal")  # exists only while a transaction runs


def test_an_exclusive_import_killed_midway_leaves_the_database_as_it_was(tmp_path):
    env = prepared(tmp_path)
    importing = started_midway(
        tmp_path, large_file(tmp_path / "salon.csv", 100_000, "une note"), env, "--exclusive"
    )
    os.killpg(importing.pid, signal.SIGKILL)  # no clean-up of any kind
    importing.communicate(timeout=60)
    assert journal(tmp_path).exists()  # a hot journal: the unfinished transaction, to be rolled back
    # The next connection rolls it back and, being licite's, asks for the WAL again.
    assert run_licite("sources", "list", env=env).returncode == 0
    assert state(tmp_path) == ("wal", [0, 0, 0], "ok")
    assert not journal(tmp_path).exists()


def imported_alone(path: Path, env: dict[str, str], *options: str) -> bool:
    """Import the file; whether the import had the database alone, as its report says."""
    done = run_licite("import", str(path), "--source", "Salon", "--json", *options, env=env)
    assert done.returncode == 0, done.stderr
    return bool(json.loads(done.stdout)["exclusive"])


def test_a_large_first_load_has_the_database_alone_unless_told_not_to(tmp_path):
    env = prepared(tmp_path)
    assert imported_alone(large_file(tmp_path / "salon.csv", 100_000, "une note"), env)
    assert state(tmp_path) == ("wal", [100_000, 1, 100_000], "ok")
    # The table holds prospects now: the next large load goes through the WAL, as usual.
    assert not imported_alone(large_file(tmp_path / "salon-2.csv", 100_000, "une autre note"), env)
    assert state(tmp_path) == ("wal", [100_000, 2, 200_000], "ok")


def test_a_first_load_asked_not_to_or_small_goes_through_the_wal(tmp_path):
    env = prepared(tmp_path)
    large = large_file(tmp_path / "salon.csv", 100_000, "une note")
    assert not imported_alone(large, env, "--dry-run", "--no-exclusive")
    assert not imported_alone(large, env, "--dry-run")  # a dry run commits nothing to save on
    assert not imported_alone(large_file(tmp_path / "small.csv", 1_000, "une note"), env)
    assert state(tmp_path) == ("wal", [1_000, 1, 1_000], "ok")


def test_a_large_first_load_goes_through_the_wal_while_another_process_has_the_database(tmp_path):
    env = prepared(tmp_path)
    path = large_file(tmp_path / "salon.csv", 100_000, "une note")
    with another_process_connected(tmp_path) as app:
        assert not imported_alone(path, env)
        assert app.execute("SELECT COUNT(*) FROM prospects_prospect").fetchone() == (100_000,)
    assert state(tmp_path) == ("wal", [100_000, 1, 100_000], "ok")


def test_a_process_that_connects_during_a_first_load_waits_for_it_and_finds_it_whole(tmp_path):
    env = prepared(tmp_path)
    importing = started_midway(tmp_path, large_file(tmp_path / "salon.csv", 100_000, "une note"), env)
    listed = run_licite("sources", "list", env=env)  # the app, say, started meanwhile
    out, err = importing.communicate(timeout=120)
    assert importing.returncode == 0, err
    assert json.loads(out)["exclusive"] is True
    assert listed.returncode == 0, listed.stderr
    assert "100000" in listed.stdout  # it waited for the import's commit, and read every prospect
    assert state(tmp_path) == ("wal", [100_000, 1, 100_000], "ok")
