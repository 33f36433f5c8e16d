"""Two integrators declare a source, or create a campaign, of the same name at once: the second
gets the 422 naming `name` that a name already taken gets, never a 500 (the web's and the
actions' side: tests/prospects/test_source_races.py, tests/campaigns/test_campaign_races.py,
whose docstrings say how each window is reached)."""

from __future__ import annotations

import pytest

from licite.audit.models import AuditEvent
from tests.campaigns import test_campaign_races as campaigns
from tests.prospects.test_source_races import (
    MINE,
    TAKEN,
    after_the_forms_check,
    before_the_insert,
    declared_by_a_colleague,
    postgresql_only,
    the_colleagues_declaration_is_intact,
)
from tests.races import another_request_at

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_name_declared_meanwhile_is_a_422_naming_the_name_in_the_api(api_as):
    mine = {key: value for key, value in MINE.items() if value}
    with another_request_at(after_the_forms_check, declared_by_a_colleague, after=True) as ran:
        response = api_as("marketing").post("/api/sources", mine)
    assert ran, "the window was never reached"
    assert response.status_code == 422, response.content
    assert response.json()["errors"] == [{"field": "name", "message": TAKEN}]
    the_colleagues_declaration_is_intact()


def test_an_insert_refused_by_the_unique_name_is_a_422_and_the_api_call_is_still_audited(api_as):
    postgresql_only()
    mine = {key: value for key, value in MINE.items() if value}
    with another_request_at(before_the_insert, declared_by_a_colleague) as ran:
        response = api_as("marketing").post("/api/sources", mine)
    assert ran, "the window was never reached"
    assert response.status_code == 422, response.content
    assert response.json()["errors"] == [{"field": "name", "message": TAKEN}]
    the_colleagues_declaration_is_intact()
    call = AuditEvent.objects.get(action="api.called")
    assert call.detail["status"] == 422  # written after the refusal: the transaction went on


def test_a_campaign_name_taken_meanwhile_is_a_422_naming_the_name_in_the_api(api_as):
    postgresql_only()
    body = campaigns.MINE | {"functions": ["achats", "procurement"]}
    with another_request_at(campaigns.before_the_insert, campaigns.created_by_a_colleague) as ran:
        response = api_as("marketing").post("/api/campaigns", body)
    assert ran, "the window was never reached"
    assert response.status_code == 422, response.content
    assert response.json()["errors"] == [{"field": "name", "message": campaigns.TAKEN}]
    campaigns.the_colleagues_campaign_is_intact()
