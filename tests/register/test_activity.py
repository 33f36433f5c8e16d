"""An activity holds every field of the CNIL's register template, each list checked against the
CNIL's own (RULES H1)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from licite.register.models import ProcessingActivity

pytestmark = pytest.mark.django_db


def activity(**values):
    return ProcessingActivity(**{
        "name": "B2B", "purpose_fr": "Prospecter", "purpose_en": "Prospecting", "legal_basis": "consent",
        "person_categories": ["prospects"], **values,
    })  # fmt: skip


def errors(candidate):
    with pytest.raises(ValidationError) as caught:
        candidate.full_clean()
    return caught.value.message_dict


def test_a_complete_activity_is_valid():
    activity(
        reference="T-1",
        sub_purposes_fr=["Informer"], sub_purposes_en=["Inform"],
        data_categories=[{"category": "identity", "description_fr": "Nom", "description_en": "Name",
                          "retention_fr": "3 ans", "retention_en": "3 years"}],
        sensitive_data=[{"category": "health", "description_fr": "Allergies", "description_en": "Allergies"}],
        recipients=[{"category": "processors", "details_fr": "Envoi", "details_en": "Sending"}],
        security_measures=[{"category": "encryption", "details_fr": "HTTPS", "details_en": "HTTPS"}],
        transfers=[{"recipient": "Mailer Inc.", "country": "US", "safeguard": "scc", "link": "https://x.example"}],
        joint_controllers=[{"name": "Partner SAS", "city": "Lyon", "email": "dpo@partner.example"}],
    ).full_clean()  # fmt: skip


def test_a_data_category_outside_the_cnil_list_is_refused_naming_the_list():
    message = errors(activity(data_categories=[{"category": "hobbies"}]))["data_categories"][0]
    assert "hobbies" in message
    assert "identity, personal_life" in message


def test_a_sensitive_category_outside_the_nine_is_refused():
    assert "sensitive_data" in errors(activity(sensitive_data=["identity"]))


def test_more_than_five_sub_purposes_are_refused():
    assert "sub_purposes_en" in errors(activity(sub_purposes_en=["a", "b", "c", "d", "e", "f"]))


def test_a_transfer_outside_the_eu_needs_a_safeguard_of_the_list():
    bad = activity(transfers=[{"recipient": "Mailer Inc.", "country": "US", "safeguard": "trust us"}])
    assert "scc, bcr" in errors(bad)["transfers"][0]


def test_a_joint_controller_needs_a_name():
    assert "joint_controllers" in errors(activity(joint_controllers=[{"city": "Lyon"}]))


def test_an_activity_names_its_categories_of_persons():
    assert "person_categories" in errors(activity(person_categories=[]))
    assert "person_categories" in errors(activity(person_categories=["aliens"]))


def test_a_category_written_as_words_still_feeds_the_notice():
    legacy = activity(data_categories=["identity", "professional life"])
    assert legacy.as_notice_activity().data_categories == ("identity", "professional_life")
    legacy.full_clean()
