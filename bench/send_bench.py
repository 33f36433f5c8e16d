"""Benchmark: a campaign sent through the compliance path against a plain smtplib loop, same run.

    python -m bench.send_bench [--prospects 10000] [--postgres URL --redis URL]

licite: a fresh LICITE_HOME (SQLite), an organisation with a DPO, a processing activity for
legitimate interest, a source with its balancing test, N fictitious B2B prospects imported, one
campaign whose functions match their jobs; then the timed part, the real commands in subprocesses:
`licite campaign send` (eligibility, rendering with the Art. 14 notice, the outbox, the tasks) and
`licite worker --batch` (per-message re-check at send time, claim, SMTP, contact events).

Baseline: the same N messages (read back from the outbox) sent by a plain loop of
email.message.EmailMessage (text + HTML alternative, the same headers) and smtplib, once with one
SMTP connection per message (as licite sends: Django's EmailMessage.send() opens one each time),
and once with one connection reused for all (as Django's backend does within one send_messages).

Both go to the same aiosmtpd server on 127.0.0.1, in its own process (it does not share a GIL with
what is measured); it counts what it receives. Target (issue 4): compliance overhead under 30 %.

With --postgres (a server's URL: the benchmark creates and drops its own databases there) and
--redis (a Redis it empties), the same campaign is also sent on PostgreSQL with the tasks in Redis
(issue 23), by 1 and then 3 `licite worker --batch` processes started at once, each run on its own
copy of the same prepared database; the time runs from `licite campaign send` to the last worker's
exit, every message received. Without them, that part is skipped.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import multiprocessing
import os
import random
import smtplib
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
LICITE = [sys.executable, "-m", "licite.cli"]
CAMPAIGN = "Audit achats"
FUNCTIONS = "achat,acheteu,procurement,purchasing"
SENDER = "campagnes@acme-conseil.example"
UNSUBSCRIBE_MAILTO = "unsubscribe@acme-conseil.example"
BASE_URL = "https://licite.example"

FIRST = ("Camille", "Léa", "Chloé", "Inès", "Élodie", "Hugo", "Théo", "Noé", "Rémi", "Emily", "Oliver", "Zoé")
LAST = ("Exemple", "Fictif", "Martin-Test", "Durand", "Leroy", "Moreau", "Fontaine", "Taylor", "Brown")
TITLES = (
    "Directrice des achats",
    "Directeur achats",
    "Responsable achats",
    "Acheteuse",
    "Acheteur industriel",
    "Head of Procurement",
    "Procurement Officer",
    "Purchasing Manager",
)
COMPANIES = (
    ("Acme Industrie", "acme-industrie.example", "France"),
    ("Northfield", "northfield.example", "Royaume-Uni"),
    ("Bois Azur", "bois-azur.example", "France"),
    ("Transports Vignobles", "transports-vignobles.example", "Belgique"),
    ("Robotique Énergie", "robotique-energie.example", "France"),
)
HEADER = ["Prénom", "Nom", "E-mail", "Fonction", "Société", "Téléphone", "Commentaire", "Pays"]

ACTIVITY = """
from licite.register.models import ProcessingActivity
ProcessingActivity.objects.get_or_create(
    name="Prospection B2B",
    defaults=dict(
        purpose_fr="Prospection commerciale par courriel auprès des entreprises",
        purpose_en="Commercial prospecting by email of companies",
        legal_basis="legitimate_interest",
        interest_pursued_fr="Développer notre activité auprès des entreprises",
        interest_pursued_en="Developing our business with companies",
        data_subjects="Prospects professionnels",
        data_categories=["identity", "professional life"],
        recipients_internal_fr="Équipe commerciale",
        recipients_internal_en="Sales team",
        security_measures=["access control"],
    ),
)
"""


# --- The SMTP server, in its own process --------------------------------------------------------


class _Received:
    """What the SMTP server received since the last report; aiosmtpd calls handle_DATA."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages, self.bytes, self.recipients = 0, 0, set[str]()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.messages += 1
            self.bytes += len(envelope.content)
            self.recipients.update(envelope.rcpt_tos)
        return "250 OK"

    def report(self) -> tuple[int, int, int]:
        with self.lock:
            counts = (self.messages, self.bytes, len(self.recipients))
            self.messages, self.bytes, self.recipients = 0, 0, set()
        return counts


def _sink(port: int, commands: Connection) -> None:
    """Serve SMTP on 127.0.0.1:port; answer 'report' (which resets the counts) and 'stop' on the pipe."""
    from aiosmtpd.controller import Controller

    received = _Received()
    controller = Controller(received, hostname="127.0.0.1", port=port)
    controller.start()
    commands.send("ready")
    while (command := commands.recv()) != "stop":
        assert command == "report"
        commands.send(received.report())
    controller.stop()


class Sink:
    def __init__(self) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        context = multiprocessing.get_context("spawn")
        self.pipe, child = context.Pipe()
        self.process = context.Process(target=_sink, args=(self.port, child), daemon=True)
        self.process.start()
        if not self.pipe.poll(30) or self.pipe.recv() != "ready":
            raise RuntimeError("the SMTP sink did not start")

    def report(self) -> tuple[int, int, int]:
        """Messages, bytes and distinct recipients received since the last report."""
        self.pipe.send("report")
        messages, size, recipients = self.pipe.recv()
        return messages, size, recipients

    def stop(self) -> None:
        self.pipe.send("stop")
        self.process.join(10)


# --- licite ---------------------------------------------------------------------------------


def run(args: list[str], env: dict[str, str], stdin: str | None = None) -> str:
    result = subprocess.run(
        [*LICITE, *args], env=env, input=stdin, text=True, capture_output=True, cwd=ROOT, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"licite {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def timed(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    run(args, env)
    return time.perf_counter() - started


def write_prospects(path: Path, count: int, seed: int = 2026) -> None:
    """N fictitious professionals at .example companies, every one in purchasing."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        for index in range(count):
            company, domain, country = COMPANIES[index % len(COMPANIES)]
            first, last = rng.choice(FIRST), rng.choice(LAST)
            local = f"{first}.{last}".lower().replace(" ", "-")
            local = local.translate(str.maketrans("éèëêïîôöüç", "eeeeiioouc"))
            email = f"{local}.{index}@{domain}"
            writer.writerow([first, last, email, rng.choice(TITLES), company, "", "", country])


def prepare(work: Path, count: int, env: dict[str, str]) -> None:
    run(["migrate", "--noinput"], env)
    run(
        [
            "init", "--legal-name", "Acme Conseil SAS", "--address", "1 rue de la Paix, 75002 Paris",
            "--siren", "912345675", "--contact-email", "contact@acme-conseil.example",
            "--dpo-name", "Délégué Fictif", "--dpo-email", "dpo@acme-conseil.example",
            "--privacy-policy-url", "https://acme-conseil.example/privacy", "--default-language", "fr",
            "--no-input",
        ],
        env,
    )  # fmt: skip
    run(["shell", "-c", ACTIVITY], env)
    source = "Salon Achats Lyon 2026"
    run(
        [
            "sources", "add", source, "--kind", "event", "--url", "https://salon-achats.example/exposants",
            "--method", "manual", "--extraction-allowed", "unknown", "--visibility", "public",
        ],
        env,
    )  # fmt: skip
    run(
        [
            "sources", "assess", source, "--interest", "Selling a purchasing audit to exhibitors",
            "--expectations", "Exhibitors publish contacts to be reached by partners",
            "--safeguards", "Notice and one-click objection",
            "--necessity", "Only the work address and job, needed to offer the audit",
            "--conclusion", "favourable",
        ],
        env,
    )  # fmt: skip
    csv_path = work / "prospects.csv"
    write_prospects(csv_path, count)
    report = json.loads(run(["import", str(csv_path), "--source", source, "--json"], env))
    if report["created"] != count:
        raise RuntimeError(f"import created {report['created']} prospects of {count}: {report}")
    (work / "fr.txt").write_text("Nous auditons vos achats et réduisons vos coûts.\n", encoding="utf-8")
    (work / "en.txt").write_text("We audit your purchasing and cut your costs.\n", encoding="utf-8")
    run(
        [
            "campaign", "create", CAMPAIGN, "--purpose", "Prospecting purchasing managers",
            "--offer", "A purchasing audit", "--functions", FUNCTIONS,
            "--subject-fr", "Votre audit achats", "--subject-en", "Your purchasing audit",
            "--body-fr", str(work / "fr.txt"), "--body-en", str(work / "en.txt"),
            "--link", "https://acme-conseil.example/audit",
        ],
        env,
    )  # fmt: skip


def outbox(database: Path) -> tuple[dict[str, int], list[tuple[int, str, str, str, str, str]]]:
    with sqlite3.connect(database) as connection:
        statuses = dict(
            connection.execute("SELECT status, COUNT(*) FROM campaigns_outboundmessage GROUP BY status")
        )
        rows = connection.execute(
            "SELECT id, to_address, subject, body_text, body_html, token FROM campaigns_outboundmessage"
            " WHERE status = 'sent' ORDER BY id"
        ).fetchall()
    connection.close()
    return statuses, rows


# --- Baseline -------------------------------------------------------------------------------


def build(row: tuple[int, str, str, str, str, str], fqdn: str) -> EmailMessage:
    pk, to, subject, text, html, token = row
    user, _, domain = UNSUBSCRIBE_MAILTO.partition("@")
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = SENDER
    message["To"] = to
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=fqdn)
    message["List-Unsubscribe"] = f"<{BASE_URL}/u/{token}>, <mailto:{user}+{token}@{domain}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["X-Licite-Message"] = str(pk)
    # 8bit, as Django writes UTF-8 text (Python would pick quoted-printable for lines over 78).
    message.set_content(text, cte="8bit")
    message.add_alternative(html, subtype="html", cte="8bit")
    return message


def baseline_one_connection_per_message(rows: list[Any], port: int, fqdn: str) -> float:
    started = time.perf_counter()
    for row in rows:
        with smtplib.SMTP("127.0.0.1", port, local_hostname=fqdn, timeout=30) as smtp:
            smtp.send_message(build(row, fqdn))
    return time.perf_counter() - started


def baseline_one_connection(rows: list[Any], port: int, fqdn: str) -> float:
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, local_hostname=fqdn, timeout=30) as smtp:
        for row in rows:
            smtp.send_message(build(row, fqdn))
    return time.perf_counter() - started


# --- The run --------------------------------------------------------------------------------


def check_received(what: str, received: tuple[int, int, int], count: int) -> None:
    messages, _, recipients = received
    if messages != count or recipients != count:
        raise RuntimeError(f"{what}: the SMTP server received {messages} messages to {recipients} of {count}")


# --- PostgreSQL and Redis, 1 and 3 workers ----------------------------------------------------


WORKERS = (1, 3)
BENCH_DATABASE = "licite_send_bench"


def database_url(server: str, name: str) -> str:
    return urlunsplit(urlsplit(server)._replace(path=f"/{name}"))


def recreate(server: str, name: str, template: str | None = None) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))


def drop(server: str, names: list[str]) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as admin:
        for name in names:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def sent_on_postgres(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as db:
        row = db.execute("SELECT count(*) FROM campaigns_outboundmessage WHERE status = 'sent'").fetchone()
    return int(row[0]) if row else 0


def send_with_workers(env: dict[str, str], workers: int, logs: Path) -> tuple[float, float]:
    """`licite campaign send` (the queue, into Redis), then `workers` workers at once until the
    queue is empty; the seconds of each part."""
    queue_seconds = timed(["campaign", "send", CAMPAIGN], env)
    command = [*LICITE, "worker", "--batch"]
    started = time.perf_counter()
    running = []
    for n in range(workers):
        with (logs / f"worker-{workers}-{n}.log").open("wb") as log:
            running.append(subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT))
    for n, worker in enumerate(running):
        if worker.wait(timeout=3600) != 0:
            said = (logs / f"worker-{workers}-{n}.log").read_text(errors="replace")[-3000:]
            raise RuntimeError(f"licite worker failed:\n{said}")
    return queue_seconds, time.perf_counter() - started


def postgres_redis_runs(
    work: Path, count: int, env: dict[str, str], server: str, redis_url: str, sink: Sink
) -> list[dict[str, Any]]:
    """The campaign on PostgreSQL + Redis with 1 and 3 workers, each on a copy of one prepared
    database (PostgreSQL's CREATE DATABASE ... TEMPLATE), every message received."""
    import redis

    prepared = f"{BENCH_DATABASE}_prepared"
    names = [prepared] + [f"{BENCH_DATABASE}_{n}" for n in WORKERS]
    pg_env = env | {
        "LICITE_HOME": str(work / "pg-home"), "LICITE_DATABASE_URL": database_url(server, prepared),
        "LICITE_TASKS_BACKEND": "redis", "LICITE_REDIS_URL": redis_url,
    }  # fmt: skip
    results = []
    try:
        recreate(server, prepared)
        (work / "pg").mkdir()
        prepare(work / "pg", count, pg_env)
        for workers in WORKERS:
            name = f"{BENCH_DATABASE}_{workers}"
            recreate(server, name, template=prepared)
            redis.Redis.from_url(redis_url).flushdb()
            run_env = pg_env | {"LICITE_DATABASE_URL": database_url(server, name)}
            sink.report()
            queue_seconds, send_seconds = send_with_workers(run_env, workers, work)
            check_received(f"{workers} workers on PostgreSQL + Redis", sink.report(), count)
            if sent_on_postgres(run_env["LICITE_DATABASE_URL"]) != count:
                raise RuntimeError(f"{workers} workers: not every message is marked sent")
            total = queue_seconds + send_seconds
            results.append(
                {
                    "workers": workers,
                    "queue_seconds": round(queue_seconds, 2),
                    "send_seconds": round(send_seconds, 2),
                    "seconds": round(total, 2),
                    "messages_per_s": round(count / total, 1),
                    "send_messages_per_s": round(count / send_seconds, 1),
                }
            )
    finally:
        with contextlib.suppress(Exception):
            drop(server, names)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--prospects", type=int, default=10_000)
    parser.add_argument("--postgres", default="", help="a PostgreSQL server's URL (postgres://user@host/db)")
    parser.add_argument("--redis", default="", help="a Redis URL (redis://host:6379/0), emptied")
    arguments = parser.parse_args()
    count = arguments.prospects
    if bool(arguments.postgres) != bool(arguments.redis):
        parser.error("--postgres and --redis go together (the workers' run needs both)")
    OUT.mkdir(parents=True, exist_ok=True)
    sink = Sink()
    try:
        with tempfile.TemporaryDirectory() as work_dir:
            work = Path(work_dir)
            home = work / "home"
            env = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "licite.settings",
                "LICITE_HOME": str(home),
                "LICITE_DATABASE_URL": "",
                "LICITE_LOG_LEVEL": "warning",
                "LICITE_DEBUG": "false",
                "LICITE_RATE_PER_DOMAIN": "100000",  # the most it accepts: no throttling here
                "LICITE_EMAIL_BACKEND": "smtp",
                "LICITE_EMAIL_HOST": "127.0.0.1",
                "LICITE_EMAIL_PORT": str(sink.port),
                "LICITE_EMAIL_USE_TLS": "false",
                "LICITE_EMAIL_USE_SSL": "false",
                "LICITE_DEFAULT_FROM_EMAIL": SENDER,
                "LICITE_UNSUBSCRIBE_MAILTO": UNSUBSCRIBE_MAILTO,
                "LICITE_BASE_URL": BASE_URL,
                "LICITE_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            }
            prepare(work, count, env)
            startup = min(timed(["campaign", "--help"], env) for _ in range(3))
            sink.report()
            queue_seconds = timed(["campaign", "send", CAMPAIGN], env)
            send_seconds = timed(["worker", "--batch"], env)
            licite_received = sink.report()
            check_received("licite", licite_received, count)
            statuses, rows = outbox(home / "licite.sqlite3")
            if statuses.get("sent") != count or len(rows) != count:
                raise RuntimeError(f"outbox: {statuses}, expected {count} sent")
            fqdn = socket.getfqdn()  # computed once, as Django's DNS_NAME caches it
            per_message = baseline_one_connection_per_message(rows, sink.port, fqdn)
            per_message_received = sink.report()
            check_received("baseline (one connection per message)", per_message_received, count)
            reused = baseline_one_connection(rows, sink.port, fqdn)
            check_received("baseline (one connection)", sink.report(), count)
            scaled = (
                postgres_redis_runs(work, count, env, arguments.postgres, arguments.redis, sink)
                if arguments.postgres
                else []
            )
    finally:
        sink.stop()
    total = queue_seconds + send_seconds
    result = {
        "prospects": count,
        "messages": count,
        "licite_queue_seconds": round(queue_seconds, 2),
        "licite_send_seconds": round(send_seconds, 2),
        "licite_seconds": round(total, 2),
        "licite_messages_per_s": round(count / total, 1),
        "process_startup_seconds": round(startup, 2),
        "baseline_one_connection_per_message_seconds": round(per_message, 2),
        "baseline_one_connection_per_message_messages_per_s": round(count / per_message, 1),
        "baseline_one_connection_seconds": round(reused, 2),
        "baseline_one_connection_messages_per_s": round(count / reused, 1),
        "overhead_percent": round(100 * (total - per_message) / per_message, 1),
        "overhead_vs_one_connection_percent": round(100 * (total - reused) / reused, 1),
        "target_overhead_percent": 30,
        "licite_mean_message_bytes": licite_received[1] // count,
        "baseline_mean_message_bytes": per_message_received[1] // count,
        "postgres_redis": scaled,  # empty without --postgres and --redis
    }
    (OUT / "send.json").write_text(json.dumps(result, indent=2) + "\n")
    print_table(result)
    return 0


def print_table(r: dict[str, Any]) -> None:
    n = r["messages"]
    rows = [
        ("licite: campaign send (queue)", r["licite_queue_seconds"], ""),
        ("licite: worker --batch (send)", r["licite_send_seconds"], ""),
        ("licite: total", r["licite_seconds"], f"{r['licite_messages_per_s']:,.0f}"),
        (
            "smtplib: one connection per message",
            r["baseline_one_connection_per_message_seconds"],
            f"{r['baseline_one_connection_per_message_messages_per_s']:,.0f}",
        ),
        (
            "smtplib: one connection reused",
            r["baseline_one_connection_seconds"],
            f"{r['baseline_one_connection_messages_per_s']:,.0f}",
        ),
    ]
    print(f"{n:,} messages through aiosmtpd on 127.0.0.1 (every one received)")
    print(f"{'':<38} {'seconds':>9} {'msg/s':>9}")
    for label, seconds, rate in rows:
        print(f"{label:<38} {seconds:>9.2f} {rate:>9}")
    for run in r["postgres_redis"]:
        label = f"PostgreSQL + Redis, {run['workers']} worker" + ("s" if run["workers"] > 1 else "")
        print(f"{label:<38} {run['seconds']:>9.2f} {run['messages_per_s']:>9,.0f}")
    if not r["postgres_redis"]:
        print("(PostgreSQL + Redis with 1 and 3 workers: skipped; give --postgres URL --redis URL)")
    verdict = "within" if r["overhead_percent"] < r["target_overhead_percent"] else "OVER"
    print(
        f"compliance overhead vs one connection per message: {r['overhead_percent']:+.1f} %"
        f" ({verdict} the {r['target_overhead_percent']} % target)"
    )
    print(f"overhead vs one reused connection: {r['overhead_vs_one_connection_percent']:+.1f} %")
    print(
        f"(licite times include ~{r['process_startup_seconds']:.2f} s of process start-up per command;"
        f" mean message {r['licite_mean_message_bytes']:,} bytes licite,"
        f" {r['baseline_mean_message_bytes']:,} bytes baseline)"
    )


if __name__ == "__main__":
    sys.exit(main())
