"""An upgrade keeps the existing activities valid: categories written as words become rows of the
CNIL's lists (RULES H1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("register", "0002_bilingual_notice_texts")]
AFTER = [("register", "0003_cnil_template_fields")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def register_before_the_template(transactional_db):
    apps = migrate(BEFORE)
    yield apps
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_words_become_rows_of_the_cnil_lists_and_nothing_is_lost(register_before_the_template):
    register_before_the_template.get_model("register", "ProcessingActivity").objects.create(
        name="B2B", purpose_fr="p", purpose_en="p", legal_basis="legitimate_interest",
        interest_pursued_fr="i", interest_pursued_en="i", data_subjects="Prospects",
        data_categories=["identity", "professional life", "hobbies"],
        security_measures=["access control", "backup"],
    )  # fmt: skip
    migrate(AFTER)
    from licite.register.models import ProcessingActivity

    activity = ProcessingActivity.objects.get()
    assert [row["category"] for row in activity.rows("data_categories")] == [
        "identity", "professional_life", "other",
    ]  # fmt: skip
    assert activity.rows("data_categories")[2]["description_en"] == "hobbies"
    assert [row["category"] for row in activity.rows("security_measures")] == ["access_control", "backup"]
    activity.full_clean()
