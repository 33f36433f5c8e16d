"""`licite erase`: the one erasure from the command line (RULES G3, G4, F3, F4)."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from licite.audit.models import AuditEvent
from licite.prospects.models import Prospect
from licite.rights.models import RightsRequest, SuppressionEntry
from tests.campaigns.test_campaigns import JEANNE

pytestmark = pytest.mark.django_db


def erase(*args: str) -> str:
    out = io.StringIO()
    call_command("erase", *args, stdout=out)
    return out.getvalue()


def test_erase_removes_the_person_keeps_the_hash_and_settles_their_requests(prospects):
    request("access")
    objection = request("objection", "--note", "Phoned, Jeanne Dupont")
    out = erase(" Jeanne.Dupont@ACME-industrie.example")
    assert "Keyed hash added to the suppression list (reason: erasure)." in out
    assert "Prospect records erased: 1;" in out
    assert "rights requests fulfilled: 1; without address: 1." in out
    assert not Prospect.objects.filter(email=JEANNE).exists()
    assert SuppressionEntry.objects.get().reason == "erasure"
    objection = RightsRequest.objects.get(kind="objection")
    assert (objection.state, objection.email, objection.note) == ("fulfilled", "", "")
    assert objection.key_hash == SuppressionEntry.objects.get().key_hash
    event = AuditEvent.objects.get(action="suppression.added")
    assert (event.detail["channel"], event.detail["erased_prospects"]) == ("staff", 1)
    assert event.detail["fulfilled_requests"] == 1


def test_an_open_access_request_keeps_the_address_until_answered_then_forgets_it(prospects):
    access = request("access")
    erase(JEANNE)
    access.refresh_from_db()
    assert (access.state, access.email) == ("received", JEANNE), "the person is still owed the answer"
    call_command("rights", "fulfil", str(access.pk), stdout=io.StringIO())
    access.refresh_from_db()
    assert (access.state, access.email) == ("fulfilled", "")


def request(kind: str, *args: str) -> RightsRequest:
    call_command(
        "rights", "request", JEANNE, "--kind", kind, "--channel", "phone", *args, stdout=io.StringIO()
    )
    return RightsRequest.objects.get(kind=kind)


def test_erasing_twice_says_the_hash_is_already_there(organisation):
    erase(JEANNE, "--reason", "objection")
    assert "already on the suppression list" in erase(JEANNE)
    assert SuppressionEntry.objects.get().reason == "objection"


def test_an_invalid_address_is_refused_in_one_line(organisation):
    with pytest.raises(CommandError, match="not a valid email address"):
        erase("jeanne")
