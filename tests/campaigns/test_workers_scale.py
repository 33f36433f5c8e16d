"""Workers that scale out (issue 23): the readiness check reads their heartbeat, the schedule runs
each job once per due time however many workers hold it, and three real `licite worker` processes
on PostgreSQL and Redis send one campaign of 3,000 messages to a real SMTP server on loopback
while one of them is killed with SIGKILL half-way: nobody gets two messages, an objection recorded
during the run stops that person's message, and the dead worker's claims are settled by the rule
(docs/operations.md, "Workers and the task queue").

The three-worker test needs PostgreSQL (the suite's PostgreSQL pass: LICITE_DATABASE_URL) and a
Redis server (LICITE_TEST_REDIS_URL, which it empties); .ci/run provides both. The workers share
the test's database and LICITE_HOME (its keys: the suppression hashes must match)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from licite.campaigns.actions import do_create_campaign
from licite.campaigns.models import ScheduledRun, WorkerBeat
from licite.campaigns.workers import Heartbeat
from licite.rights.tasks import first_for_due_time, last_due_time
from tests.campaigns.conftest import Inbox
from tests.conftest import HEADER, LICITE, ROOT, free_port, import_file, run_licite

MESSAGES = 3000
# Seconds (LICITE_CLAIM_TIMEOUT_SECONDS): a dead worker's claims are settled soon, once its
# heartbeat (every second here) is six seconds old.
CLAIM_TIMEOUT = 5


# --- The readiness check -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_ready_answers_503_naming_the_worker_when_no_worker_beats():
    response = Client().get("/api/ready")
    assert response.status_code == 503
    assert response.json() == {"status": "not ready", "database": True, "worker": False, "task_backend": True}


@pytest.mark.django_db(transaction=True)
def test_ready_answers_200_while_a_worker_beats_and_503_once_its_beat_is_30_seconds_old():
    heartbeat = Heartbeat(every=3600).start()  # the first beat at once; no second one in this test
    try:
        assert WorkerBeat.objects.get().pid == os.getpid()
        response = Client().get("/api/ready")
        assert response.status_code == 200
        assert response.json() == {"status": "ready", "database": True, "worker": True, "task_backend": True}
        with time_machine.travel(timezone.now() + timedelta(seconds=31)):
            assert Client().get("/api/ready").json()["worker"] is False
    finally:
        heartbeat.stop()
    assert not WorkerBeat.objects.exists()  # a worker stopped on purpose leaves no row


# --- The schedule, once per due time -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_first_worker_to_take_a_due_time_runs_the_job_and_the_others_leave_it():
    now = timezone.now().replace(hour=3, minute=0, second=4)  # a few seconds after 03:00
    assert first_for_due_time("purge", "0 3 * * *", 86_400, now) is True
    assert first_for_due_time("purge", "0 3 * * *", 86_400, now + timedelta(seconds=2)) is False
    assert first_for_due_time("inbox", "*/5 * * * *", 3_600, now) is True  # another job: its own row
    assert first_for_due_time("purge", "0 3 * * *", 86_400, now + timedelta(days=1)) is True
    assert ScheduledRun.objects.filter(job="purge").count() == 2


def test_a_due_time_missed_while_the_workers_were_down_is_the_same_for_every_worker():
    zone = timezone.get_default_timezone()
    due = timezone.make_aware(datetime(2026, 12, 4, 3, 0), zone)
    for late in (timedelta(seconds=1), timedelta(hours=5), timedelta(hours=23)):
        assert last_due_time("0 3 * * *", due + late, 86_400) == due


@pytest.mark.django_db(transaction=True)
def test_two_workers_enqueueing_the_purge_at_the_same_due_time_enqueue_one(settings):
    from django_tasks_db.models import DBTaskResult

    from licite.rights.tasks import enqueue_purge, purge

    settings.LICITE_PURGE_SCHEDULE = "* * * * *"  # due every minute: both fire in the same one
    with time_machine.travel(timezone.now().replace(second=1), tick=False):
        enqueue_purge()
        DBTaskResult.objects.update(status="SUCCESSFUL")  # the first ran at once: not pending any more
        enqueue_purge()
    assert DBTaskResult.objects.filter(task_path=purge.module_path).count() == 1


# --- Three workers on PostgreSQL and Redis, one killed -------------------------------------------


READY = (
    "from django.test import Client; r = Client(HTTP_HOST='localhost').get('/api/ready'); "
    "print(r.status_code, r.content.decode())"
)


class SlowInbox(Inbox):
    """The tests' SMTP server, a few milliseconds per message: the run lasts long enough to
    record an objection and kill a worker while it goes on."""

    async def handle_DATA(self, server, session, envelope):
        time.sleep(0.001)  # blocks the server's loop, as a busy server would
        return await super().handle_DATA(server, session, envelope)


def address(index: int) -> str:
    return f"acheteuse.{index}@acme{index % 7}.example"


@pytest.fixture
def postgres_and_redis() -> tuple[str, str]:
    """The URL of the test database (the workers share it) and of the test Redis, emptied."""
    from django.db import connection

    url, redis_url = os.environ.get("LICITE_DATABASE_URL", ""), os.environ.get("LICITE_TEST_REDIS_URL", "")
    if not url.startswith(("postgres://", "postgresql://")) or not redis_url:
        pytest.skip("needs PostgreSQL (LICITE_DATABASE_URL) and Redis (LICITE_TEST_REDIS_URL): see .ci/run")
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    return urlunsplit(urlsplit(url)._replace(path=f"/{connection.settings_dict['NAME']}")), redis_url


def licite(env: dict[str, str], *args: str) -> str:
    done = run_licite(*args, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def ready(*envs: dict[str, str]) -> list[tuple[int, dict[str, object]]]:
    """What GET /api/ready answers with each environment, asked at the same time."""
    command = [*LICITE, "shell", "-c", READY]
    asked = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True) for env in envs]
    answers = []
    for process in asked:
        out, _ = process.communicate(timeout=120)
        status, body = out.strip().splitlines()[-1].split(" ", 1)
        answers.append((int(status), json.loads(body)))
    return answers


def buyers_and_a_campaign(write_csv) -> None:
    """3,000 buyers imported (the gate, in this process), one campaign for them."""
    rows = "".join(f"A;B;{address(i)};Acheteuse;Acme {i % 7};;;France\n" for i in range(MESSAGES))
    assert import_file(write_csv(HEADER + rows), source="Salon Industrie Lyon 2026")["created"] == MESSAGES
    do_create_campaign(
        None, name="Audit", purpose="p", offer="o", audience="b2b", functions=["acheteuse"],
        subject_fr="Audit", subject_en="Audit", body_fr="Nous auditons vos achats.", body_en="We audit.",
    )  # fmt: skip


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [*LICITE, "worker"], cwd=ROOT, env=env, start_new_session=True,
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip


def outbox(database: str, query: str) -> list[tuple]:
    with psycopg.connect(database) as db:
        return db.execute(query).fetchall()


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_three_workers_send_a_campaign_once_to_each_recipient_with_one_killed_half_way(
    tmp_path, postgres_and_redis, organisation, source, write_csv
):
    from aiosmtpd.controller import Controller

    database, redis_url = postgres_and_redis
    inbox, port = SlowInbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    env = os.environ | {
        "LICITE_DATABASE_URL": database, "LICITE_TASKS_BACKEND": "redis", "LICITE_REDIS_URL": redis_url,
        "LICITE_CLAIM_TIMEOUT_SECONDS": str(CLAIM_TIMEOUT), "LICITE_WORKER_BEAT_SECONDS": "1",
        "LICITE_RATE_PER_DOMAIN": "100000",
        "LICITE_EMAIL_BACKEND": "smtp", "LICITE_EMAIL_HOST": "127.0.0.1", "LICITE_EMAIL_PORT": str(port),
        "LICITE_BASE_URL": "https://licite.example", "LICITE_UNSUBSCRIBE_MAILTO": "unsubscribe@acme.example",
        "LICITE_LOG_LEVEL": "warning",
    }  # fmt: skip
    buyers_and_a_campaign(write_csv)
    no_redis = env | {"LICITE_REDIS_URL": f"unix://{tmp_path}/no-redis.sock"}
    assert ready(env, no_redis) == [
        (503, {"status": "not ready", "database": True, "worker": False, "task_backend": True}),
        (503, {"status": "not ready", "database": True, "worker": False, "task_backend": False}),
    ]
    assert f"{MESSAGES:,} messages queued" in licite(env, "campaign", "send", "Audit")
    objector = address(MESSAGES - 1)  # the last message of the last batch
    controller.start()
    workers = [start_worker(env, tmp_path / f"worker{n}.log") for n in range(3)]
    try:
        wait_for(lambda: inbox.messages, 60, "the first message")
        licite(env, "suppress", "add", objector, "--reason", "objection")  # RULES G3, E3: during the run
        wait_for(lambda: len(inbox.messages) >= MESSAGES // 2, 60, "half the messages")
        victim = kill_a_worker_holding_claims(database, workers)
        assert ready(env)[0][0] == 200  # two workers still beat
        unsettled = "SELECT count(*) FROM campaigns_outboundmessage WHERE status IN ('queued', 'sending')"
        wait_for(lambda: outbox(database, unsettled) == [(0,)], 60 + CLAIM_TIMEOUT, "every message settled")
    finally:
        stop(workers)
        controller.stop()

    received = Counter(message["To"] for message in inbox.messages)
    assert received.most_common(1)[0][1] == 1  # nobody got two messages
    assert objector not in received
    eligible = {address(i) for i in range(MESSAGES)} - {objector}
    missing = eligible - set(received)
    # At most the one message the victim was in the middle of handing over when it died: its
    # SMTP conversation was cut, and licite never sends a handed-over message again.
    assert len(missing) <= 1
    statuses = dict(
        outbox(
            database,
            "SELECT status || ':' || status_reason, count(*) FROM campaigns_outboundmessage GROUP BY 1",
        )
    )
    assert statuses["cancelled:suppressed"] == 1
    sent = statuses.get("sent:", 0)
    # The victim's last batch: what it handed over is failed (worker_stopped), never sent again,
    # though the server got all but at most one of them; what it had only claimed went again.
    in_doubt = statuses.get("failed:worker_stopped", 0)
    assert sent + in_doubt == MESSAGES - 1, statuses
    assert len(received) == MESSAGES - 1 - len(missing)
    assert in_doubt >= len(missing)
    settled = outbox(database, "SELECT detail FROM audit_auditevent WHERE action = 'outbox.settled'")
    assert sum(detail["requeued"] for (detail,) in settled) > 0  # the victim's claims went again
    assert outbox(database, "SELECT status FROM campaigns_campaign") == [("sent",)]
    by_worker = "SELECT DISTINCT split_part(claimed_by, ':', 2) FROM campaigns_outboundmessage"
    claimers = outbox(database, by_worker)
    assert str(victim) in {pid for (pid,) in claimers}


def stop(workers: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM (rq's warm shut-down: the task in hand is finished), SIGKILL after 30 seconds."""
    for worker in workers:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)


def kill_a_worker_holding_claims(database: str, workers: list[subprocess.Popen[bytes]]) -> int:
    """SIGKILL a worker in the middle of a batch: one whose claims are not all handed over yet."""
    pids = {str(worker.pid): worker for worker in workers}
    query = (
        "SELECT DISTINCT split_part(claimed_by, ':', 2) FROM campaigns_outboundmessage "
        "WHERE status = 'sending' AND handed_over_at IS NULL"
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        holding = [pid for (pid,) in outbox(database, query) if pid in pids]
        if holding:
            os.killpg(int(holding[0]), signal.SIGKILL)
            pids[holding[0]].wait(timeout=30)
            return int(holding[0])
        time.sleep(0.01)
    raise AssertionError("no worker held claims to kill it with")
