"""Ctrl-C during a large import: one line, no traceback, nothing stored, no worker left behind."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

from tests.conftest import ASSESS_SALON, HEADER, LICITE, ROOT, run_licite


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid`, read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie, ended and waiting to be reaped, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def prepared(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "tmp").mkdir()  # the scratch file's place (licite.prospects.staging)
    env = {**os.environ, "LICITE_HOME": str(tmp_path / "home"), "LICITE_DATABASE_URL": "",
           "TMPDIR": str(tmp_path / "tmp")}  # fmt: skip
    for args in (
        ("migrate", "--noinput"),
        ("sources", "add", "Salon", "--kind", "event", "--method", "manual", "--extraction-allowed", "yes"),
        ASSESS_SALON,
    ):
        assert run_licite(*args, env=env).returncode == 0
    return env


def large_file(path: Path, rows: int, first_note: str) -> Path:
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        for i in range(rows):
            note = first_note if i == 0 else "une note assez longue pour peser son poids"
            out.write(f"Jeanne;Dupont;jeanne.dupont{i}@acme{i}.example;Directrice des achats;Acme {i};;"
                      f"{note};France\n")  # fmt: skip
    return path


def start_import(path: Path, env: dict[str, str], *options: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*LICITE, "import", str(path), "--source", "Salon", "--json", *options],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def assert_interrupted_and_nothing_stored(importing: subprocess.Popen[str], tmp_path: Path) -> None:
    os.killpg(importing.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    _out, err = importing.communicate(timeout=60)
    assert importing.returncode == 130
    assert err.strip().splitlines() == ["licite: interrupted"]
    tables = ("prospects_prospect", "prospects_importbatch", "prospects_provenance")
    with sqlite3.connect(tmp_path / "home" / "licite.sqlite3") as database:
        counts = [database.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in tables]  # noqa: S608
    assert counts == [0, 0, 0]
    assert list((tmp_path / "tmp").iterdir()) == []  # nor the scratch file


def test_an_interrupted_import_says_so_in_one_line_and_stores_nothing(tmp_path):
    env = prepared(tmp_path)
    path = large_file(tmp_path / "salon.csv", 300_000, "une note")  # read by polars, gated by column
    importing = start_import(path, env)
    deadline = time.monotonic() + 60
    staging = list((tmp_path / "tmp").glob("*/staging-*.sqlite3"))
    while not staging and time.monotonic() < deadline and importing.poll() is None:
        time.sleep(0.01)
        staging = list((tmp_path / "tmp").glob("*/staging-*.sqlite3"))
    assert staging, "the import never staged its rows"
    assert_interrupted_and_nothing_stored(importing, tmp_path)


def test_an_interrupted_import_in_gate_workers_stops_them_too(tmp_path):
    env = prepared(tmp_path)
    # A quoted line break: only the csv module reads it exactly, and over 8 MiB it is gated in
    # worker processes.
    path = large_file(tmp_path / "salon.csv", 90_000, '"une note\nsur deux lignes"')
    importing = start_import(path, env)
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while not workers and time.monotonic() < deadline and importing.poll() is None:
        workers = children(importing.pid)
        time.sleep(0.01)
    assert workers, "the gate workers never started"
    assert_interrupted_and_nothing_stored(importing, tmp_path)
    assert not [pid for pid in workers if alive(pid)]
