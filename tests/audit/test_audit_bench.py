"""The audit benchmark, as the README runs it, on a small chain: `licite audit verify` passes on
what it generated (each run would stop the benchmark otherwise), bracketed by its baselines, and
its figures are kept in audit.json. Its speed is not tested here. On the PostgreSQL pass of the
suite it runs on PostgreSQL too, in a database of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.test_bench import postgres  # noqa: F401 (the fixture)

ENTRIES = 2_000


def test_the_audit_benchmark_verifies_a_generated_chain_against_its_baseline(
    tmp_path: Path,
    postgres: str | None,  # noqa: F811
) -> None:
    env = {name: value for name, value in os.environ.items() if not name.startswith(("LICITE_", "DJANGO_"))}
    command = [sys.executable, "-m", "bench.audit_bench", "--entries", str(ENTRIES), "--runs", "2",
               "--out", str(tmp_path)]  # fmt: skip
    if postgres:
        command += ["--postgres", postgres]
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads((tmp_path / "audit.json").read_text())
    assert [r["database"] for r in results] == ["sqlite"] + (["postgresql"] if postgres else [])
    for r in results:
        assert r["entries"] == ENTRIES
        assert len(r["licite_seconds"]) == 2
        assert len(r["baseline_seconds"]) == 6  # two before the first run, two after each
        assert r["ratio"] > 0
        assert f"{r['database']:<11} {ENTRIES:>9,} entries  licite audit verify" in done.stdout
