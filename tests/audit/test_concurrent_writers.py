"""Several processes appending at once never fork the chain: each append takes the chain's lock
(PostgreSQL's advisory lock; SQLite's write lock) before it reads the last entry."""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

from licite.audit.models import AuditEvent
from tests.conftest import LICITE, ROOT, run_licite

pytestmark = pytest.mark.django_db(transaction=True)
WRITERS, ENTRIES = 8, 500

WRITE = """
import pathlib, time
from licite.audit.actions import record
while not pathlib.Path({go!r}).exists():
    time.sleep(0.005)
for number in range({entries}):
    record(None, "test.concurrent", None, writer={writer}, number=number)
"""


def shared_database(tmp_path: Path) -> dict[str, str]:
    """The suite's database on PostgreSQL; on SQLite (the suite's is in memory) a file database."""
    env = {**os.environ, "LICITE_HOME": str(tmp_path / "home"), "LICITE_EMAIL_BACKEND": "console"}
    if connection.vendor == "postgresql":
        url = urlsplit(os.environ["LICITE_DATABASE_URL"])
        env["LICITE_DATABASE_URL"] = urlunsplit(url._replace(path=f"/{connection.settings_dict['NAME']}"))
    else:
        env["LICITE_DATABASE_URL"] = ""
        assert run_licite("migrate", "--noinput", env=env).returncode == 0
    return env


def test_eight_processes_writing_at_once_leave_one_chain_that_verifies(tmp_path):
    env = shared_database(tmp_path)
    go = tmp_path / "go"
    writers = [
        subprocess.Popen(
            [*LICITE, "shell", "-c", WRITE.format(go=str(go), entries=ENTRIES, writer=writer)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for writer in range(WRITERS)
    ]
    time.sleep(3)  # every writer started and waiting
    go.touch()
    for writer in writers:
        _out, err = writer.communicate(timeout=600)
        assert writer.returncode == 0, err[-2000:]
    done = run_licite("audit", "verify", env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (
        done.stdout.strip() == f"audit chain intact: {WRITERS * ENTRIES} entries, head #{WRITERS * ENTRIES}"
    )
    assert done.stderr == ""
    # The writers took turns, rather than one after the other.
    order = writers_in_order(tmp_path)
    assert len(order) == WRITERS * ENTRIES
    assert sum(1 for a, b in itertools.pairwise(order) if a != b) > WRITERS


def writers_in_order(tmp_path: Path) -> list[int]:
    if connection.vendor == "postgresql":
        return list(AuditEvent.objects.order_by("sequence").values_list("detail__writer", flat=True))
    with sqlite3.connect(tmp_path / "home" / "licite.sqlite3") as database:
        rows = database.execute("SELECT detail FROM audit_auditevent ORDER BY sequence").fetchall()
    return [json.loads(detail)["writer"] for (detail,) in rows]
