"""Benchmark: `licite purge` against a raw DELETE of the same rows, in the same run.

    python -m bench.purge_bench [--prospects 1000000] [--expired 100000] [--postgres URL] [--out DIR]

A database of about `--prospects` prospects (the import benchmark's messy file, 9 % more rows
than that for what the gate refuses, through `licite import`), of which `--expired` (every
k-th, spread over the table) are dated past their retention. Then, on identical copies of it:
- the baseline: the sqlite3 shell (psql) deleting those rows and their provenance with two
  raw DELETE statements in one transaction, twice;
- `licite purge` as a user runs it: in batches, each its own transaction with its audit entry,
  the outbox blanked, the files scrubbed (SQLite), the process's start included.
On SQLite each run has its own copy of the database. On PostgreSQL (its database is emptied!)
the baseline runs in a transaction rolled back, its foreign keys checked at once as a commit
would, and the purge runs last. Target: within 3x the baseline.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.import_bench import (
    LICITE,
    add_database_arguments,
    bench_env,
    licite_import,
    prospects_file,
    reset_postgres,
    timed,
)

EXPIRED_AT = "2000-01-01 00:00:00"
DUE = "retain_until <= '2001-01-01 00:00:00'"
COUNT_DUE = f"SELECT COUNT(*) FROM prospects_prospect WHERE {DUE};"  # noqa: S608
# The same rows and their provenance, as the purge erases them (it also blanks their messages:
# there are none here).
DELETE_PROVENANCE = (
    f"DELETE FROM prospects_provenance WHERE prospect_id IN (SELECT id FROM prospects_prospect WHERE {DUE});"  # noqa: S608
)
DELETE_PROSPECTS = f"DELETE FROM prospects_prospect WHERE {DUE};"  # noqa: S608
RAW_DELETE = f"{DELETE_PROVENANCE}\n{DELETE_PROSPECTS}\n"
BASELINE_RUNS = 2


def expire(run_sql: Any, prospects: int, expired: int) -> None:
    """Date `expired` prospects past their retention, spread evenly over the table (every k-th,
    k = prospects / expired); every one was informed (not the purge's other reasons)."""
    every = max(prospects // expired, 1)
    numbered = "SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM prospects_prospect"
    chosen = f"SELECT id FROM ({numbered}) AS numbered WHERE n % {every} = 0 LIMIT {expired}"  # noqa: S608
    dated = f"UPDATE prospects_prospect SET retain_until = '{EXPIRED_AT}' WHERE id IN ({chosen});"  # noqa: S608
    run_sql(f"UPDATE prospects_prospect SET notice_sent_at = collected_at;\n{dated}\n")  # noqa: S608


def sqlite_run(database: Path, work: Path, expired: int, env: dict[str, str]) -> dict[str, Any]:
    def sql(script: str, target: Path = database) -> None:
        subprocess.run(["sqlite3", str(target)], input=script, text=True, check=True, capture_output=True)

    prospects = count(["sqlite3", str(database)], "SELECT COUNT(*) FROM prospects_prospect;")
    expire(sql, prospects, expired)
    sql("PRAGMA wal_checkpoint(TRUNCATE);")
    due = count(["sqlite3", str(database)], COUNT_DUE)
    baselines = []
    for run in range(BASELINE_RUNS):
        copy = work / f"baseline-{run}.sqlite3"
        shutil.copyfile(database, copy)
        baselines.append(timed(["sqlite3", str(copy)], stdin=f"BEGIN;\n{RAW_DELETE}COMMIT;\n")[0])
    purge_home = work / "purge"  # the same home: its keys, the audit trail's head, the database
    shutil.copytree(Path(env["LICITE_HOME"]), purge_home)
    seconds = licite_purge({**env, "LICITE_HOME": str(purge_home)})
    left = count(
        ["sqlite3", str(purge_home / "licite.sqlite3")],
        COUNT_DUE,
    )
    return result("sqlite", prospects, due, left, seconds, baselines)


def postgres_run(url: str, csv_path: Path, expired: int, env: dict[str, str]) -> dict[str, Any]:
    def sql(script: str) -> None:
        subprocess.run(
            ["psql", url, "-q", "-v", "ON_ERROR_STOP=1"],
            input=script,
            text=True,
            check=True,
            capture_output=True,
        )

    reset_postgres(url)
    env = {**env, "LICITE_DATABASE_URL": url}
    licite_import(csv_path, env)
    prospects = count(["psql", url, "-tA"], "SELECT COUNT(*) FROM prospects_prospect;")
    expire(sql, prospects, expired)
    sql("VACUUM ANALYZE;")
    due = count(["psql", url, "-tA"], COUNT_DUE)
    script = f"BEGIN;\nSET CONSTRAINTS ALL IMMEDIATE;\n{RAW_DELETE}ROLLBACK;\n"
    baselines = [
        timed(["psql", url, "-q", "-v", "ON_ERROR_STOP=1"], stdin=script)[0] for _run in range(BASELINE_RUNS)
    ]
    seconds = licite_purge(env)
    left = count(["psql", url, "-tA"], COUNT_DUE)
    return result("postgresql", prospects, due, left, seconds, baselines)


def count(command: list[str], query: str) -> int:
    done = subprocess.run(command, input=query, text=True, check=True, capture_output=True)
    return int(done.stdout.strip())


def licite_purge(env: dict[str, str]) -> float:
    seconds, _cpu = timed([*LICITE, "purge"], env=env)
    return seconds


def result(
    database: str, prospects: int, due: int, left: int, seconds: float, baselines: list[float]
) -> dict[str, Any]:
    baseline = statistics.median(baselines)
    return {
        "database": database,
        "prospects": prospects,
        "expired": due,
        "left_after_purge": left,
        "seconds": round(seconds, 2),
        "baseline_seconds": round(baseline, 2),
        "baseline_runs": [round(wall, 2) for wall in baselines],
        "ratio": round(seconds / baseline, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--prospects", type=int, default=1_000_000, help="About this many prospects in the database"
    )
    parser.add_argument("--expired", type=int, default=100_000)
    add_database_arguments(parser)
    arguments = parser.parse_args()
    out = arguments.out
    csv_path = prospects_file(out, arguments.prospects)
    results = []
    with tempfile.TemporaryDirectory() as work_dir:
        work = Path(work_dir)
        env = bench_env(work / "home")
        licite_import(csv_path, env)
        database = work / "home" / "licite.sqlite3"
        results.append(sqlite_run(database, work, arguments.expired, env))
        if arguments.postgres and shutil.which("psql"):
            env = {**env, "LICITE_HOME": str(work / "pg")}
            results.append(postgres_run(arguments.postgres, csv_path, arguments.expired, env))
    (out / "purge.json").write_text(json.dumps(results, indent=2) + "\n")
    for r in results:
        print(
            f"{r['database']:<11} {r['expired']:>9,} expired of {r['prospects']:,}:"
            f" purge {r['seconds']:6.2f} s,"
            f" raw DELETE {r['baseline_seconds']:5.2f} s (median of {len(r['baseline_runs'])}),"
            f" ratio {r['ratio']:.2f}x; left after the purge: {r['left_after_purge']:,}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
