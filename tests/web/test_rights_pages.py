"""The DPO's rights pages: the queue with its deadlines (overdue ones marked), a request received
by letter, phone or email, and one request's page with its history and the actions of `licite
rights`, each through its action and its audit entry (RULES G1-G5, F5)."""

# The fixtures imported below are pytest's, received as arguments of the same name.
# ruff: noqa: F811
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from licite.audit.models import AuditEvent
from licite.campaigns.models import OutboundMessage
from licite.prospects.models import Prospect
from licite.rights.actions import do_fulfil_request, do_receive_request
from licite.rights.models import RightsRequest, SuppressionEntry
from tests.campaigns.conftest import organisation, prospects  # noqa: F401

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}
JEANNE = "jeanne.dupont@acme-industrie.example"


@pytest.fixture
def marketer(django_user_model):
    return django_user_model.objects.create_user(
        "mark", "mark@acme.example", "correct horse battery", role="marketing"
    )


def received(kind: str, address: str = JEANNE, days_ago: int = 0) -> RightsRequest:
    """A request received by letter `days_ago` days ago (its month counted from then)."""
    at = timezone.now() - timedelta(days=days_ago)
    return do_receive_request(None, address, kind, "letter", received_at=at)


def page_of(client, rights: RightsRequest) -> str:
    return str(client.get(reverse("rights_request", args=[rights.pk]), headers=EN).content.decode())


def post(client, name: str, rights: RightsRequest, data: dict[str, str] | None = None):
    return client.post(reverse(name, args=[rights.pk]), data or {}, headers=EN)


def reloaded(rights: RightsRequest) -> RightsRequest:
    return RightsRequest.objects.get(pk=rights.pk)


# --- access (RULES F5) ---------------------------------------------------------------------------


def test_the_queue_asks_to_log_in(client):
    response = client.get(reverse("rights_queue"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", ["salesperson", "outsider", "marketer"])
def test_staff_who_do_not_handle_rights_get_403_and_change_nothing(client, request, prospects, who):
    client.force_login(request.getfixturevalue(who))
    rights = received("access")
    assert client.get(reverse("rights_queue")).status_code == 403
    assert client.get(reverse("rights_request", args=[rights.pk])).status_code == 403
    assert client.get(reverse("rights_request_new")).status_code == 403
    assert post(client, "rights_fulfil", rights).status_code == 403
    assert post(client, "rights_refuse", rights, {"reason": "no"}).status_code == 403
    assert reloaded(rights).state == "received"


# --- the queue -----------------------------------------------------------------------------------


def test_the_queue_shows_the_days_left_and_marks_overdue_requests_in_red(client, dpo, prospects):
    late = received("access", days_ago=40)
    soon = received("erasure", "paul.martin@acme-industrie.example", days_ago=27)
    fresh = received("rectification", "emily.brown@northfield.example")
    client.force_login(dpo)
    page = client.get(reverse("rights_queue"), headers=EN).content.decode()
    assert f'<tr class="overdue" id="request-{late.pk}">' in page
    assert "days late" in page
    assert f'<tr class="due-soon" id="request-{soon.pk}">' in page
    assert "(due soon)" in page
    assert f'<tr class="" id="request-{fresh.pk}">' in page
    assert JEANNE in page  # the DPO sees the address they must answer
    assert '<span class="figure">1</span> overdue' in page


def test_closed_requests_leave_the_queue_and_are_a_filter_away(client, dpo, prospects):
    done = received("access")
    do_fulfil_request(None, done)
    still = received("other", "paul.martin@acme-industrie.example")
    client.force_login(dpo)
    queue = client.get(reverse("rights_queue")).context["page"].items
    closed = client.get(reverse("rights_queue"), {"state": "closed"}).context["page"].items
    assert [r.pk for r in queue] == [still.pk]
    assert [r.pk for r in closed] == [done.pk]


def test_the_queue_filters_by_kind_and_by_deadline(client, dpo, prospects):
    late = received("access", days_ago=40)
    received("erasure", "paul.martin@acme-industrie.example")
    client.force_login(dpo)
    by_kind = client.get(reverse("rights_queue"), {"kind": "erasure"}).context["page"].items
    overdue = client.get(reverse("rights_queue"), {"due": "overdue"}).context["page"].items
    assert [r.kind for r in by_kind] == ["erasure"]
    assert [r.pk for r in overdue] == [late.pk]


def test_the_queue_pages_by_key_and_never_counts_the_whole_table(client, dpo, organisation):
    for i in range(60):
        received("other", f"person{i:02}@elsewhere.example")
    client.force_login(dpo)
    with CaptureQueriesContext(connection) as queries:
        first = client.get(reverse("rights_queue"))
    counts = [
        q["sql"] for q in queries if "COUNT(" in q["sql"].upper() and "rights_rightsrequest" in q["sql"]
    ]
    assert counts
    assert all("WHERE" in statement for statement in counts)
    assert len(first.context["page"].items) == 50
    second = client.get(reverse("rights_queue"), {"after": first.context["page"].after})
    assert len(second.context["page"].items) == 10
    assert 'id="previous"' in second.content.decode()


def test_a_bad_filter_is_named_in_the_page(client, dpo, organisation):
    client.force_login(dpo)
    response = client.get(reverse("rights_queue"), {"kind": "everything"}, headers=EN)
    assert response.status_code == 200
    assert response.context["page"] is None
    assert 'id="kind-error"' in response.content.decode()


# --- a request received by letter, phone or email ------------------------------------------------


def test_a_letter_is_recorded_with_its_month_and_an_audit_entry_without_the_address(client, dpo, prospects):
    client.force_login(dpo)
    with time_machine.travel(datetime(2026, 3, 10, 10, tzinfo=timezone.get_current_timezone()), tick=False):
        response = client.post(
            reverse("rights_request_new"),
            {"email": " Jeanne.Dupont@ACME-industrie.example", "kind": "access", "channel": "letter",
             "received_on": "2026-01-31", "identity_check": "signed letter", "language": ""},
        )  # fmt: skip
    rights = RightsRequest.objects.get()
    assert response["Location"] == reverse("rights_request", args=[rights.pk])
    assert (rights.email, rights.channel, rights.received_by) == (JEANNE, "letter", dpo)
    assert rights.due_on.isoformat() == "2026-02-28"  # RULES G1: a calendar month
    event = AuditEvent.objects.get(action="rights.received")
    assert (event.actor, event.via) == (dpo, "web")
    assert "jeanne" not in str(event.detail).lower()


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [("email", "jeanne@@acme", "Enter a valid email address."),
     ("received_on", "2999-01-01", "This day is in the future."),
     ("received_on", "31/01/2026", "Enter a valid date."),
     ("channel", "web", "Select a valid choice.")],
)  # fmt: skip
def test_bad_input_is_named_by_its_field_and_nothing_is_stored(
    client, dpo, organisation, field, value, error
):
    client.force_login(dpo)
    data = {"email": JEANNE, "kind": "access", "channel": "phone", field: value}
    response = client.post(reverse("rights_request_new"), data, headers=EN)
    assert response.status_code == 200
    assert f'id="{field}-error"' in response.content.decode()
    assert error in response.content.decode()
    assert not RightsRequest.objects.exists()


# --- one request ---------------------------------------------------------------------------------


def test_the_request_page_shows_the_address_the_history_and_the_prospects_concerned(client, dpo, prospects):
    rights = received("access")
    client.force_login(dpo)
    page = page_of(client, rights)
    assert f'<dd id="address">{JEANNE}</dd>' in page
    assert "Received" in page
    assert reverse("prospect_detail", args=[Prospect.objects.get(email=JEANNE).pk]) in page
    assert "Dupont" in page


def test_an_unknown_request_is_a_404(client, dpo, organisation):
    client.force_login(dpo)
    assert client.get(reverse("rights_request", args=[999])).status_code == 404


def test_moving_the_state_keeps_the_deadline(client, dpo, prospects):
    rights = received("access")
    client.force_login(dpo)
    response = post(client, "rights_move", rights, {"state": "awaiting_precision"})
    assert response.status_code == 302
    assert (reloaded(rights).state, reloaded(rights).due_on) == ("awaiting_precision", rights.due_on)
    assert AuditEvent.objects.filter(action="rights.state_changed", actor=dpo).exists()


def test_extending_needs_a_reason_told_to_the_person(client, dpo, prospects):
    rights = received("access")
    client.force_login(dpo)
    refused = post(client, "rights_extend", rights, {"months": "2", "reason": "  "})
    assert refused.status_code == 200
    assert 'id="extend-reason-error"' in refused.content.decode()
    assert reloaded(rights).extension_months == 0
    post(client, "rights_extend", rights, {"months": "2", "reason": "Many records in three systems"})
    assert reloaded(rights).extension_months == 2
    assert reloaded(rights).due_on > rights.due_on
    page = page_of(client, rights)
    assert "Many records in three systems" in page
    [answer] = OutboundMessage.objects.filter(kind="rights", key_hash=rights.key_hash)
    assert answer.subject in page  # the answer sent, in the person's language, among the answers


def test_an_extension_past_the_first_month_is_refused_with_the_reason_in_the_page(client, dpo, prospects):
    rights = received("access", days_ago=40)
    client.force_login(dpo)
    response = post(client, "rights_extend", rights, {"months": "1", "reason": "volume"})
    assert response.status_code == 200
    assert "an extension must be decided and told to the person within it" in response.content.decode()
    assert reloaded(rights).extension_months == 0


def test_a_refusal_needs_its_reason_and_tells_the_person(client, dpo, prospects):
    rights = received("erasure")
    client.force_login(dpo)
    assert (
        'id="refuse-reason-error"' in post(client, "rights_refuse", rights, {"reason": ""}).content.decode()
    )
    assert reloaded(rights).state == "received"
    post(client, "rights_refuse", rights, {"reason": "Legal hold on these invoices"})
    assert (reloaded(rights).state, reloaded(rights).refusal_reason) == (
        "refused",
        "Legal hold on these invoices",
    )
    assert OutboundMessage.objects.filter(kind="rights", key_hash=rights.key_hash).count() == 1


def test_answering_an_access_request_sends_the_signed_link(client, dpo, prospects):
    rights = received("access")
    client.force_login(dpo)
    response = post(client, "rights_fulfil", rights)
    assert response.status_code == 302
    assert reloaded(rights).state == "fulfilled"
    [message] = OutboundMessage.objects.filter(kind="rights")
    assert "/access/" in message.body_text
    assert AuditEvent.objects.get(action="rights.fulfilled").actor == dpo


def test_an_erasure_is_confirmed_first_then_leaves_only_the_keyed_hash(client, dpo, prospects):
    rights = received("erasure")
    client.force_login(dpo)
    response = post(client, "rights_fulfil", rights)
    assert 'id="confirm-error"' in response.content.decode()
    assert Prospect.objects.filter(email=JEANNE).exists()
    post(client, "rights_fulfil", rights, {"confirm": "on"})
    assert not Prospect.objects.filter(email=JEANNE).exists()
    assert SuppressionEntry.objects.filter(key_hash=rights.key_hash).exists()
    assert (reloaded(rights).state, reloaded(rights).email) == ("fulfilled", "")
    assert "(erased: keyed hash only)" in page_of(client, rights)


def test_a_rectification_applies_the_fields_filled_in(client, dpo, prospects):
    rights = received("rectification")
    client.force_login(dpo)
    empty = post(client, "rights_fulfil", rights, {"first_name": "", "company": " "})
    assert "Fill in at least one field to rectify." in empty.content.decode()
    post(client, "rights_fulfil", rights, {"last_name": "Dupont-Moreau", "company": ""})
    prospect = Prospect.objects.get(email=JEANNE)
    assert (prospect.last_name, prospect.company) == ("Dupont-Moreau", "Acme Industrie")
    assert AuditEvent.objects.get(action="rights.fulfilled").detail["fields"] == ["last_name"]


def test_a_restriction_is_fulfilled_then_lifted(client, dpo, prospects):
    rights = received("restriction")
    client.force_login(dpo)
    post(client, "rights_fulfil", rights)
    assert Prospect.objects.get(email=JEANNE).status == "restricted"
    assert 'id="lift"' in page_of(client, rights)
    assert post(client, "rights_lift", rights).status_code == 302
    assert Prospect.objects.get(email=JEANNE).status == "active"
    assert 'id="lift"' not in page_of(client, rights)


def test_a_closed_request_cannot_be_answered_twice(client, dpo, prospects):
    rights = received("other")
    do_fulfil_request(None, rights)
    client.force_login(dpo)
    response = post(client, "rights_refuse", rights, {"reason": "late"})
    assert response.status_code == 200
    assert "is closed (fulfilled): nothing changes" in response.content.decode()
    assert reloaded(rights).state == "fulfilled"
    assert 'id="actions"' not in page_of(client, rights)


def test_a_rectification_of_an_unknown_address_says_what_to_do(client, dpo, organisation):
    rights = received("rectification", "nobody@elsewhere.example")
    client.force_login(dpo)
    response = post(client, "rights_fulfil", rights, {"last_name": "X"})
    assert "refuse it with the reason (we hold no data about this address)" in response.content.decode()
    assert reloaded(rights).state == "received"


def test_the_export_is_downloaded_and_audited_without_the_address(client, dpo, prospects):
    rights = received("access")
    client.force_login(dpo)
    response = client.post(reverse("rights_export", args=[rights.pk]), {"format": "json"})
    assert response["Content-Disposition"] == f'attachment; filename="request-{rights.pk}-data.json"'
    assert JEANNE in response.content.decode()
    event = AuditEvent.objects.get(action="rights.access_exported")
    assert event.actor == dpo
    assert "jeanne" not in str(event.detail).lower()


def test_a_get_of_the_export_sends_to_the_form_and_writes_nothing(client, dpo, prospects):
    """A person's data leaves only on the form's POST: a prefetcher's GET exports nothing."""
    rights = received("access")
    client.force_login(dpo)
    response = client.get(reverse("rights_export", args=[rights.pk]), {"format": "json"})
    assert response.status_code == 302
    assert response["Location"] == reverse("rights_request", args=[rights.pk]) + "#export"
    assert JEANNE not in response.content.decode()
    assert not AuditEvent.objects.filter(action="rights.access_exported").exists()
    page = page_of(client, rights)
    assert f'<form method="post" action="{reverse("rights_export", args=[rights.pk])}"' in page


def test_the_pages_speak_french(client, dpo, prospects):
    rights = received("access", days_ago=40)
    client.force_login(dpo)
    queue = client.get(reverse("rights_queue"), headers={"accept-language": "fr"}).content.decode()
    assert "Demandes d'exercice de droits" in queue.replace("&#x27;", "'")
    assert "jours de retard" in queue
    page = client.get(reverse("rights_request", args=[rights.pk]), headers={"accept-language": "fr"})
    assert "Satisfaire la demande" in page.content.decode()
