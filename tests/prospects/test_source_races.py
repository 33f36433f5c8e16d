"""Two people declare a source of the same name at once: the second gets the error a name already
declared gets (a field error on the page; a 422 naming `name` in the API, in
tests/api/test_name_races.py), never a 500, and the first one's declaration stays as it was
(RULES B3: the name is the one every notice cites).

The window is reached deterministically (tests/races.py): the other request's real action
commits at the chosen statement of this one. Two windows: between the form's check and the
action (SQLite and PostgreSQL: the action found the row and overwrote its declaration), and
between the action's own check and its insert (PostgreSQL only: SQLite's writers queue at
BEGIN IMMEDIATE, so nothing can come in between there; PostgreSQL's unique constraint refused
the insert with a 500).
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import translation

from licite.audit.models import AuditEvent
from licite.prospects.actions import do_save_source
from licite.prospects.models import Source
from tests.races import another_request_at

pytestmark = pytest.mark.django_db(transaction=True)
EN = {"accept-language": "en"}
NAME = "Salon Bois Nantes 2027"
MINE = {
    "name": NAME, "kind": "event", "url": "https://bois.example/exposants", "method": "manual",
    "extraction_allowed": "unknown", "visibility": "public", "terms_reference": "", "notes": "",
}  # fmt: skip
TAKEN = "A source with this name is already declared."


def declared_by_a_colleague() -> Source:
    """The other request: `licite sources add`, as a colleague at their terminal."""
    return do_save_source(None, NAME, kind="website", method="manual", extraction_allowed="yes").source


def after_the_forms_check(sql: str) -> bool:
    return ' AS "a" FROM "prospects_source" WHERE "prospects_source"."name" = ' in sql  # exists()


def before_the_insert(sql: str) -> bool:
    return sql.startswith('INSERT INTO "prospects_source"')


def postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's writers queue at BEGIN IMMEDIATE: no insert comes between check and insert")


def the_colleagues_declaration_is_intact() -> None:
    assert Source.objects.filter(name=NAME).count() == 1
    assert Source.objects.get(name=NAME).kind == "website"
    assert AuditEvent.objects.filter(action="source.created").count() == 1
    assert not AuditEvent.objects.filter(action="source.updated").exists()


@pytest.fixture
def marketer(django_user_model):
    return django_user_model.objects.create_user(
        "mia", "mia@acme.example", "correct horse battery", role="marketing"
    )


def test_a_name_declared_meanwhile_is_a_field_error_on_the_page_not_an_overwrite(client, marketer):
    client.force_login(marketer)
    with another_request_at(after_the_forms_check, declared_by_a_colleague, after=True) as ran:
        response = client.post(reverse("source_create"), MINE, headers=EN)
    assert ran, "the window was never reached"
    assert response.status_code == 200
    assert response.context["form"].errors == {"name": [TAKEN]}
    the_colleagues_declaration_is_intact()


def test_an_insert_refused_by_the_unique_name_is_a_field_error_on_the_page(client, marketer):
    postgresql_only()
    client.force_login(marketer)
    with another_request_at(before_the_insert, declared_by_a_colleague) as ran:
        response = client.post(reverse("source_create"), MINE, headers=EN)
    assert ran, "the window was never reached"
    assert response.status_code == 200
    assert response.context["form"].errors == {"name": [TAKEN]}
    the_colleagues_declaration_is_intact()


def test_the_command_lines_add_refused_the_same_way_leaves_the_connection_usable():
    """`licite sources add` updates a source it finds; one inserted meanwhile is refused by name,
    and the transaction goes on (PostgreSQL aborts a transaction on an error: the savepoint)."""
    postgresql_only()
    with (
        another_request_at(before_the_insert, declared_by_a_colleague) as ran,
        pytest.raises(ValidationError) as raised,
    ):
        do_save_source(None, NAME, kind="event", method="manual", extraction_allowed="unknown")
    assert ran
    with translation.override("en"):  # as the command line speaks
        assert raised.value.message_dict == {"name": [TAKEN]}
    the_colleagues_declaration_is_intact()
