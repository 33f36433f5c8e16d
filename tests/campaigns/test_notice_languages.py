"""The register's texts the notice quotes exist in French and English: a notice is never sent with
one of them missing in the person's language, and the way to fix it is named (RULES D1, D4)."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from licite.campaigns.models import OutboundMessage
from licite.register.models import ProcessingActivity
from tests.campaigns.test_campaigns import EMILY, JEANNE, LEA, purchasing_campaign

pytestmark = pytest.mark.django_db(transaction=True)
ACTIVITY = "Prospection (legitimate_interest)"


def written_only_in(language: str, basis: str = "legitimate_interest") -> None:
    """The activity as an upgrade leaves it: its texts in the organisation's language only."""
    other = "en" if language == "fr" else "fr"
    blank = {f"{name}_{other}": "" for name in ("purpose", "interest_pursued", "recipients_internal")}
    ProcessingActivity.objects.filter(legal_basis=basis).update(**blank)


def notice_preview(email: str, language: str) -> str:
    out = io.StringIO()
    call_command("notice", "preview", email, "--lang", language, stdout=out)
    return out.getvalue()


def test_notice_preview_names_the_field_to_fill_for_the_missing_language(prospects):
    written_only_in("fr")
    with pytest.raises(CommandError) as refused:
        notice_preview(EMILY, "en")
    message = str(refused.value)
    assert message.startswith(
        f"the processing activity '{ACTIVITY}' has no English text for: purpose (purpose_en), "
        "legitimate interest pursued (interest_pursued_en), internal recipients (recipients_internal_en)"
    )
    assert "\n" not in message
    assert "Prospection commerciale par courriel" in notice_preview(EMILY, "fr")


def test_campaign_send_queues_nothing_when_one_notice_lacks_its_language(prospects):
    written_only_in("fr")
    purchasing_campaign()
    with pytest.raises(CommandError, match=r"has no English .*purpose \(purpose_en\)"):
        call_command("campaign", "send", "Audit achats", stdout=io.StringIO())
    assert not OutboundMessage.objects.exists()


def test_campaign_preview_says_which_field_to_fill(prospects):
    written_only_in("en")
    purchasing_campaign()
    with pytest.raises(CommandError, match=r"has no French .*purpose \(purpose_fr\)"):
        call_command("campaign", "preview", "Audit achats", stdout=io.StringIO())


def test_a_consent_request_is_not_sent_in_a_mix_of_languages(prospects):
    written_only_in("en", basis="consent")
    with pytest.raises(CommandError, match=r"has no French .*purpose \(purpose_fr\)"):
        call_command("consent", "request", LEA, stdout=io.StringIO())
    assert not OutboundMessage.objects.exists()


def test_the_messages_of_a_complete_register_quote_each_person_s_own_language(prospects):
    purchasing_campaign()
    call_command("campaign", "send", "Audit achats", stdout=io.StringIO())
    jeanne = OutboundMessage.objects.get(to_address=JEANNE).body_text
    emily = OutboundMessage.objects.get(to_address=EMILY).body_text
    assert "Prospection commerciale par courriel" in jeanne
    assert "Commercial prospecting by email" not in jeanne
    assert "Commercial prospecting by email" in emily
    assert "Prospection commerciale par courriel" not in emily


def test_the_register_refuses_a_text_written_in_one_language_only(organisation):
    activity = ProcessingActivity.objects.get(legal_basis="legitimate_interest")
    activity.retention_fr = "5 ans à compter du dernier contact"
    activity.retention_en = ""
    with pytest.raises(ValidationError) as refused:
        activity.full_clean()
    assert set(refused.value.message_dict) == {"retention_en"}
    activity.retention_en = "5 years from the last contact"
    activity.full_clean()


def test_the_register_asks_for_the_interest_pursued_in_both_languages_under_legitimate_interest(
    organisation,
):
    activity = ProcessingActivity.objects.get(legal_basis="legitimate_interest")
    activity.interest_pursued_fr = activity.interest_pursued_en = ""
    with pytest.raises(ValidationError) as refused:
        activity.full_clean()
    assert set(refused.value.message_dict) == {"interest_pursued_fr", "interest_pursued_en"}
