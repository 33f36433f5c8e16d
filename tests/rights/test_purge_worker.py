"""The purge runs by itself: `licite worker` enqueues it on its schedule and runs it."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

from tests.conftest import ASSESS_SALON, HEADER, LICITE, ROOT, run_licite


def prepared(tmp_path: Path, **settings: str) -> dict[str, str]:
    env = {**os.environ, "LICITE_HOME": str(tmp_path / "home"), "LICITE_DATABASE_URL": "",
           "LICITE_EMAIL_BACKEND": "console", "TMPDIR": str(tmp_path), **settings}  # fmt: skip
    people = tmp_path / "people.csv"
    people.write_text(
        HEADER + "J;D;jeanne@acme.example;DAF;Acme;;;France\nP;M;paul@acme.example;DAF;Acme;;;\n"
    )
    for args in (
        ("migrate", "--noinput"),
        ("sources", "add", "Salon", "--kind", "event", "--method", "manual", "--extraction-allowed", "yes"),
        ASSESS_SALON,
        ("import", str(people), "--source", "Salon"),
    ):
        result = run_licite(*args, env=env)
        assert result.returncode == 0, result.stderr
    return env


def query(tmp_path: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(tmp_path / "home" / "licite.sqlite3") as database:
        return database.execute(sql, params).fetchall()


def test_the_worker_enqueues_the_purge_on_its_schedule_and_runs_it(tmp_path):
    env = prepared(tmp_path, LICITE_PURGE_SCHEDULE="*/2 * * * * *")  # every 2 seconds
    # Both were informed; Jeanne's retention ended yesterday (the clock of a child process cannot
    # be moved, so her record is dated back).
    query(tmp_path, "UPDATE prospects_prospect SET notice_sent_at = collected_at")
    query(
        tmp_path,
        "UPDATE prospects_prospect SET retain_until = '2020-01-01 00:00:00' WHERE email LIKE 'jeanne%'",
    )
    worker = subprocess.Popen(
        [*LICITE, "worker", "--interval", "0.2"], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while query(tmp_path, "SELECT 1 FROM prospects_prospect WHERE email LIKE 'jeanne%'"):
            assert time.monotonic() < deadline, "the worker never purged"
            assert worker.poll() is None, worker.communicate()
            time.sleep(0.3)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        _out, err = worker.communicate(timeout=30)
    assert query(tmp_path, "SELECT email FROM prospects_prospect") == [("paul@acme.example",)]
    tasks = "SELECT status FROM django_tasks_database_dbtaskresult WHERE task_path = ?"
    assert ("SUCCESSFUL",) in query(tmp_path, tasks, "licite.rights.tasks.purge")
    assert query(tmp_path, "SELECT actor_label FROM audit_auditevent WHERE action = 'purge.retention_ended'")
    assert "jeanne" not in err


def test_the_schedule_is_shown_in_the_worker_help(tmp_path):
    result = run_licite(
        "worker", "--help", env={"LICITE_HOME": str(tmp_path), "LICITE_PURGE_SCHEDULE": "30 4 * * *"}
    )
    assert result.returncode == 0
    assert "LICITE_PURGE_SCHEDULE" in result.stdout
    assert "'30 4 * * *'" in result.stdout
