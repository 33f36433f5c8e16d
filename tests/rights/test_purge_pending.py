"""One purge at a time, on every task backend: "a purge is already pending" holds on Redis (RQ) as
on the database's queue (licite.rights.tasks.enqueue_once: licite's own row names the last task,
the task API says where it stands).

The Redis test starts its own redis-server (Debian's, which .ci/run installs) on a Unix socket in
the test's folder, and runs licite as an administrator does: `licite shell` for the retention
page's "run now" button and `licite worker --batch` for the worker, with LICITE_TASKS_BACKEND=redis.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from licite.audit.models import AuditEvent
from licite.rights.models import QueuedJob
from licite.rights.tasks import do_request_purge, purge_pending
from tests.campaigns.test_campaigns import run_worker
from tests.conftest import run_licite

# The retention page's button, twice, then whether the page says a purge is pending; through the
# web page's own view, as the DPO (LICITE_REQUIRE_2FA is off for this user-less check).
RUN_NOW_TWICE = """
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
dpo = get_user_model().objects.create_user("dpo", "dpo@acme.example", role="dpo")
client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")
client.force_login(dpo)
for _ in range(2):
    page = client.post(reverse("purge_run"), follow=True).content.decode()
    print("already" if "A purge is already waiting for the worker" in page else "asked")
print("pending" if 'id="purge-pending"' in client.get(reverse("purge")).content.decode() else "not pending")
"""
ASK_AGAIN = """
from licite.rights.tasks import do_request_purge, purge_pending
print("pending" if purge_pending() else "not pending")
print("asked" if do_request_purge(None) else "already")
"""


@pytest.fixture
def redis_url(tmp_path) -> Iterator[str]:
    """A redis-server of this test's own, on a Unix socket, nothing written to disk."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is needed (Debian's redis-server; .ci/run installs it)")
    socket = tmp_path / "redis.sock"
    process = subprocess.Popen(
        [server, "--port", "0", "--unixsocket", str(socket), "--unixsocketperm", "700", "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while not socket.exists():
            assert process.poll() is None, "redis-server stopped"
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
        yield f"unix://{socket}?db=0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def on_redis(tmp_path: Path, redis_url: str) -> dict[str, str]:
    env = {
        "LICITE_HOME": str(tmp_path / "home"), "LICITE_DATABASE_URL": "", "LICITE_EMAIL_BACKEND": "console",
        "LICITE_TASKS_BACKEND": "redis", "LICITE_REDIS_URL": redis_url, "LICITE_REQUIRE_2FA": "false",
        "TMPDIR": str(tmp_path),
    }  # fmt: skip
    assert run_licite("migrate", "--noinput", env=env).returncode == 0
    return env


def said(env: dict[str, str], script: str) -> list[str]:
    result = run_licite("shell", "--no-imports", "-c", script, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.split("\n")[:-1]


def test_on_redis_a_second_run_now_is_refused_while_the_first_waits_and_accepted_once_it_ran(
    tmp_path, redis_url
):
    env = on_redis(tmp_path, redis_url)
    assert said(env, RUN_NOW_TWICE) == ["asked", "already", "pending"]
    worker = run_licite("worker", "--batch", env=env)  # rq's worker in burst mode: the queue, then out
    assert worker.returncode == 0, worker.stderr
    assert said(env, ASK_AGAIN) == ["not pending", "asked"]
    assert said(env, COMPLETED) == ["1"]  # the worker ran it


COMPLETED = (
    "from licite.audit.models import AuditEvent; "
    'print(AuditEvent.objects.filter(action="purge.completed").count())'
)


@pytest.mark.django_db(transaction=True)
def test_on_the_database_queue_the_same_holds_and_the_row_names_the_last_task(dpo):
    first = do_request_purge(dpo)
    assert first is not None
    assert do_request_purge(dpo) is None
    assert purge_pending()
    assert QueuedJob.objects.get().task_id == first
    run_worker()
    assert not purge_pending()
    second = do_request_purge(dpo)
    assert second not in (None, first)
    assert AuditEvent.objects.filter(action="purge.requested").count() == 2
