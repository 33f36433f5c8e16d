"""A person makes a rights request in a real browser (Debian's chromium through Playwright), reads
the link from the message the real SMTP server on loopback received, and confirms (RULES G1).
Screenshots go to tests/artifacts/ for a person to look at."""

# The fixtures imported below are pytest's, received as arguments of the same name.
# ruff: noqa: F811
from __future__ import annotations

import re

import pytest

from licite.rights.models import RightsRequest
from tests.campaigns.conftest import organisation, smtp  # noqa: F401
from tests.campaigns.test_campaigns import run_worker
from tests.web.browser import screenshots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
shoot = screenshots("rights")
ADDRESS = "marie.curie@elsewhere.example"


def link_path(smtp, address: str) -> str:
    [message] = smtp.to(address)
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https://licite\.example(/rights/\S+)", text).group(1)


def test_a_person_asks_in_english_and_confirms_through_the_link(live_server, page, organisation, smtp):
    page.goto(f"{live_server.url}/rights/")
    assert page.locator("h1").inner_text() == "Vos droits sur vos données"
    shoot(page, "form-fr")
    page.click("#language")
    assert page.locator("h1").inner_text() == "Your rights over your data"
    page.fill("#id_email", ADDRESS)
    page.select_option("#id_kind", "access")
    shoot(page, "form-en")
    page.click("#send")
    page.wait_for_selector("text=Check your mailbox")
    shoot(page, "sent-en")
    run_worker()
    page.goto(live_server.url + link_path(smtp, ADDRESS))
    assert page.locator("h1").inner_text() == "Confirm your request"
    assert RightsRequest.objects.get().state == "awaiting_identity"
    shoot(page, "confirm-en")
    page.click("#confirm")
    page.wait_for_selector("text=Your request is confirmed")
    shoot(page, "confirmed-en")
    request = RightsRequest.objects.get()
    assert (request.state, request.language, request.kind) == ("received", "en", "access")


def test_the_page_fits_a_narrow_phone_screen_in_french(live_server, page, problems, organisation, smtp):
    problems.excuse(r"status of 400", at="/rights/")  # the form comes back with its error as a 400
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{live_server.url}/rights/")
    page.fill("#id_email", "pas-une-adresse")
    page.click("#send")
    assert page.locator("#email-error").inner_text() == "Saisissez une adresse e-mail valide."
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(page, "error-fr-375")
    page.fill("#id_email", ADDRESS)
    page.select_option("#id_kind", "objection")
    page.click("#send")
    page.wait_for_selector("text=Vérifiez votre boîte de réception")
    run_worker()
    page.goto(live_server.url + link_path(smtp, ADDRESS))
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(page, "confirm-fr-375")
    page.click("#confirm")
    page.wait_for_selector("text=Votre demande est confirmée")
    shoot(page, "confirmed-fr-375")
    assert RightsRequest.objects.get().state == "fulfilled"
