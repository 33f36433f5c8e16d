"""The DPO at work in a real browser (Debian's chromium through Playwright): logs in with the TOTP
code, opens the queue of rights requests, sees the overdue one in red, answers an access request
(the person receives the signed link through the real SMTP server on loopback), and looks at the
retention page, with no JavaScript error nor CSP violation on the way (RULES G1, G2, F1).
Screenshots go to tests/artifacts/ for a person to look at."""

# The fixtures imported below are pytest's, received as arguments of the same name.
# ruff: noqa: F811
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from licite.audit.models import AuditEvent
from licite.rights.actions import do_receive_request
from licite.rights.models import RightsRequest
from tests.campaigns.conftest import organisation, prospects, smtp  # noqa: F401
from tests.campaigns.test_campaigns import run_worker
from tests.conftest import browser_log_in
from tests.web.browser import screenshots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
shoot = screenshots("dpo-rights")
JEANNE = "jeanne.dupont@acme-industrie.example"
PAUL = "paul.martin@acme-industrie.example"
RED = "rgb(180, 35, 24)"  # --bad in licite.css


@pytest.fixture
def waiting(prospects):
    """An access request received 40 days ago by letter (overdue), and an erasure received today."""
    late = do_receive_request(
        None, JEANNE, "access", "letter", received_at=timezone.now() - timedelta(days=40)
    )
    fresh = do_receive_request(None, PAUL, "erasure", "email")
    return late, fresh


def test_the_dpo_sees_the_overdue_request_in_red_and_answers_it(live_server, page, dpo, waiting, smtp):
    late, fresh = waiting
    browser_log_in(page, live_server.url, dpo)
    page.click("[data-nav=rights_queue]")
    page.wait_for_selector("#queue")
    overdue_row = page.locator(f"#request-{late.pk}")
    assert "overdue" in overdue_row.get_attribute("class")
    assert overdue_row.locator("td").first.evaluate("cell => getComputedStyle(cell).color") == RED
    assert "jours de retard" in overdue_row.inner_text()
    assert page.locator(f"#request-{fresh.pk}").get_attribute("class") == ""
    shoot(page, "queue-fr")
    page.click(f"#request-{late.pk} a >> nth=0")
    page.wait_for_selector("#fulfil-form")
    assert page.locator("#address").inner_text() == JEANNE
    assert page.locator("#due").evaluate("cell => getComputedStyle(cell).color") == RED
    shoot(page, "request-fr")
    with page.expect_download() as download:
        page.click("#export-json")  # a POST form: a prefetcher's GET exports nothing
    assert JEANNE in Path(download.value.path()).read_text(encoding="utf-8")
    assert AuditEvent.objects.filter(action="rights.access_exported").count() == 1
    page.click("#fulfil")
    page.wait_for_selector(".messages")
    assert page.locator("#state").inner_text() == "Satisfaite"
    assert RightsRequest.objects.get(pk=late.pk).state == "fulfilled"
    shoot(page, "answered-fr")
    run_worker()
    [message] = smtp.to(JEANNE)
    assert re.search(
        r"https://licite\.example/access/\S+", message.get_body(preferencelist=("plain",)).get_content()
    )
    page.reload()
    assert page.locator("#answers tbody tr").count() == 1


def test_the_dpo_reads_the_retention_page_on_a_phone(live_server, page, dpo, waiting):
    browser_log_in(page, live_server.url, dpo)
    page.click("[data-nav=purge]")
    page.wait_for_selector("#dry-run")
    shoot(page, "retention-fr")
    page.goto(f"{live_server.url}/requests/")
    page.click("#new-request")
    page.fill("#id_email", "pas-une-adresse")
    page.select_option("#id_channel", "phone")
    page.click("#record")
    assert page.locator("#email-error").inner_text().endswith("Saisissez une adresse e-mail valide.")
    shoot(page, "new-error-fr")
    page.fill("#id_email", "marie.curie@elsewhere.example")
    page.click("#record")
    page.wait_for_selector(".messages")
    assert page.locator("#address").inner_text() == "marie.curie@elsewhere.example"
    shoot(page, "new-recorded-fr")
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{live_server.url}/requests/")
    shoot(page, "queue-fr-375")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.goto(f"{live_server.url}/requests/{waiting[0].pk}/")
    shoot(page, "request-fr-375")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.goto(f"{live_server.url}/retention/")
    shoot(page, "retention-fr-375")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
