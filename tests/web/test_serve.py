"""`licite serve` runs the app under gunicorn, with its static files, on a real socket."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request

import pytest

from tests.conftest import LICITE, ROOT, free_port, run_licite


@pytest.fixture(scope="module")
def served_app(tmp_path_factory):
    """A real server on an empty SQLite database of its own, migrated and initialised."""
    home = tmp_path_factory.mktemp("serve")
    env = {
        **os.environ,
        "LICITE_HOME": str(home),
        "LICITE_DATABASE_URL": "",
        "LICITE_EMAIL_BACKEND": "console",
    }
    for args in (("migrate", "--noinput"), ("init", "--demo"), ("demo", "--count", "30")):
        result = run_licite(*args, env=env)
        assert result.returncode == 0, result.stderr
    port = free_port()
    server = subprocess.Popen(
        [*LICITE, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--with-worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base + "/healthz", server)
        yield base, env
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


def _wait_until_up(url, server, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(server.stdout.read().decode())
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer in {seconds}s")


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
        return response.status, response.headers, response.read().decode()


def test_the_server_answers_with_the_login_page(served_app):
    status, _, body = fetch(served_app[0] + "/login/")
    assert status == 200
    assert 'name="password"' in body


def test_the_server_serves_static_files(served_app):
    status, headers, body = fetch(served_app[0] + "/static/licite/licite.css")
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert "--accent" in body


def test_the_server_serves_the_admin_login(served_app):
    status, _, body = fetch(served_app[0] + "/admin/login/")
    assert status == 200
    assert "csrfmiddlewaretoken" in body


def test_serve_refuses_an_unmigrated_database(tmp_path):
    env = {"LICITE_HOME": str(tmp_path), "LICITE_DATABASE_URL": ""}
    result = run_licite("serve", "--bind", f"127.0.0.1:{free_port()}", env=env, timeout=60)
    assert result.returncode == 1
    assert "run `licite migrate` first" in result.stderr


def test_link_tokens_never_reach_the_access_log():
    from licite.web.server import mask_tokens

    assert mask_tokens("/u/8MIp2BaG8u1yp3rYkWL2nFhB6GqjV4ml") == "/u/…"
    assert mask_tokens("/consent/abc") == "/consent/…"
    assert mask_tokens("/login/") == "/login/"


QUEUE_CONSENT_REQUESTS = (
    "from licite.campaigns.actions import do_request_pending_consents as q; print(q(None))"
)
COUNT_SENT = (
    "from licite.campaigns.models import OutboundMessage as M; print(M.objects.filter(status='sent').count())"
)


def test_the_worker_started_with_the_server_sends_the_outbox(served_app):
    _, env = served_app
    result = run_licite("shell", "-c", QUEUE_CONSENT_REQUESTS, env=env)
    assert result.returncode == 0, result.stderr
    queued = int(result.stdout.split()[-1])
    assert queued > 0
    deadline = time.monotonic() + 60
    sent = 0
    while time.monotonic() < deadline and sent < queued:
        sent = int(run_licite("shell", "-c", COUNT_SENT, env=env).stdout.split()[-1])
        time.sleep(1)
    assert sent == queued
