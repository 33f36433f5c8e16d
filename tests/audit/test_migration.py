"""A database from before the chain: its entries are chained in the order they were written, so
that it verifies at once, and the head file is written (docs/audit.md)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from licite.audit.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE, CHAINED = ("audit", "0002_actor_label"), ("audit", "0003_chain")


def migrate(target: tuple[str, str]) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([target])


def test_the_entries_of_an_older_database_are_chained_in_the_order_they_were_written(head_file):
    migrate(BEFORE)
    try:
        with connection.cursor() as cursor:
            for number, at in enumerate(
                ("2026-01-02 10:00:00", "2026-01-01 09:00:00.250000", "2026-01-03 08:00:00")
            ):
                cursor.execute(
                    "INSERT INTO audit_auditevent (at, actor_label, action, object_type, object_id, detail)"
                    " VALUES (%s, 'alice', 'prospect.viewed', 'prospects.prospect', %s, %s)",
                    [f"{at}+00:00" if connection.vendor == "postgresql" else at, str(number),
                     json.dumps({"number": number, "fields": ["a", "b"]})],
                )  # fmt: skip
    finally:
        migrate(CHAINED)
    events = list(AuditEvent.objects.order_by("id"))
    assert [(event.sequence, event.via) for event in events] == [(1, ""), (2, ""), (3, "")]
    assert json.loads(head_file.read_text()) == {"sequence": 3, "hash": events[-1].hash}
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert out.getvalue().strip() == "audit chain intact: 3 entries, head #3"
