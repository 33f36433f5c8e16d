"""Benchmark: an access request (the whole JSON, RULES G2) against plain SQL lookups, in the same run.

    python -m bench.access_bench [--prospects 1000000] [--addresses 200] [--postgres URL] [--out DIR]

A database of about `--prospects` prospects (the import benchmark's messy file through `licite
import`, with their provenance), then, set-based: a sent campaign message to every 5th prospect
(and its contact event), a click the prospect initiated for every 20th, a consent given for
every 10th, 50,000 suppression entries of other people. The sample: `--addresses` addresses, 80 %
of them prospects drawn at random, 10 % only on the suppression list, 10 % unknown; a few of them
with a rights request.

In one process, for each address of the sample, in turn (the order alternates, so that neither
warms the pages for the other):
- licite: `licite.rights.access.access_report` and `as_json`, the whole JSON the person gets;
- the baseline: the same data fetched by a hand-written query per table by keyed hash (the
  same keyed hash computed first), through the same connection, dumped as JSON.
It reports p50, p95 and the maximum of each, and their ratios. Target: p95 under 50 ms.
On PostgreSQL (its database is emptied!) the same, after `VACUUM ANALYZE` (what autovacuum
does); SQLite gets no ANALYZE, as licite never runs one.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.import_bench import (
    ROOT,
    add_database_arguments,
    bench_env,
    licite_import,
    prospects_file,
    reset_postgres,
)

TARGET_MS = 50.0
SUPPRESSED_OTHERS = 50_000
SEED = 20
BODY = "Bonjour,\n\nNous auditons les achats des entreprises industrielles de votre région. " * 12


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--prospects", type=int, default=1_000_000, help="About this many prospects")
    parser.add_argument("--addresses", type=int, default=200, help="Access requests timed (the sample)")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)  # the child process
    add_database_arguments(parser)
    arguments = parser.parse_args()
    if arguments.measure:
        print(json.dumps(measure(arguments.addresses)))
        return 0
    out = arguments.out
    csv_path = prospects_file(out, arguments.prospects)
    results = []
    with tempfile.TemporaryDirectory() as work_dir:
        work = Path(work_dir)
        env = bench_env(work / "home")
        licite_import(csv_path, env)
        results.append(child(env, arguments.addresses))
        if arguments.postgres and shutil.which("psql"):
            reset_postgres(arguments.postgres)
            env = {**env, "LICITE_HOME": str(work / "pg"), "LICITE_DATABASE_URL": arguments.postgres}
            licite_import(csv_path, env)
            results.append(child(env, arguments.addresses))
    (out / "access.json").write_text(json.dumps(results, indent=2) + "\n")
    for r in results:
        print(report_line(r))
    return 0


def child(env: dict[str, str], addresses: int) -> dict[str, Any]:
    """The measure, in a process of its own (Django is set up once per process, per database)."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.access_bench", "--measure", "--addresses", str(addresses)],
        env=env, cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode:
        sys.exit(f"the access measure failed: {done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def report_line(r: dict[str, Any]) -> str:
    licite, baseline = r["licite_ms"], r["baseline_ms"]
    return (
        f"{r['database']:<11} {r['addresses']} access requests among {r['prospects']:,} prospects"
        f" ({r['held']['records']} with records, {r['held']['suppression_only']} suppressed only,"
        f" {r['held']['nothing']} unknown): licite p50 {licite['p50']:.1f} ms, p95 {licite['p95']:.1f} ms,"
        f" max {licite['max']:.1f} ms; plain SQL p50 {baseline['p50']:.1f} ms, p95 {baseline['p95']:.1f} ms,"
        f" max {baseline['max']:.1f} ms; ratio p50 {r['ratio_p50']:.2f}x, p95 {r['ratio_p95']:.2f}x;"
        f" target p95 < {TARGET_MS:.0f} ms: {'met' if r['met'] else 'NOT met'}"
    )


# --- The child process: data around the imported prospects, then the timings ---------------


def measure(addresses: int) -> dict[str, Any]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "licite.settings")
    django.setup()
    from django.db import connection

    from licite.prospects.models import Prospect

    enrich()
    sample = choose(addresses)
    warm_up(sample[:10])
    licite_ms, baseline_ms, held = [], [], {"records": 0, "suppression_only": 0, "nothing": 0}
    for number, address in enumerate(sample):
        first, second = (licite_json, baseline_json) if number % 2 else (baseline_json, licite_json)
        timings = {first: timed(first, address), second: timed(second, address)}
        licite_ms.append(timings[licite_json][0])
        baseline_ms.append(timings[baseline_json][0])
        held[json.loads(timings[licite_json][1])["held"]] += 1
    licite, baseline = percentiles(licite_ms), percentiles(baseline_ms)
    return {
        "database": "postgresql" if connection.vendor == "postgresql" else connection.vendor,
        "prospects": Prospect.objects.count(),
        "addresses": len(sample),
        "held": held,
        "licite_ms": licite,
        "baseline_ms": baseline,
        "ratio_p50": round(licite["p50"] / baseline["p50"], 2),
        "ratio_p95": round(licite["p95"] / baseline["p95"], 2),
        "target_ms": TARGET_MS,
        "met": licite["p95"] < TARGET_MS,
    }


def timed(build: Any, address: str) -> tuple[float, str]:
    started = time.perf_counter()
    document = build(address)
    return (time.perf_counter() - started) * 1000, document


def percentiles(values: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50": round(cuts[49], 2), "p95": round(cuts[94], 2), "max": round(max(values), 2)}


def warm_up(addresses: list[str]) -> None:
    """Templates, translations and the first queries' plans: what a running server already has."""
    for address in addresses:
        licite_json(address)
        baseline_json(address)


def licite_json(address: str) -> str:
    from licite.rights.access import access_report, as_json

    return as_json(access_report(address, "fr"))


def enrich() -> None:
    """Messages, contact events, consents and other people's suppression entries, set-based."""
    from django.db import connection, transaction
    from django.utils import timezone

    from licite.campaigns.models import Campaign

    campaign = Campaign.objects.create(
        name="Audit achats (benchmark)", purpose="Prospecting purchasing managers", offer="An audit",
        subject_fr="Votre audit achats", subject_en="Your purchasing audit", body_fr=BODY, body_en=BODY,
        status=Campaign.Status.SENT, queued_at=timezone.now(),
    )  # fmt: skip
    random_hash = (
        "randomblob(32)" if connection.vendor == "sqlite" else "sha256(CAST(CAST(n AS text) AS bytea))"
    )
    others = (
        "INSERT INTO rights_suppressionentry (key_hash, reason, created_at, keep_until)"  # noqa: S608
        " WITH RECURSIVE series(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM series WHERE n < %s)"
        f" SELECT {random_hash}, 'objection', %s, %s FROM series"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO campaigns_outboundmessage (kind, campaign_id, prospect_id, key_hash, to_address,"
            " to_domain, language, subject, body_text, body_html, includes_notice, token, status,"
            " status_reason, queued_at, sent_at, attempts, claimed_by)"
            " SELECT 'campaign', %s, id, key_hash, email, '', 'fr', 'Votre audit achats', %s, '', TRUE,"
            " 'bench-' || CAST(id AS text), 'sent', '', collected_at, collected_at, 1, 'bench'"
            " FROM prospects_prospect WHERE id %% 5 = 0",
            [campaign.pk, BODY],
        )
        cursor.execute(
            "INSERT INTO campaigns_contactevent (prospect_id, kind, channel, initiated_by_prospect,"
            " occurred_at, message_id)"
            " SELECT prospect_id, 'message', 'email', FALSE, sent_at, id FROM campaigns_outboundmessage"
            " WHERE campaign_id = %s",
            [campaign.pk],
        )
        cursor.execute(
            "INSERT INTO campaigns_contactevent (prospect_id, kind, channel, initiated_by_prospect,"
            " occurred_at, message_id)"
            " SELECT prospect_id, 'click', 'web', TRUE, sent_at, id FROM campaigns_outboundmessage"
            " WHERE campaign_id = %s AND prospect_id %% 20 = 0",
            [campaign.pk],
        )
        cursor.execute(
            "INSERT INTO rights_consentrecord (prospect_id, purpose, wording_version, channel,"
            " requested_at, given_at, evidence)"
            " SELECT id, 'nos offres par courrier électronique', '2026-11', 'email_link', collected_at,"
            " collected_at, %s FROM prospects_prospect WHERE id %% 10 = 0",
            ["{}"],
        )
        cursor.execute(others, [SUPPRESSED_OTHERS, timezone.now(), timezone.now()])
    if connection.vendor == "postgresql":  # as autovacuum would have; licite never runs ANALYZE on SQLite
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def choose(addresses: int) -> list[str]:
    """80 % prospects at random, 10 % only on the suppression list, 10 % unknown, shuffled; a
    rights request for every 10th."""
    from django.db import connection
    from django.utils import timezone

    from licite.rights.actions import key_hash
    from licite.rights.models import RightsRequest, SuppressionEntry

    gone, unknown = addresses // 10, addresses // 10
    with connection.cursor() as cursor:
        cursor.execute("SELECT MAX(id) FROM prospects_prospect")
        (last,) = cursor.fetchone()
        picks = random.Random(SEED).sample(range(1, last + 1), min(last, (addresses - gone - unknown) * 2))
        marks = ", ".join(["%s"] * len(picks))
        cursor.execute(f"SELECT email FROM prospects_prospect WHERE id IN ({marks})", picks)  # noqa: S608
        known = [email for (email,) in cursor.fetchall()][: addresses - gone - unknown]
    suppressed = [f"parti.{number}@exemple-bench.fr" for number in range(gone)]
    now = timezone.now()
    SuppressionEntry.objects.bulk_create(
        SuppressionEntry(key_hash=key_hash(address), reason="objection", created_at=now, keep_until=now)
        for address in suppressed
    )
    sample = known + suppressed + [f"inconnu.{number}@exemple-bench.fr" for number in range(unknown)]
    random.Random(SEED).shuffle(sample)
    RightsRequest.objects.bulk_create(
        RightsRequest(kind="access", channel="email", email=address, key_hash=key_hash(address),
                      language="fr", received_at=now, due_on=now.date(), state="fulfilled")
        for address in sample[::10]
    )  # fmt: skip
    return sample


def baseline_json(address: str) -> str:
    """What a minimal hand-written lookup costs: the keyed hash, then one query per table."""
    from django.db import connection

    from licite.rights.actions import key_hash

    digest = bytes.fromhex(key_hash(address))
    with connection.cursor() as cursor:
        prospects = rows(cursor, "SELECT * FROM prospects_prospect WHERE key_hash = %s", [digest])
        ids = [prospect["id"] for prospect in prospects]
        found: dict[str, Any] = {"prospects": prospects}
        if ids:
            of_them = f"IN ({', '.join(['%s'] * len(ids))})"
            sources = (
                "SELECT v.collected_at, v.page_url, s.name, s.kind, s.url, s.visibility"  # noqa: S608
                " FROM prospects_provenance v JOIN prospects_source s ON s.id = v.source_id"
                f" WHERE v.prospect_id {of_them}"
            )
            consents = f"SELECT * FROM rights_consentrecord WHERE prospect_id {of_them}"  # noqa: S608
            contacts = (
                "SELECT occurred_at, kind, channel FROM campaigns_contactevent"  # noqa: S608
                f" WHERE prospect_id {of_them} AND initiated_by_prospect ORDER BY occurred_at"
            )
            found["sources"] = rows(cursor, sources, ids)
            found["consents"] = rows(cursor, consents, ids)
            found["contacts"] = rows(cursor, contacts, ids)
        messages = rows(
            cursor,
            "SELECT m.sent_at, m.kind, c.name, m.subject, m.status FROM campaigns_outboundmessage m"
            " LEFT JOIN campaigns_campaign c ON c.id = m.campaign_id"
            " WHERE m.key_hash = %s ORDER BY m.sent_at",
            [digest],
        )
        # Not "AND m.status = 'sent'": SQLite, without statistics, would walk the status index.
        found["messages"] = [message for message in messages if message["status"] == "sent"]
        found["suppression"] = rows(
            cursor, "SELECT created_at, reason, keep_until FROM rights_suppressionentry WHERE key_hash = %s",
            [digest],
        )  # fmt: skip
        found["requests"] = rows(
            cursor,
            "SELECT id, kind, channel, received_at, due_on, state FROM rights_rightsrequest"
            " WHERE key_hash = %s ORDER BY received_at",
            [digest],
        )
    return json.dumps(found, default=str, ensure_ascii=False, indent=2)


def rows(cursor: Any, query: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor.execute(query, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


if __name__ == "__main__":
    sys.exit(main())
