"""A person logs in through a real browser (Debian's chromium driven by Playwright)."""

from __future__ import annotations

import pytest

from licite.prospects.models import Prospect
from tests.web.browser import submit_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
    submit_login(page, live_server.url, "bob", "wrong")
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


def test_a_tampered_link_shows_a_clear_page_in_french(live_server, page, problems):
    problems.excuse(r"status of 404", at="/u/tampered")  # chromium logs the page's 404
    response = page.goto(f"{live_server.url}/u/tampered")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Ce lien n'est pas valide"
