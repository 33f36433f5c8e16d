"""The keyed hash of a person's address (RULES F4), stored as its 32 bytes.

Code handles it as the 64 hexadecimal characters `licite.core.suppression` gives; the
database keeps the bytes, half the room in each table and index that holds it (a million
prospects: 63 MB less to write, and a keyed-hash index built in less time).
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import migrations, models

__all__ = ["KeyHashField", "is_key_hash"]

_HEX = re.compile(r"[0-9a-f]{64}")


def is_key_hash(value: object) -> bool:
    """Whether `value` is a keyed hash as code writes it: 64 lower-case hexadecimal characters."""
    return isinstance(value, str) and _HEX.fullmatch(value) is not None


class KeyHashField(models.BinaryField[str, str]):
    """A keyed hash: hexadecimal text in Python, 32 bytes in the database."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        return None if value is None else bytes(value).hex()

    def to_python(self, value: Any) -> str | None:
        if value is None or isinstance(value, str):
            return value
        return bytes(value).hex()

    def get_prep_value(self, value: Any) -> bytes | None:
        if value is None:
            return None
        if not is_key_hash(value):
            raise ValidationError(f"not a keyed hash: {len(str(value))} characters, 64 hexadecimal expected")
        return bytes.fromhex(value)

    def value_to_string(self, obj: Any) -> str:
        return str(self.value_from_object(obj) or "")


def stored_as_bytes(table: str, batch: int = 10_000) -> migrations.RunPython:
    """A migration step, after the column became binary: the keyed hashes of `table`, written
    as hexadecimal text before, as their bytes (SQLite kept the text, PostgreSQL made bytes of
    its characters). Not reversible: a hash is not text any more."""

    def convert(apps: Any, schema_editor: Any) -> None:
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"SELECT id, key_hash FROM {table}")  # noqa: S608 (one of our tables)
            changed = []
            for row_id, value in cursor.fetchall():
                text = value if isinstance(value, str) else bytes(value).decode("ascii", "replace")
                if is_key_hash(text):
                    changed.append((bytes.fromhex(text), row_id))
            for start in range(0, len(changed), batch):
                cursor.executemany(
                    f"UPDATE {table} SET key_hash = %s WHERE id = %s",  # noqa: S608
                    changed[start : start + batch],
                )

    return migrations.RunPython(convert, elidable=False)
