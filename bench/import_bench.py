"""Benchmark: the whole import gate against a baseline measured in the same run.

    python -m bench.import_bench [--rows 1000000] [--runs 3] [--postgres URL] [--out DIR]

Baseline on SQLite: the sqlite3 shell's own `.import` of the same file into a plain table.
Baseline on PostgreSQL: `\\copy` of the same file into a plain table with psql.
SQLite runs twice, each into a new database: as a user runs it (a first load, which has the
database alone, behind a rollback journal) and with `--no-exclusive` (through the WAL, as an
import does while the app has the database open).
Every timed command starts once what the runs before it wrote is on disk (sync). Each import
is compared with the median of four runs of its baseline, two just before it and two just
after: on a shared machine the same command's time drifts by a third within a minute, and
bracketing the import cancels most of the drift. On SQLite the CPU times (user and system) are
compared too: licite's, on both cores, against the baseline's, on one. With --runs N, a last
line gives each database's median ratio over the N runs.
Targets (2-core machine): at least 100,000 rows/s end to end, within 3x the baseline, peak
memory under 1 GiB.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.generate import HEADER, generate

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
LICITE = [sys.executable, "-m", "licite.cli"]


def settled() -> None:
    """What the last run wrote goes to disk before the next one starts, rather than during it."""
    os.sync()


def timed(
    command: list[str], env: dict[str, str] | None = None, stdin: str | None = None
) -> tuple[float, float]:
    """The command's wall time, and its CPU time (user and system, its own and its children's)."""
    settled()
    before = os.times()
    started = time.perf_counter()
    subprocess.run(command, env=env, input=stdin, text=True, check=True, capture_output=True, cwd=ROOT)
    seconds, after = time.perf_counter() - started, os.times()
    return seconds, (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )


BASELINE_RUNS = 2  # just before each import, and as many just after it


def sqlite_baseline(csv_path: Path, work: Path) -> Callable[[], list[tuple[float, float]]]:
    """Runs of the SQLite baseline, BASELINE_RUNS a call, each into a new database."""
    script = f".mode csv\n.separator ;\n.import {csv_path} prospects\n"
    numbers = itertools.count()

    def runs() -> list[tuple[float, float]]:
        databases = [work / f"baseline-{next(numbers)}.sqlite3" for _run in range(BASELINE_RUNS)]
        return [timed(["sqlite3", str(database)], stdin=script) for database in databases]

    return runs


def postgres_baseline(csv_path: Path, url: str) -> Callable[[], list[tuple[float, float]]]:
    """Runs of the PostgreSQL baseline, BASELINE_RUNS a call, each into an empty table."""
    columns = ", ".join(f'"{name}" text' for name in HEADER)
    copy = f"\\copy baseline FROM '{csv_path}' WITH (FORMAT csv, DELIMITER ';', HEADER true)"

    def psql(command: str) -> None:
        subprocess.run(["psql", url, "-q", "-c", command], check=True, capture_output=True)

    def runs() -> list[tuple[float, float]]:
        psql(f"DROP TABLE IF EXISTS baseline; CREATE TABLE baseline ({columns})")
        timings = []
        for _run in range(BASELINE_RUNS):
            timings.append(timed(["psql", url, "-q", "-c", copy]))
            psql("TRUNCATE baseline")
        psql("DROP TABLE baseline")
        return timings

    return runs


Run = tuple[float, float, dict[str, Any], int]  # wall time, CPU time, the import's report, peak KiB


def licite_import(csv_path: Path, env: dict[str, str], *options: str) -> Run:
    for args in (
        ["migrate", "--noinput"],
        ["sources", "add", "Salon", "--kind", "event", "--method", "manual", "--extraction-allowed", "yes"],
        [
            "sources",
            "assess",
            "Salon",
            "--interest",
            "i",
            "--expectations",
            "e",
            "--safeguards",
            "s",
            "--necessity",
            "n",
            "--conclusion",
            "favourable",
        ],
    ):
        subprocess.run([*LICITE, *args], env=env, check=True, capture_output=True, cwd=ROOT)
    settled()
    started = time.perf_counter()
    # wait4 gives this run's own peak (RUSAGE_CHILDREN would carry the largest of every run).
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            [*LICITE, "import", str(csv_path), "--source", "Salon", "--json", *options],
            env=env,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            cwd=ROOT,
        )
        assert process.stdout is not None
        output = process.stdout.read()
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode:
            errors.seek(0)
            sys.exit(f"licite import failed: {errors.read().decode(errors='replace')}")
    # The largest process of the run: the importing one, or one of its gate workers. Its CPU:
    # its own and its gate workers', which it waits for.
    return seconds, usage.ru_utime + usage.ru_stime, json.loads(output), usage.ru_maxrss


def reset_postgres(url: str) -> None:
    subprocess.run(
        ["psql", url, "-q", "-c", "DROP SCHEMA public CASCADE; CREATE SCHEMA public"],
        check=True,
        capture_output=True,
    )


def add_database_arguments(parser: argparse.ArgumentParser) -> None:
    """--postgres and --out, as every benchmark of bench/ takes them."""
    parser.add_argument(
        "--postgres",
        default=os.environ.get("LICITE_BENCH_POSTGRES_URL", ""),
        help="Also run on this PostgreSQL database (it is emptied!)",
    )
    parser.add_argument("--out", type=Path, default=OUT, help=f"Where the files and the figures go ({OUT})")


# The generated file: 92 % of its rows pass the gate (1M rows: 921,483 prospects).
FILE_ROWS_PER_PROSPECT = 1.09


def prospects_file(out: Path, prospects: int) -> Path:
    """The generated CSV that imports to about `prospects` prospects, written once in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    rows = round(prospects * FILE_ROWS_PER_PROSPECT)
    csv_path = out / f"prospects-{rows}.csv"
    if not csv_path.exists():
        generate(csv_path, rows)
    return csv_path


def bench_env(home: Path) -> dict[str, str]:
    """The environment of a benchmark's `licite`: its own home and SQLite file, quiet, no mail out."""
    return {**os.environ, "LICITE_HOME": str(home), "LICITE_DATABASE_URL": "",
            "LICITE_LOG_LEVEL": "warning", "LICITE_EMAIL_BACKEND": "console"}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=1, help="Run it all this many times: one line a run")
    add_database_arguments(parser)
    arguments = parser.parse_args()
    out = arguments.out
    out.mkdir(parents=True, exist_ok=True)
    csv_path = out / f"prospects-{arguments.rows}.csv"
    if not csv_path.exists():
        generate(csv_path, arguments.rows)
    results = []
    for _run in range(arguments.runs):
        results.extend(one_run(csv_path, arguments.rows, arguments.postgres))
    (out / "import.json").write_text(json.dumps(results, indent=2) + "\n")
    for r in results:
        print(
            f"{r['database']:<21} {r['rows']:>9,} rows  licite {r['seconds']:6.2f} s"
            f" = {r['rows_per_s']:>9,} rows/s"
            f"  baseline {r['baseline_seconds']:5.2f} s (median of {len(r['baseline_runs'])}, around it)"
            f"  ratio {r['ratio']:.2f}x  peak {r['peak_mib']:,} MiB"
            f"  created {r['created']:,} rejected {r['rejected']:,} duplicates {r['duplicates']:,}"
        )
        how = "" if r["database"] == "postgresql" else "alone, " if r["alone"] else "through the WAL, "
        timings = ", ".join(f"{phase} {seconds:.2f} s" for phase, seconds in r["timings"].items())
        print(" " * 22 + how + timings)
        if r["cpu_ratio"] is not None:
            print(
                " " * 22 + f"CPU licite {r['cpu_seconds']:.2f} s, baseline {r['baseline_cpu_seconds']:.2f} s"
                f" (median of {len(r['baseline_runs'])}): ratio {r['cpu_ratio']:.2f}x"
            )
    if arguments.runs > 1:
        for database in dict.fromkeys(r["database"] for r in results):
            ratios = sorted(r["ratio"] for r in results if r["database"] == database)
            print(
                f"{database:<21} median ratio of {len(ratios)} runs {statistics.median(ratios):.2f}x"
                f" (from {ratios[0]:.2f}x to {ratios[-1]:.2f}x)"
            )
    return 0


def one_run(csv_path: Path, rows: int, postgres: str) -> list[dict[str, Any]]:
    """Each database once, each against the baseline runs just before it and just after."""
    results = []
    with tempfile.TemporaryDirectory() as work_dir:
        work = Path(work_dir)
        env = {
            **os.environ,
            "LICITE_HOME": str(work / "home"),
            "LICITE_DATABASE_URL": "",
            "LICITE_LOG_LEVEL": "warning",
        }
        baseline = sqlite_baseline(csv_path, work)
        before = baseline()
        run = licite_import(csv_path, env)
        after = baseline()
        results.append(_result("sqlite", rows, before + after, run))
        env = {**env, "LICITE_HOME": str(work / "wal")}
        run = licite_import(csv_path, env, "--no-exclusive")
        results.append(_result("sqlite --no-exclusive", rows, after + baseline(), run))
        if postgres and shutil.which("psql"):
            reset_postgres(postgres)
            baseline = postgres_baseline(csv_path, postgres)
            env = {**env, "LICITE_DATABASE_URL": postgres}
            before = baseline()
            run = licite_import(csv_path, env)
            results.append(_result("postgresql", rows, before + baseline(), run))
    return results


def _result(database: str, rows: int, baselines: list[tuple[float, float]], run: Run) -> dict[str, Any]:
    seconds, cpu, report, peak_kib = run
    baseline = statistics.median(wall for wall, _cpu in baselines)
    # On PostgreSQL both sides' work is mostly the server's, which neither CPU time counts.
    baseline_cpu = statistics.median(cpu for _wall, cpu in baselines) if database.startswith("sqlite") else 0
    return {
        "database": database,
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_s": int(rows / seconds),
        "baseline_seconds": round(baseline, 2),
        "baseline_runs": [round(wall, 2) for wall, _cpu in baselines],
        "ratio": round(seconds / baseline, 2),
        # CPU time, user and system: licite's on both cores against the baseline's on one.
        "cpu_seconds": round(cpu, 2),
        "baseline_cpu_seconds": round(baseline_cpu, 2) if baseline_cpu else None,
        "cpu_ratio": round(cpu / baseline_cpu, 2) if baseline_cpu else None,
        "peak_mib": peak_kib // 1024,
        "created": report["created"],
        "rejected": report["rejected"],
        "duplicates": report["duplicates_in_file"],
        "alone": report["exclusive"],  # the database to itself, behind a rollback journal
        "timings": report["timings"],
    }


if __name__ == "__main__":
    sys.exit(main())
