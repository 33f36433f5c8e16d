"""The import benchmark, as the README runs it, on a small file: every import bracketed by its
baselines, every figure it prints kept in import.json. Its speed is not tested here.

On the PostgreSQL pass of the suite it runs on PostgreSQL too, in a database of its own: the
benchmark empties the database it is given."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from tests.conftest import ROOT

ROWS = 3000
BENCH_DATABASE = "test_licite_bench"


@pytest.fixture
def postgres() -> Iterator[str | None]:
    """On the PostgreSQL pass, the URL of a new database for the benchmark, dropped after."""
    url = os.environ.get("LICITE_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield None
        return
    with psycopg.connect(url, autocommit=True) as server:
        server.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")
        server.execute(f"CREATE DATABASE {BENCH_DATABASE}")
    try:
        yield urlunsplit(urlsplit(url)._replace(path=f"/{BENCH_DATABASE}"))
    finally:
        with psycopg.connect(url, autocommit=True) as server:
            server.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")


def test_the_import_benchmark_brackets_each_import_with_its_baselines_and_keeps_its_figures(
    tmp_path: Path, postgres: str | None
) -> None:
    env = {name: value for name, value in os.environ.items() if not name.startswith(("LICITE_", "DJANGO_"))}
    command = [
        sys.executable,
        "-m",
        "bench.import_bench",
        "--rows",
        str(ROWS),
        "--runs",
        "2",
        "--out",
        str(tmp_path),
    ]
    if postgres:
        command += ["--postgres", postgres]
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads((tmp_path / "import.json").read_text())
    databases = ["sqlite", "sqlite --no-exclusive"] + (["postgresql"] if postgres else [])
    assert [r["database"] for r in results] == databases * 2
    for r in results:
        assert len(r["baseline_runs"]) == 4  # two just before the import, two just after
        assert r["baseline_seconds"] > 0
        assert r["ratio"] > 0
        # The generated file is messy: some rows rejected, some repeated, the rest created.
        assert r["rejected"] > 0
        assert r["duplicates"] > 0
        assert r["created"] + r["rejected"] + r["duplicates"] == ROWS
    # The first import's baselines after it are the second's before it.
    assert results[0]["baseline_runs"][2:] == results[1]["baseline_runs"][:2]
    assert (tmp_path / f"prospects-{ROWS}.csv").exists()
    for database in databases:
        assert f"{database:<21} median ratio of 2 runs" in done.stdout
    # A file this small is never a first load alone: each SQLite run goes through the WAL, and
    # a PostgreSQL run is not said to (the WAL is SQLite's word here).
    assert done.stdout.count("through the WAL, gating") == 2 * 2


def test_the_web_benchmark_times_each_page_through_the_real_server_against_healthz(tmp_path: Path) -> None:
    """A few hundred prospects, four clients: every page answered (a failed one stops the run),
    each page's percentiles and ratio kept in web.json, and the exit status says whether every
    page met the target. Its speed is not tested here; a second run reuses the database."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("LICITE_", "DJANGO_"))}
    command = [sys.executable, "-m", "bench.web_bench", "--prospects", "300", "--clients", "4",
               "--requests", "2", "--out", str(tmp_path), "--json"]  # fmt: skip
    for _run in range(2):
        done = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
        )
        assert done.returncode in (0, 1), done.stderr[-3000:]
        result = json.loads((tmp_path / "web.json").read_text())
        assert json.loads(done.stdout) == result
        assert done.returncode == (0 if result["met"] else 1)
    assert list(result["pages"]) == [
        "healthz", "list", "filtered", "deep", "search address", "search name", "search company", "dashboard"
    ]  # fmt: skip
    assert 250 < result["prospects"] < 350
    for name, page in result["pages"].items():
        assert page["requests"] == 4 * 2
        assert 0 < page["p50"] <= page["p95"] <= page["p99"]
        within = page["p95"] <= 5 * result["pages"]["healthz"]["p95"] and page["p95"] < 150
        assert page["met"] == (name == "healthz" or within)
    assert (tmp_path / "web-300" / "home" / "built").exists()
