"""The campaigns endpoints: create, list, preview, send and follow through the same form, actions
and worker as the campaign pages and `licite campaign` (RULES C1-C3, E1, E3), under the matrix
(RULES F5)."""

# The fixtures imported below are pytest's, received as arguments of the same name.
# ruff: noqa: F811
from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from licite.audit.models import AuditEvent
from licite.campaigns.models import Campaign, OutboundMessage
from licite.rights.actions import do_object
from tests.campaigns.conftest import organisation, prospects, smtp  # noqa: F401

pytestmark = pytest.mark.django_db
JEANNE, EMILY = "jeanne.dupont@acme-industrie.example", "emily.brown@northfield.example"
CAMPAIGN = {
    "name": "Audit achats", "purpose": "Prospecting purchasing managers", "offer": "A purchasing audit",
    "audience": "b2b", "functions": ["achats", "procurement"], "subject_fr": "Votre audit achats",
    "body_fr": "Nous auditons vos achats.", "subject_en": "Your purchasing audit",
    "body_en": "We audit your purchasing.", "link_url": "https://acme-conseil.example/audit",
}  # fmt: skip


def created(api, **change) -> int:
    response = api.post("/api/campaigns", CAMPAIGN | change)
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def fields_named(response) -> list[str]:
    assert response.status_code == 422, response.content
    return [error["field"] for error in response.json()["errors"]]


def run_worker() -> None:
    call_command("worker", batch=True, stdout=io.StringIO(), stderr=io.StringIO())


# --- access (RULES F5) -----------------------------------------------------------------------------


def test_staff_with_no_prospecting_role_get_403_on_every_campaign_endpoint(api_as, organisation):
    campaign = created(api_as("marketing"))
    other = api_as("other")
    for response in (
        other.get("/api/campaigns"),
        other.post("/api/campaigns", CAMPAIGN | {"name": "Autre"}),
        other.get(f"/api/campaigns/{campaign}"),
        other.get(f"/api/campaigns/{campaign}/preview"),
        other.post(f"/api/campaigns/{campaign}/send"),
    ):
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"
    assert Campaign.objects.count() == 1


def test_the_dpo_follows_campaigns_but_neither_creates_nor_sends_them(api_as, prospects):
    campaign = created(api_as("marketing"))
    dpo = api_as("dpo")
    assert dpo.get(f"/api/campaigns/{campaign}").status_code == 200
    assert dpo.get(f"/api/campaigns/{campaign}/preview").status_code == 200
    assert dpo.post("/api/campaigns", CAMPAIGN | {"name": "Autre"}).json()["code"] == "forbidden"
    assert dpo.post(f"/api/campaigns/{campaign}/send").json()["code"] == "forbidden"
    assert Campaign.objects.get().status == Campaign.Status.DRAFT
    assert not OutboundMessage.objects.exists()


def test_communication_staff_write_campaigns_but_do_not_send_them(api_as, prospects):
    writer = api_as("communication")
    campaign = created(writer)
    assert writer.post(f"/api/campaigns/{campaign}/send").status_code == 403
    assert not OutboundMessage.objects.exists()


# --- create ------------------------------------------------------------------------------------------


def test_a_campaign_is_created_through_the_action_and_audited(api_as, organisation):
    api = api_as("communication")
    response = api.post("/api/campaigns", CAMPAIGN)
    campaign = Campaign.objects.get()
    assert response.json()["id"] == campaign.pk
    assert (campaign.functions, campaign.link_url) == (["achats", "procurement"], CAMPAIGN["link_url"])
    assert (campaign.subject_fr, campaign.body_en) == ("Votre audit achats", "We audit your purchasing.")
    assert (campaign.status, campaign.created_by) == (Campaign.Status.DRAFT, api.user)
    assert response.json()["follow"] == {
        "sent": 0, "pending": 0, "cancelled": [], "failed": [], "objections": 0, "bounces": 0, "stuck": 0,
        "sent_on": None,
    }  # fmt: skip
    assert AuditEvent.objects.filter(action="campaign.created", actor=api.user).count() == 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"subject_fr": ""}, "subject_fr", "This field is required."),
        ({"body_en": "  "}, "body_en", "This field is required."),
        ({"link_url": "not a link"}, "link_url", "Enter a valid URL."),
        ({"audience": "b2x"}, "audience", None),
        ({"purpose": ""}, "purpose", "This field is required."),
        ({"offer": "a\x00b"}, "offer", "Null characters are not allowed."),
        ({"functions": ["achats, ventes"]}, "functions.0", None),
        ({"functions": ["achats"] * 200}, "functions", None),
        ({"name": "x" * 201}, "name", None),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_stores_nothing(api_as, organisation, change, field, message):
    response = api_as("marketing").post("/api/campaigns", CAMPAIGN | change)
    assert fields_named(response) == [field]
    if message:
        assert response.json()["errors"][0]["message"] == message
    assert not Campaign.objects.exists()


def test_a_name_already_taken_is_a_422_naming_the_name(api_as, organisation):
    api = api_as("marketing")
    created(api)
    response = api.post("/api/campaigns", CAMPAIGN | {"subject_fr": "Autre"})
    assert fields_named(response) == ["name"]
    assert response.json()["errors"][0]["message"] == "Campaign with this Name already exists."
    assert Campaign.objects.count() == 1


# --- list, read and preview --------------------------------------------------------------------------


def test_the_list_shows_each_campaign_with_its_state_and_counts_by_key_pages(api_as, prospects):
    api = api_as("marketing")
    first = created(api)
    api.post(f"/api/campaigns/{first}/send")
    created(api, name="Relance")
    created(api, name="Rappel")
    page = api_as("sales").get("/api/campaigns", {"limit": 2}).json()
    rest = api_as("sales").get("/api/campaigns", {"limit": 2, "after": page["next"]}).json()
    rows = {item["name"]: (item["status"], item["counts"]) for item in page["items"] + rest["items"]}
    assert [item["name"] for item in page["items"]] == ["Rappel", "Relance"]
    assert rows["Audit achats"] == ("sending", {"sent": 0, "pending": 2, "cancelled": 0, "failed": 0})
    assert rows["Relance"] == ("draft", {"sent": 0, "pending": 0, "cancelled": 0, "failed": 0})
    assert rest["next"] is None


def test_the_preview_counts_the_eligible_and_says_why_the_others_are_left_out(api_as, prospects):
    campaign = created(api_as("marketing"))
    body = api_as("sales").get(f"/api/campaigns/{campaign}/preview").json()
    assert (body["eligible"], body["excluded_total"]) == (2, 1)
    # the accountant: the NESTOR lesson (RULES C3); the consumer is not of the campaign's audience
    assert body["excluded"] == [
        {"reason": "job_unrelated", "label": "a job the offer does not relate to", "count": 1}
    ]
    [titles] = body["excluded_titles"]
    assert titles["titles"] == [{"title": "Comptable", "count": 1}]
    assert "jeanne" not in str(body).lower()
    assert OutboundMessage.objects.count() == 0


def test_an_unknown_campaign_is_a_404(api_as, organisation):
    api = api_as("marketing")
    for response in (
        api.get("/api/campaigns/999999"),
        api.get("/api/campaigns/999999/preview"),
        api.post("/api/campaigns/999999/send"),
    ):
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


# --- send and follow ---------------------------------------------------------------------------------


def test_a_send_queues_one_message_per_eligible_prospect(api_as, prospects):
    api = api_as("sales")
    campaign = created(api)
    response = api.post(f"/api/campaigns/{campaign}/send")
    assert response.status_code == 202
    assert response.json() == {"id": campaign, "status": "sending", "queued": 2}
    queued = OutboundMessage.objects.filter(campaign_id=campaign, status="queued")
    assert sorted(queued.values_list("to_address", flat=True)) == [EMILY, JEANNE]
    assert Campaign.objects.get(pk=campaign).status == Campaign.Status.SENDING
    assert AuditEvent.objects.filter(action="campaign.queued", actor=api.user).count() == 1
    assert api.get(f"/api/campaigns/{campaign}").json()["follow"]["pending"] == 2


def test_sending_twice_is_a_409_and_queues_nothing_more(api_as, prospects):
    api = api_as("marketing")
    campaign = created(api)
    api.post(f"/api/campaigns/{campaign}/send")
    again = api.post(f"/api/campaigns/{campaign}/send")
    assert again.status_code == 409
    assert again.json()["code"] == "being_sent"
    assert OutboundMessage.objects.count() == 2


def test_a_campaign_nobody_may_receive_is_a_409_and_stays_a_draft(api_as, prospects):
    api = api_as("marketing")
    campaign = created(api, functions=["marketing"])
    response = api.post(f"/api/campaigns/{campaign}/send")
    assert (response.status_code, response.json()["code"]) == (409, "nothing_eligible")
    assert Campaign.objects.get(pk=campaign).status == Campaign.Status.DRAFT


def test_a_campaign_whose_notice_cannot_be_written_is_a_409_naming_the_rule(api_as, prospects):
    from licite.register.models import ProcessingActivity

    ProcessingActivity.objects.all().delete()  # no register text: no lawful notice (RULES D1)
    api = api_as("marketing")
    response = api.post(f"/api/campaigns/{created(api)}/send")
    assert (response.status_code, response.json()["code"], response.json()["rule"]) == (
        409, "notice_unavailable", "D1",
    )  # fmt: skip
    assert not OutboundMessage.objects.exists()


def test_a_campaign_sent_through_the_api_queues_the_same_messages_as_one_sent_from_the_cli(
    api_as, prospects, tmp_path
):
    api = api_as("marketing")
    through_api = created(api)
    api.post(f"/api/campaigns/{through_api}/send")
    bodies = {}
    for language in ("fr", "en"):
        bodies[language] = tmp_path / f"body-{language}.txt"
        bodies[language].write_text(CAMPAIGN[f"body_{language}"], encoding="utf-8")
    call_command(
        "campaign", "create", "Audit achats (CLI)", "--purpose", CAMPAIGN["purpose"], "--offer",
        CAMPAIGN["offer"], "--functions", ",".join(CAMPAIGN["functions"]), "--subject-fr",
        CAMPAIGN["subject_fr"], "--subject-en", CAMPAIGN["subject_en"], "--body-fr", str(bodies["fr"]),
        "--body-en", str(bodies["en"]), "--link", CAMPAIGN["link_url"], stdout=io.StringIO(),
    )  # fmt: skip
    call_command("campaign", "send", "Audit achats (CLI)", stdout=io.StringIO())
    through_cli = Campaign.objects.get(name="Audit achats (CLI)").pk

    def queued(pk: int) -> list[tuple[str, str, str, bool]]:
        messages = OutboundMessage.objects.filter(campaign_id=pk, status="queued")
        return sorted(messages.values_list("key_hash", "language", "subject", "includes_notice"))

    assert len(queued(through_api)) == 2
    assert queued(through_api) == queued(through_cli)


@pytest.mark.django_db(transaction=True)
def test_the_status_follows_the_messages_the_worker_sent_and_the_objections_since(api_as, prospects, smtp):
    api = api_as("marketing")
    campaign = created(api)
    api.post(f"/api/campaigns/{campaign}/send")
    run_worker()
    assert sorted(m["To"] for m in smtp.messages) == [EMILY, JEANNE]
    do_object(OutboundMessage.objects.get(campaign_id=campaign, to_address=JEANNE), channel="one_click")
    body = api.get(f"/api/campaigns/{campaign}").json()
    assert body["status"] == "sent"
    follow = body["follow"]
    assert (follow["sent"], follow["pending"], follow["objections"], follow["bounces"]) == (2, 0, 1, 0)
    assert follow["sent_on"] is not None
    again = api.post(f"/api/campaigns/{campaign}/send")
    assert (again.status_code, again.json()["code"]) == (409, "already_sent")
    assert len(smtp.messages) == 2


@pytest.mark.django_db(transaction=True)
def test_the_status_counts_the_messages_excluded_at_send_time_by_reason(api_as, prospects, smtp):
    """RULES E3: an objection between the send and the worker cancels that person's message."""
    api = api_as("marketing")
    campaign = created(api)
    api.post(f"/api/campaigns/{campaign}/send")
    do_object(OutboundMessage.objects.get(campaign_id=campaign, to_address=JEANNE), channel="one_click")
    run_worker()
    follow = api.get(f"/api/campaigns/{campaign}").json()["follow"]
    assert follow["sent"] == 1
    assert follow["cancelled"] == [{"reason": "suppressed", "label": reason_label("suppressed"), "count": 1}]
    assert [m["To"] for m in smtp.messages] == [EMILY]


def reason_label(reason: str) -> str:
    from django.utils import translation

    from licite.campaigns.staff_views import reason_label as label

    with translation.override("en"):
        return label(reason)
