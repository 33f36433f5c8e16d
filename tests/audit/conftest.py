from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from licite.audit.actions import record


@pytest.fixture
def head_file(settings, tmp_path):
    """The chain's head file, of this test alone."""
    settings.AUDIT_HEAD_FILE = tmp_path / "audit_head"
    return settings.AUDIT_HEAD_FILE


@pytest.fixture
def chain(head_file):
    """Five entries, each committed (so that the head file follows), as actions write them."""
    return [record(None, "test.done", None, number=number) for number in range(1, 6)]


def sql(statement: str, params: list | None = None) -> None:
    """Edit the database directly, as whoever can write to it could."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def broken() -> str:
    """Why `licite audit verify` refuses the chain (it must)."""
    with pytest.raises(CommandError) as refused:
        call_command("audit", "verify")
    return str(refused.value)
