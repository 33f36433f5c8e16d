"""`licite serve` runs the app under gunicorn, with its static files, on a real socket."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
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
    # The server's whole output (access and error logs) goes to a file the tests read.
    log = home / "server.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [*LICITE, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--with-worker"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base + "/healthz", server, log)
        yield base, env, log
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


def _wait_until_up(url, server, log, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(log.read_text())
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
    env = {"LICITE_HOME": str(tmp_path), "LICITE_DATABASE_URL": "", "LICITE_EMAIL_BACKEND": "console"}
    result = run_licite("serve", "--bind", f"127.0.0.1:{free_port()}", env=env, timeout=60)
    assert result.returncode == 1
    assert "run `licite migrate` first" in result.stderr


def test_link_tokens_never_reach_the_access_log():
    from licite.web.server import mask_tokens

    assert mask_tokens("/u/8MIp2BaG8u1yp3rYkWL2nFhB6GqjV4ml") == "/u/…"
    assert mask_tokens("/consent/abc") == "/consent/…"
    assert mask_tokens("/login/") == "/login/"


# A consent request that is never sent: its token appears nowhere but in the requests below
# (the console email backend prints the messages it sends, links included).
A_CONSENT_REQUEST_TOKEN = (
    "from django.utils import timezone; from licite.campaigns.models import OutboundMessage as M; "
    "from licite.campaigns.rendering import new_token; from licite.prospects.models import Prospect as P; "
    "p = P.objects.first(); print(M.objects.create(kind='consent_request', prospect=p, key_hash=p.key_hash, "
    "language='fr', subject='-', token=new_token(), status='cancelled', queued_at=timezone.now()).token)"
)


def request(method, url):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=10) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_no_token_of_a_public_link_reaches_the_server_log(served_app):
    base, env, log = served_app
    result = run_licite("shell", "-c", A_CONSENT_REQUEST_TOKEN, env=env)
    token = result.stdout.split()[-1]
    assert len(token) > 20, result.stderr
    assert request("HEAD", f"{base}/u/{token}") == 200  # link checkers use HEAD
    assert request("HEAD", f"{base}/consent/{token}") == 200
    assert request("POST", f"{base}/consent/{token}") == 403  # no CSRF cookie: Django warns
    assert request("PUT", f"{base}/u/{token}") == 405  # Django warns
    time.sleep(0.5)
    written = log.read_text()
    assert "Forbidden (CSRF cookie not set.): /consent/…" in written
    assert "Method Not Allowed (PUT): /u/…" in written
    assert token not in written


QUEUE_CONSENT_REQUESTS = (
    "from licite.campaigns.actions import do_request_pending_consents as q; print(q(None))"
)
COUNT_SENT = (
    "from licite.campaigns.models import OutboundMessage as M; print(M.objects.filter(status='sent').count())"
)


def test_the_worker_started_with_the_server_sends_the_outbox(served_app):
    _, env, _ = served_app
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


def test_a_prospect_pushed_through_the_api_passes_the_gate_under_gunicorn(served_app):
    """The push imports a one-row file with polars, which is not fork-safe: under gunicorn's
    forked web workers it hung until the worker timeout, unless the server starts afresh."""
    import json

    base, env, _log = served_app
    source = (
        "sources",
        "add",
        "Salon",
        "--kind",
        "event",
        "--method",
        "manual",
        "--extraction-allowed",
        "unknown",
    )
    assess = ("sources", "assess", "Salon", "--interest", "i", "--expectations", "e", "--safeguards", "s",
              "--necessity", "n", "--conclusion", "favourable")  # fmt: skip
    created = [run_licite(*args, env=env) for args in (source, assess)]
    assert [result.returncode for result in created] == [0, 0]
    token = run_licite("token", "create", "--user", "admin", "--name", "test", env=env).stdout.split()[0]
    body = json.dumps({"email": "marie.petit@acme-industrie.example", "source": "Salon"}).encode()
    push = urllib.request.Request(  # noqa: S310 (the test's own server)
        base + "/api/prospects",
        data=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(push, timeout=20) as response:  # noqa: S310
        answer = json.loads(response.read())
    assert (response.status, answer["outcome"], answer["legal_basis"]) == (
        201,
        "created",
        "legitimate_interest",
    )
