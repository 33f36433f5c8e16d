"""Erased means gone from the files too (RULES G4): no byte of the address left in the SQLite
database or its write-ahead log once licite has erased it."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from tests.conftest import ASSESS_SALON, HEADER, run_licite

ADDRESS = b"zephyrine.quincampoix@marsupilami-industries.example"


def licite(env: dict[str, str], *args: str) -> str:
    result = run_licite(*args, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def file_bytes(home: Path, suffix: str) -> bytes:
    """The bytes of the database file ("") or its write-ahead log ("-wal"). Opening the database
    file in this process would drop the locks of `reader` below (POSIX locks are per process)."""
    path = home / f"licite.sqlite3{suffix}"
    return path.read_bytes() if path.exists() else b""


def test_an_erased_address_is_in_neither_the_database_file_nor_its_write_ahead_log(tmp_path):
    home = tmp_path / "home"
    env = {**os.environ, "LICITE_HOME": str(home), "LICITE_DATABASE_URL": "", "TMPDIR": str(tmp_path)}
    licite(env, "migrate", "--noinput")
    licite(
        env, "sources", "add", "Salon", "--kind", "event", "--method", "manual", "--extraction-allowed", "yes"
    )
    licite(env, *ASSESS_SALON)
    rows = "".join(f"P;N;person{i}@acme.example;Acheteur;Acme;;;France\n" for i in range(300))
    people = tmp_path / "people.csv"
    people.write_text(HEADER + "Zéphyrine;Quincampoix;" + ADDRESS.decode() + ";DAF;Marsu;;;France\n" + rows)
    licite(env, "import", str(people), "--source", "Salon")
    # Another connection stays open, as a web server's does: the write-ahead log is then never
    # removed by a last close, and keeps whatever pages it held.
    reader = sqlite3.connect(home / "licite.sqlite3")
    reader.execute("SELECT COUNT(*) FROM prospects_prospect").fetchone()
    licite(env, "contact", "record", ADDRESS.decode(), "--kind", "reply")  # its page, into the log
    assert ADDRESS in file_bytes(home, "-wal"), "the test sees the log"

    out = licite(env, "suppress", "add", ADDRESS.decode(), "--reason", "objection")

    assert "Prospect records erased: 1." in out
    assert reader.execute("SELECT COUNT(*) FROM prospects_prospect").fetchone()[0] == 300
    assert ADDRESS not in file_bytes(home, "-wal"), "the log keeps the pages it held"
    reader.close()
    assert ADDRESS not in file_bytes(home, ""), "the database file keeps the deleted row"
