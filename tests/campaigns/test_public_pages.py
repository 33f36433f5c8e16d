"""The public pages a person reaches from a message: a HEAD answers like the GET, and a link
opened again after the objection says it is recorded instead of asking again (RULES E2, G3)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from licite.campaigns.actions import do_queue_campaign, do_request_consent
from licite.campaigns.models import ContactEvent, OutboundMessage
from licite.prospects.models import Prospect
from licite.rights.models import SuppressionEntry
from tests.campaigns.test_campaigns import EMILY, JEANNE, LEA, purchasing_campaign

pytestmark = pytest.mark.django_db

OBJECTED_AT = datetime(2026, 12, 3, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))


@pytest.fixture
def tokens(prospects):
    """The link token of a campaign message to Jeanne (French), Emily (English) and of a consent
    request to Léa."""
    do_queue_campaign(None, purchasing_campaign())
    do_request_consent(None, Prospect.objects.get(email=LEA))
    return {
        address: OutboundMessage.objects.get(to_address=address).token for address in (JEANNE, EMILY, LEA)
    }


@pytest.mark.parametrize("prefix", ["u", "consent"])
def test_a_head_on_a_public_page_answers_200_like_the_get(client, tokens, prefix):
    url = f"/{prefix}/{tokens[LEA]}"
    assert client.get(url).status_code == 200
    assert client.head(url).status_code == 200


def test_a_head_on_an_unknown_link_answers_404_like_the_get(client, tokens):
    assert client.head("/u/not-a-real-token").status_code == 404


def test_a_head_on_the_unsubscribe_link_changes_nothing(client, tokens):
    client.head(f"/u/{tokens[JEANNE]}")
    assert Prospect.objects.filter(email=JEANNE).exists()


def test_a_head_on_the_offer_link_redirects_like_the_get_and_records_no_click(client, tokens):
    response = client.head(f"/r/{tokens[JEANNE]}")
    assert response.status_code == 302
    assert response["Location"] == "https://acme-conseil.example/audit"
    assert not ContactEvent.objects.filter(kind="click").exists(), "a link checker is not the person"


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        (JEANNE, "Votre opposition a été enregistrée le 3 décembre 2026"),
        (EMILY, "Your objection was recorded on Dec. 3, 2026"),
    ],
)
def test_the_unsubscribe_link_opened_after_the_objection_says_it_is_recorded(
    client, tokens, address, expected
):
    url = f"/u/{tokens[address]}"
    with time_machine.travel(OBJECTED_AT):
        client.post(url, {"List-Unsubscribe": "One-Click"})
    page = client.get(url).content.decode()
    assert expected in page
    assert "<form" not in page, "it does not ask again"


def test_the_consent_link_opened_after_the_objection_says_it_is_recorded(client, tokens):
    client.post(f"/u/{tokens[LEA]}")
    page = client.get(f"/consent/{tokens[LEA]}").content.decode()
    assert "Votre opposition a été enregistrée" in page
    assert "<form" not in page


@pytest.mark.parametrize("prefix", ["u", "consent"])
def test_a_public_page_in_the_message_s_language_offers_the_other_one(client, tokens, prefix):
    url = f"/{prefix}/{tokens[LEA]}"
    french = client.get(url).content.decode()
    assert '<html lang="fr">' in french
    assert '<a href="?lang=en" hreflang="en" lang="en" id="language">English</a>' in french
    english = client.get(url, {"lang": "en"}).content.decode()
    assert '<html lang="en">' in english
    assert '<a href="?lang=fr" hreflang="fr" lang="fr" id="language">Français</a>' in english
    assert client.get(url, {"lang": "de"}).content.decode().startswith(french[:200]), (
        "an unknown one: the message's"
    )


def test_the_objection_posted_from_the_switched_page_is_answered_in_the_chosen_language(client, tokens):
    # The page's form has no action: it posts to the page's own address, `?lang=` included.
    response = client.post(f"/u/{tokens[JEANNE]}?lang=en", {"confirm": "1"})
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()
    message = OutboundMessage.objects.get(token=tokens[JEANNE])
    assert SuppressionEntry.objects.filter(key_hash=message.key_hash).exists(), "the objection is recorded"


def test_each_public_page_has_one_language_switch(client, tokens):
    for url in (f"/u/{tokens[LEA]}", f"/consent/{tokens[LEA]}", reverse("rights_public")):
        assert client.get(url).content.decode().count('id="language"') == 1, url
