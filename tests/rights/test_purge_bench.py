"""The purge benchmark, as the README runs it, on a small database: the purge erases exactly the
rows the baseline deletes, and every figure is kept in purge.json. Its speed is not tested here.

On the PostgreSQL pass of the suite it runs on PostgreSQL too, in a database of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.test_bench import postgres  # noqa: F401  (the fixture: a database of its own)

PROSPECTS, EXPIRED = 3000, 300


def test_the_purge_benchmark_erases_what_the_raw_delete_deletes_and_keeps_its_figures(
    tmp_path: Path,
    postgres: str | None,  # noqa: F811
) -> None:
    env = {name: value for name, value in os.environ.items() if not name.startswith(("LICITE_", "DJANGO_"))}
    command = [sys.executable, "-m", "bench.purge_bench", "--prospects", str(PROSPECTS),
               "--expired", str(EXPIRED), "--out", str(tmp_path)]  # fmt: skip
    if postgres:
        command += ["--postgres", postgres]
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads((tmp_path / "purge.json").read_text())
    assert [r["database"] for r in results] == ["sqlite"] + (["postgresql"] if postgres else [])
    for r in results:
        assert r["expired"] == EXPIRED
        assert r["left_after_purge"] == 0
        assert len(r["baseline_runs"]) == 2
        assert r["ratio"] > 0
        assert PROSPECTS * 0.95 < r["prospects"] < PROSPECTS * 1.05
        assert f"{r['expired']:,} expired of {r['prospects']:,}" in done.stdout
