"""The audit trail viewer: the entries newest first, filtered and paged by key without counting the
table, one entry's detail with its actor's username, the chain verified on demand (green when
intact, red naming the entry when tampered with) and the export of `licite audit export` (RULES H,
F5)."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from licite.audit.actions import record
from licite.audit.models import AuditEvent
from tests.audit.conftest import sql

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}
PASSWORD = "correct horse battery"


@pytest.fixture
def trail(owner):
    """Entries as actions write them: 120 imports by alice, then a source declared by the system."""
    for number in range(120):
        record(owner, "import.done", owner, rows=number)
    return record(None, "source.declared", None, source=7)


def trail_page(client, **params):
    return client.get(reverse("audit_trail"), params, headers=EN)


def sequences(response) -> list[int]:
    return [event.sequence for event in response.context["page"].items]


# --- access (RULES F5) -----------------------------------------------------------------------------


def test_the_trail_asks_to_log_in(client):
    assert client.get(reverse("audit_trail"))["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["sales", "marketing", "communication", "other"])
def test_roles_without_the_audit_permission_are_refused_everywhere(client, django_user_model, trail, role):
    client.force_login(django_user_model.objects.create_user(f"user-{role}", role=role))
    assert trail_page(client).status_code == 403
    assert client.get(reverse("audit_event", args=[trail.pk])).status_code == 403
    assert client.post(reverse("audit_verify")).status_code == 403
    assert client.post(reverse("audit_export")).status_code == 403
    assert not AuditEvent.objects.filter(action__in=["audit.verified", "audit.exported"]).exists()


def test_the_dpo_reads_the_trail(client, dpo, trail):
    client.force_login(dpo)
    assert trail_page(client).status_code == 200


# --- the list --------------------------------------------------------------------------------------


def test_the_trail_shows_the_newest_entries_first_50_a_page_without_counting_the_table(client, owner, trail):
    client.force_login(owner)
    with CaptureQueriesContext(connection) as queries:
        first = trail_page(client)
    assert not [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    newest = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True)[0]
    assert sequences(first) == list(range(newest, newest - 50, -1))
    second = trail_page(client, after=first.context["page"].after)
    assert sequences(second)[0] == newest - 50
    back = trail_page(client, before=second.context["page"].before)
    assert sequences(back) == sequences(first)


def test_the_trail_names_actors_by_username_and_links_each_entry(client, owner, trail):
    client.force_login(owner)
    body = trail_page(client).content.decode()
    assert "<td>alice</td>" in body
    assert "<td>system</td>" in body
    assert reverse("audit_event", args=[trail.pk]) in body


def test_the_filters_narrow_by_action_actor_dates_and_object(client, owner, trail):
    client.force_login(owner)
    assert sequences(trail_page(client, action="source.")) == [trail.sequence]
    assert all(e.actor_label == "system" for e in trail_page(client, actor="system").context["page"].items)
    assert trail_page(client, actor="nobody").context["page"].items == []
    by_object = trail_page(client, object_type="accounts.user", object_id=str(owner.pk)).context["page"]
    assert {(e.object_type, e.object_id) for e in by_object.items} == {("accounts.user", str(owner.pk))}
    today = timezone.localdate(trail.at).isoformat()
    assert trail.sequence in sequences(trail_page(client, since=today, until=today))
    assert trail_page(client, until="2000-01-01").context["page"].items == []


def test_a_filter_that_makes_no_sense_is_named_in_the_page(client, owner, trail):
    client.force_login(owner)
    reversed_range = trail_page(client, since="2026-02-01", until="2026-01-01")
    assert "To: The end of the range comes before its start." in reversed_range.content.decode()
    bad_date = trail_page(client, since="yesterday")
    assert 'id="since-error">From: Enter a valid date.' in bad_date.content.decode()
    assert trail_page(client, object_id="3").content.decode().count('id="object_type-error"') == 1


def test_an_entry_shows_its_detail_actor_and_hashes(client, owner, trail):
    client.force_login(owner)
    event = AuditEvent.objects.get(action="import.done", detail__rows=3)
    body = client.get(reverse("audit_event", args=[event.pk]), headers=EN).content.decode()
    assert '<dd id="actor">alice</dd>' in body
    assert '<code>rows</code></dt><dd class="detail">3</dd>' in body
    assert event.hash in body
    assert event.prev_hash in body
    assert client.get(reverse("audit_event", args=[10**9])).status_code == 404


# --- the chain -------------------------------------------------------------------------------------


@pytest.fixture
def head_file(settings, tmp_path):
    settings.AUDIT_HEAD_FILE = tmp_path / "audit_head"
    return settings.AUDIT_HEAD_FILE


@pytest.mark.django_db(transaction=True)
def test_viewing_the_trail_does_not_walk_the_chain_until_asked(client, owner, head_file, trail):
    client.force_login(owner)
    body = trail_page(client).content.decode()
    assert "The chain has not been verified from this page yet." in body
    assert not AuditEvent.objects.filter(action="audit.verified").exists()


@pytest.mark.django_db(transaction=True)
def test_an_intact_chain_is_shown_green_with_its_length_and_who_verified_it(client, owner, head_file, trail):
    client.force_login(owner)
    response = client.post(reverse("audit_verify"), headers=EN, follow=True)
    body = response.content.decode()
    verified = AuditEvent.objects.get(action="audit.verified")
    assert verified.detail == {"intact": True, "entries": verified.sequence - 1, "problem": ""}
    assert 'class="card verification ok"' in body
    assert "Chain intact" in body
    assert f"{verified.sequence - 1} entries checked" in body
    assert "by alice" in body


@pytest.mark.django_db(transaction=True)
def test_an_entry_tampered_with_in_the_database_turns_the_result_red_and_names_it(
    client, owner, head_file, trail
):
    client.force_login(owner)
    victim = AuditEvent.objects.get(action="import.done", detail__rows=5)
    sql("UPDATE audit_auditevent SET actor_label = 'mallory' WHERE id = %s", [victim.pk])
    body = client.post(reverse("audit_verify"), headers=EN, follow=True).content.decode()
    assert 'class="card verification alert"' in body
    assert "Chain broken" in body
    assert f"entry #{victim.sequence} (id {victim.pk}) modified: its content does not match its hash" in body
    assert AuditEvent.objects.get(action="audit.verified").detail["intact"] is False


# --- the export ------------------------------------------------------------------------------------


def test_the_export_downloads_the_chain_as_json_lines_and_is_itself_an_entry(client, owner, trail):
    client.force_login(owner)
    response = client.post(reverse("audit_export"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="licite-audit-')
    lines = [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()]
    assert [line["sequence"] for line in lines] == list(range(1, len(lines) + 1))
    assert {"hash", "prev_hash", "actor", "detail"} <= set(lines[0])
    exported = AuditEvent.objects.get(action="audit.exported")
    assert exported.actor_label == "alice"
    assert exported.detail["entries"] == len(lines)


def test_an_export_from_a_date_that_is_no_date_says_so(client, owner, trail):
    client.force_login(owner)
    response = client.post(reverse("audit_export"), {"since": "last week"}, headers=EN, follow=True)
    assert "From: enter a date as YYYY-MM-DD." in response.content.decode()
    assert not AuditEvent.objects.filter(action="audit.exported").exists()


def test_no_inline_script_or_style_on_the_audit_pages(owner, trail):
    client = Client()
    client.force_login(owner)
    from tests.conftest import pass_second_factor

    pass_second_factor(client, owner)
    for url in (reverse("audit_trail"), reverse("audit_event", args=[trail.pk])):
        body = client.get(url).content.decode()
        assert "<script" not in body
        assert 'style="' not in body
