"""The suppression list through the API (issue 23): check one address or up to 1,000, add an
objection received by another channel. Yes or no and nothing else; every prospecting role may
check and add; the audit counts, never an address (RULES E3, F4, F5, G3, G4)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from licite.audit.models import AuditEvent
from licite.campaigns.models import OutboundMessage
from licite.prospects.models import Prospect
from licite.rights.actions import do_suppress
from licite.rights.models import SuppressionEntry
from tests.conftest import HEADER, import_file

pytestmark = pytest.mark.django_db
JEANNE = "jeanne.dupont@acme.example"
PROSPECTING = ["admin", "dpo", "marketing", "sales", "communication"]


def check(api, email: str):
    return api.post("/api/suppression/check", {"email": email})


def check_bulk(api, emails: list[str]):
    return api.post("/api/suppression/check-bulk", {"emails": emails})


def add(api, email: str, **fields):
    return api.post("/api/suppression", {"email": email, **fields})


def queued_message(prospect: Prospect, status: str = "queued") -> OutboundMessage:
    return OutboundMessage.objects.create(
        kind="campaign", prospect=prospect, key_hash=prospect.key_hash, to_address=prospect.email,
        to_domain="acme.example", language="fr", subject="Offre", body_text="Bonjour Jeanne",
        body_html="<p>Bonjour Jeanne</p>", token=status, status=status, queued_at=timezone.now(),
    )  # fmt: skip


# --- check one address ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", PROSPECTING)
def test_every_prospecting_role_may_check_and_hears_yes_and_nothing_else(api_as, role):
    do_suppress(None, JEANNE, "objection")
    response = check(api_as(role), JEANNE)
    assert response.status_code == 200
    assert response.json() == {"suppressed": True}


def test_the_check_covers_the_persons_other_forms_of_the_address(api_as):
    """RULES F4: the suppression identity, not the string: case, spaces and a +tag."""
    do_suppress(None, JEANNE, "objection")
    assert check(api_as("sales"), "  Jeanne.Dupont+promo@ACME.example ").json() == {"suppressed": True}


def test_an_address_not_on_the_list_is_said_not_suppressed(api_as):
    do_suppress(None, JEANNE, "objection")
    assert check(api_as("marketing"), "paul.martin@acme.example").json() == {"suppressed": False}


def test_a_check_is_audited_as_a_count_never_the_address(api_as):
    api = api_as("sales")
    check(api, JEANNE)
    event = AuditEvent.objects.get(action="suppression.checked")
    assert event.detail == {"addresses": 1, "suppressed": 0, "invalid": 0}
    assert event.actor_id == api.user.pk
    trail = str(list(AuditEvent.objects.values_list("detail", "object_id")))
    assert "jeanne" not in trail


def test_an_invalid_address_is_refused_naming_the_field(api_as):
    response = check(api_as("sales"), "pas-une-adresse")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"] == [{"field": "email", "message": "not a valid email address: missing @"}]


def test_a_check_without_an_address_is_refused_naming_the_field(api_as):
    response = api_as("sales").post("/api/suppression/check", {})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "email"


def test_staff_without_a_prospecting_role_may_neither_check_nor_add(api_as):
    """RULES F5: the list is pseudonymous personal data; HR or finance have no use for it."""
    api = api_as("other")
    for response in (check(api, JEANNE), check_bulk(api, [JEANNE]), add(api, JEANNE)):
        assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    assert SuppressionEntry.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="suppression.").exists()


# --- check in bulk --------------------------------------------------------------------------------


def test_a_bulk_check_answers_each_address_in_the_order_sent(api_as):
    do_suppress(None, JEANNE, "objection")
    emails = ["paul.martin@acme.example", "pas-une-adresse", "JEANNE.DUPONT@acme.example", JEANNE]
    response = check_bulk(api_as("sales"), emails)
    assert response.status_code == 200
    assert response.json()["results"] == [
        {"email": "paul.martin@acme.example", "suppressed": False, "error": None},
        {"email": "pas-une-adresse", "suppressed": None, "error": "not a valid email address: missing @"},
        {"email": "JEANNE.DUPONT@acme.example", "suppressed": True, "error": None},
        {"email": JEANNE, "suppressed": True, "error": None},
    ]
    event = AuditEvent.objects.get(action="suppression.checked")
    assert event.detail == {"addresses": 4, "suppressed": 2, "invalid": 1}


def test_a_bulk_check_of_1000_addresses_is_answered_whole(api_as):
    do_suppress(None, "person999@acme.example", "objection")
    emails = [f"person{i}@acme.example" for i in range(1000)]
    results = check_bulk(api_as("marketing"), emails).json()["results"]
    assert [item["email"] for item in results] == emails
    assert [i for i, item in enumerate(results) if item["suppressed"]] == [999]


@pytest.mark.parametrize("emails", [[f"person{i}@acme.example" for i in range(1001)], []])
def test_a_bulk_check_of_more_than_1000_or_of_none_is_refused_naming_the_field(api_as, emails):
    response = check_bulk(api_as("marketing"), emails)
    assert response.status_code == 422
    body = response.json()
    assert [error["field"] for error in body["errors"]] == ["emails"]
    assert not AuditEvent.objects.filter(action="suppression.checked").exists()


def test_a_bulk_check_of_something_else_than_a_list_is_refused_naming_the_field(api_as):
    response = api_as("marketing").post("/api/suppression/check-bulk", {"emails": JEANNE})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "emails"


# --- add an objection from another channel --------------------------------------------------------


@pytest.mark.parametrize("role", PROSPECTING)
def test_every_prospecting_role_may_record_an_objection(api_as, role):
    """RULES G3: honouring an objection is never harder than recording it."""
    response = add(api_as(role), JEANNE)
    assert response.status_code == 201
    assert response.json() == {
        "suppressed": True,
        "created": True,
        "reason": "objection",
        "erased_prospects": 0,
    }
    assert SuppressionEntry.objects.get().reason == "objection"


def test_an_objection_erases_the_prospect_and_cancels_its_queued_messages(api_as, source, write_csv):
    """RULES G4, E3: the same action as `licite suppress add`."""
    import_file(write_csv(HEADER + "Jeanne;Dupont;jeanne.dupont@acme.example;DAF;Acme;;;\n"))
    prospect = Prospect.objects.get()
    queued_message(prospect)
    api = api_as("sales")
    response = add(api, JEANNE, reason="objection")
    assert response.status_code == 201
    assert response.json()["erased_prospects"] == 1
    assert not Prospect.objects.exists()
    assert list(OutboundMessage.objects.values_list("status", "to_address")) == [("cancelled", "")]
    entry = SuppressionEntry.objects.get()
    assert entry.key_hash not in response.content.decode()  # the hash never leaves licite
    event = AuditEvent.objects.get(action="suppression.added")
    assert (event.actor_id, event.detail["channel"], event.detail["cancelled_messages"]) == (
        api.user.pk,
        "api",
        1,
    )
    assert "jeanne" not in str(event.detail)


def test_an_address_added_through_the_api_is_refused_by_a_file_import(api_as, source, write_csv):
    """RULES F4: a suppressed person is never imported again."""
    add(api_as("communication"), JEANNE)
    report = import_file(write_csv(HEADER + "Jeanne;Dupont;Jeanne.Dupont@acme.example;DAF;Acme;;;\n"))
    assert (report["suppressed"], report["created"]) == (1, 0)
    assert not Prospect.objects.exists()


def test_an_address_already_on_the_list_answers_200_and_keeps_its_first_reason(api_as):
    do_suppress(None, JEANNE, "bounce")
    response = add(api_as("marketing"), JEANNE, reason="objection")
    assert response.status_code == 200
    assert response.json()["created"] is False
    assert response.json()["reason"] == "bounce"
    assert SuppressionEntry.objects.count() == 1


def test_an_unknown_reason_is_refused_naming_the_field_and_nothing_is_stored(api_as):
    response = add(api_as("marketing"), JEANNE, reason="because")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "reason"
    assert "one of objection, withdrawal" in response.json()["message"]
    assert SuppressionEntry.objects.count() == 0


def test_an_invalid_address_is_not_added_and_the_field_is_named(api_as):
    response = add(api_as("marketing"), "jeanne@")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "email"
    assert SuppressionEntry.objects.count() == 0
