"""`licite import`: the compliance gate for prospect files (RULES A-C, F4)."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from licite.audit.models import AuditEvent
from licite.core import clocks
from licite.prospects.importing import _FirstSeen
from licite.prospects.models import ImportBatch, Prospect, Provenance
from licite.register.models import ProcessingActivity
from licite.rights.actions import do_suppress
from tests.conftest import HEADER, LICITE, ROOT, import_file

pytestmark = pytest.mark.django_db

ROWS = (
    HEADER
    + "Jeanne;Dupont;Jeanne.Dupont@Acme-Industrie.example ;Directrice achats;Acme Industrie;01 42 00 00 00;"
    "très sympa;France\n"
    "Paul;Martin;contact@acme-industrie.example;;Acme Industrie;;;FR\n"
    "Léa;Petit;lea.petit@gmail.com;Consultante;;;;\n"
    ";;pas-une-adresse;;;;;\n"
    "Jeanne;Dupont;jeanne.dupont@acme-industrie.example;DAF;Acme Industrie;;;France\n"
)


def test_an_import_creates_each_person_once_with_the_legal_basis_of_their_address(source, write_csv):
    report = import_file(write_csv(ROWS))
    assert (report["rows_read"], report["created"], report["duplicates_in_file"], report["rejected"]) == (
        5,
        3,
        1,
        1,
    )
    jeanne = Prospect.objects.get(email="jeanne.dupont@acme-industrie.example")
    assert (jeanne.email_kind, jeanne.audience, jeanne.legal_basis, jeanne.status) == (
        "nominative",
        "b2b",
        "legitimate_interest",
        "active",
    )
    lea = Prospect.objects.get(email="lea.petit@gmail.com")
    assert (lea.audience, lea.legal_basis, lea.status) == ("b2c", "consent", "consent_pending")
    assert Prospect.objects.get(email="contact@acme-industrie.example").email_kind == "generic"
    assert report["by_email_kind"] == {"generic": 1, "nominative": 1, "private": 1}
    assert report["by_legal_basis"] == {"consent": 1, "legitimate_interest": 2}


def test_columns_the_purpose_does_not_need_are_dropped_and_counted(source, write_csv):
    report = import_file(write_csv(ROWS))
    assert report["dropped_columns"] == [
        {"column": "'Téléphone' (column F)", "values": 1},
        {"column": "'Commentaire' (column G)", "values": 1},
    ]
    jeanne = Prospect.objects.get(email="jeanne.dupont@acme-industrie.example")
    assert jeanne.phone == ""
    assert "sympa" not in str(Prospect.objects.values().get(pk=jeanne.pk))


def test_a_professional_phone_is_kept_when_the_purpose_declares_it(source, write_csv):
    ProcessingActivity.objects.create(
        name="B2B",
        purpose_fr="p",
        purpose_en="p",
        legal_basis="legitimate_interest",
        data_subjects="d",
        retention_fr="3 ans",
        retention_en="3y",
        keeps_professional_phone=True,
    )
    report = import_file(write_csv(ROWS))
    assert Prospect.objects.get(email="jeanne.dupont@acme-industrie.example").phone == "+33142000000"
    assert [d["column"] for d in report["dropped_columns"]] == ["'Commentaire' (column G)"]


def test_every_record_carries_its_provenance_and_its_clocks(source, write_csv, owner):
    import_file(write_csv(ROWS))
    jeanne = Prospect.objects.get(email="jeanne.dupont@acme-industrie.example")
    [link] = Provenance.objects.filter(prospect=jeanne)
    assert (link.source, link.line_number, link.page_url) == (source, 2, "https://salon.example/exposants")
    assert link.batch.filename == "prospects.csv"
    assert jeanne.notice_due_at == clocks.notice_due_at(jeanne.collected_at)
    assert jeanne.retain_until == clocks.retain_until(jeanne.collected_at)
    assert abs(jeanne.collected_at - timezone.now()) < timedelta(minutes=1)
    assert (jeanne.country, jeanne.language, jeanne.company_domain) == ("FR", "fr", "acme-industrie.example")


def test_the_clocks_of_an_imported_record_are_stored_as_the_orm_stores_them(source, write_csv):
    # Found by an exact date lookup: the purge and the notice queries compare dates in SQL.
    with time_machine.travel(datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=UTC), tick=False):
        report = import_file(write_csv(ROWS))
    collected = datetime(2026, 3, 2, 9, 30, 15, tzinfo=UTC)
    assert Prospect.objects.filter(collected_at=collected).count() == report["created"] == 3
    assert Prospect.objects.filter(retain_until=clocks.retain_until(collected)).count() == 3
    assert Prospect.objects.filter(notice_due_at=clocks.notice_due_at(collected)).count() == 3
    assert Provenance.objects.filter(collected_at=collected).count() == 3


def test_a_reimport_counts_the_known_records_it_leaves_unchanged(source, write_csv):
    import_file(write_csv(ROWS))
    again = HEADER + "Paul;Martin;contact@acme-industrie.example;;;;;\nNina;Roy;nina@acme.example;;;;;\n"
    report = import_file(write_csv(again, name="again.csv"))
    assert (report["created"], report["updated"], report["unchanged"]) == (1, 0, 1)


def test_importing_the_same_file_again_creates_nothing(source, write_csv):
    path = write_csv(ROWS)
    import_file(path)
    before = (Prospect.objects.count(), Provenance.objects.count(), ImportBatch.objects.count())
    again = import_file(path)
    assert again["already_imported"].startswith("this file was already imported")
    assert (Prospect.objects.count(), Provenance.objects.count(), ImportBatch.objects.count()) == before


def test_a_reimport_updates_descriptive_fields_only_and_adds_provenance(source, write_csv):
    import_file(write_csv(ROWS))
    jeanne = Prospect.objects.get(email="jeanne.dupont@acme-industrie.example")
    Prospect.objects.filter(pk=jeanne.pk).update(status="restricted", notice_sent_at=timezone.now())
    newer = HEADER + "Jeanne;Dupont-Martin;jeanne.dupont@acme-industrie.example;DAF;Acme SA;;;\n"
    report = import_file(write_csv(newer, name="newer.csv"))
    assert (report["created"], report["updated"]) == (0, 1)
    jeanne.refresh_from_db()
    assert (jeanne.last_name, jeanne.job_title, jeanne.company) == ("Dupont-Martin", "DAF", "Acme SA")
    assert jeanne.status == "restricted"
    assert jeanne.notice_sent_at is not None
    assert jeanne.country == "FR", "an empty cell never erases a known value"
    assert jeanne.provenance.count() == 2


def test_a_suppressed_person_is_never_imported_again(source, write_csv):
    do_suppress(None, "Jeanne.Dupont+salon@acme-industrie.example", "objection")
    report = import_file(write_csv(ROWS))
    assert report["suppressed"] == 1
    assert not Prospect.objects.filter(email="jeanne.dupont@acme-industrie.example").exists()
    # The counts are of what was let in: the suppressed row is in none of them.
    assert report["by_email_kind"] == {"generic": 1, "private": 1}
    assert report["by_legal_basis"] == {"consent": 1, "legitimate_interest": 1}


def test_a_dry_run_reports_everything_and_stores_nothing(source, write_csv):
    report = import_file(write_csv(ROWS), "--dry-run")
    assert report["created"] == 3
    assert report["dry_run"] is True
    assert Prospect.objects.count() == 0
    assert ImportBatch.objects.count() == 0


def test_exclusive_imports_the_same_where_it_cannot_have_the_database_alone(source, write_csv):
    # In the tests' transaction (SQLite in memory, or PostgreSQL): an import as usual; on a
    # SQLite file, see test_import_exclusive.
    report = import_file(write_csv(ROWS), "--exclusive")
    assert (report["created"], report["exclusive"]) == (3, False)
    postgresql = "--exclusive changes nothing on PostgreSQL: the import ran as usual"
    assert (postgresql in report["warnings"]) == (connection.vendor == "postgresql")


def test_values_that_look_like_formulas_are_stored_as_text(source, write_csv):
    import_file(write_csv(HEADER + '=HYPERLINK("http://x");+cmd;zoe@b.example;-2+3;@SUM(A1);;;\n'))
    zoe = Prospect.objects.get(email="zoe@b.example")
    assert (zoe.first_name, zoe.last_name, zoe.job_title, zoe.company) == (
        '=HYPERLINK("http://x")',
        "+cmd",
        "-2+3",
        "@SUM(A1)",
    )


def test_the_import_is_audited_without_personal_data(source, write_csv):
    import_file(write_csv(ROWS))
    event = AuditEvent.objects.get(action="import.completed")
    assert event.detail["created"] == 3
    assert "acme" not in str(event.detail).lower()


def test_the_report_says_where_the_time_went(source, write_csv):
    report = import_file(write_csv(ROWS))
    assert set(report["timings"]) == {"gating", "storing", "committing"}
    assert all(seconds >= 0 for seconds in report["timings"].values())
    assert sum(report["timings"].values()) <= report["seconds"]


def test_the_report_can_be_written_to_a_file(source, write_csv, tmp_path):
    import json

    call_command(
        "import",
        write_csv(ROWS),
        "--source",
        source.name,
        "--report",
        str(tmp_path / "r.json"),
        stdout=__import__("io").StringIO(),
    )
    assert json.loads((tmp_path / "r.json").read_text())["created"] == 3


@pytest.mark.parametrize(
    ("where", "message"),
    [("missing/r.json", "there is no folder"), (".", "is a folder, not a file")],
)
def test_a_report_that_could_not_be_written_stops_the_import_before_it_stores_anything(
    source, write_csv, tmp_path, where, message
):
    with pytest.raises(CommandError, match=f"--report: .*{message}.*; nothing was imported"):
        import_file(write_csv(ROWS), "--report", str(tmp_path / where))
    assert not Prospect.objects.exists()
    assert not ImportBatch.objects.exists()


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs Linux's /dev/full")
def test_a_report_that_fails_to_write_after_the_import_says_the_import_is_stored(source, write_csv):
    # /dev/full passes every check before the import, then refuses each write: a disk full
    # at the last moment.
    with pytest.raises(CommandError) as raised:
        import_file(write_csv(ROWS), "--report", "/dev/full")
    batch = ImportBatch.objects.get()
    assert str(raised.value) == (
        f"the import is stored (batch {batch.pk}), but --report: cannot write /dev/full: "
        "No space left on device"
    )
    assert Prospect.objects.count() == 3


def test_a_report_in_a_folder_the_user_may_not_write_stops_the_import_before_anything(
    source, write_csv, tmp_path
):
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o555)
    report = folder / "r.json"
    if os.geteuid() != 0:
        with pytest.raises(CommandError) as raised:
            import_file(write_csv(ROWS), "--report", str(report))
        message = str(raised.value)
    else:
        # Root writes anywhere: the real command, in a user namespace of its own, where it keeps
        # its user id but none of root's powers over the files of this one.
        if subprocess.run(["unshare", "--user", "true"], capture_output=True, check=False).returncode:
            pytest.skip("needs unshare --user, to run the command without root's powers")
        done = subprocess.run(
            ["unshare", "--user", "--", *LICITE, "import", write_csv(ROWS), "--source", source.name,
             "--report", str(report)],
            capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
            env={**os.environ, "LICITE_HOME": str(tmp_path / "home"), "LICITE_DATABASE_URL": ""},
        )  # fmt: skip
        assert (done.returncode, "Traceback" in done.stderr) == (1, False), done.stderr
        message = done.stderr.strip()
        assert not (tmp_path / "home" / "licite.sqlite3").exists()  # refused before the database
    assert message.endswith(f"--report: cannot write to {folder} (permission denied); nothing was imported")
    assert not report.exists()
    assert not ImportBatch.objects.exists()


def test_a_column_can_be_mapped_by_hand(source, write_csv):
    report = import_file(
        write_csv("Mail pro,Qui\njeanne@acme.example,Jeanne Dupont\n"),
        "--map",
        "Mail pro=email",
        "--map",
        "Qui=full_name",
    )
    assert report["created"] == 1
    jeanne = Prospect.objects.get()
    assert (jeanne.first_name, jeanne.last_name) == ("Jeanne", "Dupont")


def test_a_list_collected_months_ago_is_flagged_as_overdue(source, write_csv):
    day = (timezone.now() - timedelta(days=70)).date().isoformat()
    report = import_file(write_csv(ROWS), "--collected-on", day)
    assert any("overdue" in w for w in report["warnings"])
    jeanne = Prospect.objects.get(email="jeanne.dupont@acme-industrie.example")
    assert jeanne.notice_due_at < timezone.now()


def test_an_unknown_source_is_named(write_csv, db):
    with pytest.raises(CommandError, match="no source named 'Nowhere'"):
        call_command("import", write_csv(ROWS), "--source", "Nowhere")


def test_a_spreadsheet_goes_through_the_same_gate(source, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Prénom", "Nom", "Courriel", "Poste", "Entreprise"])
    sheet.append(["Jeanne", "Dupont", "Jeanne.Dupont@acme.example", "Acheteuse", "Acme"])
    sheet.append(["Léa", "Petit", "lea@gmail.com", "", ""])
    book.save(tmp_path / "salon.xlsx")
    report = import_file(str(tmp_path / "salon.xlsx"))
    assert (report["format"], report["created"]) == ("xlsx", 2)
    assert Prospect.objects.get(email="jeanne.dupont@acme.example").job_title == "Acheteuse"


def test_gating_in_worker_processes_gives_the_same_result_as_in_one(source, write_csv, tmp_path):
    from pathlib import Path

    from licite.prospects.importing import ImportRequest, run_import

    rows = ROWS + "".join(f"A;B;buyer{i}@acme.example;Achats;Acme;;note;France\n" for i in range(200))
    path = Path(write_csv(rows))
    serial = run_import(ImportRequest(path=path, source=source, dry_run=True, workers=1, chunk_rows=7))
    parallel = run_import(ImportRequest(path=path, source=source, dry_run=True, workers=2, chunk_rows=7))
    ignore = {"seconds", "timings", "batch"}
    assert {k: v for k, v in serial.as_dict().items() if k not in ignore} == {
        k: v for k, v in parallel.as_dict().items() if k not in ignore
    }
    assert parallel.created == 203
    assert parallel.dropped_columns[1] == {"column": "'Commentaire' (column G)", "values": 201}


def test_backslashes_and_quotes_survive_the_bulk_path(source, write_csv):
    import_file(write_csv(HEADER + 'Je\\anne;"O\'Brien ""Jr""";jeanne@acme.example;R&D \\ Achats;Acme;;;\n'))
    jeanne = Prospect.objects.get(email="jeanne@acme.example")
    assert (jeanne.first_name, jeanne.last_name, jeanne.job_title) == (
        "Je\\anne",
        'O\'Brien "Jr"',
        "R&D \\ Achats",
    )


def test_an_import_stages_with_the_collector_running_rarely_then_puts_it_back(source, write_csv):
    import gc
    from pathlib import Path

    from licite.prospects.importing import ImportRequest, run_import

    before = gc.get_threshold()
    during = []
    run_import(
        ImportRequest(path=Path(write_csv(ROWS)), source=source),
        progress=lambda rows: during.append(gc.get_threshold()),
    )
    assert during
    assert before not in during
    with pytest.raises(CommandError):
        import_file(write_csv(HEADER + "Jeanne;Dupont;\x00;;;;;\n", name="bad.csv"))
    assert gc.get_threshold() == before


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own settings")
def test_an_import_tunes_sqlite_for_its_way_of_storing_then_puts_the_settings_back(source, write_csv):
    import os

    raw = connection.cursor().connection  # the sqlite3 connection itself, past the wrappers

    def settings() -> tuple[int, int]:
        return raw.execute("PRAGMA cache_size").fetchone()[0], raw.execute("PRAGMA threads").fetchone()[0]

    before = settings()
    seen: list[tuple[str, tuple[int, int]]] = []

    def watch(execute, sql, params, many, context):
        if sql.startswith(("CREATE UNIQUE INDEX", "INSERT INTO prospects_prospect")):
            seen.append((" ".join(sql.split()[:3]), settings()))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        import_file(write_csv(ROWS))  # into an empty table: a bulk load, its indexes built again
        bulk, seen[:] = list(seen), []
        assert settings() == before
        import_file(write_csv(HEADER + "Nina;Roy;nina@acme.example;;;;;\n", name="one.csv"))
        into_larger = list(seen)
    assert settings() == before
    threads = min(8, os.cpu_count() or 1)
    # the sorts of the index builds in threads, in the connection's own small cache
    assert ("CREATE UNIQUE INDEX", (before[0], threads)) in bulk
    # one row into three: a large cache for the random places its keys go to
    assert into_larger == [("INSERT INTO prospects_prospect", (-131072, before[1]))]


ADDRESSES = st.sampled_from(["a@x.example", "b@x.example", "c@y.example", "é@z.example"])


@given(st.lists(st.lists(ADDRESSES, max_size=6)))
def test_the_first_of_each_address_is_kept_across_frames_as_within_one(frames):
    first_seen, seen = _FirstSeen(), set()
    for frame in frames:
        expected = []
        for email in frame:
            expected.append(email not in seen)
            seen.add(email)
        assert first_seen(pl.Series(frame, dtype=pl.String)).to_list() == expected
