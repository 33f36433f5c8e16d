"""A salesperson runs a campaign in a real browser (Debian's chromium through Playwright): creates
it (a form error first), reads its preview and the message one recipient would receive, sends it
after confirming, and follows it once the worker has delivered it to the loopback SMTP server, with
no JavaScript error nor CSP violation on the way. Screenshots go to tests/artifacts/."""

# The fixtures imported below are pytest's, received as arguments of the same name.
# ruff: noqa: F811
from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from licite.campaigns.models import Campaign, OutboundMessage
from tests.campaigns.conftest import organisation, prospects, smtp  # noqa: F401
from tests.web.browser import logged_in, screenshots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
shoot = screenshots("campaigns")
JEANNE, EMILY = "jeanne.dupont@acme-industrie.example", "emily.brown@northfield.example"


def fill_campaign(page) -> None:
    page.fill("#id_name", "Audit achats 2026")
    page.fill("#id_purpose", "Prospecter les responsables achats")
    page.fill("#id_offer", "Un audit de vos achats")
    page.fill("#id_functions", "achats, procurement")
    page.fill("#id_subject_fr", "Votre audit achats")
    page.fill("#id_body_fr", "Nous auditons vos achats en deux semaines.\nRépondez pour en parler.")
    page.fill("#id_subject_en", "Your purchasing audit")
    page.fill("#id_body_en", "We audit your purchasing in two weeks.\nReply to talk about it.")
    page.fill("#id_link_url", "https://acme-conseil.example/audit")


def test_a_salesperson_creates_previews_sends_and_follows_a_campaign(
    live_server, page, salesperson, prospects, smtp
):
    logged_in(page, live_server, salesperson)
    page.goto(f"{live_server.url}/campaigns/")
    assert page.locator("#no-campaign").count() == 1
    page.click("#new-campaign")
    fill_campaign(page)
    page.fill("#id_subject_fr", "")
    page.click("#create")
    page.wait_for_selector("#subject_fr-error")
    assert "Objet (français)" in page.locator("#subject_fr-error").inner_text()
    assert not Campaign.objects.exists()
    shoot(page, "create-error-fr")
    page.fill("#id_subject_fr", "Votre audit achats")
    page.click("#create")
    page.wait_for_selector("#preview")
    assert page.locator("#eligible-count").inner_text() == "2"
    assert "Comptable" in page.locator("#preview").inner_text()  # left out: the NESTOR lesson
    assert "Nous auditons vos achats" in page.locator("#sample-text").inner_text()
    page.click("#sample-html summary")
    shoot(page, "preview-fr")
    page.click("#send-link")
    page.wait_for_selector("#confirm-send")
    shoot(page, "send-fr")
    page.click("#confirm-send")
    page.wait_for_selector("#follow")
    assert page.locator("#count-pending").inner_text() == "2"
    call_command("worker", batch=True, stdout=io.StringIO(), stderr=io.StringIO())
    assert sorted(m["To"] for m in smtp.messages) == [EMILY, JEANNE]
    page.reload()
    assert page.locator("#count-sent").inner_text() == "2"
    assert page.locator("#count-pending").inner_text() == "0"
    assert page.locator("#sent-on").count() == 1
    shoot(page, "follow-fr")
    page.goto(f"{live_server.url}/campaigns/")
    assert "Audit achats 2026" in page.locator("#campaigns").inner_text()
    shoot(page, "list-fr")
    assert OutboundMessage.objects.filter(status="sent").count() == 2


def test_the_campaign_pages_fit_a_narrow_phone_screen(live_server, page, salesperson, prospects):
    from tests.web.test_campaign_pages import purchasing_campaign

    campaign = purchasing_campaign()
    logged_in(page, live_server, salesperson)
    page.set_viewport_size({"width": 375, "height": 740})
    pages = ((f"/campaigns/{campaign.pk}/", "preview-fr-375"), ("/campaigns/new/", "create-fr-375"))
    for path, name in pages:
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
        shoot(page, name)
