"""The access benchmark, as the README runs it, on a small database: every address of the sample
is timed both ways, known, suppressed only and unknown ones among them, and every figure is kept
in access.json. Its speed is not tested here.

On the PostgreSQL pass of the suite it runs on PostgreSQL too, in a database of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.test_bench import postgres  # noqa: F401  (the fixture: a database of its own)

PROSPECTS, ADDRESSES = 3000, 40


def test_the_access_benchmark_times_every_kind_of_address_both_ways_and_keeps_its_figures(
    tmp_path: Path,
    postgres: str | None,  # noqa: F811
) -> None:
    env = {name: value for name, value in os.environ.items() if not name.startswith(("LICITE_", "DJANGO_"))}
    command = [sys.executable, "-m", "bench.access_bench", "--prospects", str(PROSPECTS),
               "--addresses", str(ADDRESSES), "--out", str(tmp_path)]  # fmt: skip
    if postgres:
        command += ["--postgres", postgres]
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads((tmp_path / "access.json").read_text())
    assert [r["database"] for r in results] == ["sqlite"] + (["postgresql"] if postgres else [])
    for r in results:
        assert r["held"] == {"records": 32, "suppression_only": 4, "nothing": 4}
        assert PROSPECTS * 0.95 < r["prospects"] < PROSPECTS * 1.05
        for timings in (r["licite_ms"], r["baseline_ms"]):
            assert 0 < timings["p50"] <= timings["p95"] <= timings["max"]
        assert r["ratio_p95"] > 0
        assert r["met"] == (r["licite_ms"]["p95"] < 50)
        assert f"{ADDRESSES} access requests among {r['prospects']:,} prospects" in done.stdout
