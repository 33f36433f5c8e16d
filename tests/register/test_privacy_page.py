"""The public page /privacy/ (RULES D5): no login, in the language chosen on the page, else the
browser's (RULES D4), with the same look as /rights/."""

# The fixtures imported below are pytest's, received as arguments of the same name.
# ruff: noqa: F811
from __future__ import annotations

import pytest

from licite.prospects.actions import do_save_source
from tests.campaigns.conftest import organisation  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_page_speaks_the_browser_s_language_without_login(client, organisation, source):
    response = client.get("/privacy/", HTTP_ACCEPT_LANGUAGE="fr")
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr">' in page
    assert "<h1>Prospection commerciale : comment nous utilisons vos données</h1>" in page
    assert "<h2>Vos droits</h2>" in page
    assert 'href="?lang=en"' in page
    assert 'href="/rights/?lang=fr"' in page
    assert 'href="/static/licite/licite.css"' in page


def test_the_language_chosen_on_the_page_wins_over_the_browser_s(client, organisation, source):
    do_save_source(None, "LinkedIn", kind="social_network", url="https://www.linkedin.com/", method="manual",
                   extraction_allowed="no", visibility="public")  # fmt: skip
    page = client.get("/privacy/?lang=en", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="en">' in page
    assert "<h1>Commercial prospecting: how we use your data</h1>" in page
    assert "<li>Social network: LinkedIn</li>" in page
    assert "<dt><strong>Legal basis</strong></dt>" in page
    assert "Vos droits" not in page
    assert 'href="?lang=fr"' in page


def test_an_english_browser_reads_it_in_english(client, organisation):
    page = client.get("/privacy/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert "<h2>Your rights</h2>" in page


def test_without_the_organisation_profile_the_page_is_not_found(client, db):
    response = client.get("/privacy/?lang=en")
    assert response.status_code == 404
    assert "This page is not available yet." in response.content.decode()


def test_the_page_changes_nothing_and_refuses_a_post(client, organisation):
    assert client.post("/privacy/").status_code == 405
