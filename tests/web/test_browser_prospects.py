"""A salesperson finds a prospect in a real browser (Debian's chromium through Playwright): searches
the list, opens the prospect, sees its source (RULES B3), previews its notice in English (RULES
D1, D4) and records a reply (RULES F1), with no JavaScript error nor CSP violation on the way.
Screenshots go to tests/artifacts/ for a person to look at."""

# The fixtures imported below are pytest's, received as arguments of the same name.
# ruff: noqa: F811
from __future__ import annotations

import pytest

from licite.campaigns.models import ContactEvent
from licite.prospects.models import Prospect
from licite.rights.models import SuppressionEntry
from tests.campaigns.conftest import organisation, prospects  # noqa: F401
from tests.web.browser import logged_in, screenshots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
shoot = screenshots("prospects")


def test_a_salesperson_finds_a_prospect_sees_its_source_and_previews_its_notice(
    live_server, page, salesperson, prospects
):
    logged_in(page, live_server, salesperson)
    page.goto(f"{live_server.url}/prospects/")
    assert page.locator("h1").inner_text() == "Prospects"
    assert page.locator("table.prospects tbody tr").count() == 4
    shoot(page, "list-fr")
    page.fill("#id_q", "jeanne.dupont@acme-industrie.example")
    page.click("#search")
    page.wait_for_selector("table.prospects tbody tr >> nth=0")
    assert page.locator("table.prospects tbody tr").count() == 1
    page.click("text=jeanne.dupont@acme-industrie.example")
    page.wait_for_selector("#provenance")
    assert "Salon Industrie Lyon 2026" in page.locator("#provenance").inner_text()
    shoot(page, "detail-fr")
    page.select_option("#id_kind", "reply")
    page.click("#record-contact")
    page.wait_for_selector(".messages")
    assert ContactEvent.objects.filter(kind="reply").count() == 1
    page.click("#preview-notice")
    page.click("#notice-en")
    page.wait_for_selector("#notice[lang=en]")
    assert "Salon Industrie Lyon 2026" in page.locator("#notice").inner_text()
    shoot(page, "notice-en")


def test_the_list_and_a_detail_fit_a_narrow_phone_screen(live_server, page, salesperson, prospects):
    logged_in(page, live_server, salesperson)
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{live_server.url}/prospects/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(page, "list-fr-375")
    # A long address as the heading, the facts and the history tables stay within the screen.
    page.goto(f"{live_server.url}/prospects/{Prospect.objects.order_by('pk').first().pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(page, "detail-fr-375")


def test_an_administrator_restricts_then_erases_after_confirming(live_server, page, owner, prospects):
    logged_in(page, live_server, owner)
    jeanne = Prospect.objects.get(email="jeanne.dupont@acme-industrie.example")
    page.goto(f"{live_server.url}/prospects/{jeanne.pk}/")
    page.select_option("#id_channel", "phone")
    page.click("#restrict")
    page.wait_for_selector(".messages")
    assert page.locator("#status").inner_text() == "Traitement limité"
    page.click("#erase-link")
    page.wait_for_selector("#erase")
    shoot(page, "erase-fr")
    page.click("#erase")  # not confirmed: the browser holds the form back, nothing is erased
    assert page.evaluate("document.querySelector('#id_confirm').validity.valueMissing")
    assert Prospect.objects.filter(pk=jeanne.pk).exists()
    page.check("#id_confirm")
    page.click("#erase")
    page.wait_for_url(f"{live_server.url}/prospects/")
    assert not Prospect.objects.filter(pk=jeanne.pk).exists()
    assert SuppressionEntry.objects.filter(key_hash=jeanne.key_hash).exists()
    shoot(page, "erased-fr")


# The lines a cell's text takes (the distinct tops of its text's boxes): a single word split
# inside ("Événem|ent") takes two.
LINES_OF_CELL = """cell => {
  const tops = new Set(), walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const box of range.getClientRects()) if (box.width > 0) tops.add(Math.round(box.top));
  }
  return tops.size;
}"""


@pytest.mark.parametrize("path", ["/sources/", "/imports/"])
def test_the_sources_and_imports_lists_fit_a_phone_without_splitting_a_word(
    live_server, page, salesperson, prospects, path
):
    logged_in(page, live_server, salesperson)
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{live_server.url}{path}")
    table = page.locator("table.report")
    assert table.locator("tbody tr").count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    box = table.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= 375, "the table fits the screen, no column cut off"
    for cell in table.locator("tbody td").all():
        if cell.is_visible() and " " not in cell.inner_text().strip():
            assert cell.evaluate(LINES_OF_CELL) == 1, f"{cell.inner_text()!r} is split inside a word"
    shoot(page, f"{path.strip('/')}-fr-375")
