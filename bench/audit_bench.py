"""Benchmark: `licite audit verify` against a plain HMAC loop over the same rows, same run.

    python -m bench.audit_bench [--entries 1000000] [--runs 3] [--postgres URL] [--out DIR]

A scratch LICITE_HOME (SQLite), and with --postgres a database of its own (it is emptied), each
migrated by licite and filled with N chained entries as `record` writes them (actions of a few
kinds, ids and counts in their detail), the head file written. Then, in turn, each timed as a
process from start to end:

- licite: `licite audit verify`, which walks the whole chain in order and checks each entry's
  sequence, link, id order and HMAC, then the head file;
- baseline: a plain Python process that runs the very query `verify` runs, batch after batch,
  and computes HMAC-SHA256 of each row's fields joined, checking nothing.

Each licite run is compared with the median of the baseline runs just before and just after it
(as bench/import_bench.py does). licite's process start-up (Django's setup) is measured apart,
on `licite audit --help`, and a second ratio leaves it out. Target (issue 20): within 2x.
"""

from __future__ import annotations

import argparse
import hmac
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.import_bench import LICITE, ROOT, add_database_arguments, reset_postgres, settled
from licite.audit.chain import GENESIS, Head, batch_query, canonical_detail, entry_hash, write_head

KEY = "bench-audit-key-of-at-least-thirty-two-characters"
TARGET = 2.0
ACTIONS: tuple[tuple[str, str, Callable[[random.Random], dict[str, Any]]], ...] = (
    ("prospect.viewed", "prospects.prospect", lambda rng: {}),
    ("prospect.listed", "", lambda rng: {"count": rng.randrange(1, 200), "page": rng.randrange(1, 9)}),
    ("import.completed", "prospects.source", lambda rng: {"created": rng.randrange(10_000), "rejected": 3}),
    ("suppression.added", "rights.suppressionentry", lambda rng: {"reason": "objection", "cancelled": 0}),
    ("prospect.updated", "prospects.prospect", lambda rng: {"fields": ["job_title"], "via": "admin"}),
)  # fmt: skip
COLUMNS = ("sequence", "at", "actor_label", "action", "object_type", "object_id", "detail", "via",
           "prev_hash", "hash")  # fmt: skip


def entries(count: int, seed: int = 2026) -> Iterator[tuple[Any, ...]]:
    """N chained entries as `record` writes them: `at` as the database keeps it (UTC)."""
    rng = random.Random(seed)
    key, head = KEY.encode(), Head(0, GENESIS)
    start = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    for sequence in range(1, count + 1):
        at = start + timedelta(seconds=sequence * 7, microseconds=rng.randrange(1_000_000))
        action, object_type, detail = rng.choice(ACTIONS)
        text = canonical_detail(detail(rng))
        actor = rng.choice(("alice", "bob", "os:licite", "system"))
        via = rng.choice(("web", "cli", "worker"))
        object_id = str(rng.randrange(1, 1_000_000)) if object_type else ""
        stamp = at.strftime("%Y-%m-%d %H:%M:%S.%f")
        digest = entry_hash(key, sequence, stamp, actor, action, object_type, object_id, text, via, head.hash)
        yield sequence, stamp, actor, action, object_type, object_id, text, via, head.hash, digest
        head = Head(sequence, digest)


def fill_sqlite(path: Path, count: int) -> Head:
    last: list[tuple[Any, ...]] = []
    with sqlite3.connect(path) as database:
        database.executemany(_insert(), _tracked(entries(count), last))
    database.close()
    return _last(last)


def fill_postgres(url: str, count: int) -> Head:
    import psycopg

    last: list[tuple[Any, ...]] = []
    copying = f"COPY audit_auditevent ({', '.join(COLUMNS)}) FROM STDIN"
    with psycopg.connect(url) as database, database.cursor() as cursor, cursor.copy(copying) as copy:
        for row in _tracked(entries(count), last):
            copy.write_row((*row[:1], f"{row[1]}+00", *row[2:]))
    return _last(last)


def _insert() -> str:
    marks = ", ".join("?" * len(COLUMNS))
    return f"INSERT INTO audit_auditevent ({', '.join(COLUMNS)}) VALUES ({marks})"  # noqa: S608


def _tracked(rows: Iterator[tuple[Any, ...]], last: list[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    for row in rows:
        last[:] = [row]
        yield row


def _last(last: list[tuple[Any, ...]]) -> Head:
    return Head(last[0][0], last[0][-1]) if last else Head(0, GENESIS)


# --- The baseline, in a process of its own ------------------------------------------------


def baseline(vendor: str, target: str) -> int:
    """The query `audit verify` runs, batch after batch, each row's fields joined and hashed."""
    key = KEY.encode()
    if vendor == "sqlite":
        database: Any = sqlite3.connect(target)
    else:
        import psycopg

        database = psycopg.connect(target)
    query, since, count = batch_query(vendor), 0, 0
    cursor = database.cursor()
    while rows := cursor.execute(query, (since, 10_000)).fetchall():
        for row in rows:
            hmac.digest(key, "\x1f".join(map(str, row)).encode(), "sha256").hex()
        count += len(rows)
        since = rows[-1][1]
    database.close()
    return count


def timed(command: list[str], env: dict[str, str]) -> float:
    settled()
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(command[2:])} failed:\n{done.stdout}{done.stderr}")
    return seconds


def one_database(name: str, env: dict[str, str], vendor: str, target: str, runs: int) -> dict[str, Any]:
    verify = [*LICITE, "audit", "verify"]
    plain = [sys.executable, "-m", "bench.audit_bench", "--baseline", vendor, target]
    startup = min(timed([*LICITE, "audit", "--help"], env) for _ in range(3))
    baselines, licite = [timed(plain, env), timed(plain, env)], []
    for _run in range(runs):
        licite.append(timed(verify, env))
        baselines += [timed(plain, env), timed(plain, env)]
    ratios = [
        seconds / statistics.median(baselines[2 * run : 2 * run + 4]) for run, seconds in enumerate(licite)
    ]
    net = [
        (seconds - startup) / statistics.median(baselines[2 * run : 2 * run + 4])
        for run, seconds in enumerate(licite)
    ]
    return {
        "database": name,
        "licite_seconds": [round(s, 2) for s in licite],
        "baseline_seconds": [round(s, 2) for s in baselines],
        "startup_seconds": round(startup, 2),
        "ratio": round(statistics.median(ratios), 2),
        "ratio_without_startup": round(statistics.median(net), 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3, help="Runs of `verify` per database")
    add_database_arguments(parser)
    parser.add_argument("--baseline", nargs=2, metavar=("VENDOR", "DATABASE"), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.baseline:
        baseline(*arguments.baseline)
        return 0
    arguments.out.mkdir(parents=True, exist_ok=True)
    results = []
    with tempfile.TemporaryDirectory() as work_dir:
        home = Path(work_dir) / "home"
        env = {**os.environ, "LICITE_HOME": str(home), "LICITE_DATABASE_URL": "", "LICITE_AUDIT_KEY": KEY,
               "LICITE_LOG_LEVEL": "warning"}  # fmt: skip
        results.append(prepared_run("sqlite", env, str(home / "licite.sqlite3"), arguments))
        if arguments.postgres:
            reset_postgres(arguments.postgres)
            env = {**env, "LICITE_DATABASE_URL": arguments.postgres, "LICITE_HOME": str(home / "pg")}
            results.append(prepared_run("postgresql", env, arguments.postgres, arguments))
    (arguments.out / "audit.json").write_text(json.dumps(results, indent=2) + "\n")
    for r in results:
        verdict = "within" if r["ratio"] <= TARGET else "OVER"
        licite, plain = statistics.median(r["licite_seconds"]), statistics.median(r["baseline_seconds"])
        print(
            f"{r['database']:<11} {arguments.entries:>9,} entries  licite audit verify {licite:6.2f} s"
            f"  baseline {plain:6.2f} s  ratio {r['ratio']:.2f}x ({verdict} {TARGET:.0f}x)"
            f"  without start-up ({r['startup_seconds']:.2f} s) {r['ratio_without_startup']:.2f}x"
        )
    return 0


def prepared_run(
    name: str, env: dict[str, str], target: str, arguments: argparse.Namespace
) -> dict[str, Any]:
    subprocess.run([*LICITE, "migrate", "--noinput"], env=env, check=True, capture_output=True, cwd=ROOT)
    if name == "sqlite":
        head = fill_sqlite(Path(target), arguments.entries)
    else:
        head = fill_postgres(target, arguments.entries)
    write_head(Path(env["LICITE_HOME"]) / "audit_head", head, force=True)
    result = one_database(name, env, "sqlite" if name == "sqlite" else "postgresql", target, arguments.runs)
    return {"entries": arguments.entries, **result}


if __name__ == "__main__":
    sys.exit(main())
