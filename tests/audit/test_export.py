"""`licite audit export` writes the trail as JSON lines with the hashes, so that whoever holds the
key can check every entry and every link again; each export is itself an entry (RULES H)."""

from __future__ import annotations

import io
import json

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command

from licite.audit.actions import record
from licite.audit.chain import GENESIS, entry_hash
from licite.audit.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)


def exported(path, *args: str) -> list[dict]:
    out = io.StringIO()
    call_command("audit", "export", "--out", str(path), *args, stdout=out)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert out.getvalue().strip() == f"{len(lines)} entries written to {path}"
    return [json.loads(line) for line in lines]


def test_an_export_can_be_checked_again_with_the_key(chain, tmp_path):
    entries = exported(tmp_path / "audit.jsonl")
    assert [entry["sequence"] for entry in entries] == [1, 2, 3, 4, 5]
    assert entries[2]["detail"] == {"number": 3}
    previous = GENESIS
    for entry in entries:
        assert entry["prev_hash"] == previous
        fields = [entry[name] for name in ("sequence", "at", "actor", "action", "object_type", "object_id")]
        detail = json.dumps(entry["detail"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert entry["hash"] == chain_hash(*fields, detail, entry["via"], entry["prev_hash"])
        previous = entry["hash"]


def chain_hash(*fields) -> str:
    return entry_hash(settings.AUDIT_KEY, *fields)


def test_each_export_is_an_entry_of_the_trail(chain, tmp_path):
    exported(tmp_path / "audit.jsonl")
    event = AuditEvent.objects.get(action="audit.exported")
    assert (event.sequence, event.detail, event.via) == (6, {"entries": 5, "since": None}, "cli")
    assert len(exported(tmp_path / "again.jsonl")) == 6  # the first export is in the second


def test_an_export_since_a_day_starts_at_that_day(head_file, tmp_path):
    with time_machine.travel("2026-03-01 12:00 +00:00", tick=False):
        record(None, "test.old", None)
    with time_machine.travel("2026-03-05 12:00 +00:00", tick=False):
        record(None, "test.new", None)
    entries = exported(tmp_path / "audit.jsonl", "--since", "2026-03-02")
    assert [entry["action"] for entry in entries] == ["test.new"]
    assert entries[0]["prev_hash"] == AuditEvent.objects.get(action="test.old").hash


def test_a_bad_date_or_directory_is_one_clear_error(tmp_path):
    with pytest.raises(CommandError, match=r"^--since: expected a date as YYYY-MM-DD, got 'March'$"):
        call_command("audit", "export", "--out", str(tmp_path / "a.jsonl"), "--since", "March")
    with pytest.raises(CommandError, match=r"^--out: no directory .*missing$"):
        call_command("audit", "export", "--out", str(tmp_path / "missing" / "a.jsonl"))
