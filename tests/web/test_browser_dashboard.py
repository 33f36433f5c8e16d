"""The dashboard in a real browser (Debian's chromium through Playwright): its charts say what the
database holds, it fits a 375 px phone, it runs no script and breaks no Content-Security-Policy.
Screenshots at 1280 and 375 px go to tests/artifacts/ for a person to look at."""

# The fixtures imported below are pytest's, received as arguments of the same name.
# ruff: noqa: F811
from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from licite.prospects.models import LegalBasis, Prospect
from tests.campaigns.conftest import organisation  # noqa: F401
from tests.web.test_browser import live_server, page  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


@pytest.fixture
def dpo(django_user_model, settings):
    settings.LICITE_REQUIRE_2FA = False  # the second factor has its own browser test
    return django_user_model.objects.create_user(
        "dora", "dora@acme.example", "correct horse battery", role="dpo"
    )


def log_in(page, url: str, username: str) -> list[str]:
    """Log in through the form; returns the list the page's console errors are collected in."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "correct horse battery")
    page.click("button[type=submit].primary")
    page.wait_for_url(url + "/")
    return errors


def shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_the_dpo_reads_the_dashboard_in_french_at_1280_px(live_server, page, organisation, dpo):
    call_command("demo", count=200, seed=11)
    page.set_viewport_size({"width": 1280, "height": 900})
    errors = log_in(page, live_server.url, "dora")
    assert page.locator("h1").inner_text() == "Tableau de bord"
    assert page.locator("#organisation-name").inner_text() == "Acme Conseil SAS"
    basis = page.locator("#chart-basis g.bar[data-key=consent]")
    assert basis.get_attribute("data-value") == str(
        Prospect.objects.filter(legal_basis=LegalBasis.CONSENT).count()
    )
    assert page.locator("#prospect-count").inner_text() == str(Prospect.objects.count())
    assert page.locator("#compliance").is_visible()
    shoot(page, "dashboard-fr-1280")
    with page.expect_navigation():
        page.click("button[name=language][value=en]")
    assert page.locator("h1").inner_text() == "Dashboard"
    shoot(page, "dashboard-en-1280")
    assert errors == []


def test_the_dashboard_fits_a_375_px_phone_in_english(live_server, page, organisation, dpo):
    call_command("demo", count=200, seed=11)
    page.set_viewport_size({"width": 375, "height": 800})
    errors = log_in(page, live_server.url, "dora")
    with page.expect_navigation():
        page.click("button[name=language][value=en]")
    assert page.locator("h1").inner_text() == "Dashboard"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.locator("nav.main-nav a[data-nav=prospect_list]").is_visible()
    shoot(page, "dashboard-en-375")
    assert errors == []


def test_the_skip_link_is_the_first_stop_of_the_keyboard(live_server, page, organisation, dpo):
    log_in(page, live_server.url, "dora")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    assert page.locator("a.skip").is_visible()
