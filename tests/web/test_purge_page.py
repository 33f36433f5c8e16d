"""The retention page: the purge's history, its next run from the worker's schedule, the records
whose retention ends soon, a dry run shown in the page, and "run now" through the worker
(RULES F1-F4, C2, D2, F5)."""

# The fixtures imported below are pytest's, received as arguments of the same name.
# ruff: noqa: F811
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from licite.audit.models import AuditEvent
from licite.prospects.models import Prospect
from licite.rights.purge import run_purge
from tests.campaigns.conftest import organisation, prospects  # noqa: F401
from tests.campaigns.test_campaigns import run_worker

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}
JEANNE = "jeanne.dupont@acme-industrie.example"
PAUL = "paul.martin@acme-industrie.example"


@pytest.fixture
def informed(prospects):
    """Every prospect informed; Jeanne's retention ended yesterday, Paul's ends in ten days."""
    now = timezone.now()
    Prospect.objects.update(notice_sent_at=now)
    Prospect.objects.filter(email=JEANNE).update(retain_until=now - timedelta(days=1))
    Prospect.objects.filter(email=PAUL).update(retain_until=now + timedelta(days=10))


def retention(client):
    return client.get(reverse("purge"), headers=EN)


@pytest.mark.parametrize("who", ["salesperson", "outsider"])
def test_staff_who_do_not_handle_rights_may_neither_see_nor_run_the_purge(client, request, informed, who):
    client.force_login(request.getfixturevalue(who))
    assert retention(client).status_code == 403
    assert client.post(reverse("purge_run")).status_code == 403
    assert not AuditEvent.objects.filter(action__startswith="purge.").exists()


def test_the_page_shows_the_dry_run_and_erases_nothing(client, dpo, informed):
    client.force_login(dpo)
    response = retention(client)
    assert response.context["dry_run"][0][1] == 1 == run_purge(None, dry_run=True).erased["retention_ended"]
    assert "Prospects past their retention date (RULES F1)" in response.content.decode()
    assert Prospect.objects.filter(email=JEANNE).exists()
    assert not AuditEvent.objects.filter(action="purge.completed").exists()


def test_the_dry_run_is_counted_once_says_when_and_is_counted_again_after_an_action(client, dpo, informed):
    """The dry run counts over the whole database: kept under the last audit entry that changes
    something, and the page says when it was counted."""
    from licite.rights.actions import do_receive_request

    client.force_login(dpo)
    first = retention(client)
    assert first.context["dry_total"] == 1
    assert 'id="dry-run-counted-at"' in first.content.decode()
    Prospect.objects.filter(email=PAUL).update(retain_until=timezone.now() - timedelta(days=1))
    assert retention(client).context["dry_total"] == 1  # no action, no audit entry: the kept count
    do_receive_request(None, "nobody@elsewhere.example", "access", "letter")  # an action: an audit entry
    again = retention(client)
    assert again.context["dry_total"] == 2
    assert again.context["dry_counted_at"] > first.context["dry_counted_at"]


def test_the_page_lists_the_records_whose_retention_ends_soon(client, dpo, informed):
    client.force_login(dpo)
    response = retention(client)
    assert [p.email for p in response.context["expiring"]] == [PAUL]
    assert PAUL in response.content.decode()


def test_the_next_run_comes_from_the_workers_schedule(client, dpo, organisation, settings):
    settings.LICITE_PURGE_SCHEDULE = "30 4 * * *"
    client.force_login(dpo)
    with time_machine.travel(datetime(2026, 6, 1, 10, tzinfo=timezone.get_default_timezone()), tick=False):
        response = retention(client)
    assert "2026-06-02 04:30" in response.content.decode()
    assert "The purge has never run" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_run_now_has_the_worker_purge_in_the_name_of_who_asked(client, dpo, informed):
    client.force_login(dpo)
    response = client.post(reverse("purge_run"), headers=EN)
    assert response["Location"] == reverse("purge")
    assert AuditEvent.objects.get(action="purge.requested").actor == dpo
    again = client.post(reverse("purge_run"), headers=EN, follow=True)  # one purge at a time
    assert "A purge is already waiting for the worker or running" in again.content.decode()
    assert AuditEvent.objects.filter(action="purge.requested").count() == 1
    assert Prospect.objects.filter(email=JEANNE).exists()  # nothing erased in the web request
    run_worker()
    assert not Prospect.objects.filter(email=JEANNE).exists()
    completed = AuditEvent.objects.get(action="purge.completed")
    assert (completed.actor, completed.detail["retention_ended"]) == (dpo, 1)
    page = retention(client)
    rows = {event.action for event in page.context["history"].items}
    assert {"purge.completed", "purge.retention_ended", "purge.requested"} <= rows
    assert "retention_ended: 1" in page.content.decode()
    assert 'id="run-now"' in page.content.decode()
