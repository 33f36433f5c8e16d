"""The dashboard in a real browser (Debian's chromium through Playwright): its charts say what the
database holds, it fits a 375 px phone, it runs no script and breaks no Content-Security-Policy.
Screenshots at 1280 and 375 px go to tests/artifacts/ for a person to look at."""

# The fixtures imported below are pytest's, received as arguments of the same name.
# ruff: noqa: F811
from __future__ import annotations

import pytest
from django.core.management import call_command

from licite.prospects.models import LegalBasis, Prospect
from tests.campaigns.conftest import organisation  # noqa: F401
from tests.conftest import browser_log_in
from tests.web.browser import screenshots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
shoot = screenshots()


@pytest.fixture
def dpo(django_user_model, settings):
    settings.LICITE_REQUIRE_2FA = False  # the second factor has its own browser test
    return django_user_model.objects.create_user(
        "dora", "dora@acme.example", "correct horse battery", role="dpo"
    )


def test_the_dpo_reads_the_dashboard_in_french_at_1280_px(live_server, page, organisation, dpo):
    call_command("demo", count=200, seed=11)
    page.set_viewport_size({"width": 1280, "height": 900})
    browser_log_in(page, live_server.url, dpo)
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


def test_the_dashboard_fits_a_375_px_phone_in_english(live_server, page, organisation, dpo):
    call_command("demo", count=200, seed=11)
    page.set_viewport_size({"width": 375, "height": 800})
    browser_log_in(page, live_server.url, dpo)
    with page.expect_navigation():
        page.click("button[name=language][value=en]")
    assert page.locator("h1").inner_text() == "Dashboard"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(page, "dashboard-en-375")


def above_the_content(page) -> float:
    """The height, in CSS pixels, of everything the reader scrolls past before the page's content."""
    return float(
        page.evaluate(
            "(() => { const main = document.querySelector('main');"
            " return main.getBoundingClientRect().top - parseFloat(getComputedStyle(main).marginTop); })()"
        )
    )


def test_on_a_phone_the_header_folds_into_a_menu_that_opens_and_leads_to_the_pages(
    live_server, page, organisation, dpo
):
    """The DPO has the longest menu: at 375 px it stays behind one button, in both languages."""
    page.set_viewport_size({"width": 375, "height": 740})
    browser_log_in(page, live_server.url, dpo)
    assert above_the_content(page) < 120
    assert not page.locator("nav.main-nav a[data-nav=prospect_list]").is_visible()
    assert page.locator("#menu-button").inner_text() == "Menu"
    shoot(page, "menu-fr-375-closed")
    page.click("#menu-button")
    assert page.locator("nav.main-nav a[data-nav=prospect_list]").is_visible()
    assert page.locator("#menu button.logout").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(page, "menu-fr-375-open")
    page.click("nav.main-nav a[data-nav=prospect_list]")
    page.wait_for_url(live_server.url + "/prospects/")
    assert above_the_content(page) < 120  # a new page opens with the menu folded
    with page.expect_navigation():
        page.click("button[name=language][value=en]")
    assert above_the_content(page) < 120
    page.focus("#menu-button")
    page.keyboard.press("Enter")  # the keyboard opens it too, and Tab goes on into it
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "two-factor-link"
    shoot(page, "menu-en-375-open")


def test_on_a_wide_screen_the_menu_is_laid_out_in_full_with_no_button(live_server, page, organisation, dpo):
    page.set_viewport_size({"width": 1280, "height": 800})
    browser_log_in(page, live_server.url, dpo)
    assert not page.locator("#menu-button").is_visible()
    assert page.locator("nav.main-nav a[data-nav=audit_trail]").is_visible()
    assert page.locator("button.logout").is_visible()
    assert above_the_content(page) < 160  # the bar and two rows of links, as before the phone's menu


def test_the_skip_link_is_the_first_stop_of_the_keyboard(live_server, page, organisation, dpo):
    browser_log_in(page, live_server.url, dpo)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    assert page.locator("a.skip").is_visible()
