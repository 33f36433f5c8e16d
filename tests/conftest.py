from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
LICITE = [sys.executable, "-m", "licite.cli"]
HEADER = "Prénom;Nom;E-mail;Fonction;Société;Téléphone;Commentaire;Pays\n"
# The shortest balancing test (RULES C4) that lets a legitimate-interest import from "Salon" through.
ASSESS_SALON = ("sources", "assess", "Salon", "--interest", "i", "--expectations", "e", "--safeguards", "s",
                "--necessity", "n", "--conclusion", "favourable")  # fmt: skip


@pytest.fixture
def owner(django_user_model):
    """An administrator with every right."""
    return django_user_model.objects.create_user(
        "alice",
        "alice@acme.example",
        "correct horse battery",
        role="admin",
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def dpo(django_user_model):
    """The data protection officer: sees everything, sends nothing."""
    return django_user_model.objects.create_user(
        "dora", "dora@acme.example", "correct horse battery", role="dpo"
    )


@pytest.fixture
def as_dpo(client, dpo):
    """The test client, logged in as the DPO past the second factor."""
    client.force_login(dpo)
    return client


def pass_second_factor(client, user):
    """Mark `client`'s session as having given a TOTP code, from a confirmed device of `user`
    (made if missing): what an admin's or a DPO's real login ends with (licite.web.security)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def totp_code(device) -> str:
    """The code a TOTP device shows now, as an authenticator app would."""
    from django_otp.oath import totp

    digits = device.digits
    return str(totp(device.bin_key, step=device.step, t0=device.t0, digits=digits)).zfill(digits)


def browser_log_in(page, base_url: str, user, password: str = "correct horse battery") -> None:  # noqa: S107
    """Log in through the real form in a Playwright page, giving the TOTP code when asked (an
    admin's or DPO's device is made confirmed first if they have none)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from licite.web.security import needs_second_factor

    device = None
    if needs_second_factor(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        device = device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    page.goto(base_url + "/login/")
    page.fill("#id_username", user.get_username())
    page.fill("#id_password", password)
    page.click("button[type=submit].primary")
    if device is not None:
        page.wait_for_selector("#id_token")
        page.fill("#id_token", totp_code(device))
        page.click("button[type=submit].primary")
    page.wait_for_url(base_url + "/")


@pytest.fixture
def client():
    """Django's test client, whose force_login also passes the second factor for the roles that
    need one (admin, dpo): tests of other behaviour log in as if the code had been typed."""
    from django.test import Client

    class LiciteClient(Client):
        def force_login(self, user, backend=None):
            super().force_login(user, backend)
            from licite.web.security import needs_second_factor

            if needs_second_factor(user):
                pass_second_factor(self, user)

    return LiciteClient()


@pytest.fixture
def salesperson(django_user_model):
    return _staff(django_user_model, "bob", "sales")


@pytest.fixture
def outsider(django_user_model):
    """A member of staff whose job (HR, finance) gives no access to prospects (RULES F5)."""
    return _staff(django_user_model, "carol", "other")


def _staff(model, username, role):
    from django.contrib.auth.models import Permission

    user = model.objects.create_user(
        username, f"{username}@acme.example", "correct horse battery", role=role, is_staff=True
    )
    user.user_permissions.set(Permission.objects.all())
    return user


def run_licite(*args: str, env: dict[str, str] | None = None, timeout: int = 120):
    """Run the real `licite` command in a child process and return the completed process."""
    return subprocess.run(
        [*LICITE, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pytest_configure(config):
    from django.conf import settings

    # WhiteNoise warns when the collected static directory is missing; tests use the finders.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    # Persistent connections from live-server threads would keep the test database busy at teardown.
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0


@pytest.fixture
def source(db):
    """An event's exhibitor page, with its balancing test recorded."""
    from licite.prospects.actions import do_assess_source, do_save_source

    change = do_save_source(
        None,
        "Salon Industrie Lyon 2026",
        kind="event",
        url="https://salon.example/exposants",
        method="manual",
        extraction_allowed="unknown",
        visibility="public",
    )
    do_assess_source(
        None,
        change.source,
        "Selling our services to exhibitors",
        "Exhibitors publish contacts to be reached by partners",
        "Notice and one-click objection",
        necessity="Only the exhibitor's work address and job, needed to offer them our services",
        conclusion="favourable",
    )
    return change.source


@pytest.fixture
def write_csv(tmp_path):
    def write(text: str, name: str = "prospects.csv", encoding: str = "utf-8") -> str:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return str(path)

    return write


def import_file(path: str, *args: str, source: str = "Salon Industrie Lyon 2026") -> dict:
    """Run `licite import --json` in process and return its report."""
    out = io.StringIO()
    call_command("import", path, "--source", source, "--json", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A browser test fails on any console error, uncaught exception or CSP violation its pages
    met and it did not excuse (tests/web/browser.py: the `problems` every page is watched by)."""
    from tests.web.browser import Problems

    result = yield
    problems = getattr(item, "funcargs", {}).get("problems")
    if isinstance(problems, Problems):
        problems.check()
    return result
