"""Two people create a campaign of the same name at once: the second gets the error a name already
taken gets (a field error on the page, a 422 naming `name` in the API), never a 500, and the
first one's campaign stays as it was.

The window is reached deterministically (tests/races.py): the other request's real action
commits just before this one's insert, after its check. PostgreSQL only: on SQLite the action's
check and insert run inside one BEGIN IMMEDIATE, so no other writer can come in between (a
campaign created meanwhile is found by the check, as a sequential duplicate is).
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import translation

from licite.audit.models import AuditEvent
from licite.campaigns.actions import do_create_campaign
from licite.campaigns.models import Campaign
from tests.races import another_request_at

pytestmark = pytest.mark.django_db(transaction=True)
EN = {"accept-language": "en"}
NAME = "Audit achats"
MINE = {
    "name": NAME, "purpose": "Prospecting purchasing managers", "offer": "A purchasing audit",
    "audience": "b2b", "functions": "achats, procurement", "subject_fr": "Votre audit achats",
    "body_fr": "Nous auditons vos achats.", "subject_en": "Your purchasing audit",
    "body_en": "We audit your purchasing.", "link_url": "https://acme-conseil.example/audit",
}  # fmt: skip
TAKEN = "Campaign with this Name already exists."


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's writers queue at BEGIN IMMEDIATE: no insert comes between check and insert")


def created_by_a_colleague() -> Campaign:
    """The other request: a colleague's campaign of the same name, another offer."""
    fields = MINE | {"offer": "Their own offer", "functions": ["achats"]}
    return do_create_campaign(None, **fields)


def before_the_insert(sql: str) -> bool:
    return sql.startswith('INSERT INTO "campaigns_campaign"')


def the_colleagues_campaign_is_intact() -> None:
    assert list(Campaign.objects.values_list("name", "offer")) == [(NAME, "Their own offer")]
    assert AuditEvent.objects.filter(action="campaign.created").count() == 1


def test_a_name_taken_meanwhile_is_a_field_error_on_the_page(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("mia", "mia@acme.example", role="marketing"))
    with another_request_at(before_the_insert, created_by_a_colleague) as ran:
        response = client.post(reverse("campaign_create"), MINE, headers=EN)
    assert ran, "the window was never reached"
    assert response.status_code == 200
    assert response.context["form"].errors == {"name": [TAKEN]}
    the_colleagues_campaign_is_intact()


def test_the_action_refuses_it_by_name_and_the_transaction_goes_on():
    """The command line's way in: a ValidationError on `name` (its --name flag), and the
    connection still usable (PostgreSQL aborts a transaction on an error: the savepoint)."""
    fields = MINE | {"functions": ["achats"]}
    with (
        another_request_at(before_the_insert, created_by_a_colleague) as ran,
        pytest.raises(ValidationError) as raised,
    ):
        do_create_campaign(None, **fields)
    assert ran
    with translation.override("en"):
        assert raised.value.message_dict == {"name": [TAKEN]}
    the_colleagues_campaign_is_intact()
