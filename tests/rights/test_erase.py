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


def test_erase_removes_the_person_keeps_the_hash_and_blanks_their_requests(prospects):
    call_command("rights", "request", JEANNE, "--kind", "access", "--channel", "phone", stdout=io.StringIO())
    out = erase(" Jeanne.Dupont@ACME-industrie.example")
    assert "Keyed hash added to the suppression list (reason: erasure)." in out
    assert "Prospect records erased: 1;" in out
    assert "rights requests without address: 1." in out
    assert not Prospect.objects.filter(email=JEANNE).exists()
    assert SuppressionEntry.objects.get().reason == "erasure"
    request = RightsRequest.objects.get()
    assert request.email == ""
    assert request.key_hash == SuppressionEntry.objects.get().key_hash
    event = AuditEvent.objects.get(action="suppression.added")
    assert (event.detail["channel"], event.detail["erased_prospects"]) == ("staff", 1)


def test_erasing_twice_says_the_hash_is_already_there(organisation):
    erase(JEANNE, "--reason", "objection")
    assert "already on the suppression list" in erase(JEANNE)
    assert SuppressionEntry.objects.get().reason == "objection"


def test_an_invalid_address_is_refused_in_one_line(organisation):
    with pytest.raises(CommandError, match="not a valid email address"):
        erase("jeanne")
