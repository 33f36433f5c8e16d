"""`licite register export` writes the register with its live figures, in the CNIL template's
layout (XLSX, ODS) or for reading (HTML, Markdown, PDF), in French or English (RULES H1)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

from licite.audit.models import AuditEvent
from licite.prospects.models import Prospect
from licite.register.export import export_register
from tests.conftest import HEADER, import_file, run_licite

pytestmark = pytest.mark.django_db

B2B_FR = "Prospection commerciale B2B par courrier électronique"
ROWS = HEADER + "".join(
    f"Jeanne;Dupont;jeanne.dupont{n}@acme-industrie.example;Directrice achats;Acme;;;France\n"
    for n in range(3)
)


def export(tmp_path, fmt, lang="fr"):
    out = tmp_path / f"register.{fmt}"
    call_command(
        "register", "export", "--format", fmt, "--out", str(out), "--lang", lang, stdout=io.StringIO()
    )
    return out


def sheets(path):
    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def value(rows, label):
    """The first value right of `label` in a sheet."""
    return next(row[1] for row in rows if row and row[0] == label)


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_the_workbook_reads_back_with_the_activities_and_their_live_figures(
    initialised, source, write_csv, tmp_path, fmt
):
    import_file(write_csv(ROWS))
    book = sheets(export(tmp_path, fmt))
    names = list(book)
    assert names[0] == "Registre"
    first = book["Registre"]
    assert value(first, "Nom") == "Acme SAS"
    assert value(first, "Code postal") == "75002"
    assert any(row[:2] == [B2B_FR, "RT-01"] for row in first)
    fiche = book[next(name for name in names if name.startswith("RT-01"))]
    assert value(fiche, "Finalité principale").startswith("Prospecter par courrier électronique")
    assert value(fiche, "Notices en retard (RULES D2)") == 0
    Prospect.objects.filter(pk=Prospect.objects.first().pk).update(
        notice_due_at=timezone.now() - timedelta(days=1)
    )
    fiche = sheets(export(tmp_path, fmt))[next(name for name in names if name.startswith("RT-01"))]
    assert value(fiche, "Notices en retard (RULES D2)") == 1
    assert value(fiche, "Fiches détenues") == 3


def test_a_fiche_follows_the_cnil_template_with_each_data_category_s_retention(initialised, tmp_path):
    book = sheets(export(tmp_path, "xlsx", lang="en"))
    fiche = book[next(name for name in book if name.startswith("RT-03"))]
    headings = [row[0] for row in fiche if row and row[0].isupper()]
    assert headings == [
        "ACTIVITY", "PURPOSES", "LEGAL BASIS", "CATEGORIES OF PERSONS CONCERNED",
        "CATEGORIES OF PERSONAL DATA", "SENSITIVE DATA", "RECIPIENTS", "TRANSFERS OUTSIDE THE EU",
        "SECURITY MEASURES", "JOINT CONTROLLERS", "DATA SOURCES", "PROCESSORS", "LIVE FIGURES",
    ]  # fmt: skip
    identity = next(row for row in fiche if row[0].startswith("Civil status, identity"))
    assert "Keyed HMAC-SHA256 hash" in identity[1]
    assert "from the objection" in identity[2]
    assert value(fiche, "Legal basis") == "Legal obligation (art. 6.1.c)"


def test_the_pdf_is_text_a_person_reads_in_the_language_asked(initialised, source, write_csv, tmp_path):
    import_file(write_csv(ROWS))
    text = "\n".join(page.extract_text() for page in PdfReader(export(tmp_path, "pdf")).pages)
    assert "Registre des activités de traitement" in text
    assert "à partir des données réelles de licite" in text
    assert B2B_FR in text
    assert "Catégories de données personnelles" in text
    assert "DPO Conseil SARL" in text
    english = "\n".join(page.extract_text() for page in PdfReader(export(tmp_path, "pdf", "en")).pages)
    assert "Register of processing activities" in english
    assert "Catégories de données personnelles" not in english


@pytest.mark.parametrize(("fmt", "heading"), [("html", "<h1>Register of processing activities</h1>"),
                                               ("md", "# Register of processing activities")])  # fmt: skip
def test_html_and_markdown_carry_the_register_and_its_figures(initialised, tmp_path, fmt, heading):
    text = export(tmp_path, fmt, "en").read_text()
    assert heading in text
    assert "Generated on" in text
    assert "from the live data of licite" in text
    assert "Suppression list entries" in text
    assert "Rights requests handling" not in text  # the name stays as written, in the organisation's language
    assert (
        "Gestion des demandes d'exercice des droits" in text or "Gestion des demandes d&#x27;exercice" in text
    )


def test_an_export_is_audited_with_counts_only(initialised, tmp_path):
    export(tmp_path, "md")
    entry = AuditEvent.objects.get(action="register.exported")
    assert entry.detail["format"] == "md"
    assert entry.detail["activities"] == 4
    assert "acme" not in str(entry.detail).lower()


def test_export_register_is_a_function_the_inspection_pack_calls(initialised):
    assert export_register("xlsx", "en", timezone.now())[:2] == b"PK"
    assert not AuditEvent.objects.filter(action="register.exported").exists()


def test_list_shows_each_activity_with_its_records(initialised, source, write_csv):
    import_file(write_csv(ROWS))
    out = io.StringIO()
    call_command("register", "list", stdout=out)
    assert "RT-01" in out.getvalue()
    assert "4 activities." in out.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--format", "docx", "--out", "x.docx"), "--format: unknown format 'docx'"),
        (("--format", "pdf", "--out", "x.pdf", "--lang", "de"), "--lang: unknown language 'de'"),
        (("--format", "pdf", "--out", "/nonexistent/x.pdf"), "--out: cannot write /nonexistent/x.pdf"),
    ],
)
def test_a_bad_argument_is_refused_with_one_line(initialised, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("register", "export", *args)


def test_the_licite_command_refuses_a_bad_format_in_one_line_without_traceback(tmp_path):
    env = {"LICITE_HOME": str(tmp_path), "LICITE_DATABASE_URL": "", "LICITE_EMAIL_BACKEND": "console"}
    assert run_licite("migrate", "--noinput", env=env).returncode == 0
    result = run_licite("register", "export", "--format", "docx", "--out", str(tmp_path / "r"), env=env)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "CommandError: --format: unknown format 'docx': use one of xlsx, ods, html, md, pdf"
    ]
    written = run_licite("register", "export", "--format", "xlsx", "--out", str(tmp_path / "r.xlsx"), env=env)
    assert written.returncode == 0, written.stderr
    assert (tmp_path / "r.xlsx").read_bytes()[:2] == b"PK"


def test_the_representative_and_the_dpo_s_company_given_to_init_are_in_the_register(initialised, tmp_path):
    call_command("init", representative_name="Acme EU Rep GmbH", representative_city="Berlin",
                 interactive=False, stdout=io.StringIO())  # fmt: skip
    text = export(tmp_path, "md", "en").read_text()
    assert "### Representative in the EU" in text
    assert "Acme EU Rep GmbH" in text
    assert "DPO Conseil SARL" in text


def test_a_processor_outside_the_eea_is_a_transfer_of_its_activity_flagged_everywhere(initialised, tmp_path):
    from licite.processors.actions import do_save_processor

    do_save_processor(None, "Mailgun", [B2B_FR], service="Sending of emails", country="US")
    text = export(tmp_path, "md", "en").read_text(encoding="utf-8")
    fiche = text.split(f"## {B2B_FR}")[1].split("\n## ")[0]
    transfers = fiche.split("### Transfers outside the EU")[1].split("###")[0]
    assert "Mailgun" in transfers
    assert "Outside the EU/EEA without a transfer mechanism (RULES B7)" in transfers
    processors = fiche.split("### Processors")[1].split("###")[0]
    assert "Transfer problem" in processors
    assert "Outside the EU/EEA without a transfer mechanism (RULES B7)" in processors


def test_the_software_used_names_the_email_service_of_the_processors_at_export(initialised, tmp_path):
    from licite.processors.actions import do_save_processor

    do_save_processor(None, "Postmark", service="Sending of emails", country="FR", email_backend="postmark")
    text = export(tmp_path, "md", "en").read_text(encoding="utf-8")
    assert "licite; email: Postmark (postmark)" in text


def test_an_empty_part_of_a_french_fiche_reads_right_whatever_its_gender(initialised, tmp_path):
    text = export(tmp_path, "md", "fr").read_text(encoding="utf-8")
    sensitive = text.split("### Données sensibles")[1].split("###")[0]
    assert sensitive.strip() == "Néant."


def test_list_names_each_legal_basis_in_words(initialised):
    out = io.StringIO()
    call_command("register", "list", stdout=out)
    assert "Legitimate" in out.getvalue()
    assert "legitimate_interest" not in out.getvalue()
