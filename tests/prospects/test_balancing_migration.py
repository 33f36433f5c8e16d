"""An upgrade keeps the balancing tests written before their new parts: their texts stay, their
necessity is empty, their conclusion favourable, their review date one year after them (RULES C4)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("prospects", "0007_translated_labels")]
AFTER = [("prospects", "0008_balancing_test_parts")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def before_the_parts(transactional_db):
    apps = migrate(BEFORE)
    yield apps
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_an_existing_test_is_reviewed_one_year_after_it_was_written(before_the_parts):
    source = before_the_parts.get_model("prospects", "Source").objects.create(
        name="Salon", kind="event", method="manual"
    )
    before_the_parts.get_model("prospects", "BalancingTest").objects.create(
        source=source, interest="i", expectations="e", safeguards="s",
        assessed_at=datetime(2024, 2, 29, 10, tzinfo=UTC),
    )  # fmt: skip
    test = migrate(AFTER).get_model("prospects", "BalancingTest").objects.get()
    assert (test.interest, test.necessity, test.conclusion) == ("i", "", "favourable")
    assert test.review_on == date(2025, 2, 28)
    assert test.activity_id is None
