"""A campaign's functions reach the job titles a French or English speaker would count in them, in
both genders and the plural, and no other (RULES C3, NESTOR)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from licite.core.eligibility import CampaignFacts, Exclusion, ProspectFacts, decide, job_relates
from licite.core.functions import TABLE, parse_additions

NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


def professional(job_title: str) -> ProspectFacts:
    return ProspectFacts(
        audience="b2b", email_kind="nominative", status="active", job_title=job_title,
        retain_until=NOW + timedelta(days=700), notice_sent_at=None, notice_due_at=NOW + timedelta(days=10),
        suppressed=False, consent_given=False, consent_withdrawn=False, hard_bounced=False,
    )  # fmt: skip


PURCHASING_TITLES = [
    "acheteuse",
    "Acheteur",
    "Acheteuses projets",
    "Responsable des achats",
    "Directrice Achats",
    "Purchasing Manager",
    "Procurement officer",
    "Head of Sourcing",
    "Approvisionneuse",
    "Senior Buyer",
]


@pytest.mark.parametrize("title", PURCHASING_TITLES)
def test_every_purchasing_title_relates_to_the_word_achat(title):
    assert job_relates(title, ("achat",))


@pytest.mark.parametrize("title", PURCHASING_TITLES)
def test_every_purchasing_title_relates_to_the_function_key(title):
    assert job_relates(title, ("purchasing",))


def test_the_readme_example_reaches_the_feminine_form():
    assert job_relates("Acheteuse", ("achat", "procurement"))


@pytest.mark.parametrize(
    "title", ["Comptable", "Chief Accountant", "Office manager", "Directrice commerciale", "Assistante"]
)
def test_titles_of_other_functions_do_not_relate_to_achat(title):
    assert not job_relates(title, ("achat",))


@pytest.mark.parametrize(
    ("word", "title"),
    [
        ("directeur", "Directrice générale"),
        ("directrice", "Directeurs"),
        ("chargé", "Chargée de communication"),
        ("chargée", "Chargés d'affaires"),
        ("commercial", "Directrice commerciale"),
        ("commerciale", "Commerciaux terrain"),
        ("responsable", "Responsables logistique"),
        ("juriste", "Juristes"),
    ],
)
def test_a_free_word_matches_both_genders_and_the_plural(word, title):
    assert job_relates(title, (word,))


@pytest.mark.parametrize(
    "title", ["Directeur", "Manager", "Office manager", "Head of", "Responsable", "Chief", "Assistante"]
)
def test_a_seniority_word_alone_belongs_to_no_function(title):
    assert not any(job_relates(title, (function.key,)) for function in TABLE.functions)


def test_a_function_key_is_not_read_as_a_word_of_the_title():
    assert not job_relates("Office manager", ("management",))
    assert job_relates("Directrice générale", ("management",))


@given(
    st.sampled_from([(f.key, title) for f in TABLE.functions for title in f.titles]),
    st.sampled_from(["", "Responsable ", "Directrice ", "Head of ", "Senior ", "Chargée de "]),
)
def test_every_title_of_the_table_relates_to_its_function_and_to_itself(entry, level):
    key, title = entry
    assert job_relates(level + title, (key,))
    assert job_relates(level + title, (title,))


def test_an_excluded_title_says_which_functions_it_matches_none_of():
    decision = decide(professional("Comptable"), CampaignFacts("b2b", ("achat",)), NOW)
    assert decision.reason is Exclusion.JOB_UNRELATED
    assert decision.detail == (
        "the job title 'Comptable' matches none of the functions purchasing (achat, acheteur, buyer...)"
        " (RULES C3)"
    )


def test_a_free_word_outside_the_table_is_named_as_written():
    decision = decide(professional("Comptable"), CampaignFacts("b2b", ("achat", "widgets")), NOW)
    assert "purchasing (achat, acheteur, buyer...), 'widgets'" in decision.detail


def test_an_eligible_title_says_through_which_function_it_relates():
    decision = decide(professional("Head of Sourcing"), CampaignFacts("b2b", ("achat",)), NOW)
    assert decision.eligible
    assert (
        decision.detail
        == "the job title 'Head of Sourcing' relates to 'achat', as a title of purchasing (RULES C3)"
    )


def test_a_missing_title_says_so():
    decision = decide(professional(" "), CampaignFacts("b2b", ("achat",)), NOW)
    assert decision.reason is Exclusion.NO_JOB_TITLE
    assert decision.detail.startswith("no job title")


def test_the_organisation_adds_titles_to_a_function_and_new_functions():
    table = TABLE.with_additions(
        parse_additions({"Purchasing": ["supply planner"], "events": ["événementiel", "event manager"]})
    )
    assert job_relates("Supply Planner", ("achat",), table)
    assert not job_relates("Supply Planner", ("achat",))
    assert job_relates("Chargée de l'événementiel", ("events",), table)
    assert job_relates("Event Manager", ("événementiel",), table)
    assert not job_relates("Office manager", ("events",), table)
    facts = CampaignFacts("b2b", ("events",), table)
    assert "events (événementiel, event manager...)" in decide(professional("Comptable"), facts, NOW).detail


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (["achat"], "expected an object"),
        ({"purchasing": "buyer"}, "must be a list of job titles"),
        ({"purchasing": []}, "must be a list of job titles"),
        ({"purchasing": ["buyer", " "]}, "none of them blank"),
        ({" - ": ["buyer"]}, "not a function name"),
    ],
)
def test_the_organisations_additions_are_checked(value, message):
    with pytest.raises(ValueError, match=message):
        parse_additions(value)


def test_no_additions_are_an_empty_table_extension():
    assert parse_additions(None) == parse_additions("") == parse_additions({}) == {}


@pytest.mark.parametrize(
    ("title", "function"),
    [
        ("Market Maker", "marketing"),
        ("Agent de la commune", "communication"),
        ("Product Owner", "production"),
        ("Key Account Manager", "comptable"),
    ],
)
def test_a_word_sharing_only_a_beginning_with_a_function_does_not_relate_to_it(title, function):
    """RULES C3 (NESTOR): a stemmer's join of two meanings is not a relation to the job."""
    assert not job_relates(title, (function,))
