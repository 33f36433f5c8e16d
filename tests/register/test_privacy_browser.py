"""The privacy policy's page in a real browser (Debian's chromium through Playwright), on a
desktop and on a narrow phone screen. Screenshots go to tests/artifacts/."""

# The fixtures imported below are pytest's, received as arguments of the same name.
# ruff: noqa: F811
from __future__ import annotations

import pytest

from licite.processors.actions import do_save_processor
from licite.prospects.actions import do_save_source
from tests.campaigns.conftest import organisation  # noqa: F401
from tests.web.browser import browser, live_server, page, problems, screenshots  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
shoot = screenshots("privacy")


def test_a_person_reads_the_policy_switches_language_and_reaches_the_rights_page(
    live_server, page, organisation
):
    do_save_source(None, "LinkedIn", kind="social_network", url="https://www.linkedin.com/", method="manual",
                   extraction_allowed="no", visibility="public")  # fmt: skip
    do_save_processor(None, "Postmark", service="Sending of emails", country="US", transfer_mechanism="scc")
    page.set_extra_http_headers({"Accept-Language": "fr"})
    page.goto(f"{live_server.url}/privacy/")
    assert page.locator("h1").inner_text() == "Prospection commerciale : comment nous utilisons vos données"
    shoot(page, "fr")
    page.click("#language")
    assert page.locator("h1").inner_text() == "Commercial prospecting: how we use your data"
    assert page.locator("text=Social network: LinkedIn").count() == 1
    shoot(page, "en")
    page.click("text=Exercise your rights")
    assert page.locator("h1").inner_text() == "Your rights over your data"


def test_the_policy_fits_a_narrow_phone_screen(live_server, page, organisation):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{live_server.url}/privacy/?lang=fr")
    assert page.locator("h2").first.inner_text() == "Qui sommes-nous"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(page, "fr-375")
