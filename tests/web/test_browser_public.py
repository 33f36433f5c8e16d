"""The pages of the people in the database, walked in a real browser (Debian's chromium through
Playwright) on a 375 px phone, in French and in English: each is in the person's language and none
scrolls sideways (issue 22: plain, accessible, usable on a phone). Screenshots go to tests/artifacts/."""

# The fixtures imported below are pytest's, received as arguments of the same name.
# ruff: noqa: F811
from __future__ import annotations

import hashlib

import pytest
from django.utils import timezone

from licite.campaigns.models import OutboundMessage
from tests.campaigns.conftest import organisation, prospects, smtp  # noqa: F401
from tests.campaigns.test_campaigns import EMILY, JEANNE
from tests.rights.test_access import access_path, fulfil_access
from tests.web.browser import screenshots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
shoot = screenshots("public")
PHONE = {"width": 375, "height": 740}
# Whose data page is read in which language: Jeanne's prospect record is French, Emily's English.
ADDRESS_IN = {"fr": JEANNE, "en": EMILY}


def message_in(language: str, kind: str) -> OutboundMessage:
    """A message of `kind` sent in `language`: its link opens the public page in that language."""
    return OutboundMessage.objects.create(
        kind=kind, key_hash=hashlib.sha256(f"{kind}-{language}".encode()).hexdigest(),
        to_address=f"{kind}.{language}@acme.example", language=language, subject="s",
        token=f"public-{kind}-{language}".replace("_", "-"), queued_at=timezone.now(),
    )  # fmt: skip


def public_paths(language: str) -> dict[str, str]:
    """The pages a person reaches from a message or from the website, by name."""
    return {
        "unsubscribe": f"/u/{message_in(language, 'campaign').token}",
        "consent": f"/consent/{message_in(language, 'consent_request').token}",
        "stay": f"/stay/{message_in(language, 'last_chance').token}",
        "rights": f"/rights/?lang={language}",
        "privacy": f"/privacy/?lang={language}",
    }


def fits_the_phone(page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"])


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_public_page_fits_a_phone_in_the_persons_language(live_server, page, prospects, smtp, language):
    fulfil_access(ADDRESS_IN[language])  # RULES G2: the answer to an access request is a page too
    paths = {**public_paths(language), "access": access_path(smtp, ADDRESS_IN[language])}
    page.set_viewport_size(PHONE)
    too_wide = []
    for name, path in paths.items():
        response = page.goto(live_server.url + path)
        assert response.status == 200, name
        assert page.locator("html").get_attribute("lang") == language, name
        shoot(page, f"{name}-{language}-375")
        if not fits_the_phone(page):
            too_wide.append(name)
    assert too_wide == []
