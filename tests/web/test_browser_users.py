"""An administrator invites a colleague in a real browser (Debian's chromium through Playwright); the
colleague chooses a password from the link in the mail received by the loopback SMTP server, logs
in and finds only what their role allows (RULES F5). The audit trail shows the invitation and
verifies its chain on demand (RULES H). No JavaScript error nor CSP violation on the way;
screenshots go to tests/artifacts/ for a person to look at."""

# The fixtures imported below are pytest's, received as arguments of the same name.
# ruff: noqa: F811
from __future__ import annotations

import re

import pytest

from licite.accounts.models import User
from licite.audit.models import AuditEvent
from tests.audit.conftest import sql
from tests.campaigns.conftest import organisation, smtp  # noqa: F401
from tests.conftest import browser_log_in
from tests.web.browser import screenshots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
shoot = screenshots("users")
NEW_PASSWORD = "a long and fresh passphrase 42"


@pytest.fixture
def head_file(settings, tmp_path):
    settings.AUDIT_HEAD_FILE = tmp_path / "audit_head"


def test_an_admin_invites_a_colleague_who_sets_a_password_and_sees_only_their_role(
    live_server, page, problems, owner, smtp, organisation, settings, head_file
):
    settings.LICITE_BASE_URL = live_server.url
    browser_log_in(page, live_server.url, owner)
    page.click("a[data-nav=user_list]")
    page.wait_for_selector("#users")
    shoot(page, "list-fr")
    page.click("#invite-link")
    page.fill("#id_username", "alice")  # taken: the page says so on the field
    page.fill("#id_email", "hr@acme.example")
    page.click("#invite")
    assert "Un utilisateur porte déjà ce nom." in page.locator("#username-error").inner_text()
    shoot(page, "invite-error-fr")
    page.fill("#id_username", "henri")
    page.select_option("#id_role", "other")
    page.click("#invite")
    page.wait_for_selector(".messages")
    assert page.locator("#role").inner_text() == "Autre (aucun accès aux prospects)"
    shoot(page, "detail-fr")

    [mail] = smtp.to("hr@acme.example")
    found = re.search(r"http://\S+/welcome/\S+/", mail.get_content())
    assert found is not None
    link = found.group(0)
    page.click("form[action='/logout/'] button")
    page.goto(link)
    shoot(page, "choose-password-fr")
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    page.click("#set-password")
    page.wait_for_url(live_server.url + "/login/")
    page.fill("#id_username", "henri")
    page.fill("#id_password", NEW_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(live_server.url + "/")
    nav = page.locator("nav.main-nav").inner_text()
    assert "Prospects" not in nav
    assert "Utilisateurs" not in nav
    assert "Audit" not in nav
    shoot(page, "henri-home-fr")
    for path in ("/prospects/", "/users/", "/audit/"):
        problems.excuse(r"status of 403", at=path)  # chromium logs the refusal: expected here
        assert page.goto(live_server.url + path).status == 403
    shoot(page, "henri-refused-fr")
    assert User.objects.get(username="henri").has_usable_password()


def test_the_audit_trail_shows_the_changes_and_verifies_the_chain(
    live_server, page, owner, salesperson, head_file
):
    browser_log_in(page, live_server.url, owner)
    page.goto(f"{live_server.url}/users/{salesperson.pk}/")
    page.select_option("#id_role", "marketing")
    page.click("#set-role")
    page.wait_for_selector(".messages")
    page.click("#user-audit")
    page.wait_for_selector("#events")
    assert "user.role_changed" in page.locator("#events").inner_text()
    page.click("#verify")
    page.wait_for_selector("#chain-state")
    assert page.locator("#chain-state").inner_text() == "Chaîne intacte"
    shoot(page, "audit-trail-fr")
    event = AuditEvent.objects.get(action="user.role_changed")
    page.goto(f"{live_server.url}/audit/{event.pk}/")
    assert page.locator("#actor").inner_text() == "alice"
    shoot(page, "audit-event-fr")
    sql("UPDATE audit_auditevent SET actor_label = 'mallory' WHERE id = %s", [event.pk])
    page.goto(f"{live_server.url}/audit/")
    page.click("#verify")
    page.wait_for_selector("#chain-problem")
    assert page.locator("#chain-state").inner_text() == "Chaîne rompue"
    assert f"entry #{event.sequence}" in page.locator("#chain-problem").inner_text()
    shoot(page, "audit-trail-broken-fr")
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{live_server.url}/audit/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(page, "audit-trail-fr-375")
    page.goto(f"{live_server.url}/users/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(page, "list-fr-375")
