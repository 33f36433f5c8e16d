"""RULES B7: a transfer outside the EU/EEA needs an adequacy decision or safeguards
(licite.core.transfers)."""

from __future__ import annotations

import json

import pycountry
import pytest

from licite.core.transfers import (
    ADEQUACY,
    EEA,
    EU,
    LIMITED_ADEQUACY,
    NO_ADEQUACY,
    NO_MECHANISM,
    adequacy_limit,
    has_adequacy_decision,
    in_eea,
    transfer_problem_kind,
)
from tests.register.conftest import initialised  # noqa: F401


def test_the_eea_is_the_27_member_states_and_iceland_liechtenstein_norway():
    assert len(EU) == 27
    assert {"IS", "LI", "NO"} == EEA - EU
    assert "GB" not in EEA
    assert "CH" not in EEA


def test_every_listed_country_is_an_iso_3166_code():
    for code in EEA | ADEQUACY:
        assert pycountry.countries.get(alpha_2=code) is not None, code


@pytest.mark.parametrize("country", ["FR", "de", "NO", "IS"])
def test_a_processor_in_the_eu_or_eea_makes_no_transfer_to_speak_of(country):
    assert in_eea(country)
    assert transfer_problem_kind(country, "none") is None


def test_a_processor_in_the_united_states_without_a_mechanism_is_a_problem():
    assert transfer_problem_kind("US", "none") == NO_MECHANISM


@pytest.mark.parametrize("mechanism", ["scc", "bcr", "adequacy"])
def test_a_processor_in_the_united_states_with_a_mechanism_is_not_flagged(mechanism):
    assert transfer_problem_kind("US", mechanism) is None


def test_adequacy_claimed_for_a_country_without_a_decision_is_a_problem():
    assert not has_adequacy_decision("IN")
    assert transfer_problem_kind("IN", "adequacy") == NO_ADEQUACY
    assert transfer_problem_kind("IN", "scc") is None


@pytest.mark.parametrize("country", ["GB", "CH", "JP", "KR", "CA", "NZ", "IL", "UY", "AR", "AD", "FO"])
def test_the_commission_s_adequacy_list_is_known(country):
    assert has_adequacy_decision(country)
    assert transfer_problem_kind(country, "adequacy") is None


@pytest.mark.parametrize(("country", "limited"), [("US", True), ("CA", True), ("GB", False), ("JP", False)])
def test_adequacy_for_the_us_and_canada_covers_some_organisations_only(country, limited):
    assert adequacy_limit(country, "adequacy") == (LIMITED_ADEQUACY if limited else None)
    assert adequacy_limit(country, "scc") is None


@pytest.mark.usefixtures("initialised")
def test_a_register_transfer_on_adequacy_to_a_country_without_a_decision_is_refused_in_the_admin(
    client, owner
):
    from licite.register.models import ProcessingActivity
    from licite.register.presets import B2B
    from tests.register.test_admin import edit

    client.force_login(owner)
    b2b = ProcessingActivity.objects.get(preset=B2B)
    transfer = [{"recipient": "Cloud Co", "country": "CN", "safeguard": "adequacy"}]
    response = edit(client, b2b, transfers=json.dumps(transfer))
    assert response.status_code == 200
    assert "Aucune décision d'adéquation ne couvre CN" in response.content.decode().replace("&#x27;", "'")
    assert ProcessingActivity.objects.get(pk=b2b.pk).transfers == []
    transfer[0]["safeguard"] = "scc"
    assert edit(client, b2b, transfers=json.dumps(transfer)).status_code == 302
