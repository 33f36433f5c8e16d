"""An upgrade moves each text of the register into the field of the organisation's language and
leaves the other language empty, so that no notice goes out in a mix of both (RULES D4)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from licite.accounts.actions import do_set_organisation

BEFORE = [("register", "0001_initial")]
AFTER = [("register", "0002_bilingual_notice_texts")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def register_before_languages(transactional_db):
    apps = migrate(BEFORE)
    yield apps
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.parametrize(("language", "other"), [("en", "fr"), ("fr", "en")])
def test_each_existing_text_moves_into_the_organisation_s_language(
    register_before_languages, language, other
):
    do_set_organisation(
        None, legal_name="Acme Conseil SAS", address="1 rue de la Paix, 75002 Paris", siren="912345675",
        contact_email="contact@acme-conseil.example", default_language=language,
    )  # fmt: skip
    register_before_languages.get_model("register", "ProcessingActivity").objects.create(
        name="B2B", purpose="The purpose", legal_basis="legitimate_interest", interest_pursued="The interest",
        data_subjects="Prospects", recipients_internal="Sales", retention="3 years",
    )  # fmt: skip
    activity = migrate(AFTER).get_model("register", "ProcessingActivity").objects.get()
    assert getattr(activity, f"purpose_{language}") == "The purpose"
    assert getattr(activity, f"interest_pursued_{language}") == "The interest"
    assert getattr(activity, f"recipients_internal_{language}") == "Sales"
    assert getattr(activity, f"retention_{language}") == "3 years"
    assert getattr(activity, f"purpose_{other}") == ""
    assert getattr(activity, f"retention_{other}") == ""
