"""The admin page of the rights requests: deadlines at a glance, the legal state read-only, every
change of state through the actions (RULES G1, F5), every page shown audited."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from licite.audit.models import AuditEvent
from licite.prospects.models import Prospect
from licite.rights.actions import do_fulfil_request, do_receive_request
from licite.rights.models import RightsRequest, SuppressionEntry
from tests.campaigns.test_campaigns import EMILY, JEANNE, PAUL

pytestmark = pytest.mark.django_db(transaction=True)
PARIS = ZoneInfo("Europe/Paris")
CHANGELIST = reverse("admin:rights_rightsrequest_changelist")


def received(address: str, kind: str, day: date) -> RightsRequest:
    moment = datetime(day.year, day.month, day.day, 10, tzinfo=PARIS)
    return do_receive_request(None, address, kind, "letter", received_at=moment)


def rows(response) -> list[int]:
    return [request.pk for request in response.context["cl"].result_list]


def test_the_list_shows_overdue_and_soon_due_requests(client, owner, organisation):
    late, soon, later = (
        received(JEANNE, "access", date(2026, 1, 5)),
        received(PAUL, "erasure", date(2026, 1, 30)),
        received(EMILY, "objection", date(2026, 2, 20)),
    )
    client.force_login(owner)
    with time_machine.travel(datetime(2026, 2, 26, 12, tzinfo=PARIS), tick=False):
        overdue = client.get(CHANGELIST, {"deadline": "overdue"})
        due_soon = client.get(CHANGELIST, {"deadline": "soon"})
        every = client.get(CHANGELIST)
    assert rows(overdue) == [late.pk]
    assert rows(due_soon) == [soon.pk]
    assert sorted(rows(every)) == sorted([late.pk, soon.pk, later.pk])
    assert "En retard" in every.content.decode()
    event = AuditEvent.objects.filter(action="rightsrequest.listed").order_by("pk").first()
    assert event.detail["filters"] == {"deadline": "overdue"}


def test_the_legal_state_cannot_be_edited_by_hand(client, owner, organisation):
    request = received(JEANNE, "access", date(2026, 1, 5))
    client.force_login(owner)
    url = reverse("admin:rights_rightsrequest_change", args=[request.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="state"' not in page.content.decode()
    client.post(url, {"state": "fulfilled", "due_on": "2030-01-01"})
    request.refresh_from_db()
    assert (request.state, request.due_on) == ("received", date(2026, 2, 5))
    assert client.get(reverse("admin:rights_rightsrequest_add")).status_code == 403
    assert AuditEvent.objects.filter(action="rightsrequest.viewed", object_id=str(request.pk)).exists()


def test_a_change_of_state_goes_through_the_action_and_is_audited(client, owner, prospects):
    erasure = received(JEANNE, "erasure", date.today())
    moved = received(PAUL, "rectification", date.today())
    client.force_login(owner)
    client.post(CHANGELIST, {"action": "mark_in_progress", "_selected_action": [moved.pk]})
    moved.refresh_from_db()
    assert moved.state == "in_progress"
    assert AuditEvent.objects.get(action="rights.state_changed").actor == owner
    client.post(CHANGELIST, {"action": "fulfil", "_selected_action": [erasure.pk]})
    assert not Prospect.objects.filter(email=JEANNE).exists()
    assert SuppressionEntry.objects.get().reason == "erasure"
    assert AuditEvent.objects.get(action="rights.fulfilled").actor == owner


def test_a_refused_step_is_named_and_changes_nothing(client, owner, organisation):
    closed = received(JEANNE, "other", date.today())
    do_fulfil_request(None, closed)
    client.force_login(owner)
    response = client.post(
        CHANGELIST, {"action": "mark_in_progress", "_selected_action": [closed.pk]}, follow=True
    )
    [message] = [str(m) for m in response.context["messages"]]
    assert message.startswith(
        f"La demande n° {closed.pk} n'a pas été modifiée : la demande {closed.pk} est close"
    )
    closed.refresh_from_db()
    assert closed.state == "fulfilled"


def test_an_address_finds_the_requests_of_an_erased_person_by_their_hash(client, owner, prospects):
    request = received(JEANNE, "objection", date.today())
    other = received(PAUL, "access", date.today())
    do_fulfil_request(None, request)
    client.force_login(owner)
    found = client.get(CHANGELIST, {"q": " Jeanne.Dupont@acme-industrie.example"})
    assert rows(found) == [request.pk]
    assert rows(client.get(CHANGELIST, {"q": str(other.pk)})) == [other.pk]
    assert JEANNE not in str(AuditEvent.objects.filter(action="rightsrequest.listed").values("detail"))


def test_an_outsider_sees_no_request(client, outsider, organisation):
    received(JEANNE, "access", date.today())
    client.force_login(outsider)
    response = client.get(CHANGELIST)
    assert response.status_code == 302, "the admin is for administrators only"
    assert JEANNE.encode() not in response.content
