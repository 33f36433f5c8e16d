"""A person logs in through a real browser (Debian's chromium driven by Playwright)."""

from __future__ import annotations

import os
import shutil

import pytest

from licite.prospects.models import Prospect

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

if not os.path.exists(CHROMIUM):
    if os.environ.get("LICITE_REQUIRE_BROWSER"):
        raise RuntimeError("chromium is required (LICITE_REQUIRE_BROWSER is set): apt-get install chromium")
    pytest.skip("Debian's chromium is not installed: apt-get install chromium", allow_module_level=True)


@pytest.fixture(scope="session")
def live_server(django_db_setup, django_db_blocker):
    """pytest-django's live server, stopped before the test database is destroyed.

    Playwright's sync API runs in greenlets, each with its own context, and Django keeps one
    connection per context: one is left open, and PostgreSQL refuses to drop a database in use.
    """
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer("localhost")
    yield server
    server.stop()
    from django.db import connection

    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(locale="fr-FR")
        yield context.new_page()
        browser.close()


def test_a_salesperson_logs_in_and_sees_the_dashboard(live_server, page, salesperson):
    from django.core.management import call_command

    call_command("demo", count=25, seed=6)
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Connexion"
    page.fill("#id_username", "bob")
    page.fill("#id_password", "correct horse battery")
    page.click("button[type=submit].primary")
    page.wait_for_url(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Tableau de bord"
    assert page.locator("#prospect-count").inner_text() == str(Prospect.objects.count())


def test_the_language_switcher_turns_the_page_to_english(live_server, page):
    page.goto(live_server.url + "/login/")
    with page.expect_navigation():
        page.click("button[name=language][value=en]")  # a plain form: no script needed
    assert page.locator("h1").inner_text() == "Log in"


def test_a_wrong_password_shows_an_error(live_server, page, salesperson):
    page.goto(live_server.url + "/login/")
    page.fill("#id_username", "bob")
    page.fill("#id_password", "wrong")
    page.click("button[type=submit].primary")
    assert page.get_by_role("alert").is_visible()


def test_a_person_unsubscribes_in_a_real_browser_in_their_language(live_server, page, settings):
    """The GET page changes nothing; the button does; the page is in the message's language."""
    from django.utils import timezone

    from licite.campaigns.models import OutboundMessage
    from licite.rights.models import SuppressionEntry

    message = OutboundMessage.objects.create(
        kind="campaign", key_hash="a" * 64, to_address="jeanne@acme.example", language="en",
        subject="s", token="browser-token-0123456789", queued_at=timezone.now(),
    )  # fmt: skip
    page.goto(f"{live_server.url}/u/{message.token}")
    assert page.locator("h1").inner_text() == "Stop receiving our messages"
    assert not SuppressionEntry.objects.exists()
    page.click("#confirm")
    page.wait_for_selector("text=You are unsubscribed")
    assert SuppressionEntry.objects.filter(key_hash="a" * 64, reason="objection").exists()


def test_a_tampered_link_shows_a_clear_page_in_french(live_server, page):
    response = page.goto(f"{live_server.url}/u/tampered")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Ce lien n'est pas valide"
