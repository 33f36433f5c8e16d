"""RULES B7: a transfer outside the EU/EEA needs an adequacy decision or safeguards
(licite.core.transfers)."""

from __future__ import annotations

import pycountry
import pytest

from licite.core.transfers import ADEQUACY, EEA, EU, has_adequacy_decision, in_eea, transfer_problem


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
    assert transfer_problem(country, "none") is None


def test_a_processor_in_the_united_states_without_a_mechanism_is_a_problem():
    assert "US, outside the EU/EEA, without a transfer mechanism" in str(transfer_problem("US", "none"))


@pytest.mark.parametrize("mechanism", ["scc", "bcr", "adequacy"])
def test_a_processor_in_the_united_states_with_a_mechanism_is_not_flagged(mechanism):
    assert transfer_problem("US", mechanism) is None


def test_adequacy_claimed_for_a_country_without_a_decision_is_a_problem():
    assert not has_adequacy_decision("IN")
    assert "no adequacy decision covers IN" in str(transfer_problem("IN", "adequacy"))
    assert transfer_problem("IN", "scc") is None


@pytest.mark.parametrize("country", ["GB", "CH", "JP", "KR", "CA", "NZ", "IL", "UY", "AR", "AD", "FO"])
def test_the_commission_s_adequacy_list_is_known(country):
    assert has_adequacy_decision(country)
    assert transfer_problem(country, "adequacy") is None
