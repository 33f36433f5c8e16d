from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from licite.core.suppression import suppression_hash
from licite.lib.keyhash import stored_as_bytes
from licite.rights.actions import is_suppressed
from licite.rights.models import SuppressionEntry


@pytest.mark.django_db
def test_the_models_and_their_migrations_agree():
    call_command("makemigrations", check=True, dry_run=True, verbosity=0)


@pytest.mark.django_db
def test_keyed_hashes_written_as_text_before_are_stored_as_their_bytes():
    """What the column held once it became binary (licite.lib.keyhash.stored_as_bytes): SQLite
    kept the text, PostgreSQL made bytes of its characters."""
    digest = suppression_hash("paul.durand@acme.example", settings.SUPPRESSION_KEY)
    insert = "INSERT INTO rights_suppressionentry (key_hash, reason, created_at, keep_until) VALUES "
    values = "(%s, 'objection', %s, %s)"
    if connection.vendor == "postgresql":
        values = "(CONVERT_TO(%s, 'UTF8'), 'objection', %s, %s)"
    with connection.cursor() as cursor:
        cursor.execute(insert + values, [digest, "2026-12-01 00:00:00", "2029-12-01 00:00:00"])
    assert not is_suppressed("paul.durand@acme.example")  # text is never equal to bytes
    editor = SimpleNamespace(connection=connection)  # all the step uses of its schema editor
    stored_as_bytes("rights_suppressionentry").code(None, editor)
    assert is_suppressed("paul.durand@acme.example")
    assert SuppressionEntry.objects.get().key_hash == digest
