"""What the pages share: page keys that never raise, an action's refusal on its form, counts in the
reader's language, and one permission per use case for the pages and the CLI (RULES F5)."""

# The fixtures imported below are pytest's, received as arguments of the same name.
# ruff: noqa: F811
from __future__ import annotations

import io
import re

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from licite.campaigns.actions import do_create_campaign
from licite.prospects.models import Source
from licite.register.models import ProcessingActivity
from licite.web.forms import add_action_errors
from tests.campaigns.conftest import organisation, prospects, smtp  # noqa: F401

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}

PAGED = [
    ("prospect_list", False),
    ("import_list", False),
    ("source_detail", True),
    ("campaign_list", False),
    ("user_list", False),
    ("quiz_results", False),
    ("rights_queue", False),
    ("purge", False),
    ("audit_trail", False),
]
BAD_KEYS = ["after=%C2%B2", "before=abc", "after=99999999999999999999999", "before=-3", "after=1%C2%B2"]


@pytest.fixture
def declared():
    return Source.objects.create(name="Salon Industrie Lyon 2026", kind="trade_show")


@pytest.mark.parametrize(("name", "with_pk"), PAGED)
@pytest.mark.parametrize("query", BAD_KEYS)
def test_every_paged_list_shows_its_first_page_for_a_key_that_is_not_one(
    client, owner, declared, name, with_pk, query
):
    client.force_login(owner)
    url = reverse(name, args=[declared.pk] if with_pk else [])
    response = client.get(f"{url}?{query}", headers=EN)
    assert response.status_code == 200


def test_a_quiz_result_asked_for_by_a_key_that_is_not_one_is_ignored(client, owner):
    client.force_login(owner)
    assert client.get(reverse("quiz") + "?taken=%C2%B2", headers=EN).status_code == 200


def test_the_filters_survive_in_the_next_link_without_the_old_key(client, owner):
    from licite.audit.actions import record
    from licite.audit.models import AuditEvent

    for _ in range(51):
        record(None, "demo.event", None)
    client.force_login(owner)
    body = client.get(reverse("audit_trail") + "?action=demo&after=999999", headers=EN).content.decode()
    assert AuditEvent.objects.count() >= 51
    following = re.search(r'id="next" href="\?action=demo&amp;after=([0-9]+)"', body)
    assert following is not None
    assert following.group(1) != "999999"


# --- an action's refusal on its form -------------------------------------------------------------


class NameForm(forms.Form):
    name = forms.CharField()


def test_an_action_error_on_a_field_is_shown_beside_that_field():
    form = NameForm({"name": "x"})
    form.is_valid()
    add_action_errors(form, ValidationError({"name": "Too short.", "elsewhere": "Not here."}))
    assert form.errors["name"] == ["Too short."]
    assert form.non_field_errors() == ["Not here."]


def test_an_action_error_on_a_model_field_the_form_calls_otherwise_is_beside_the_form_field():
    form = NameForm({"name": "x"})
    form.is_valid()
    add_action_errors(form, ValidationError({"full_name": "Too short."}), {"full_name": "name"})
    assert form.errors["name"] == ["Too short."]


def test_an_action_error_on_no_field_is_shown_above_the_form():
    form = NameForm({"name": "x"})
    form.is_valid()
    add_action_errors(form, ValidationError(["Refused.", "Twice."]))
    assert form.non_field_errors() == ["Refused.", "Twice."]


def test_an_activity_the_model_refuses_is_shown_again_with_the_error_not_a_crash(client, owner):
    """do_save_activity's full_clean checks what the form does not: a name already taken."""
    ProcessingActivity.objects.create(
        name="Prospection B2B", purpose_fr="p", purpose_en="p", legal_basis="legitimate_interest"
    )
    client.force_login(owner)
    page = client.get(reverse("activity_create"), headers=EN)
    data = {key: value for key, value in page.context["form"].initial.items() if value is not None}
    data.update(name="Prospection B2B", purpose_fr="p", purpose_en="p", legal_basis="legitimate_interest")
    response = client.post(reverse("activity_create"), data, headers=EN)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert ProcessingActivity.objects.count() == 1


# --- counts in the reader's language -------------------------------------------------------------


def test_a_count_has_the_thousands_separator_of_the_readers_language():
    from licite.campaigns.staff_views import _number

    with translation.override("en"):
        assert _number(12345) == "12,345"
    with translation.override("fr"):
        assert _number(12345) in {"12\u202f345", "12\xa0345", "12 345"}


def test_one_settled_message_is_said_in_the_singular(client, salesperson, prospects):
    from datetime import timedelta

    from django.utils import timezone

    from licite.campaigns.actions import do_queue_campaign
    from licite.campaigns.models import OutboundMessage

    campaign = _campaign()
    do_queue_campaign(None, campaign)
    OutboundMessage.objects.filter(pk=OutboundMessage.objects.earliest("pk").pk).update(
        status="sending", claimed_at=timezone.now() - timedelta(hours=1)
    )
    client.force_login(salesperson)
    response = client.post(reverse("campaign_settle", args=[campaign.pk]), headers=EN, follow=True)
    assert "1 message marked failed; it will never be sent again." in response.content.decode()
    french = client.post(
        reverse("campaign_settle", args=[campaign.pk]), headers={"accept-language": "fr"}, follow=True
    )
    assert french.status_code == 200


def _campaign():
    return do_create_campaign(
        None, name="Audit achats", purpose="Prospecting purchasing managers", offer="A purchasing audit",
        audience="b2b", functions=["achats"], subject_fr="Votre audit", subject_en="Your audit",
        body_fr="Nous auditons vos achats.", body_en="We audit your purchasing.",
    )  # fmt: skip


# --- one permission per use case, web and CLI ----------------------------------------------------


@pytest.fixture
def dpo(django_user_model):
    return django_user_model.objects.create_user(
        "dana", "dana@acme.example", "correct horse battery", role="dpo"
    )


def test_who_sees_prospects_sees_the_sources_but_only_who_declares_them_changes_them(
    client, salesperson, declared
):
    client.force_login(salesperson)
    listing = client.get(reverse("source_list"), headers=EN)
    detail = client.get(reverse("source_detail", args=[declared.pk]), headers=EN)
    assert (listing.status_code, detail.status_code) == (200, 200)
    assert declared.name in listing.content.decode()
    assert 'id="new-source"' not in listing.content.decode()
    assert 'id="assess"' not in detail.content.decode()
    assert client.get(reverse("source_assess", args=[declared.pk]), headers=EN).status_code == 403


def test_the_dpo_reads_a_campaigns_preview_and_status_from_the_cli_as_from_the_pages(client, dpo, prospects):
    campaign = _campaign()
    out = io.StringIO()
    call_command("campaign", "preview", campaign.name, "--as", "dana", stdout=out)
    call_command("campaign", "status", campaign.name, "--as", "dana", stdout=out)
    client.force_login(dpo)
    assert client.get(reverse("campaign_detail", args=[campaign.pk]), headers=EN).status_code == 200


def test_the_dpo_may_not_send_a_campaign_from_the_cli(dpo, prospects):
    campaign = _campaign()
    with pytest.raises(CommandError, match="may not send campaigns"):
        call_command("campaign", "send", campaign.name, "--as", "dana", stdout=io.StringIO())


def test_an_activity_whose_joint_controllers_the_model_refuses_is_shown_again_not_a_crash(client, owner):
    """The form leaves the joint controllers to the admin; do_save_activity's full_clean checks
    them too, and its refusal is an error in the page."""
    activity = ProcessingActivity.objects.create(
        name="Prospection B2B", purpose_fr="p", purpose_en="p", legal_basis="legitimate_interest",
        joint_controllers=[{"colour": "blue"}],
    )  # fmt: skip
    client.force_login(owner)
    page = client.get(reverse("activity_edit", args=[activity.pk]), headers=EN)
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() not in (None, [])}
    data["name"] = "Prospection B2B renamed"
    response = client.post(reverse("activity_edit", args=[activity.pk]), data, headers=EN)
    assert response.status_code == 200
    assert "joint controller" in response.content.decode()
    activity.refresh_from_db()
    assert activity.name == "Prospection B2B"
