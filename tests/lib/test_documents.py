"""Documents in HTML, Markdown, PDF, XLSX and ODS (licite.lib.documents), read back as a person would."""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from datetime import UTC, date, datetime
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

from licite.lib.documents import (
    Bullets,
    Document,
    Fields,
    Notice,
    Paragraph,
    Section,
    Sheet,
    Table,
    render,
    render_html,
    render_markdown,
    render_pdf,
    write_workbook,
)

SCRIPT = "<script>alert('x')</script>"
ACCENTS = "Données conservées 3 ans ; l’œuvre « complète » coûte 5 €"
LONG_ROWS = 150


def sample(language: str = "fr") -> Document:
    sources = tuple((f"Salon n°{n} à Lyon", "intérêt légitime", str(n)) for n in range(LONG_ROWS))
    return Document(
        title="Registre des activités de traitement",
        language=language,
        subtitle="ACME SAS",
        generated_at=datetime(2026, 12, 4, 10, 30, tzinfo=UTC),
        sections=(
            Section(
                "Prospection B2B",
                (
                    Paragraph(ACCENTS),
                    Fields((("Responsable", "ACME SAS"), ("Finalité", SCRIPT))),
                    Bullets(("Identité", "Vie professionnelle | fonction")),
                    Notice("MailCo (US) sans garantie de transfert", "failure"),
                    Table(
                        ("Source", "Base légale", "Fiches"), (("Annuaire | B2B", "intérêt légitime", "3"),)
                    ),
                ),
                (Section("Sources", (Table(("Source", "Base légale", "Fiches"), sources),)),),
            ),
        ),
    )


def pdf_pages(document: Document) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(render_pdf(document))).pages]


def test_the_html_page_declares_its_language_and_shows_markup_as_text():
    page = render_html(sample())
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="fr">' in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "<script" not in page
    assert "l’œuvre « complète » coûte 5 €" in page


def test_the_html_page_stands_alone_with_its_own_print_styles():
    page = render_html(sample("en"))
    assert '<html lang="en">' in page
    assert "<style>" in page
    assert "@media print" in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "<link" not in page


def test_a_document_says_when_it_was_generated_in_its_own_language():
    assert "Généré le 4 décembre 2026, 11:30" in render_html(sample("fr"))
    assert "Generated on 4 December 2026, 11:30" in render_html(sample("en"))


def test_a_flagged_line_says_its_level_in_words():
    assert "Non conforme\u00a0:</strong> MailCo (US)" in render_html(sample("fr"))
    assert "Failure:** MailCo (US)" in render_markdown(sample("en"))


def _md_cells(line: str) -> list[str]:
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def test_markdown_tables_have_one_column_per_header_and_escape_pipes_in_values():
    text = render_markdown(sample())
    lines = [line for line in text.splitlines() if line.startswith("| ")]
    assert _md_cells(lines[0]) == ["Source", "Base légale", "Fiches"]
    assert _md_cells(lines[1]) == ["---", "---", "---"]
    assert _md_cells(lines[2]) == ["Annuaire \\| B2B", "intérêt légitime", "3"]
    assert all(len(_md_cells(line)) == 3 for line in lines)
    assert "Vie professionnelle \\| fonction" in text


def test_markdown_shows_markup_as_text():
    text = render_markdown(sample())
    assert "\\<script\\>" in text
    assert "<script>" not in text
    assert text.startswith("# Registre des activités de traitement\n")


def test_the_pdf_reads_back_with_its_title_accents_and_markup_as_text():
    pages = pdf_pages(sample())
    assert "Registre des activités de traitement" in pages[0]
    assert ACCENTS in pages[0]
    assert SCRIPT in pages[0]
    assert "Non conforme : MailCo (US)" in pages[0].replace("\u00a0", " ")


def test_a_long_pdf_table_runs_over_pages_repeating_its_headers():
    pages = pdf_pages(sample())
    assert len(pages) >= 3
    last_row = f"Salon n°{LONG_ROWS - 1} à Lyon"
    assert last_row not in pages[0]
    assert last_row in "".join(pages[1:])
    for page in pages[1:]:
        assert re.search(r"Source\s*Base légale\s*Fiches", page)


def test_every_pdf_page_is_numbered_and_dated():
    pages = pdf_pages(sample("en"))
    for number, page in enumerate(pages, 1):
        assert f"Page {number} / {len(pages)}" in page
        assert "Generated on 4 December 2026" in page


def test_the_pdf_outline_lists_the_sections_at_their_pages():
    appendix = Section("Annexe", (Paragraph("Fin."),))
    document = dataclasses.replace(sample(), sections=(*sample().sections, appendix))
    reader = PdfReader(io.BytesIO(render_pdf(document)))
    outline: Any = reader.outline
    [section, [subsection], annex] = outline
    assert [section.title, subsection.title, annex.title] == ["Prospection B2B", "Sources", "Annexe"]
    assert reader.get_destination_page_number(section) == 0
    assert reader.get_destination_page_number(annex) == len(reader.pages) - 1 > 0


def test_a_value_longer_than_a_page_runs_over_pages_instead_of_failing():
    reasons = " ".join(f"Motif {n} de l’intérêt légitime." for n in range(800))
    document = Document(
        "Test de mise en balance",
        "fr",
        (Section("Intérêt", (Fields((("Intérêt poursuivi", reasons), ("Conclusion", "favorable"))),)),),
    )
    text = " ".join(" ".join(pdf_pages(document)).split())
    assert "Motif 799 de l’intérêt légitime." in text
    assert "favorable" in text


def test_letters_the_pdf_fonts_lack_lose_their_accents_rather_than_print_as_boxes():
    document = Document("Łódź", "en", (Section("Škoda Dvořák", (Paragraph("Ωmega 東京"),)),))
    [page] = pdf_pages(document)
    assert "Lódz" in page
    assert "Škoda Dvorák" in page
    assert "?mega ??" in page


def test_render_gives_bytes_in_each_format():
    document = sample()
    assert render(document, "html").decode() == render_html(document)
    assert render(document, "md").decode() == render_markdown(document)
    assert render(document, "pdf").startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: render(sample(), "docx"), "unknown document format 'docx'"),
        (lambda: Document("T", "de", ()), "unknown document language 'de'"),
        (lambda: Notice("x", "fatal"), "unknown notice level 'fatal'"),
        (lambda: Table(("a", "b"), (("1",),)), "Table row 1 has 1 cells for 2 headers"),
        (lambda: Fields((("label",),)), "Fields row 1 has 1 cells, not 2"),  # type: ignore[arg-type]
        (lambda: Section("S", ("text",)), "not a block: str"),  # type: ignore[arg-type]
        (lambda: write_workbook([Sheet("S", ())], "csv"), "unknown workbook format 'csv'"),
        (lambda: write_workbook([], "xlsx"), "at least one sheet"),
        (lambda: Sheet("S", ((object(),),)), "row 1: a cell of type object"),
    ],
)
def test_what_a_caller_gets_wrong_is_refused_with_a_message_naming_it(make, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        make()


SHEETS = [
    Sheet(
        "Activités",
        (
            ("Nom", "Créée le", "Mise à jour", "Fiches"),
            ("Prospection B2B", date(2026, 1, 15), datetime(2026, 12, 4, 10, 30), 1200),
            ('=HYPERLINK("http://evil.example")', None, None, 2.5),
            (SCRIPT, "ligne 1\nligne 2", None, 0),
        ),
    ),
    Sheet(
        "Fiche: prospection [B2B] / consentement * ?", (("Champ", "Valeur"), ("Base légale", "Art. 6.1.f"))
    ),
    Sheet("activités", (("Doublon",),)),
]
EXPECTED_NAMES = ["Activités", "Fiche- prospection -B2B- - cons", "activités (2)"]


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_a_workbook_reads_back_with_the_same_cells_and_valid_unique_sheet_names(fmt):
    book = CalamineWorkbook.from_filelike(io.BytesIO(write_workbook(SHEETS, fmt)))
    assert book.sheet_names == EXPECTED_NAMES
    first = book.get_sheet_by_name("Activités").to_python()
    assert first == [
        ["Nom", "Créée le", "Mise à jour", "Fiches"],
        ["Prospection B2B", date(2026, 1, 15), datetime(2026, 12, 4, 10, 30), 1200],
        ['=HYPERLINK("http://evil.example")', "", "", 2.5],
        [SCRIPT, "ligne 1\nligne 2", "", 0],
    ]
    assert book.get_sheet_by_name(EXPECTED_NAMES[1]).to_python() == [
        ["Champ", "Valeur"],
        ["Base légale", "Art. 6.1.f"],
    ]
    assert len(EXPECTED_NAMES[1]) == 31


def test_an_xlsx_has_bold_headers_wrapped_text_and_no_formula():
    sheet = load_workbook(io.BytesIO(write_workbook(SHEETS, "xlsx")))["Activités"]
    assert sheet["A1"].font.bold
    assert not sheet["A2"].font.bold
    assert sheet["B3"].alignment.wrap_text
    assert sheet["A3"].data_type == "s"
    assert sheet["B2"].is_date
    assert sheet.freeze_panes == "A2"


def test_an_ods_has_bold_header_rows_that_repeat_when_printed():
    with zipfile.ZipFile(io.BytesIO(write_workbook(SHEETS, "ods"))) as ods:
        content = ods.read("content.xml").decode()
        assert ods.read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"
    assert 'fo:font-weight="bold"' in content
    assert "<table:table-header-rows><table:table-row>" in content
    assert 'office:value-type="date" office:date-value="2026-01-15"' in content
