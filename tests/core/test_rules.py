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
from licite.core.sources import (
    KNOWN_PLATFORMS,
    SourceFacts,
    may_collect_from,
    platform_for,
    platform_refusal,
    recognise,
)


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


@pytest.mark.parametrize(
    ("address", "domain"),
    [("jean@mail.acme.co.uk", "acme.co.uk"), ("jean@eu.mail.acme.fr", "acme.fr"), ("jean@acme.fr", "acme.fr"),
     ("jean@mail.acme.example", "acme.example"), ("jean@a.b.acme.com.br", "acme.com.br")],
)  # fmt: skip
def test_the_company_domain_taken_from_an_address_is_the_registered_one(address, domain):
    admitted = RowGate({"email": 0}, keep_phone=False).admit(2, [address])
    assert isinstance(admitted, Admitted)
    assert admitted.company_domain == domain


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
    ("value", "code"),
    [("Allemagne", "DE"), ("Deutschland", "DE"), ("DE", "DE"), ("DEU", "DE"), ("Germany", "DE"),
     ("Japon", "JP"), ("Japan", "JP"), ("Brésil", "BR"), ("Corée du Sud", "KR"), ("South Korea", "KR"),
     ("Viêt Nam", "VN"), ("Vietnam", "VN"), ("Nouvelle-Zélande", "NZ"), ("Mexique", "MX"), ("KE", "KE"),
     ("Kenya", "KE"), ("Sénégal", "SN"), ("Madagascar", "MG"), ("Russie", "RU"), ("Russia", "RU"),
     ("États-Unis d’Amérique", "US"), ("Royaume-Uni de Grande-Bretagne et d'Irlande du Nord", "GB"),
     ("Korea", None), ("ZZ", None)],
)  # fmt: skip
def test_every_country_is_read_by_its_french_or_english_name_or_its_codes(value, code):
    assert country_code(value) == code


def test_every_iso_country_maps_from_its_code_and_its_french_name():
    import gettext

    import pycountry

    french = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
    for country in pycountry.countries:
        assert country_code(country.alpha_2.lower()) == country.alpha_2
        assert country_code(french.gettext(country.name)) == country.alpha_2, country.name
        assert country_code(country.name.upper()) == country.alpha_2, country.name


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


@pytest.mark.parametrize(
    ("name", "url", "notes"),
    [
        ("LinkedIn Sales Navigator", "", ""),
        ("linkedin-sales-navigator", "", ""),
        ("LinkedIn SalesNav", "", ""),
        ("Sales Nav – export mars", "", ""),
        ("Recruiter Lite", "", ""),
        ("Liens reçus", "https://lnkd.in/dXyZ", ""),
        ("Profils", "https://fr.linkedin.com/sales/search/people", ""),
        ("Fichier", "", "profils lus sur www.linkedin.com/in/..."),
        ("L\u0456nkedIn", "", ""),  # a Cyrillic i
        ("S\u0430les N\u0430v", "", ""),  # Cyrillic a
    ],
)
def test_linkedin_is_recognised_by_its_products_domains_and_short_links(name, url, notes):
    assert platform_for(name, url, notes).name == "LinkedIn"


@pytest.mark.parametrize(
    ("name", "url", "notes", "tool"),
    [
        ("Export Kaspr", "", "", "Kaspr"),
        ("Fichier", "https://app.phantombuster.com/agents", "", "Phantombuster"),
        ("Fichier", "", "copié avec ProspectIn", "Waalaxy"),
        ("Leads", "", "extension Apollo.io", "Apollo.io"),
        ("Évaboot", "", "", "Evaboot"),
    ],
)
def test_a_tool_that_copies_linkedin_is_linkedins_data(name, url, notes, tool):
    found = recognise(name, url, notes)
    assert (found.platform.name, found.tool.name) == ("LinkedIn", tool)


def test_a_platform_named_in_the_notes_only_to_deny_it_is_not_a_match():
    assert recognise("Salon Apollo 2026", "", "contacts pris au salon, pas sur LinkedIn") is None


@pytest.mark.parametrize("method", ["automated", "api", "export", "purchase", "form"])
def test_only_a_person_typing_what_a_page_shows_may_collect_from_linkedin(method):
    decision = may_collect_from(
        facts(name="LinkedIn Sales Navigator", method=method, extraction_allowed="yes"),
        legitimate_interest=True,
    )
    assert not decision.allowed
    assert "section 8.2" in decision.reasons[0]
    assert "SAN-2024-020" in decision.reasons[0]
    assert may_collect_from(facts(name="LinkedIn Sales Navigator"), legitimate_interest=True).allowed


def test_nothing_from_a_copying_tool_passes_not_even_typed_by_hand():
    refusal = platform_refusal("Contacts", "https://www.kaspr.io/", "manual")
    assert refusal is not None
    assert "Kaspr, a tool that copies LinkedIn" in str(refusal)
    assert "240,000 EUR" in str(refusal)


def test_a_directory_sold_by_subscription_refuses_scraping_only():
    assert platform_refusal("Kompass", "", "automated") is not None
    assert platform_refusal("Kompass", "", "export") is None
    assert platform_refusal("Annuaire des entreprises", "", "automated") is None


def test_every_preset_fits_the_sources_terms_column():
    # Source.terms_reference holds 300 characters.
    assert max(len(platform.terms_reference) for platform in KNOWN_PLATFORMS) <= 300
