"""`licite audit verify` names the first entry edited, deleted, inserted or reordered directly in
the database, and a tail cut off; the head file outside the database sees the cut (RULES H)."""

from __future__ import annotations

import io
import json
import os
import sqlite3

import pytest
from django.core.management import call_command

from licite.audit.actions import record
from licite.audit.models import AuditEvent
from tests.audit.conftest import broken, sql
from tests.conftest import run_licite

pytestmark = pytest.mark.django_db(transaction=True)
SHIFT = 1_000_000  # renumbering through free numbers: the sequence is unique at every step


def verified() -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("audit", "verify", stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue().strip()


def test_an_untouched_chain_verifies_with_its_length(chain, head_file):
    assert verified() == ("audit chain intact: 5 entries, head #5", "")
    assert json.loads(head_file.read_text()) == {"sequence": 5, "hash": chain[-1].hash}
    assert [event.prev_hash for event in chain[1:]] == [event.hash for event in chain[:-1]]


def test_an_entry_edited_in_the_database_is_named(chain):
    sql("UPDATE audit_auditevent SET actor_label = 'someone else' WHERE sequence = 3")
    assert (
        broken()
        == f"audit chain broken: entry #3 (id {chain[2].pk}) modified: its content does not match its hash"
    )


def test_an_entry_whose_detail_is_edited_is_named_even_with_a_hash_recomputed_without_the_key(chain):
    sql("UPDATE audit_auditevent SET detail = %s, hash = %s WHERE sequence = 2", ['{"number":7}', "0" * 64])
    assert broken().startswith(f"audit chain broken: entry #2 (id {chain[1].pk}) modified")


def test_a_deleted_entry_is_named(chain):
    sql("DELETE FROM audit_auditevent WHERE sequence IN (2, 3)")
    assert broken() == "audit chain broken: entry #2 to #3 deleted: the chain jumps from #1 to #4"


def test_a_deleted_entry_is_seen_when_the_entries_after_it_are_renumbered(chain):
    sql("DELETE FROM audit_auditevent WHERE sequence = 3")
    sql("UPDATE audit_auditevent SET sequence = sequence + %s WHERE sequence > 3", [SHIFT])
    sql("UPDATE audit_auditevent SET sequence = sequence - %s WHERE sequence > %s", [SHIFT + 1, SHIFT])
    assert broken().startswith(
        f"audit chain broken: entry #3 (id {chain[3].pk}) modified, or entries before it deleted"
    )


def test_an_inserted_entry_is_named(chain):
    sql("UPDATE audit_auditevent SET sequence = sequence + %s WHERE sequence >= 3", [SHIFT])
    sql("UPDATE audit_auditevent SET sequence = sequence - %s WHERE sequence > %s", [SHIFT - 1, SHIFT])
    sql(
        "INSERT INTO audit_auditevent (sequence, at, actor_label, action, object_type, object_id, detail,"
        " via, prev_hash, hash) SELECT 3, at, actor_label, 'prospect.erased', '', '', detail, via, hash, hash"
        " FROM audit_auditevent WHERE sequence = 2"
    )
    inserted = AuditEvent.objects.get(sequence=3)
    assert broken() == (
        f"audit chain broken: entry #3 (id {inserted.pk}) inserted: the entry after it continues the "
        "chain from #2"
    )


def test_two_entries_swapped_are_named(chain):
    sql("UPDATE audit_auditevent SET sequence = %s WHERE sequence = 3", [SHIFT])
    sql("UPDATE audit_auditevent SET sequence = 3 WHERE sequence = 4")
    sql("UPDATE audit_auditevent SET sequence = 4 WHERE sequence = %s", [SHIFT])
    assert broken() == (
        f"audit chain broken: entry #3 (id {chain[3].pk}) reordered: it was written after the entry "
        "that follows it"
    )


def test_a_tail_cut_off_is_caught_by_the_head_file(chain):
    sql("DELETE FROM audit_auditevent WHERE sequence >= 4")
    assert broken() == (
        "audit chain broken: the chain's tail is missing: it ends at #3, the head file says #5 "
        "(2 entries deleted from the end)"
    )


def test_an_entry_added_at_the_end_without_the_key_is_named(chain):
    sql(
        "INSERT INTO audit_auditevent (sequence, at, actor_label, action, object_type, object_id, detail,"
        " via, prev_hash, hash) SELECT 6, at, actor_label, action, '', '', detail, via, hash, hash"
        " FROM audit_auditevent WHERE sequence = 5"
    )
    assert broken().startswith("audit chain broken: entry #6 (id ")
    assert "inserted or modified" in broken()


def test_a_head_file_behind_the_chain_is_a_warning_not_tampering(chain, head_file):
    """A crash between a commit and the head's write, or an entry written on another machine."""
    head_file.write_text(json.dumps({"sequence": 4, "hash": chain[3].hash}))
    out, err = verified()
    assert out == "audit chain intact: 5 entries, head #5"
    assert err == (
        "warning: 1 entries after the head file's #4 are not acknowledged there yet (written by another "
        "machine, or just before a crash)"
    )
    record(None, "test.done", None)  # the next commit brings the head file up to date
    assert verified() == ("audit chain intact: 6 entries, head #6", "")


def test_a_head_file_naming_another_chain_is_caught(chain, head_file):
    head_file.write_text(json.dumps({"sequence": 4, "hash": "f" * 64}))
    assert (
        broken()
        == "audit chain broken: entry #4 is not the one the head file recorded: the chain was rewritten"
    )


def test_a_missing_head_file_is_refused_once_the_chain_has_entries(chain, head_file):
    head_file.unlink()
    assert broken().startswith(
        "audit chain broken: the head file is missing: the chain's 5 entries verify, but a cut"
    )


def test_an_empty_chain_without_a_head_file_verifies(head_file):
    assert verified() == ("audit chain intact: 0 entries, head #0", "")


def test_a_chain_checked_with_another_key_fails_at_its_first_entry(chain, settings):
    settings.AUDIT_KEY = b"another key of at least thirty-two characters"
    assert (
        broken()
        == f"audit chain broken: entry #1 (id {chain[0].pk}) modified: its content does not match its hash"
    )


def test_the_command_exits_with_1_and_one_line_when_the_chain_is_broken(tmp_path):
    env = {**os.environ, "LICITE_HOME": str(tmp_path / "home"), "LICITE_DATABASE_URL": "",
           "LICITE_EMAIL_BACKEND": "console"}  # fmt: skip
    assert run_licite("migrate", "--noinput", env=env).returncode == 0
    write = "from licite.audit.actions import record\nfor n in range(3): record(None, 'test.done', None, n=n)"
    assert run_licite("shell", "-c", write, env=env).returncode == 0
    assert run_licite("audit", "verify", env=env).stdout == "audit chain intact: 3 entries, head #3\n"
    with sqlite3.connect(tmp_path / "home" / "licite.sqlite3") as database:
        database.execute("UPDATE audit_auditevent SET action = 'test.undone' WHERE sequence = 2")
    database.close()
    done = run_licite("audit", "verify", env=env)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.splitlines() == [
        "CommandError: audit chain broken: entry #2 (id 2) modified: its content does not match its hash"
    ]
