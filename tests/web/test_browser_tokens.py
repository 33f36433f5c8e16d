"""API tokens in a real browser (Debian's chromium through Playwright, issue 23, RULES F5): a
salesperson creates a token, reads its secret once, calls the API with it over real HTTP, and
revokes it after confirming; an administrator finds a colleague's token and revokes it. No
JavaScript error nor CSP violation on the way; screenshots go to tests/artifacts/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from licite.api.actions import do_create_token, do_revoke_token
from licite.api.models import ApiToken
from tests.conftest import browser_log_in
from tests.web.browser import screenshots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
shoot = screenshots("tokens")


def me_status(page, base_url: str, secret: str) -> int:
    """A real HTTP call to the API with the token, from outside the page (as a program would)."""
    return page.request.get(base_url + "/api/me", headers={"Authorization": f"Bearer {secret}"}).status


def test_a_salesperson_creates_a_token_reads_it_once_uses_it_and_revokes_it(live_server, page, salesperson):
    browser_log_in(page, live_server.url, salesperson)
    page.click("a[data-nav=api_tokens]")
    page.wait_for_selector("#no-tokens")
    assert "Envoyer des campagnes" in page.locator("#may-do").inner_text()
    shoot(page, "empty-fr")
    page.fill("#id_name", "Synchro CRM")
    page.fill("#id_expires", "2020-01-01")
    page.click("#create-token")
    refusal = page.locator("#expires-error").inner_text()
    assert refusal == "Expire le: La date d'expiration ne peut pas être passée."
    shoot(page, "error-fr")
    last_day = timezone.localdate() + timedelta(days=30)
    page.fill("#id_expires", last_day.isoformat())
    page.click("#create-token")
    page.wait_for_selector("#secret")
    secret = page.locator("#secret").inner_text()
    assert secret.startswith("licite_")
    shoot(page, "created-fr")
    assert me_status(page, live_server.url, secret) == 200

    page.click("#back-to-tokens")
    page.wait_for_selector("#tokens")
    token = ApiToken.objects.get()
    row = page.locator(f"#token-{token.pk}").inner_text()
    assert "Synchro CRM" in row
    assert last_day.isoformat() in row
    assert "Actif" in row
    assert secret not in page.content()
    shoot(page, "list-fr")
    page.set_viewport_size({"width": 375, "height": 740})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(page, "list-fr-375")
    page.set_viewport_size({"width": 1280, "height": 800})

    page.click(f"#token-revoke-{token.pk}")
    page.wait_for_selector("#confirm-revoke")
    shoot(page, "confirm-fr")
    page.click("#confirm-revoke")
    page.wait_for_selector(".messages")
    assert "Le jeton « Synchro CRM » est révoqué" in page.locator(".messages").inner_text()
    assert "Révoqué" in page.locator(f"#token-{token.pk}").inner_text()
    shoot(page, "revoked-fr")
    assert me_status(page, live_server.url, secret) == 401


def test_an_administrator_revokes_a_colleagues_token(live_server, page, owner, salesperson):
    token, secret = do_create_token(salesperson, salesperson, "Formulaire du site")
    browser_log_in(page, live_server.url, owner)
    page.goto(live_server.url + "/tokens/")
    page.wait_for_selector("#every-token")
    assert "bob" in page.locator(f"#any-token-{token.pk}").inner_text()
    shoot(page, "admin-fr")
    page.click(f"#any-token-revoke-{token.pk}")
    assert page.locator("#token-user").inner_text() == "bob"
    page.click("#confirm-revoke")
    page.wait_for_selector(".messages")
    assert "Révoqué" in page.locator(f"#any-token-{token.pk}").inner_text()
    assert me_status(page, live_server.url, secret) == 401


def test_the_api_docs_render_from_the_apps_own_files_without_breaking_the_policy(live_server, page):
    """DESIGN: scripts served by the app itself, no CDN; the Content-Security-Policy holds."""
    outside: list[str] = []
    page.on(
        "request",
        lambda request: None if request.url.startswith(live_server.url) else outside.append(request.url),
    )
    page.goto(live_server.url + "/api/docs")
    page.get_by_text("/api/prospects", exact=True).first.wait_for()
    shoot(page, "api-docs")
    assert outside == []


def lines_of(locator) -> int:
    """How many lines the text of an element is laid out on."""
    return int(
        locator.evaluate(
            "e => { const r = document.createRange(); r.selectNodeContents(e);"
            " return new Set([...r.getClientRects()].map(box => Math.round(box.top))).size; }"
        )
    )


def test_an_administrator_reads_the_tokens_pages_in_english_on_a_wide_screen_and_a_phone(
    live_server, page, owner, salesperson
):
    colleague, _ = do_create_token(
        salesperson, salesperson, "CRM sync (Salesforce production, EU instance)",
        expires_at=timezone.now() + timedelta(days=60),
    )  # fmt: skip
    do_revoke_token(owner, colleague)
    browser_log_in(page, live_server.url, owner)
    with page.expect_navigation():
        page.click("button[name=language][value=en]")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + "/tokens/")
    page.fill("#id_name", "Website form")
    page.fill("#id_expires", (timezone.localdate() + timedelta(days=30)).isoformat())
    page.click("#create-token")
    page.wait_for_selector("#secret")
    shoot(page, "created-en")
    page.set_viewport_size({"width": 375, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(page, "created-en-375")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.click("#back-to-tokens")
    page.wait_for_selector("#tokens")
    mine = ApiToken.objects.get(name="Website form")
    expiry = page.locator(f"#any-token-{colleague.pk} td.expires")
    assert lines_of(expiry) == 1  # beside a long name, a date still never breaks at its hyphens
    revoked = page.locator(f"#any-token-{colleague.pk} td.token-state").inner_text()
    assert revoked == f"Revoked on {timezone.localdate().isoformat()}"
    shoot(page, "admin-en")
    page.set_viewport_size({"width": 375, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.locator(f"#any-token-revoke-{colleague.pk}").count() == 0
    shoot(page, "admin-en-375")
    page.click(f"#token-revoke-{mine.pk}")
    assert "Expires" in page.locator("dl.facts").inner_text()  # the date the phone's list leaves out
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(page, "confirm-en-375")
    page.click("#confirm-revoke")
    page.wait_for_selector(".messages")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(page, "revoked-en-375")
