"""The prospects' indexes serve the lookups they exist for, and hold no more than those need."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from licite.prospects.models import Prospect, ProspectStatus

pytestmark = pytest.mark.django_db


def plan_of(queryset: Any) -> str:
    """The database's plan for the queryset (PostgreSQL told to avoid a scan where it can)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # a few rows: else it scans
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(" ".join(map(str, row)) for row in cursor.fetchall())


@pytest.mark.parametrize("status", [ProspectStatus.CONSENT_PENDING, ProspectStatus.RESTRICTED])
def test_the_statuses_looked_for_are_found_through_the_status_index(status: str) -> None:
    # As campaigns.actions asks: the consent requests to send, the consents expired.
    assert "prospect_status" in plan_of(Prospect.objects.filter(status=status).values("pk"))


def test_the_active_prospects_are_not_in_the_status_index() -> None:
    # Most prospects are active: kept in the index, they made a first load 30 % slower.
    active = Prospect.objects.filter(status=ProspectStatus.ACTIVE).values("pk")
    assert "prospect_status" not in plan_of(active)


def test_every_status_but_active_is_in_the_status_index() -> None:
    index = next(index for index in Prospect._meta.indexes if index.name == "prospect_status")
    assert index.condition is not None
    indexed = {value for _field, value in index.condition.children}
    assert indexed == set(ProspectStatus.values) - {ProspectStatus.ACTIVE}
