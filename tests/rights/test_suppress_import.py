"""`licite suppress import`: the opt-outs of the previous tool come in hashed; matching prospects
are erased; the addresses are never stored nor printed (RULES G3, F4)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from licite.audit.models import AuditEvent
from licite.prospects.models import Prospect
from licite.rights.actions import key_hash
from licite.rights.models import SuppressionEntry
from tests.campaigns.test_campaigns import EMILY, JEANNE, PAUL

pytestmark = pytest.mark.django_db

# Mailchimp's export of an audience's unsubscribed contacts.
MAILCHIMP = (
    '"Email Address","First Name","Last Name",MEMBER_RATING,OPTIN_TIME,UNSUB_TIME,UNSUB_CAMPAIGN_TITLE,'
    "UNSUB_REASON\n"
    f'"{JEANNE}",Jeanne,Dupont,2,"2025-03-01 10:00:00","2026-01-12 09:13:00","Newsletter janvier",'
    '"I no longer want to receive these emails"\n'
    '"former.client@ancien.example",Marc,Blanc,1,"2024-06-01 10:00:00","2025-02-02 11:00:00",,\n'
    '"not an address",Ann,Noe,1,,,,\n'
    f'"{JEANNE.upper()}",Jeanne,Dupont,2,,,,\n'
)


def suppress_import(path: str, *args: str) -> str:
    out = io.StringIO()
    call_command("suppress", "import", path, *args, stdout=out)
    return out.getvalue()


def test_a_mailchimp_export_suppresses_every_address_and_erases_the_prospects(prospects, write_csv):
    out = suppress_import(write_csv(MAILCHIMP, "unsubscribed.csv"), "--reason", "objection")
    assert "Address column: Email Address" in out
    assert "Rows read: 4" in out
    assert "Addresses hashed: 3 (2 distinct)" in out
    assert "New entries: 2" in out
    assert "Prospects erased: 1" in out
    assert "Invalid rows: 1 (lines 4)" in out
    assert not Prospect.objects.filter(email=JEANNE).exists()
    assert set(SuppressionEntry.objects.values_list("key_hash", flat=True)) == {
        key_hash(JEANNE),
        key_hash("former.client@ancien.example"),
    }
    assert set(SuppressionEntry.objects.values_list("reason", flat=True)) == {"objection"}


def test_no_address_is_printed_stored_or_audited(prospects, write_csv):
    out = suppress_import(write_csv(MAILCHIMP, "unsubscribed.csv"), "--reason", "objection")
    entries = json.dumps(list(SuppressionEntry.objects.values()), default=str)
    trail = json.dumps(list(AuditEvent.objects.values("detail", "object_id")))
    for value in (JEANNE, "former.client", "not an address"):
        assert value not in out
        assert value not in entries
        assert value not in trail
    assert AuditEvent.objects.filter(action="suppression.imported").exists()


def test_an_address_already_on_the_list_is_counted_as_such(prospects, write_csv):
    path = write_csv(MAILCHIMP, "unsubscribed.csv")
    suppress_import(path, "--reason", "objection")
    out = suppress_import(path, "--reason", "objection")
    assert "Already on the suppression list: 2" in out
    assert "New entries: 0" in out
    assert SuppressionEntry.objects.count() == 2


def test_a_dry_run_counts_and_stores_nothing(prospects, write_csv):
    out = suppress_import(write_csv(MAILCHIMP, "unsubscribed.csv"), "--reason", "objection", "--dry-run")
    assert "New entries: 2 (would be added)" in out
    assert "Prospects would be erased: 1" in out
    assert "Dry run: nothing was stored." in out
    assert not SuppressionEntry.objects.exists()
    assert Prospect.objects.filter(email=JEANNE).exists()


def test_a_brevo_blocklist_in_xlsx_is_read(prospects, tmp_path: Path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["EMAIL", "BLOCKLIST_REASON", "DATE"])
    sheet.append([EMILY, "hardBounce", "2026-05-01"])
    sheet.append([PAUL, "unsubscribedViaEmail", "2026-05-02"])
    path = tmp_path / "brevo-blocklist.xlsx"
    workbook.save(path)
    out = suppress_import(str(path), "--reason", "bounce")
    assert "Prospects erased: 2" in out
    assert set(SuppressionEntry.objects.values_list("reason", flat=True)) == {"bounce"}
    assert not Prospect.objects.filter(email__in=[EMILY, PAUL]).exists()


def test_a_bare_list_of_addresses_without_a_header_is_read_whole(prospects, write_csv):
    out = suppress_import(write_csv(f"{JEANNE}\n{EMILY}\n", "blocklist.csv"), "--reason", "manual")
    assert "Rows read: 2" in out
    assert "Prospects erased: 2" in out


def test_the_address_column_can_be_named(prospects, write_csv):
    path = write_csv(f"Contact;Raison\n{JEANNE};désinscrit\n", "export.csv")
    assert "Prospects erased: 1" in suppress_import(path, "--reason", "objection", "--column", "Contact")


def test_a_file_without_an_address_column_is_one_clear_line(prospects, write_csv):
    path = write_csv(f"Contact;Raison\n{JEANNE};désinscrit\n", "export.csv")
    with pytest.raises(CommandError, match=r"no column of email addresses .*'Contact', 'Raison'.*--column"):
        suppress_import(path, "--reason", "objection")


def test_an_unknown_column_names_the_option(prospects, write_csv):
    path = write_csv(f"Email;Raison\n{JEANNE};x\n", "export.csv")
    with pytest.raises(CommandError, match="--column: no column 'Mail pro'"):
        suppress_import(path, "--reason", "objection", "--column", "Mail pro")


def test_an_unreadable_file_is_one_clear_line(db, tmp_path: Path):
    with pytest.raises(CommandError, match="no such file"):
        suppress_import(str(tmp_path / "missing.csv"), "--reason", "objection")


def test_the_reason_must_be_a_suppression_reason(db, write_csv):
    with pytest.raises(CommandError, match="invalid choice"):
        suppress_import(write_csv(MAILCHIMP), "--reason", "because")
