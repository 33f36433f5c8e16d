"""The keyed hash: hexadecimal text in code, its 32 bytes in the database (licite.lib.keyhash)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from licite.core import clocks
from licite.rights.models import SuppressionEntry

pytestmark = pytest.mark.django_db
DIGEST = "0123456789abcdef" * 4


def test_a_keyed_hash_is_stored_as_its_bytes_and_read_back_as_text():
    now = timezone.now()
    SuppressionEntry.objects.create(
        key_hash=DIGEST, reason="objection", created_at=now, keep_until=clocks.suppression_keep_until(now)
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT key_hash FROM rights_suppressionentry")
        [(raw,)] = cursor.fetchall()
    assert bytes(raw) == bytes.fromhex(DIGEST)
    assert SuppressionEntry.objects.get(key_hash=DIGEST).key_hash == DIGEST
    assert list(
        SuppressionEntry.objects.filter(key_hash__in=[DIGEST]).values_list("key_hash", flat=True)
    ) == [DIGEST]


@pytest.mark.parametrize("value", ["", "abc", DIGEST.upper(), DIGEST + "00", "g" * 64])
def test_anything_but_a_keyed_hash_is_refused_before_the_database(value):
    with pytest.raises(ValidationError, match="not a keyed hash"):
        SuppressionEntry.objects.filter(key_hash=value).exists()
