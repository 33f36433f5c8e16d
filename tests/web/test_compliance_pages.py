"""The compliance check's page: the 23 checks grouped under the practices as `licite compliance`
prints them, each with its status, count, rule and the page that fixes it (the dashboard's
links come from the same table), and the suppression key's backup acknowledged (RULES H1, F4, F5)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from licite.audit.models import AuditEvent
from licite.compliance.actions import current_fingerprint
from licite.compliance.checks import PRACTICE_TITLES, REGISTRY
from licite.compliance.models import KeyAcknowledgement
from licite.prospects.models import Prospect
from licite.web import dashboard

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}


@pytest.fixture(autouse=True)
def empty_cache():
    """The dashboard's cached compliance result of one test must not serve the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def overdue(db):
    """A demo whose two prospects' notices are a month late (RULES D2): a failure to fix."""
    call_command("demo", count=30, seed=7)
    Prospect.objects.filter(pk__in=Prospect.objects.values("pk")[:2]).update(
        notice_sent_at=None, notice_due_at=timezone.now() - timedelta(days=30)
    )


def check_page(client, **headers):
    response = client.get(reverse("compliance"), headers=headers or EN)
    assert response.status_code == 200
    return response.content.decode()


def item(html: str, code: str) -> str:
    found = re.search(rf'<li class="check \w+" data-code="{code}">.*?</li>', html, re.S)
    assert found, code
    return found[0]


@pytest.mark.parametrize("role", ["sales", "marketing", "communication", "other"])
def test_roles_that_do_not_edit_the_register_are_refused_the_check(client, django_user_model, role):
    client.force_login(django_user_model.objects.create_user(f"u-{role}", role=role))
    assert client.get(reverse("compliance")).status_code == 403
    assert client.post(reverse("key_acknowledge"), {"fingerprint": current_fingerprint()}).status_code == 403
    assert not KeyAcknowledgement.objects.exists()


def test_the_page_shows_every_check_under_its_practice_in_the_command_s_order(as_dpo):
    html = check_page(as_dpo)
    codes = re.findall(r'data-code="(\w+)"', html)
    assert len(codes) == len(REGISTRY) == 23
    headings = re.findall(r'<h2 id="practice-\d+">(.*?)</h2>', html)
    assert headings == [str(title) for title in PRACTICE_TITLES.values()]
    order = [practice for practice in PRACTICE_TITLES]
    practice_of = {check.code: check.practice for check in REGISTRY}
    assert [order.index(practice_of[code]) for code in codes] == sorted(
        order.index(practice_of[c]) for c in codes
    )
    assert "RULES H1b" in item(html, "breach_not_notified")


def test_each_view_of_the_check_is_an_audit_entry(as_dpo, dpo):
    check_page(as_dpo)
    entry = AuditEvent.objects.get(action="compliance.checked")
    assert entry.actor == dpo
    assert entry.via == "web"


def test_a_failure_shows_its_count_what_to_do_and_the_filtered_page_that_fixes_it(as_dpo, overdue):
    found = item(check_page(as_dpo), "notices_overdue")
    assert '<strong class="status">Failure</strong>' in found
    assert "2 found" in found
    assert "licite notice due" in found
    assert 'href="/prospects/?notice=overdue"' in found


def test_a_check_whose_page_does_not_exist_yet_keeps_the_command_that_fixes_it(as_dpo, monkeypatch):
    monkeypatch.setitem(dashboard.FIXED_ON, "suppression_key_not_backed_up", dashboard.Fix(("no_such_page",)))
    found = item(check_page(as_dpo), "suppression_key_not_backed_up")
    assert "licite key acknowledge FINGERPRINT" in found
    assert 'class="fix"' not in found


def test_a_passing_check_shows_no_link_and_nothing_to_do(as_dpo):
    found = item(check_page(as_dpo), "breach_not_notified")
    assert '<strong class="status">OK</strong>' in found
    assert 'class="fix"' not in found
    assert "licite breach" not in found


def test_the_page_speaks_french(as_dpo):
    html = check_page(as_dpo, **{"accept-language": "fr"})
    assert "<h1>Contrôle de conformité</h1>" in html
    assert "Sauvegarde de la clé de la liste repoussoir" in html


def test_the_dashboard_links_each_failure_through_the_same_table(client, dpo, overdue, settings):
    client.force_login(dpo)
    html = client.get(reverse("home"), headers=EN).content.decode()
    assert 'href="/prospects/?notice=overdue"' in html
    assert f'href="{reverse("compliance")}#key-backup"' in html
    assert dashboard.fix_url("breach_not_notified") == reverse("breach_list")


# --- the key's backup (RULES F4) ------------------------------------------------------------------


def test_the_key_s_fingerprint_is_shown_and_a_wrong_one_is_refused_beside_the_field(as_dpo):
    html = check_page(as_dpo)
    assert f'<code id="fingerprint">{current_fingerprint()}</code>' in html
    response = as_dpo.post(reverse("key_acknowledge"), {"fingerprint": "0000-0000-0000-0000"}, headers=EN)
    assert 'id="fingerprint-error">Fingerprint of the key you backed up: This is not the fingerprint' in (
        response.content.decode()
    )
    assert not KeyAcknowledgement.objects.exists()


def test_typing_the_fingerprint_acknowledges_the_backup_and_ends_the_warning(as_dpo, dpo):
    typed = current_fingerprint().replace("-", "").upper()
    response = as_dpo.post(reverse("key_acknowledge"), {"fingerprint": typed})
    assert response.status_code == 302
    acknowledged = KeyAcknowledgement.objects.get()
    assert acknowledged.acknowledged_by == dpo
    assert AuditEvent.objects.filter(action="suppression_key.acknowledged").count() == 1
    html = check_page(as_dpo)
    assert '<strong class="status">OK</strong>' in item(html, "suppression_key_not_backed_up")
    assert 'id="key-acknowledged">Backup acknowledged by dora' in html
