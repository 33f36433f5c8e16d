"""The pure rules of the gate: sources, legal basis, minimization, countries, CSV safety."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from licite.core.basis import decide_basis
from licite.core.countries import country_code
from licite.core.csvsafe import neutralize
from licite.core.emails import EmailKind
from licite.core.gate import Admitted, Rejected, RowGate, company_domain, split_full_name
from licite.core.sources import SourceFacts, may_collect_from, platform_for


def facts(**overrides):
    base = dict(
        name="S",
        method="manual",
        extraction_allowed="unknown",
        visibility="public",
        terms_reference="",
        has_balancing_test=True,
    )
    return SourceFacts(**{**base, **overrides})


def test_terms_that_forbid_extraction_refuse_an_automated_collection_only():
    assert not may_collect_from(
        facts(method="automated", extraction_allowed="no"), legitimate_interest=True
    ).allowed
    assert may_collect_from(facts(method="manual", extraction_allowed="no"), legitimate_interest=True).allowed


def test_restricted_data_is_refused_whatever_the_method():
    for method in ("manual", "automated", "export"):
        assert not may_collect_from(
            facts(method=method, visibility="restricted"), legitimate_interest=True
        ).allowed


def test_legitimate_interest_needs_a_balancing_test():
    decision = may_collect_from(facts(has_balancing_test=False), legitimate_interest=True)
    assert not decision.allowed
    assert decision.hint.startswith('licite sources assess "S"')
    assert may_collect_from(facts(has_balancing_test=False), legitimate_interest=False).allowed


@pytest.mark.parametrize(
    ("name", "url", "expected"),
    [
        ("LinkedIn", "", "LinkedIn"),
        ("Mon réseau", "https://fr.linkedin.com/in/x", "LinkedIn"),
        ("X", "https://twitter.com/acme", "X (Twitter)"),
        ("Annuaire", "https://annuaire.example", None),
    ],
)
def test_known_platforms_are_recognised_by_name_or_url(name, url, expected):
    platform = platform_for(name, url)
    assert (platform.name if platform else None) == expected


def test_a_private_mailbox_waits_for_consent_and_a_work_address_rests_on_legitimate_interest():
    assert decide_basis(EmailKind.PRIVATE).status == "consent_pending"
    assert decide_basis(EmailKind.NOMINATIVE).legal_basis == "legitimate_interest"
    with pytest.raises(ValueError, match="no legal basis"):
        decide_basis(EmailKind.INVALID)


def test_the_gate_keeps_only_the_fields_of_the_purpose():
    gate = RowGate({"email": 0, "first_name": 1, "phone": 2}, keep_phone=False)
    admitted = gate.admit(2, ["jeanne@acme.example", "  Jeanne  ", "01 42 00 00 00"])
    assert isinstance(admitted, Admitted)
    assert (admitted.first_name, admitted.phone, admitted.company_domain) == ("Jeanne", "", "acme.example")


def test_the_gate_rejects_an_empty_or_invalid_address_with_its_line():
    gate = RowGate({"email": 0}, keep_phone=False)
    assert gate.admit(7, [" "]) == Rejected(7, "email", " ", "no email address")
    rejected = gate.admit(8, ["nope"])
    assert isinstance(rejected, Rejected)
    assert rejected.line == 8


def test_a_private_address_gets_no_company_domain_from_its_mailbox():
    admitted = RowGate({"email": 0}, keep_phone=False).admit(2, ["lea@gmail.com"])
    assert admitted.company_domain == ""


@given(st.lists(st.text(max_size=300), min_size=4, max_size=4))
def test_the_gate_never_raises_and_never_exceeds_field_lengths(values):
    gate = RowGate({"email": 0, "first_name": 1, "company": 2, "country": 3}, keep_phone=False)
    verdict = gate.admit(2, values)
    if isinstance(verdict, Admitted):
        assert len(verdict.first_name) <= 100
        assert len(verdict.company) <= 200
        assert len(verdict.country) <= 2


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("France", "FR"),
        ("fr", "FR"),
        ("Royaume-Uni", "GB"),
        ("Belgique", "BE"),
        ("Côte d'Ivoire", "CI"),
        ("Atlantis", None),
    ],
)
def test_countries_are_read_in_french_and_english(value, code):
    assert country_code(value) == code


@pytest.mark.parametrize(
    ("value", "safe"),
    [("=1+2", "'=1+2"), ("+33 1", "'+33 1"), ("-x", "'-x"), ("@A", "'@A"), ("Jeanne", "Jeanne"), ("", "")],
)
def test_values_a_spreadsheet_would_run_are_neutralized(value, safe):
    assert neutralize(value) == safe


def test_names_and_domains_are_tidied():
    assert split_full_name(" Jeanne  Dupont Martin ") == ("Jeanne", "Dupont Martin")
    assert split_full_name("Dupont") == ("", "Dupont")
    assert company_domain("https://www.Acme.fr/contact?x=1") == "acme.fr"


def test_gating_rows_leaves_no_reference_cycle_behind():
    # Gate workers run the cyclic collector rarely: a cycle per rejected row would pile up.
    import gc

    gate = RowGate({"email": 0, "first_name": 1}, keep_phone=False)
    rows = [(line, [address, " Jeanne "]) for line, address in enumerate(["nope", "a@b.example", ""] * 50)]
    gc.collect()
    gc.disable()
    try:
        verdicts = [gate.admit(line, values) for line, values in rows]
        del verdicts
        assert gc.collect() == 0
    finally:
        gc.enable()
