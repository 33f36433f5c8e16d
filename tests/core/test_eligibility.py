"""A campaign message goes only to whom the law allows: never suppressed, consumers only with consent,
professionals only when the offer relates to their job (RULES B5, C1-C3, D1-D3, F1, F4, G3, G5)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from licite.core.eligibility import (
    PROSPECT_ERASED,
    CampaignFacts,
    Decision,
    Exclusion,
    ProspectFacts,
    decide,
    job_relates,
    normalize_words,
    notice_overdue,
    summarize,
)

NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)

# A purchasing offer (fictitious): e-procurement software for buyers and finance directors.
PURCHASING = ("achat", "acheteur", "acheteuse", "procurement", "purchasing", "buyer", "DAF")
# The NESTOR lesson: a meal-voucher offer concerns those who choose employee benefits, not every employee.
MEAL_VOUCHERS = ("ressources humaines", "RH", "HR", "avantages sociaux", "benefits")


def prospect(**overrides):
    """A professional who may receive a purchasing offer: the inputs a test changes are overridden."""
    base = ProspectFacts(
        audience="b2b",
        email_kind="nominative",
        status="active",
        job_title="Directrice des Achats",
        retain_until=NOW + timedelta(days=700),
        notice_sent_at=None,
        notice_due_at=NOW + timedelta(days=10),
        suppressed=False,
        consent_given=False,
        consent_withdrawn=False,
        hard_bounced=False,
    )
    return dataclasses.replace(base, **overrides)


def consumer(**overrides):
    """A consumer whose consent is proved and not withdrawn."""
    base = {"audience": "b2c", "email_kind": "private", "job_title": "", "consent_given": True}
    return prospect(**(base | overrides))


B2B = CampaignFacts(audience="b2b", functions=PURCHASING)
B2C = CampaignFacts(audience="b2c", functions=())


def test_a_purchasing_director_may_receive_a_purchasing_offer_carrying_the_notice():
    decision = decide(prospect(), B2B, NOW)
    assert decision == Decision(True, None, decision.detail, include_notice=True)
    assert "'Directrice des Achats' relates to 'achat'" in decision.detail


def test_the_notice_is_not_included_again_once_it_was_sent():
    decision = decide(prospect(notice_sent_at=NOW - timedelta(days=3)), B2B, NOW)
    assert decision.eligible
    assert not decision.include_notice


def test_a_consumer_with_proved_consent_may_receive_a_consumer_campaign():
    decision = decide(consumer(), B2C, NOW)
    assert decision.eligible
    assert decision.reason is None


def test_a_suppressed_address_is_excluded():
    decision = decide(prospect(suppressed=True), B2B, NOW)
    assert (decision.eligible, decision.reason) == (False, Exclusion.SUPPRESSED)
    assert "suppression list" in decision.detail


def test_an_erased_prospect_has_its_own_decision_for_the_send_time_check():
    assert not PROSPECT_ERASED.eligible
    assert PROSPECT_ERASED.reason is Exclusion.ERASED


def test_a_hard_bounced_address_is_excluded():
    assert decide(prospect(hard_bounced=True), B2B, NOW).reason is Exclusion.HARD_BOUNCE


@pytest.mark.parametrize("kind", ["invalid", "", "Nominative"])
def test_an_address_of_no_known_kind_is_excluded(kind):
    assert decide(prospect(email_kind=kind), B2B, NOW).reason is Exclusion.INVALID_ADDRESS


@pytest.mark.parametrize("retain_until", [NOW, NOW - timedelta(seconds=1), NOW - timedelta(days=400)])
def test_a_prospect_is_excluded_from_the_moment_retention_ends(retain_until):
    assert decide(prospect(retain_until=retain_until), B2B, NOW).reason is Exclusion.RETENTION_EXPIRED


def test_a_prospect_is_still_eligible_the_second_before_retention_ends():
    assert decide(prospect(retain_until=NOW + timedelta(seconds=1)), B2B, NOW).eligible


def test_a_restricted_prospect_is_excluded():
    assert decide(prospect(status="restricted"), B2B, NOW).reason is Exclusion.RESTRICTED


@pytest.mark.parametrize("status", ["", "archived", "Active"])
def test_an_unknown_status_is_read_as_restricted(status):
    decision = decide(prospect(status=status), B2B, NOW)
    assert decision.reason is Exclusion.RESTRICTED
    assert repr(status) in decision.detail


@pytest.mark.parametrize(
    ("facts", "campaign"),
    [
        (prospect(), B2C),
        (consumer(), B2B),
        (prospect(), CampaignFacts(audience="all", functions=PURCHASING)),
        (prospect(audience="B2B"), B2B),
    ],
)
def test_a_campaign_reaches_only_its_own_audience(facts, campaign):
    assert decide(facts, campaign, NOW).reason is Exclusion.AUDIENCE_MISMATCH


def test_a_consumer_who_withdrew_consent_is_excluded():
    decision = decide(consumer(consent_withdrawn=True), B2C, NOW)
    assert decision.reason is Exclusion.CONSENT_WITHDRAWN


def test_a_professional_who_withdrew_consent_is_excluded_too():
    assert decide(prospect(consent_withdrawn=True), B2B, NOW).reason is Exclusion.CONSENT_WITHDRAWN


def test_a_consumer_without_consent_is_excluded():
    assert decide(consumer(consent_given=False), B2C, NOW).reason is Exclusion.NO_CONSENT


def test_a_consumer_whose_consent_is_pending_is_excluded_even_with_a_consent_record():
    decision = decide(consumer(status="consent_pending"), B2C, NOW)
    assert decision.reason is Exclusion.NO_CONSENT
    assert "only the consent request" in decision.detail


def test_a_private_mailbox_needs_consent_even_when_filed_as_b2b():
    assert decide(prospect(email_kind="private"), B2B, NOW).reason is Exclusion.NO_CONSENT
    assert decide(prospect(email_kind="private", consent_given=True), B2B, NOW).eligible


@pytest.mark.parametrize("title", ["", "   ", " - / "])
def test_a_named_professional_without_a_job_title_is_excluded(title):
    assert decide(prospect(job_title=title), B2B, NOW).reason is Exclusion.NO_JOB_TITLE


def test_a_professional_whose_job_does_not_relate_to_the_offer_is_excluded():
    decision = decide(prospect(job_title="Comptable"), B2B, NOW)
    assert decision.reason is Exclusion.JOB_UNRELATED
    assert "'Comptable'" in decision.detail


def test_a_campaign_that_declares_no_functions_reaches_no_named_professional():
    campaign = CampaignFacts(audience="b2b", functions=())
    decision = decide(prospect(), campaign, NOW)
    assert decision.reason is Exclusion.JOB_UNRELATED
    assert decision.detail == "the campaign declares no functions"


@pytest.mark.parametrize("functions", [PURCHASING, ()])
def test_a_role_address_is_a_company_contact_with_no_job_to_relate_to(functions):
    facts = prospect(email_kind="generic", job_title="")
    decision = decide(facts, CampaignFacts(audience="b2b", functions=functions), NOW)
    assert decision.eligible
    assert "company contact, not a person" in decision.detail


def test_the_first_failed_rule_is_the_reason_in_the_order_of_the_exclusions():
    # Each fact fails one rule; fixing them one by one reveals the next rule in turn.
    repairs = [
        ("suppressed", True, False),
        ("hard_bounced", True, False),
        ("email_kind", "unknown", "private"),
        ("retain_until", NOW, NOW + timedelta(days=1)),
        ("status", "restricted", "active"),
        ("audience", "b2c", "b2b"),
        ("consent_withdrawn", True, False),
        ("consent_given", False, True),
        ("job_title", "", "Office manager"),
    ]
    facts = prospect(**{name: failing for name, failing, _ in repairs})
    reasons = []
    for name, _, repaired in repairs:
        reasons.append(decide(facts, B2B, NOW).reason)
        facts = dataclasses.replace(facts, **{name: repaired})
    reasons.append(decide(facts, B2B, NOW).reason)
    assert reasons == [e for e in Exclusion if e not in (Exclusion.ERASED, Exclusion.NOTICE_OVERDUE)]
    assert decide(dataclasses.replace(facts, job_title="Acheteuse"), B2B, NOW).eligible


@pytest.mark.parametrize(
    ("title", "functions", "relates"),
    [
        ("Directrice des Achats", ("achats",), True),
        ("Head of Procurement", ("procurement",), True),
        ("Office manager", ("achats", "procurement"), False),
        ("Responsable achats", ("achat",), True),  # a stem matches the plural
        ("Responsable achat", ("achats",), True),  # a plural matches the singular: they share a stem
        ("Acheteuse projets", PURCHASING, True),
        ("Acheteur", ("achats",), True),  # "achats" is a title of purchasing: it stands for all of them
        ("Senior Buyer", PURCHASING, True),
        ("DAF", PURCHASING, True),
        ("Directeur administratif et financier", ("directeur financier",), True),
        ("Comptable", PURCHASING, False),
        ("Chief Accountant", PURCHASING, False),
        ("Gestionnaire de paie", PURCHASING, False),
        ("Responsable comptabilité", ("comptabilite",), True),
        ("Responsable comptabilite", ("Comptabilité",), True),
        ("Rhumatologue", ("RH",), False),  # short keywords match whole words only
        # NESTOR: meal vouchers were offered to office workers whose jobs had nothing to do with them.
        ("Responsable des ressources humaines", MEAL_VOUCHERS, True),
        ("Chargée RH", MEAL_VOUCHERS, True),
        ("Compensation & Benefits Manager", MEAL_VOUCHERS, True),
        ("Assistante commerciale", MEAL_VOUCHERS, False),
        ("Développeuse web", MEAL_VOUCHERS, False),
        ("Office manager", MEAL_VOUCHERS, False),
        ("Ressources documentaires", MEAL_VOUCHERS, False),  # every word of a function must appear
    ],
)
def test_a_job_relates_to_an_offer_only_through_a_declared_function(title, functions, relates):
    assert job_relates(title, functions) is relates
    expected = None if relates else Exclusion.JOB_UNRELATED
    assert decide(prospect(job_title=title), CampaignFacts("b2b", functions), NOW).reason is expected


def test_a_function_of_no_words_matches_no_title():
    assert not job_relates("Office manager", ("", "  ", "&"))


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Directrice des Achats", ("directrice", "des", "achats")),
        ("R&D / Innovation", ("r", "d", "innovation")),
        ("Chargé·e d'affaires", ("charge", "e", "d", "affaires")),
        ("ÉLODIE_Ñúñez", ("elodie", "nunez")),
        ("Straße", ("strasse",)),
        ("", ()),
    ],
)
def test_words_are_lower_case_without_accents_and_split_on_punctuation(text, words):
    assert normalize_words(text) == words


def test_an_unsent_notice_is_overdue_only_after_its_due_date():
    assert not notice_overdue(prospect(notice_due_at=NOW), NOW)
    assert notice_overdue(prospect(notice_due_at=NOW - timedelta(seconds=1)), NOW)
    assert not notice_overdue(prospect(notice_due_at=NOW - timedelta(days=9), notice_sent_at=NOW), NOW)


def test_an_overdue_notice_does_not_hold_a_message_that_carries_it():
    decision = decide(prospect(notice_due_at=NOW - timedelta(days=5)), B2B, NOW)
    assert decision.eligible
    assert decision.include_notice


def test_a_summary_counts_eligible_messages_and_each_exclusion():
    decisions = [
        decide(prospect(), B2B, NOW),
        decide(prospect(suppressed=True), B2B, NOW),
        decide(prospect(job_title="Comptable"), B2B, NOW),
        decide(prospect(job_title="Trésorière"), B2B, NOW),
        PROSPECT_ERASED,
    ]
    counts = summarize(decisions)
    assert list(counts) == ["eligible", *(e.value for e in Exclusion)]
    assert {k: v for k, v in counts.items() if v} == {
        "eligible": 1,
        "suppressed": 1,
        "job_unrelated": 2,
        "erased": 1,
    }


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="now must be an aware datetime"):
        decide(prospect(), B2B, NOW.replace(tzinfo=None))
    with pytest.raises(ValueError, match="retain_until"):
        decide(prospect(retain_until=NOW.replace(tzinfo=None)), B2B, NOW)
    with pytest.raises(ValueError, match="notice_due_at"):
        notice_overdue(prospect(notice_due_at=NOW.replace(tzinfo=None)), NOW)


def test_a_decision_has_a_reason_exactly_when_it_is_not_eligible():
    with pytest.raises(ValueError, match="reason"):
        Decision(True, Exclusion.SUPPRESSED, "", False)
    with pytest.raises(ValueError, match="reason"):
        Decision(False, None, "", False)


moments = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5))]),
)
labels = st.sampled_from
any_prospect = st.builds(
    ProspectFacts,
    audience=labels(["b2b", "b2c"]) | st.text(max_size=5),
    email_kind=labels(["nominative", "generic", "private"]) | st.text(max_size=5),
    status=labels(["active", "consent_pending", "restricted"]) | st.text(max_size=5),
    job_title=labels(["Directrice des Achats", "Comptable", ""]) | st.text(),
    retain_until=moments,
    notice_sent_at=st.none() | moments,
    notice_due_at=moments,
    suppressed=st.booleans(),
    consent_given=st.booleans(),
    consent_withdrawn=st.booleans(),
    hard_bounced=st.booleans(),
)
any_campaign = st.builds(
    CampaignFacts,
    audience=labels(["b2b", "b2c"]) | st.text(max_size=5),
    functions=st.tuples() | st.just(PURCHASING) | st.lists(st.text(), max_size=4).map(tuple),
)


@given(any_prospect, any_campaign, moments)
def test_a_suppressed_prospect_is_never_eligible_whatever_the_other_facts(facts, campaign, now):
    decision = decide(dataclasses.replace(facts, suppressed=True), campaign, now)
    assert decision.reason is Exclusion.SUPPRESSED
    assert not decision.eligible


@given(any_prospect, any_campaign, moments)
def test_decide_never_raises_and_its_answer_is_consistent(facts, campaign, now):
    decision = decide(facts, campaign, now)
    assert decision.eligible is (decision.reason is None)
    assert decision.reason is not Exclusion.NOTICE_OVERDUE
    assert decision.include_notice is (facts.notice_sent_at is None)
    assert decision.detail
    notice_overdue(facts, now)


@given(any_prospect, any_campaign, moments)
def test_a_consumer_without_consent_is_never_eligible(facts, campaign, now):
    facts = dataclasses.replace(facts, audience="b2c", consent_given=False)
    assert not decide(facts, campaign, now).eligible


@given(any_prospect, any_campaign, moments)
def test_a_named_professional_is_eligible_only_if_a_function_relates_to_the_job(facts, campaign, now):
    facts = dataclasses.replace(facts, audience="b2b", email_kind="nominative")
    if decide(facts, campaign, now).eligible:
        assert job_relates(facts.job_title, campaign.functions)


@given(st.text())
def test_normalized_words_are_stable_lower_case_and_unaccented(text):
    words = normalize_words(text)
    assert normalize_words(" ".join(words)) == words
    assert all(word and word == word.casefold() for word in words)
