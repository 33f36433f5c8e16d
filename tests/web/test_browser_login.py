"""Logging in through a real browser, second factor included, on pages that break no CSP rule.

Every page is loaded in Debian's chromium with the Content-Security-Policy on: an inline script,
an inline style or a resource from outside the server would be refused, and the refusal shows
up as a console error or a `securitypolicyviolation` event, which fail the test.
"""

from __future__ import annotations

import io
from base64 import b32decode

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from licite.prospects.models import Prospect
from tests.conftest import browser_log_in
from tests.web.browser import PASSWORD, screenshots, submit_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
shot = screenshots("login")
# Pages that need a token or change state when loaded; the rest is walked.
SKIPPED_PREFIXES = ("admin/", "anymail/", "i18n/", "logout/", "healthz", "api/", "^api/")


def current_code(secret: str) -> str:
    return str(totp(b32decode(secret))).zfill(6)


def pages_without_parameters(resolver=None, prefix=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith(SKIPPED_PREFIXES) or "<" in route or "(" in route:
            continue
        if isinstance(pattern, URLResolver):
            yield from pages_without_parameters(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield "/" + route.lstrip("^").rstrip("$")


def test_an_admin_sets_totp_up_at_first_login_and_no_page_breaks_the_policy(
    live_server, page, problems, owner
):
    from django.core.management import call_command

    # Chromium asks every page for /favicon.ico; the admin's pages name none (a 404, not a fault).
    problems.excuse(r"status of 404", at="/favicon.ico")

    call_command("init", "--demo", stdout=io.StringIO())  # the organisation: its privacy page
    call_command("demo", count=5, seed=3, stdout=io.StringIO())
    submit_login(page, live_server.url, "alice")
    page.wait_for_selector("svg.qr")
    assert page.locator("h1").inner_text() == "Activer l'authentification à deux facteurs"
    shot(page, "otp-setup")
    page.fill("#id_token", current_code(page.locator("#otp-secret").inner_text()))
    page.click("button[type=submit].primary")
    page.wait_for_url(live_server.url + "/")
    assert TOTPDevice.objects.get(user=owner).confirmed
    shot(page, "dashboard-admin")
    prospect = Prospect.objects.first()
    admin_pages = [
        "/admin/",
        "/admin/accounts/user/",
        f"/admin/accounts/user/{owner.pk}/change/",
        "/admin/prospects/prospect/",
        f"/admin/prospects/prospect/{prospect.pk}/change/",
        "/admin/otp_totp/totpdevice/",
    ]
    for path in [*pages_without_parameters(), *admin_pages]:
        if page.request.get(live_server.url + path, max_redirects=0).status == 405:
            continue  # a form's target (POST only): chromium shows no page for its empty 405
        response = page.goto(live_server.url + path)
        assert response is not None
        assert response.status < 500, path
        page.wait_for_load_state("load")
    shot(page, "admin-user-change")


def test_a_dpo_gives_the_code_of_their_device_after_the_password(live_server, page, django_user_model):
    dpo = django_user_model.objects.create_user("dora", password=PASSWORD, role="dpo")
    device = TOTPDevice.objects.create(user=dpo, name="phone", confirmed=True)
    submit_login(page, live_server.url, "dora")
    page.wait_for_selector("#id_token")
    assert page.locator("h1").inner_text() == "Authentification à deux facteurs"
    shot(page, "otp-verify")
    page.fill("#id_token", str(totp(device.bin_key)).zfill(6))
    page.click("button[type=submit].primary")
    page.wait_for_url(live_server.url + "/")


def test_the_login_page_breaks_no_policy_rule(live_server, page):
    page.goto(live_server.url + "/login/")
    shot(page, "login")
    assert page.locator("h1").inner_text() == "Connexion"


def test_the_tests_browser_log_in_gives_an_admins_code_when_asked(live_server, page, owner):
    """tests.conftest.browser_log_in: what other browser tests use to log in as admin or DPO."""
    browser_log_in(page, live_server.url, owner)
    assert page.locator("h1").inner_text() == "Tableau de bord"
