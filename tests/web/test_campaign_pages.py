"""The campaign pages: list, create, preview, send and follow, each through the action of its use
case, each refusing the roles the matrix does not allow (RULES C1-C3, E1, F5)."""

# The fixtures imported below are pytest's, received as arguments of the same name.
# ruff: noqa: F811
from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from licite.campaigns.actions import do_create_campaign, do_queue_campaign
from licite.campaigns.models import Campaign, OutboundMessage
from licite.rights.actions import do_object
from tests.campaigns.conftest import organisation, prospects, smtp  # noqa: F401

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}
JEANNE, EMILY = "jeanne.dupont@acme-industrie.example", "emily.brown@northfield.example"


def purchasing_campaign(name: str = "Audit achats") -> Campaign:
    return do_create_campaign(
        None, name=name, purpose="Prospecting purchasing managers", offer="A purchasing audit",
        audience="b2b", functions=["achats", "procurement"], subject_fr="Votre audit achats",
        subject_en="Your purchasing audit", body_fr="Nous auditons vos achats.",
        body_en="We audit your purchasing.",
    )  # fmt: skip


def run_worker() -> None:
    call_command("worker", batch=True, stdout=io.StringIO(), stderr=io.StringIO())


# --- a campaign all of whose messages were cancelled ----------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_campaign_whose_every_message_was_cancelled_is_not_called_sent(client, salesperson, prospects):
    campaign = purchasing_campaign()
    do_queue_campaign(None, campaign)
    for message in OutboundMessage.objects.filter(campaign=campaign):
        do_object(message, channel="one_click")  # everyone objects between queueing and sending
    run_worker()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.CANCELLED
    client.force_login(salesperson)
    page = client.get(reverse("campaign_detail", args=[campaign.pk]), headers=EN).content.decode()
    assert "No message was sent" in page
    assert "every message was cancelled before it left" in page


@pytest.fixture
def writer(django_user_model):
    """Communication staff: writes campaigns, sends none (licite.core.permissions)."""
    return django_user_model.objects.create_user(
        "dora", password="correct horse battery", role="communication"
    )


@pytest.fixture
def dpo(django_user_model):
    return django_user_model.objects.create_user("erin", password="correct horse battery", role="dpo")


FORM = {
    "name": "Audit achats", "purpose": "Prospecting purchasing managers", "offer": "A purchasing audit",
    "audience": "b2b", "functions": "achats, procurement,", "subject_fr": "Votre audit achats",
    "body_fr": "Nous auditons vos achats.", "subject_en": "Your purchasing audit",
    "body_en": "We audit your purchasing.", "link_url": "https://acme-conseil.example/audit",
}  # fmt: skip


def page(client, name: str, *args, **params):
    return client.get(reverse(name, args=args), params, headers=EN)


# --- access (RULES F5) -----------------------------------------------------------------------------


def test_the_campaign_pages_ask_to_log_in(client, organisation):
    response = client.get(reverse("campaign_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_staff_with_no_prospecting_role_get_403_on_every_campaign_page(client, outsider, prospects):
    campaign = purchasing_campaign()
    client.force_login(outsider)
    for name, args in (("campaign_list", ()), ("campaign_create", ()), ("campaign_detail", (campaign.pk,))):
        assert page(client, name, *args).status_code == 403, name
    assert client.post(reverse("campaign_create"), FORM).status_code == 403
    assert client.post(reverse("campaign_send", args=[campaign.pk])).status_code == 403
    assert not OutboundMessage.objects.exists()


def test_the_dpo_follows_campaigns_but_neither_creates_nor_sends_them(client, dpo, prospects):
    campaign = purchasing_campaign()
    client.force_login(dpo)
    detail = page(client, "campaign_detail", campaign.pk)
    assert detail.status_code == 200
    assert 'id="send-link"' not in detail.content.decode()
    assert client.post(reverse("campaign_create"), {**FORM, "name": "Autre"}).status_code == 403
    assert client.post(reverse("campaign_send", args=[campaign.pk])).status_code == 403
    assert Campaign.objects.count() == 1


def test_communication_staff_see_no_send_button_and_get_403_on_the_send(client, writer, prospects):
    campaign = purchasing_campaign()
    client.force_login(writer)
    detail = page(client, "campaign_detail", campaign.pk).content.decode()
    assert 'id="eligible-count">2<' in detail
    assert 'id="send-link"' not in detail
    assert page(client, "campaign_send", campaign.pk).status_code == 403
    assert client.post(reverse("campaign_send", args=[campaign.pk])).status_code == 403
    assert client.post(reverse("campaign_settle", args=[campaign.pk])).status_code == 403
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT
    assert not OutboundMessage.objects.exists()


# --- the list --------------------------------------------------------------------------------------


def test_the_list_shows_each_campaign_with_its_state_and_counts(client, salesperson, prospects):
    queued = purchasing_campaign()
    do_queue_campaign(None, queued)
    purchasing_campaign("Relance")
    client.force_login(salesperson)
    response = page(client, "campaign_list")
    rows = {c.name: (c.get_status_display(), c.counts) for c in response.context["page"].items}
    assert rows == {
        "Audit achats": ("Sending", {"sent": 0, "pending": 2, "cancelled": 0, "failed": 0}),
        "Relance": ("Draft", {"sent": 0, "pending": 0, "cancelled": 0, "failed": 0}),
    }
    assert "Relance" in response.content.decode()


def test_the_list_pages_by_key_and_never_counts_the_table(client, salesperson, organisation):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    Campaign.objects.bulk_create(
        Campaign(
            name=f"C{i:03}", purpose="p", offer="o", subject_fr="s", subject_en="s", body_fr="b", body_en="b"
        )
        for i in range(60)
    )
    client.force_login(salesperson)
    with CaptureQueriesContext(connection) as queries:
        first = page(client, "campaign_list")
    assert not [q for q in queries if "COUNT(*)" in q["sql"].upper() and "GROUP BY" not in q["sql"].upper()]
    assert [c.name for c in first.context["page"].items][:2] == ["C059", "C058"]
    second = page(client, "campaign_list", after=first.context["page"].after)
    assert [c.name for c in second.context["page"].items] == [f"C{i:03}" for i in range(9, -1, -1)]
    assert page(client, "campaign_list", after="abc").status_code == 200


# --- create ----------------------------------------------------------------------------------------


def test_communication_staff_create_a_campaign_through_the_action(client, writer, organisation):
    from licite.audit.models import AuditEvent

    client.force_login(writer)
    response = client.post(reverse("campaign_create"), FORM, headers=EN)
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("campaign_detail", args=[campaign.pk])
    assert campaign.functions == ["achats", "procurement"]
    assert (campaign.subject_fr, campaign.body_en) == ("Votre audit achats", "We audit your purchasing.")
    assert campaign.created_by == writer
    assert AuditEvent.objects.filter(action="campaign.created", actor=writer).count() == 1


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"subject_fr": ""}, "Subject (French): This field is required."),
        ({"body_en": "  "}, "Message (English): This field is required."),
        ({"link_url": "not a link"}, "Offer link: Enter a valid URL."),
        ({"audience": "b2x"}, "Audience: Select a valid choice."),
        ({"purpose": ""}, "Purpose: This field is required."),
    ],
)
def test_a_form_error_names_its_field_and_stores_nothing(client, writer, organisation, change, error):
    client.force_login(writer)
    response = client.post(reverse("campaign_create"), {**FORM, **change}, headers=EN)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Campaign.objects.exists()


def test_a_name_already_taken_is_named(client, writer, organisation):
    purchasing_campaign()
    client.force_login(writer)
    response = client.post(reverse("campaign_create"), FORM, headers=EN)
    assert "Name: Campaign with this Name already exists." in response.content.decode()
    assert Campaign.objects.count() == 1


# --- preview ---------------------------------------------------------------------------------------


def test_the_preview_counts_the_eligible_and_says_why_the_others_are_left_out(client, salesperson, prospects):
    campaign = purchasing_campaign()
    client.force_login(salesperson)
    response = page(client, "campaign_detail", campaign.pk)
    body = response.content.decode()
    assert response.context["preview"]["eligible"] == 2
    # the accountant: the NESTOR lesson (RULES C3); the consumer is not of the campaign's audience
    assert response.context["preview"]["excluded"] == [("a job the offer does not relate to", 1)]
    assert "Comptable" in body
    assert 'id="send-link"' in body


def test_the_preview_shows_one_message_as_sent_with_its_html_as_inert_text(client, salesperson, prospects):
    from licite.audit.models import AuditEvent

    campaign = purchasing_campaign()
    client.force_login(salesperson)
    sample = page(client, "campaign_detail", campaign.pk).context["sample"]
    body = page(client, "campaign_detail", campaign.pk).content.decode()
    assert sample.subject == "Votre audit achats"
    assert "Nous auditons vos achats." in sample.text
    assert "Acme Conseil SAS" in sample.text  # RULES E1: the sender identified
    assert "/u/" in sample.text  # RULES E2: the visible unsubscribe link
    assert "&lt;html" in body
    assert '<html lang="fr"><body style' not in body
    viewed = AuditEvent.objects.filter(action="prospect.viewed", actor=salesperson)
    assert viewed.count() == 2  # each preview reads a prospect's data: audited
    assert viewed.first().object_id == str(sample.prospect_id)


def test_a_message_whose_notice_cannot_be_composed_says_why_in_the_preview(client, salesperson, prospects):
    from licite.register.models import ProcessingActivity

    ProcessingActivity.objects.all().delete()  # no register text: no lawful notice (RULES D1)
    campaign = purchasing_campaign()
    client.force_login(salesperson)
    response = page(client, "campaign_detail", campaign.pk)
    assert response.status_code == 200
    assert response.context["sample"].problem
    assert 'id="sample-problem"' in response.content.decode()


def test_the_preview_is_counted_once_says_when_and_is_counted_again_after_an_action(
    client, salesperson, prospects
):
    """Counting reads every prospect of the audience: the count is kept under the last audit
    entry that changes something, and the page says when it was made."""
    from licite.prospects.models import Prospect

    campaign = purchasing_campaign()
    client.force_login(salesperson)
    first = page(client, "campaign_detail", campaign.pk)
    assert first.context["preview"]["eligible"] == 2
    assert 'id="counted-at"' in first.content.decode()
    Prospect.objects.filter(email=JEANNE).update(job_title="Comptable")  # no action, no audit entry
    kept = page(client, "campaign_detail", campaign.pk)  # after the audited read of the first view
    assert kept.context["preview"]["eligible"] == 2
    assert kept.context["preview"]["counted_at"] == first.context["preview"]["counted_at"]
    purchasing_campaign("Another")  # an action: a new audit entry
    again = page(client, "campaign_detail", campaign.pk)
    assert again.context["preview"]["eligible"] == 1
    assert again.context["preview"]["counted_at"] > first.context["preview"]["counted_at"]


def test_the_send_queues_who_is_eligible_when_sent_not_what_the_page_counted(client, salesperson, prospects):
    from licite.prospects.models import Prospect

    campaign = purchasing_campaign()
    client.force_login(salesperson)
    confirm = page(client, "campaign_send", campaign.pk).content.decode()
    assert "2 messages will be queued" in confirm
    assert 'id="counted-at"' in confirm
    Prospect.objects.filter(email=JEANNE).update(job_title="Comptable")  # unseen by the kept count
    assert "2 messages will be queued" in page(client, "campaign_send", campaign.pk).content.decode()
    client.post(reverse("campaign_send", args=[campaign.pk]), headers=EN)
    assert list(OutboundMessage.objects.values_list("to_address", flat=True)) == [EMILY]


# --- send and follow -------------------------------------------------------------------------------


def test_the_send_page_asks_for_confirmation_before_queueing(client, salesperson, prospects):
    campaign = purchasing_campaign()
    client.force_login(salesperson)
    confirm = page(client, "campaign_send", campaign.pk).content.decode()
    assert "2 messages will be queued" in confirm
    assert not OutboundMessage.objects.exists()
    response = client.post(reverse("campaign_send", args=[campaign.pk]), headers=EN)
    assert response["Location"] == reverse("campaign_detail", args=[campaign.pk])
    assert OutboundMessage.objects.filter(campaign=campaign, status="queued").count() == 2
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENDING


def test_a_campaign_is_queued_only_once(client, salesperson, prospects):
    campaign = purchasing_campaign()
    client.force_login(salesperson)
    client.post(reverse("campaign_send", args=[campaign.pk]))
    again = client.post(reverse("campaign_send", args=[campaign.pk]), headers=EN, follow=True)
    assert "Nothing queued: this campaign is being sent." in again.content.decode()
    assert OutboundMessage.objects.count() == 2


def test_a_campaign_nobody_may_receive_stays_a_draft_and_says_so(client, salesperson, prospects):
    campaign = purchasing_campaign()
    campaign.functions = ["marketing"]
    campaign.save(update_fields=["functions"])
    client.force_login(salesperson)
    response = client.post(reverse("campaign_send", args=[campaign.pk]), headers=EN, follow=True)
    assert "No prospect is eligible: nothing queued" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT


@pytest.mark.django_db(transaction=True)
def test_a_campaign_created_and_sent_through_the_pages_reaches_the_mail_server(
    client, salesperson, prospects, smtp
):
    client.force_login(salesperson)
    client.post(reverse("campaign_create"), FORM)
    campaign = Campaign.objects.get()
    client.post(reverse("campaign_send", args=[campaign.pk]))
    run_worker()
    assert sorted(m["To"] for m in smtp.messages) == [EMILY, JEANNE]
    assert smtp.to(JEANNE)[0]["Subject"] == "Votre audit achats"
    assert smtp.to(JEANNE)[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    jeanne = OutboundMessage.objects.get(to_address=JEANNE)
    client.post(f"/u/{jeanne.token}", {"List-Unsubscribe": "One-Click"})  # she objects afterwards
    follow = page(client, "campaign_detail", campaign.pk)
    counts = follow.context["follow"]
    assert (counts.sent, counts.pending, counts.objections, counts.bounces) == (2, 0, 1, 0)
    body = follow.content.decode()
    assert 'id="count-sent">2<' in body
    assert 'id="count-objections">1<' in body
    assert "Sent; the last message left on" in body


@pytest.mark.django_db(transaction=True)
def test_the_follow_page_names_the_messages_left_out_at_send_time(client, salesperson, prospects, smtp):
    campaign = purchasing_campaign()
    do_queue_campaign(None, campaign)
    do_object(OutboundMessage.objects.get(to_address=JEANNE), channel="one_click")
    run_worker()
    client.force_login(salesperson)
    follow = page(client, "campaign_detail", campaign.pk).context["follow"]
    assert (follow.sent, follow.cancelled) == (
        1,
        [("on the suppression list (objected, withdrew consent, bounced or erased)", 1)],
    )


def test_messages_a_stopped_worker_left_are_settled_from_the_follow_page(client, salesperson, prospects):
    from datetime import timedelta

    from django.utils import timezone

    campaign = purchasing_campaign()
    do_queue_campaign(None, campaign)
    long_ago = timezone.now() - timedelta(hours=1)
    OutboundMessage.objects.update(status="sending", claimed_at=long_ago)  # a worker killed mid-batch
    client.force_login(salesperson)
    body = page(client, "campaign_detail", campaign.pk).content.decode()
    assert "2 messages were being sent when a worker stopped" in body
    assert 'id="settle"' in body
    response = client.post(reverse("campaign_settle", args=[campaign.pk]), headers=EN, follow=True)
    assert "2 messages marked failed; they will never be sent again." in response.content.decode()
    assert set(OutboundMessage.objects.values_list("status", "status_reason")) == {
        ("failed", "worker_stopped")
    }
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT
