"""Rights requests through the API (RULES G1-G5): recorded with their deadline, listed, read with
their history, moved, extended, refused and fulfilled by the same actions as the DPO's pages."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from licite.audit.models import AuditEvent
from licite.campaigns.models import OutboundMessage
from licite.prospects.models import Prospect, ProspectStatus
from licite.rights.actions import do_receive_request
from licite.rights.models import RightsRequest, SuppressionEntry
from tests.campaigns.conftest import organisation, prospects  # noqa: F401
from tests.campaigns.test_campaigns import EMILY, JEANNE, PAUL

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
LETTER = {"email": JEANNE, "kind": "access", "channel": "letter", "identity_check": "signed letter"}


def at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 10, tzinfo=PARIS), tick=False)


def receive(address: str, kind: str) -> RightsRequest:
    return do_receive_request(None, address, kind, "letter")


def fields(response) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


# --- Recording a request received by another channel ---------------------------------------------


def test_the_dpo_records_a_letter_and_the_answer_gives_its_deadline(api_as, organisation):  # noqa: F811
    with at(date(2026, 1, 31)):
        response = api_as("dpo").post("/api/rights-requests", LETTER)
    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["state"], body["channel"]) == ("access", "received", "letter")
    assert body["due_on"] == "2026-02-28"  # a calendar month: the last day of February
    stored = RightsRequest.objects.get(pk=body["id"])
    assert (stored.email, stored.identity_check, stored.received_by.username) == (
        JEANNE,
        "signed letter",
        "api-dpo",
    )
    event = AuditEvent.objects.get(action="rights.received")
    assert (event.via, event.detail["due_on"]) == ("api", "2026-02-28")
    assert [entry["action"] for entry in body["history"]] == ["rights.received"]


def test_a_request_received_earlier_is_due_from_its_day_of_receipt(api_as, organisation):  # noqa: F811
    with at(date(2028, 2, 5)):
        body = api_as("dpo").post("/api/rights-requests", {**LETTER, "received_on": "2028-01-31"}).json()
    assert body["due_on"] == "2028-02-29"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "jeanne"}, "email"),
        ({"email": "jeanne@acme.example\x00"}, "email"),
        ({"kind": "complaint"}, "kind"),
        ({"channel": "web"}, "channel"),  # the person's own page, with its confirmation link
        ({"received_on": "2999-01-01"}, "received_on"),
        ({"note": "x" * 1001}, "note"),
        ({"language": "de"}, "language"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_nothing_is_stored(api_as, organisation, change, field):  # noqa: F811
    response = api_as("dpo").post("/api/rights-requests", {**LETTER, **change})
    assert response.status_code == 422
    assert fields(response) == [field]
    assert "jeanne@" not in response.json()["message"]
    assert not RightsRequest.objects.exists()


@pytest.mark.parametrize("role", ["marketing", "sales", "communication", "other"])
def test_roles_that_do_not_handle_rights_may_not_record_one(api_as, organisation, role):  # noqa: F811
    response = api_as(role).post("/api/rights-requests", LETTER)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert not RightsRequest.objects.exists()


# --- The queue ------------------------------------------------------------------------------------


def test_the_queue_lists_open_requests_and_filters_the_overdue_ones(api_as, organisation):  # noqa: F811
    with at(date(2026, 1, 5)):
        late = receive(JEANNE, "access")
    with at(date(2026, 1, 30)):
        soon = receive(PAUL, "erasure")
        closed = receive(EMILY, "other")
        RightsRequest.objects.filter(pk=closed.pk).update(state="refused", refusal_reason="no data")
    api = api_as("dpo")
    with at(date(2026, 2, 26)):
        everything = api.get("/api/rights-requests").json()
        overdue = api.get("/api/rights-requests", {"overdue": "true"}).json()
        due_soon = api.get("/api/rights-requests", {"due_soon": "true"}).json()
        erasures = api.get("/api/rights-requests", {"kind": "erasure", "state": "all"}).json()
        refused = api.get("/api/rights-requests", {"state": "refused"}).json()
    assert [item["id"] for item in everything["items"]] == [soon.pk, late.pk]  # newest first
    assert [(item["id"], item["overdue"], item["days_left"]) for item in overdue["items"]] == [
        (late.pk, True, -21)
    ]
    assert overdue["items"][0]["email"] == JEANNE
    assert [item["id"] for item in due_soon["items"]] == [soon.pk]
    assert [item["id"] for item in erasures["items"]] == [soon.pk]
    assert [item["id"] for item in refused["items"]] == [closed.pk]


def test_the_queue_pages_by_key(api_as, organisation):  # noqa: F811
    made = [receive(address, "access") for address in (JEANNE, PAUL, EMILY)]
    api = api_as("dpo")
    first = api.get("/api/rights-requests", {"limit": 2}).json()
    second = api.get("/api/rights-requests", {"limit": 2, "after": first["next"]}).json()
    assert [item["id"] for item in first["items"] + second["items"]] == [r.pk for r in reversed(made)]
    assert second["next"] is None


def test_the_queue_refuses_a_filter_it_does_not_know(api_as, organisation):  # noqa: F811
    api = api_as("dpo")
    assert fields(api.get("/api/rights-requests", {"state": "lost"})) == ["state"]
    assert fields(api.get("/api/rights-requests", {"overdue": "true", "due_soon": "true"})) == ["due_soon"]


def test_marketing_may_not_read_the_queue(api_as, organisation):  # noqa: F811
    receive(JEANNE, "access")
    response = api_as("marketing").get("/api/rights-requests")
    assert response.status_code == 403
    assert JEANNE not in response.content.decode()


# --- One request ----------------------------------------------------------------------------------


def test_a_request_shows_its_deadline_history_and_the_prospects_it_concerns(api_as, prospects):  # noqa: F811
    request = receive(JEANNE, "access")
    body = api_as("dpo").get(f"/api/rights-requests/{request.pk}").json()
    jeanne = Prospect.objects.get(email=JEANNE)
    assert [prospect["id"] for prospect in body["prospects"]] == [jeanne.pk]
    assert body["may_extend"] is True
    assert body["due_on"] == request.due_on.isoformat()
    assert [(entry["action"], entry["label"]) for entry in body["history"]] == [
        ("rights.received", "Received")
    ]


def test_an_unknown_request_is_a_404(api_as, organisation):  # noqa: F811
    response = api_as("dpo").get("/api/rights-requests/999999")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


# --- Acting on it ---------------------------------------------------------------------------------


def test_a_fulfilled_access_request_shows_in_its_history_and_sends_the_link(api_as, prospects):  # noqa: F811
    request = receive(JEANNE, "access")
    response = api_as("dpo").post(f"/api/rights-requests/{request.pk}/fulfil", {})
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "fulfilled"
    assert [entry["action"] for entry in body["history"]] == ["rights.received", "rights.fulfilled"]
    assert body["history"][-1]["actor"] == "api-dpo"
    assert RightsRequest.objects.get(pk=request.pk).state == "fulfilled"
    answer = OutboundMessage.objects.get(pk=body["history"][-1]["detail"]["message"])
    assert answer.to_domain == "acme-industrie.example"
    fetched = api_as("dpo").get(f"/api/rights-requests/{request.pk}").json()
    assert [entry["action"] for entry in fetched["history"]] == ["rights.received", "rights.fulfilled"]


def test_an_erasure_is_fulfilled_only_once_confirmed_and_then_keeps_no_address(api_as, prospects):  # noqa: F811
    request = receive(JEANNE, "erasure")
    api = api_as("dpo")
    unconfirmed = api.post(f"/api/rights-requests/{request.pk}/fulfil", {})
    assert (unconfirmed.status_code, fields(unconfirmed)) == (422, ["confirm"])
    assert Prospect.objects.filter(email=JEANNE).exists()
    body = api.post(f"/api/rights-requests/{request.pk}/fulfil", {"confirm": True}).json()
    assert (body["state"], body["email"], body["prospects"]) == ("fulfilled", None, [])
    assert not Prospect.objects.filter(email=JEANNE).exists()
    assert SuppressionEntry.objects.filter(key_hash=request.key_hash).exists()


def test_a_rectification_applies_its_changes(api_as, prospects):  # noqa: F811
    request = receive(JEANNE, "rectification")
    api = api_as("dpo")
    empty = api.post(f"/api/rights-requests/{request.pk}/fulfil", {"changes": {"job_title": "  "}})
    assert (empty.status_code, fields(empty)) == (422, ["changes"])
    response = api.post(f"/api/rights-requests/{request.pk}/fulfil", {"changes": {"job_title": "Acheteuse"}})
    assert response.status_code == 200
    assert Prospect.objects.get(email=JEANNE).job_title == "Acheteuse"
    assert response.json()["history"][-1]["detail"]["fields"] == ["job_title"]


def test_changes_to_a_request_that_is_no_rectification_are_refused_naming_changes(api_as, prospects):  # noqa: F811
    request = receive(JEANNE, "access")
    response = api_as("dpo").post(
        f"/api/rights-requests/{request.pk}/fulfil", {"changes": {"job_title": "X"}}
    )
    assert response.status_code == 422
    assert (response.json()["code"], fields(response)) == ("changes_not_applicable", ["changes"])
    assert RightsRequest.objects.get(pk=request.pk).state == "received"


def test_fulfilling_a_request_about_nobody_held_is_a_conflict(api_as, organisation):  # noqa: F811
    request = receive("nobody@elsewhere.example", "restriction")
    response = api_as("dpo").post(f"/api/rights-requests/{request.pk}/fulfil", {})
    assert (response.status_code, response.json()["code"]) == (409, "no_prospect")
    assert RightsRequest.objects.get(pk=request.pk).state == "received"


def test_a_restriction_is_fulfilled_then_lifted_and_lifting_twice_is_a_conflict(api_as, prospects):  # noqa: F811
    request = receive(JEANNE, "restriction")
    api = api_as("dpo")
    api.post(f"/api/rights-requests/{request.pk}/fulfil", {})
    assert Prospect.objects.get(email=JEANNE).status == ProspectStatus.RESTRICTED
    lifted = api.post(f"/api/rights-requests/{request.pk}/lift")
    assert lifted.status_code == 200
    assert Prospect.objects.get(email=JEANNE).status != ProspectStatus.RESTRICTED
    again = api.post(f"/api/rights-requests/{request.pk}/lift")
    assert (again.status_code, again.json()["code"]) == (409, "already_lifted")


def test_an_extension_within_the_first_month_moves_the_deadline(api_as, organisation):  # noqa: F811
    with at(date(2026, 1, 31)):
        request = receive(JEANNE, "access")
        response = api_as("dpo").post(
            f"/api/rights-requests/{request.pk}/extend", {"months": 2, "reason": "Many records to gather"}
        )
    assert response.status_code == 200
    assert response.json()["due_on"] == "2026-04-28"
    stored = RightsRequest.objects.get(pk=request.pk)
    assert (stored.extension_months, stored.extension_reason) == (2, "Many records to gather")
    assert response.json()["history"][-1]["action"] == "rights.extended"


def test_an_extension_after_the_first_month_is_refused_with_the_rule(api_as, organisation):  # noqa: F811
    with at(date(2026, 1, 5)):
        request = receive(JEANNE, "access")
    with at(date(2026, 2, 20)):
        response = api_as("dpo").post(
            f"/api/rights-requests/{request.pk}/extend", {"months": 1, "reason": "Volume"}
        )
    body = response.json()
    assert (response.status_code, body["code"], body["rule"], fields(response)) == (
        422, "extension_refused", "G1", ["months"],
    )  # fmt: skip
    assert "the first month ended on" in body["message"]
    assert RightsRequest.objects.get(pk=request.pk).extension_months == 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"months": 3, "reason": "Volume"}, "months"), ({"months": 1, "reason": "  "}, "reason")],
)
def test_an_extension_needs_one_or_two_months_and_its_reason(api_as, organisation, payload, field):  # noqa: F811
    request = receive(JEANNE, "access")
    response = api_as("dpo").post(f"/api/rights-requests/{request.pk}/extend", payload)
    assert (response.status_code, fields(response)) == (422, [field])


def test_a_refusal_needs_its_reason_and_closes_the_request_for_good(api_as, organisation):  # noqa: F811
    request = receive(JEANNE, "access")
    api = api_as("dpo")
    blank = api.post(f"/api/rights-requests/{request.pk}/refuse", {"reason": ""})
    assert (blank.status_code, fields(blank)) == (422, ["reason"])
    refused = api.post(f"/api/rights-requests/{request.pk}/refuse", {"reason": "We hold no data about you"})
    assert refused.json()["state"] == "refused"
    assert RightsRequest.objects.get(pk=request.pk).refusal_reason == "We hold no data about you"
    again = api.post(f"/api/rights-requests/{request.pk}/state", {"state": "in_progress"})
    assert (again.status_code, again.json()["code"]) == (409, "request_closed")


def test_an_open_request_moves_to_a_waiting_state_and_no_further(api_as, organisation):  # noqa: F811
    request = receive(JEANNE, "access")
    api = api_as("dpo")
    moved = api.post(f"/api/rights-requests/{request.pk}/state", {"state": "awaiting_identity"})
    assert moved.json()["state"] == "awaiting_identity"
    assert RightsRequest.objects.get(pk=request.pk).state == "awaiting_identity"
    closing = api.post(f"/api/rights-requests/{request.pk}/state", {"state": "fulfilled"})
    assert (closing.status_code, fields(closing)) == (422, ["state"])


def test_the_data_held_is_exported_for_an_access_request(api_as, prospects):  # noqa: F811
    request = receive(JEANNE, "portability")
    response = api_as("dpo").post(f"/api/rights-requests/{request.pk}/export?format=json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert JEANNE in json.dumps(json.loads(response.content))
    event = AuditEvent.objects.get(action="rights.access_exported")
    assert JEANNE not in json.dumps(event.detail)


def test_an_erasure_request_has_no_export(api_as, prospects):  # noqa: F811
    request = receive(JEANNE, "erasure")
    response = api_as("dpo").post(f"/api/rights-requests/{request.pk}/export")
    assert (response.status_code, response.json()["code"]) == (409, "not_exportable")


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("", None),
        ("/state", {"state": "in_progress"}),
        ("/extend", {"months": 1, "reason": "Volume"}),
        ("/refuse", {"reason": "No"}),
        ("/fulfil", {}),
        ("/lift", None),
        ("/export", None),
    ],
)
def test_marketing_may_not_read_or_act_on_a_request(api_as, prospects, path, payload):  # noqa: F811
    request = receive(JEANNE, "access")
    api = api_as("marketing")
    url = f"/api/rights-requests/{request.pk}{path}"
    response = api.get(url) if path == "" else api.post(url, payload)
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    assert JEANNE not in response.content.decode()
    assert RightsRequest.objects.get(pk=request.pk).state == "received"
    assert list(AuditEvent.objects.filter(object_id=str(request.pk), action__startswith="rights.")
                .values_list("action", flat=True)) == ["rights.received"]  # fmt: skip


def test_errors_are_said_in_english_whatever_the_organisations_language(api_as, organisation):  # noqa: F811
    request = receive(JEANNE, "access")
    response = api_as("dpo").post(f"/api/rights-requests/{request.pk}/refuse", {"reason": "no\x00reason"})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "reason", "message": "Null characters are not allowed."}]
    assert RightsRequest.objects.get(pk=request.pk).state == "received"


def test_a_request_is_answered_with_its_times_in_utc(api_as, organisation):  # noqa: F811
    body = api_as("dpo").post("/api/rights-requests", {**LETTER, "received_on": "2026-01-05"}).json()
    assert body["received_at"] == "2026-01-05T11:00:00Z"  # noon in Paris


def test_a_caller_whose_browser_asks_for_french_is_answered_in_english(api_as, organisation):  # noqa: F811
    # The API's middleware says every answer in English: the views need no language of their own.
    api, french = api_as("dpo"), {"Accept-Language": "fr"}
    bad = api.post("/api/rights-requests", {**LETTER, "note": "a\x00note"}, headers=french)
    assert bad.json()["errors"] == [{"field": "note", "message": "Null characters are not allowed."}]
    request = receive(JEANNE, "access")
    assert api.post(f"/api/rights-requests/{request.pk}/refuse", {"reason": "asked twice"}).status_code == 200
    again = api.post(f"/api/rights-requests/{request.pk}/refuse", {"reason": "asked twice"}, headers=french)
    assert (again.status_code, again.json()["code"]) == (409, "request_closed")
    assert again.json()["message"] == f"request {request.pk} is closed (refused): nothing changes"
