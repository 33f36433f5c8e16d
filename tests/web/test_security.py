"""Logging in safely: lockout, the login audit, the second factor, cookies and headers."""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
from base64 import b32decode, b64encode
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from licite.audit.models import AuditEvent
from tests.campaigns.conftest import organisation, prospects, smtp  # noqa: F401  (fixtures)
from tests.campaigns.test_campaigns import JEANNE
from tests.conftest import run_licite
from tests.rights.test_access import access_path, fulfil_access

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


def log_in(client, username, password=PASSWORD, **extra):
    return client.post("/login/", {"username": username, "password": password}, **extra)


def code(device):
    return str(totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)).zfill(
        device.digits
    )


# Lockout -----------------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_out_with_a_page_in_french(client, salesperson):
    for _ in range(4):
        assert log_in(client, "bob", "wrong").status_code == 200
    assert log_in(client, "bob", "wrong").status_code == 429
    response = log_in(client, "bob")  # even the right password
    assert response.status_code == 429
    assert "Trop de tentatives de connexion" in response.content.decode()
    assert "15 minutes" in response.content.decode()
    assert client.get("/").status_code == 302  # still not logged in


def test_the_lockout_page_speaks_english_to_an_english_browser(client, salesperson):
    for _ in range(5):
        log_in(client, "bob", "wrong")
    response = log_in(client, "bob", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()


def test_the_lockout_ends_after_the_cool_off(client, salesperson):
    for _ in range(5):
        log_in(client, "bob", "wrong")
    with time_machine.travel(timedelta(minutes=16)):
        assert log_in(client, "bob").status_code == 302


def test_the_lockout_is_for_one_username_from_one_address(client, salesperson):
    for _ in range(5):
        log_in(client, "bob", "wrong", REMOTE_ADDR="203.0.113.9")
    assert log_in(Client(), "bob", REMOTE_ADDR="198.51.100.4").status_code == 302


def test_behind_a_proxy_the_lockout_reads_the_address_the_proxy_saw(client, salesperson, settings):
    settings.LICITE_PROXY_COUNT = 1
    for attempt in range(5):
        # A client forging the left of X-Forwarded-For changes nothing: the proxy's entry counts.
        log_in(client, "bob", "wrong", HTTP_X_FORWARDED_FOR=f"10.0.0.{attempt}, 203.0.113.9")
    assert log_in(client, "bob", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429
    assert log_in(Client(), "bob", HTTP_X_FORWARDED_FOR="198.51.100.4").status_code == 302


def test_a_lockout_is_audited(client, salesperson):
    for _ in range(5):
        log_in(client, "bob", "wrong")
    event = AuditEvent.objects.get(action="login.locked_out")
    assert event.object_id == str(salesperson.pk)
    assert event.detail["ip_prefix"] == "127.0.0.0/24"


# The login audit ---------------------------------------------------------------------------------


def test_a_successful_login_is_audited_with_the_network_prefix(client, salesperson):
    log_in(client, "bob", REMOTE_ADDR="203.0.113.9")
    event = AuditEvent.objects.get(action="login.succeeded")
    assert (event.actor_label, event.object_id) == ("bob", str(salesperson.pk))
    assert event.detail == {"ip_prefix": "203.0.113.0/24"}


def test_a_failed_login_names_the_account_but_never_the_password(client, salesperson):
    log_in(client, "bob", "my-secret-guess")
    event = AuditEvent.objects.get(action="login.failed")
    assert event.object_id == str(salesperson.pk)
    assert event.detail == {"known_account": True, "ip_prefix": "127.0.0.0/24"}
    assert "my-secret-guess" not in json.dumps(list(AuditEvent.objects.values()), default=str)


def test_a_failed_login_of_an_unknown_username_records_no_username(client, db):
    log_in(client, "jeanne.dupont@example.org", "whatever")
    event = AuditEvent.objects.get(action="login.failed")
    assert (event.actor_label, event.object_id) == ("system", "")
    assert event.detail == {"known_account": False, "ip_prefix": "127.0.0.0/24"}
    assert "jeanne" not in json.dumps(list(AuditEvent.objects.values()), default=str)


# The second factor -------------------------------------------------------------------------------


def test_an_admins_first_login_sets_a_totp_device_up_with_a_qr_code_drawn_here(client, owner):
    response = log_in(client, "alice")
    assert client.get(response.url).url.startswith("/account/two-factor/")
    page = client.get("/account/two-factor/").content.decode()
    svg = page.split('<svg class="qr"')[1].split("</svg>")[0]
    assert "<path" in svg
    assert "href" not in svg
    assert "<img" not in page
    device = TOTPDevice.objects.get(user=owner, confirmed=False)
    secret = page.split('id="otp-secret">')[1].split("<")[0]
    assert b32decode(secret) == device.bin_key
    assert client.post("/account/two-factor/", {"token": code(device)}).url == "/"
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="otp.device_confirmed", actor=owner).exists()


def test_an_admin_cannot_reach_any_page_before_the_second_step(owner):
    client = Client()
    client.force_login(owner)  # Django's own: the password step only
    assert client.get("/").url == "/account/two-factor/?next=%2F"
    assert client.get("/admin/").url.startswith("/account/two-factor/")


def test_an_admin_with_a_device_gives_its_code_after_the_password(client, owner):
    device = TOTPDevice.objects.create(user=owner, name="phone", confirmed=True)
    log_in(client, "alice")
    assert client.get("/admin/").url == "/login/code/?next=%2Fadmin%2F"
    wrong = client.post("/login/code/", {"token": "000000", "next": "/admin/"})
    assert "Ce code n&#x27;est pas valide" in wrong.content.decode()
    with time_machine.travel(timedelta(seconds=2)):  # django-otp throttles: 1 s after a failure
        assert client.post("/login/code/", {"token": code(device), "next": "/admin/"}).url == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert list(
        AuditEvent.objects.filter(action__startswith="login.second")
        .order_by("sequence")
        .values_list("action", flat=True)
    ) == [
        "login.second_factor_failed",
        "login.second_factor",
    ]


def test_the_code_page_shows_no_menu_until_the_code_is_given(client, owner):
    device = TOTPDevice.objects.create(user=owner, name="phone", confirmed=True)
    log_in(client, "alice")
    assert 'data-nav="' not in client.get("/login/code/").content.decode()
    with time_machine.travel(timedelta(seconds=2)):
        client.post("/login/code/", {"token": code(device), "next": "/"})
    assert 'data-nav="prospect_list"' in client.get("/").content.decode()


def test_an_admin_with_a_device_cannot_set_a_new_one_up_before_giving_a_code(client, owner):
    TOTPDevice.objects.create(user=owner, name="phone", confirmed=True)
    log_in(client, "alice")
    assert client.get("/account/two-factor/").url.startswith("/login/code/")
    assert not TOTPDevice.objects.filter(confirmed=False).exists()


def test_a_dpo_needs_the_second_factor_too(client, django_user_model):
    django_user_model.objects.create_user("dora", password=PASSWORD, role="dpo")
    log_in(client, "dora")
    assert client.get("/").url.startswith("/account/two-factor/")


def test_a_salesperson_is_not_asked_for_a_code(client, salesperson):
    log_in(client, "bob")
    assert client.get("/").status_code == 200


def test_a_salesperson_who_turns_two_factor_on_gives_a_code_at_the_next_login(client, salesperson):
    log_in(client, "bob")
    assert "Facultative pour votre rôle" in client.get("/account/two-factor/").content.decode()
    device = TOTPDevice.objects.get(user=salesperson)
    client.post("/account/two-factor/", {"token": code(device)})
    client.post("/logout/")
    log_in(client, "bob")
    assert client.get("/").url.startswith("/login/code/")


def test_without_the_setting_an_admin_logs_in_with_the_password_alone(client, owner, settings):
    settings.LICITE_REQUIRE_2FA = False
    log_in(client, "alice")
    assert client.get("/").status_code == 200


def test_an_admin_made_by_licite_init_logs_in_and_is_asked_to_set_a_device_up(client, db):
    from django.core.management import call_command

    out = io.StringIO()
    call_command("init", "--demo", stdout=out)
    said = out.getvalue()
    assert "LICITE_REQUIRE_2FA=false make run" in said
    password = re.search(r"as admin, password (\S+) \(shown again by: (head -c 16 \S+)\)", said)
    assert password is not None, said
    shown_again = subprocess.run(password[2].split(), capture_output=True, text=True, check=True).stdout
    assert shown_again == password[1], "the command the output gives shows the same password"
    assert log_in(client, "admin", password[1]).status_code == 302
    assert client.get("/").url.startswith("/account/two-factor/")


def test_a_superuser_made_by_createsuperuser_is_asked_to_set_a_device_up(client, db, monkeypatch):
    from django.core.management import call_command

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", "--noinput", "--username", "root", "--email", "root@acme.example")
    assert log_in(client, "root").status_code == 302
    assert client.get("/").url.startswith("/account/two-factor/")


# Cookies, sessions, headers ----------------------------------------------------------------------


def test_a_session_ends_after_thirty_minutes_without_a_request(client, salesperson):
    log_in(client, "bob")
    with time_machine.travel(timedelta(minutes=20)):
        assert client.get("/").status_code == 200  # every request restarts the count
    with time_machine.travel(timedelta(minutes=45)):
        assert client.get("/").status_code == 200
    with time_machine.travel(timedelta(minutes=76)):
        assert client.get("/").url.startswith("/login/")


def test_cookies_are_secure_and_httponly_when_the_base_url_is_https():
    code_ = (
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_HTTPONLY, s.SESSION_COOKIE_AGE)"
    )
    https = run_licite(
        "shell", "--no-imports", "-c", code_, env={"LICITE_BASE_URL": "https://licite.acme.example"}
    )
    assert https.stdout.split() == ["True", "True", "True", "True", "1800"], https.stderr
    plain = run_licite(
        "shell", "--no-imports", "-c", code_, env={"LICITE_BASE_URL": "", "LICITE_SESSION_IDLE_MINUTES": "5"}
    )
    assert plain.stdout.split() == ["False", "False", "True", "True", "300"], plain.stderr


def test_a_bad_idle_time_stops_licite_with_one_line_naming_the_variable():
    result = run_licite("check", env={"LICITE_SESSION_IDLE_MINUTES": "half an hour"})
    assert result.returncode != 0
    assert "LICITE_SESSION_IDLE_MINUTES" in result.stderr
    assert "Traceback" not in result.stderr


def test_every_page_forbids_inline_code_and_framing(client):
    response = client.get("/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_a_login_without_the_csrf_token_is_refused(salesperson):
    assert log_in(Client(enforce_csrf_checks=True), "bob").status_code == 403


def csrf_exempt_views(resolver=None, prefix=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from csrf_exempt_views(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and getattr(pattern.callback, "csrf_exempt", False):
            yield prefix + str(pattern.pattern)


def test_only_the_one_click_unsubscribe_and_the_providers_webhooks_skip_csrf():
    """RULES E2: mail providers post the RFC 8058 one-click without our token; anymail's
    webhooks are checked by their own basic-auth secret; the API takes a bearer token in a
    header, never a cookie, so no other site can make a browser call it. No other view is exempt."""
    from licite.api.api import api

    exempt = sorted(csrf_exempt_views())
    others = [path for path in exempt if not path.startswith(("anymail/", "api/", "^api/"))]
    assert others == ["u/<str:token>"]
    schema = api.get_openapi_schema()
    assert set(schema["components"]["securitySchemes"]) == {"TokenAuth"}
    assert schema["components"]["securitySchemes"]["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    paths = schema["paths"].items()
    untokened = [path for path, ops in paths for op in ops.values() if not op.get("security")]
    assert untokened == ["/api/healthz", "/api/ready"]


@pytest.mark.django_db(transaction=True)
def test_the_printable_access_report_keeps_its_own_styles_and_nothing_else_inline(prospects, smtp, client):  # noqa: F811
    """RULES G: the person saves their data as one file; its <style> is allowed by its hash."""
    fulfil_access(JEANNE)
    response = client.get(access_path(smtp, JEANNE))
    style = response.content.decode().split("<style>")[1].split("</style>")[0]
    digest = b64encode(hashlib.sha256(style.encode()).digest()).decode()
    policy = response["Content-Security-Policy"]
    assert f"style-src 'self' 'sha256-{digest}'" in policy
    assert "unsafe-inline" not in policy
