"""Reading import files: format, encoding and delimiter detection, and every bad input.

Sample files are generated into tmp_path (several are binary: UTF-16, XLSX, ODS, ZIP bombs).
Every person in them is fictitious.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import random
import struct
import time
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest

from licite.ingest.errors import IngestError, ReadError, column_letter, safe_value
from licite.ingest.reader import MAX_LINE_CHARS, check_regular_file, open_table

HEADER = ["Prénom", "Nom", "E-mail", "Société", "Fonction"]
PEOPLE = [
    # A value holding the delimiter, quotes, and a line break: all need quoting.
    ["Zoé", "Lefèvre", "zoe.lefevre@exemple.fr", 'Côté Jardin, "SARL"; Œuvres', "Directrice\ngénérale"],
    ["François", "Bérard", "f.berard@exemple.com", "Société Générale d'Essai", "Chef de projet"],
    ["Hélène", "Noël", "helene.noel@exemple.org", "Ça & Là", "Acheteuse"],
]
# The record for Zoé spans lines 2-3, so François starts on line 4.
EXPECTED_LINES = [2, 4, 5]


@pytest.fixture(autouse=True)
def _restore_csv_field_size_limit():
    # open_table sets this process-wide limit to its max_line; some tests use tiny ones.
    limit = csv.field_size_limit()
    yield
    csv.field_size_limit(limit)


def write_csv(
    path: Path,
    rows: list[list[str]],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
    newline: str = "\r\n",
) -> Path:
    buffer = io.StringIO()
    # "\r\n" makes csv.writer quote any value holding \r or \n; then every line break,
    # inside values too, becomes `newline`, as in a real export.
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    text = buffer.getvalue().replace("\r\n", "\n").replace("\n", newline)
    path.write_bytes(text.encode(encoding))
    return path


def read_all(path: Path, **options: int) -> list[tuple[int, list[str]]]:
    return list(open_table(path, **options).rows())


def refusal(path: Path, **options: int) -> ReadError:
    with pytest.raises(ReadError) as caught:
        read_all(path, **options)
    return caught.value


def expected_rows(newline: str = "\n") -> list[tuple[int, list[str]]]:
    rows = [[value.replace("\n", newline) for value in person] for person in PEOPLE]
    return list(zip(EXPECTED_LINES, rows, strict=True))


# ---------------------------------------------------------------------------------------------
# Sniffing CSV files


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
@pytest.mark.parametrize(
    ("encoding", "bom", "detected"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
        ("utf-16-le", b"\xff\xfe", "utf-16-le"),
        ("utf-16-be", b"\xfe\xff", "utf-16-be"),
        ("utf-16-le", b"", "utf-16-le"),
        ("cp1252", b"", "cp1252"),
    ],
)
def test_csv_files_are_sniffed_and_read(tmp_path, delimiter, encoding, bom, detected):
    path = write_csv(tmp_path / "prospects.csv", [HEADER, *PEOPLE], delimiter=delimiter, encoding=encoding)
    path.write_bytes(bom + path.read_bytes())

    table = open_table(path)

    assert (table.format, table.encoding, table.delimiter) == ("csv", detected, delimiter)
    assert table.headers == HEADER
    assert table.header_line == 1
    assert list(table.rows()) == expected_rows("\r\n")


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"])
@pytest.mark.parametrize("max_line", [MAX_LINE_CHARS, 100])
def test_every_line_ending_is_read_whatever_the_block_boundaries(tmp_path, newline, max_line):
    # max_line=100 also shrinks the reading blocks to 100 bytes: lines, \r\n pairs and
    # multi-byte characters get cut between blocks.
    path = write_csv(tmp_path / "prospects.csv", [HEADER, *PEOPLE] * 20, newline=newline)

    rows = read_all(path, max_line=max_line)

    assert len(rows) == 20 * 3 + 19  # the repeated header lines are rows too
    assert rows[:3] == expected_rows(newline)
    assert rows[-1] == (5 * 20, PEOPLE[2])


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"])
def test_a_multibyte_file_read_in_small_blocks_keeps_every_character(tmp_path, encoding):
    path = write_csv(tmp_path / "p.csv", [HEADER, *PEOPLE] * 30, delimiter="\t", encoding=encoding)

    rows = read_all(path, max_line=101)  # an odd block size cuts characters in two

    assert rows[:3] == expected_rows("\r\n")
    assert len(rows) == 30 * 3 + 29


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [("cp1252", "cp1252"), ("latin-1", "cp1252"), ("mac_roman", "mac-roman"), ("cp850", "cp850")],
)
def test_french_exports_in_old_single_byte_encodings_keep_their_accents(tmp_path, encoding, detected):
    rows = [
        ["Prénom", "Nom", "Société", "Fonction"],
        ["Élodie", "Lefèvre", "Boulangerie Bérard", "Gérante"],
        ["Noël", "Lâm", "Côté Forêt", "Responsable achats"],
        ["Françoise", "Dubœuf" if encoding not in ("latin-1", "cp850") else "Dubois", "Ça Bouge", "Chargée"],
    ]
    path = write_csv(tmp_path / "export.csv", rows, delimiter=";", encoding=encoding)

    table = open_table(path)

    assert table.encoding == detected
    assert table.headers == rows[0]
    assert [values for _, values in table.rows()] == rows[1:]


def test_an_accent_after_the_first_64_kib_still_decides_the_encoding(tmp_path):
    rows = [["Prenom", "Nom", "Email"]] + [["Jean", "Martin", f"j{i}@exemple.fr"] for i in range(5000)]
    rows.append(["Hélène", "Bérard", "h@exemple.fr"])
    path = write_csv(tmp_path / "late.csv", rows, delimiter=";", encoding="cp1252")
    assert path.stat().st_size > 64 * 1024

    table = open_table(path)

    assert table.encoding == "cp1252"
    assert list(table.rows())[-1] == (5002, ["Hélène", "Bérard", "h@exemple.fr"])


def test_a_plain_ascii_file_is_read_as_utf8(tmp_path):
    path = write_csv(tmp_path / "ascii.csv", [["Email"], ["a@exemple.fr"]])

    table = open_table(path)

    assert (table.encoding, table.headers, list(table.rows())) == (
        "utf-8",
        ["Email"],
        [(2, ["a@exemple.fr"])],
    )


def test_the_delimiter_is_the_one_that_splits_every_line_the_same_way(tmp_path):
    # Commas inside unquoted values must not fool the sniffer.
    path = tmp_path / "semicolons.csv"
    path.write_text(
        "Nom;Adresse;Email\nMartin;12, rue des Lilas;m@exemple.fr\nBérard;3, place Bellecour;b@exemple.fr\n"
    )

    table = open_table(path)

    assert table.delimiter == ";"
    assert next(table.rows()) == (2, ["Martin", "12, rue des Lilas", "m@exemple.fr"])


def test_a_single_column_file_is_read(tmp_path):
    path = tmp_path / "emails.csv"
    path.write_text("Email\nzoe@exemple.fr\nluc@exemple.fr\n")

    assert read_all(path) == [(2, ["zoe@exemple.fr"]), (3, ["luc@exemple.fr"])]


def test_headers_are_trimmed_of_spaces_and_invisible_characters(tmp_path):
    path = tmp_path / "headers.csv"
    path.write_bytes("\ufeff\ufeff Prénom ;\u200bNom;E-mail\n(pro);;;\nZoé;Lefèvre;z@exemple.fr\n".encode())
    path.write_bytes(path.read_bytes().replace(b"E-mail\n(pro)", b'"E-mail\n(pro)"'))

    table = open_table(path)

    assert table.headers == ["Prénom", "Nom", "E-mail (pro)"]
    assert list(table.rows()) == [(3, ["Zoé", "Lefèvre", "z@exemple.fr"])]


def test_a_header_with_decomposed_accents_is_normalized(tmp_path):
    path = tmp_path / "mac.csv"
    path.write_text("Pre\u0301nom,Email\nZoé,z@exemple.fr\n")

    assert open_table(path).headers == ["Prénom", "Email"]


def test_blank_lines_before_the_header_and_between_rows_are_skipped(tmp_path):
    path = tmp_path / "blanks.csv"
    path.write_text("\n\nNom;Email\n\nMartin;m@exemple.fr\n;\n  \nBérard;b@exemple.fr\n")

    table = open_table(path)

    assert table.header_line == 3
    assert list(table.rows()) == [
        (5, ["Martin", "m@exemple.fr"]),
        (7, ["  ", ""]),
        (8, ["Bérard", "b@exemple.fr"]),
    ]


def test_short_rows_are_padded_and_empty_trailing_cells_dropped(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("Nom,Prénom,Email,\nMartin\nBérard,Zoé,z@exemple.fr,,,\n")

    table = open_table(path)

    assert table.headers == ["Nom", "Prénom", "Email"]
    assert list(table.rows()) == [(2, ["Martin", "", ""]), (3, ["Bérard", "Zoé", "z@exemple.fr"])]


def test_a_header_only_file_has_no_rows(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text("Prénom;Nom;Email\n")

    table = open_table(path)

    assert table.headers == ["Prénom", "Nom", "Email"]
    assert list(table.rows()) == []
    assert list(table.chunks()) == []


def test_rows_come_in_chunks_and_can_be_read_again(tmp_path):
    path = write_csv(tmp_path / "p.csv", [["Email"]] + [[f"p{i}@exemple.fr"] for i in range(7)])

    table = open_table(path, chunk_rows=3)

    assert [len(chunk) for chunk in table.chunks()] == [3, 3, 1]
    assert list(table.rows()) == list(table.rows())


def test_values_are_returned_raw(tmp_path):
    path = tmp_path / "raw.csv"
    path.write_text('Nom,Note\n  Martin ,=HYPERLINK("http://exemple.fr")\n')

    assert read_all(path) == [(2, ["  Martin ", '=HYPERLINK("http://exemple.fr")'])]


def test_reading_a_large_file_keeps_memory_flat(tmp_path):
    path = tmp_path / "large.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("Prénom;Nom;Email\n")
        for i in range(100_000):
            out.write(f"Zoé;Lefèvre;zoe{i}@exemple.fr\n")

    tracemalloc.start()
    count = sum(len(chunk) for chunk in open_table(path, chunk_rows=1000).chunks())
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    assert count == 100_000
    assert peak < 8 * 1024 * 1024  # the file holds 3 MB; one chunk and one block are in memory


# ---------------------------------------------------------------------------------------------
# Spreadsheets


def test_an_xlsx_workbook_is_read_with_spreadsheet_line_numbers_and_typed_cells(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["B3"], sheet["C3"], sheet["D3"], sheet["E3"], sheet["F3"] = (
        "Prénom",
        "Téléphone",
        "Depuis",
        "Note",
        "Vu",
    )
    sheet["B4"], sheet["C4"], sheet["D4"], sheet["E4"] = "Zoé", 33123456789, datetime.date(2024, 3, 1), 12.5
    sheet["F4"] = datetime.datetime(2024, 3, 1, 14, 30)
    sheet["B6"], sheet["C6"], sheet["E6"], sheet["F6"] = "Hélène\nNoël", "01 23 45 67 89", True, 7
    path = tmp_path / "prospects.xlsx"
    workbook.save(path)

    table = open_table(path)

    assert (table.format, table.encoding, table.delimiter) == ("xlsx", None, None)
    assert (table.headers, table.header_line) == (["Prénom", "Téléphone", "Depuis", "Note", "Vu"], 3)
    assert list(table.rows()) == [
        (4, ["Zoé", "33123456789", "2024-03-01", "12.5", "2024-03-01T14:30:00"]),
        (6, ["Hélène\nNoël", "01 23 45 67 89", "", "TRUE", "7"]),
    ]


def test_the_first_visible_sheet_is_read(tmp_path):
    workbook = openpyxl.Workbook()
    hidden = workbook.active
    assert hidden is not None
    hidden.title = "Brouillon"
    hidden.append(["Notes"])
    hidden.sheet_state = "hidden"
    visible = workbook.create_sheet("Prospects")
    visible.append(["Email"])
    visible.append(["zoe@exemple.fr"])
    path = tmp_path / "two-sheets.xlsx"
    workbook.save(path)

    table = open_table(path)

    assert (table.sheet, table.headers, list(table.rows())) == (
        "Prospects",
        ["Email"],
        [(2, ["zoe@exemple.fr"])],
    )


def test_an_ods_spreadsheet_is_read(tmp_path):
    path = write_ods(
        tmp_path / "prospects.ods",
        [
            ["Prénom", "E-mail", "Depuis", "Téléphone"],
            ["Zoé", "zoe@exemple.fr", ("date", "2024-03-01"), ("float", "33123456789")],
            [],
            ["Noël", "noel@exemple.fr", "", ("float", "2.5")],
        ],
    )

    table = open_table(path)

    assert (table.format, table.headers) == ("ods", ["Prénom", "E-mail", "Depuis", "Téléphone"])
    assert list(table.rows()) == [
        (2, ["Zoé", "zoe@exemple.fr", "2024-03-01", "33123456789"]),
        (4, ["Noël", "noel@exemple.fr", "", "2.5"]),
    ]


def test_the_format_comes_from_the_content_not_the_name(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Email"])
    sheet.append(["zoe@exemple.fr"])
    path = tmp_path / "prospects.csv"
    workbook.save(path)

    table = open_table(path)

    assert (table.format, list(table.rows())) == ("xlsx", [(2, ["zoe@exemple.fr"])])


def test_an_empty_spreadsheet_is_refused(tmp_path):
    workbook = openpyxl.Workbook()
    path = tmp_path / "vide.xlsx"
    workbook.save(path)

    assert "empty" in refusal(path).message


def test_a_value_in_an_unnamed_column_of_a_spreadsheet_is_refused(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Nom", "Email"])
    sheet.append(["Martin", "m@exemple.fr", "note perdue"])
    path = tmp_path / "stray.xlsx"
    workbook.save(path)

    error = refusal(path)

    assert (error.line, error.value) == (2, "note perdue")
    assert "column C, which has no header" in error.message


# ---------------------------------------------------------------------------------------------
# Bad input: one clear ReadError each, naming the file


def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "vide.csv"
    path.write_bytes(b"")

    assert str(refusal(path)) == "vide.csv: the file is empty"


def test_a_file_of_spaces_and_blank_lines_is_refused(tmp_path):
    path = tmp_path / "blanc.csv"
    path.write_text(" \r\n\t\n\n   ")

    assert "empty" in refusal(path).message


def test_a_large_file_of_blank_lines_is_refused(tmp_path):
    path = tmp_path / "blanc.csv"
    path.write_text("\n" * 200_000)

    assert "no header line" in refusal(path).message


def test_a_png_image_is_refused(tmp_path):
    path = tmp_path / "logo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(100))

    assert str(refusal(path)) == "logo.csv: this is a PNG image, not a CSV, XLSX or ODS file"


def test_random_bytes_are_refused_as_binary_content(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(random.Random(3).randbytes(20_000))

    assert "binary content" in refusal(path).message


def test_an_old_xls_workbook_is_refused(tmp_path):
    path = tmp_path / "ancien.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))

    assert ".xls" in refusal(path).message


def test_undecodable_content_is_refused_with_its_line(tmp_path):
    # UTF-8 for the first 64 KiB, then a line saved in CP1252: two files pasted together.
    lines = ["Prénom;Email"] + [f"Zoé;z{i}@exemple.fr" for i in range(4000)]
    path = tmp_path / "mixed.csv"
    path.write_bytes("\n".join(lines).encode() + "\nHélène;h@exemple.fr\n".encode("cp1252"))

    error = refusal(path)

    assert error.line == 4002
    assert "undecodable content: bytes E9 are not valid utf-8" in error.message


def test_a_nul_byte_in_a_utf8_file_is_refused_naming_line_column_and_value(tmp_path):
    path = tmp_path / "nul.csv"
    path.write_text("Prénom;E-mail\nZoé;zoe@exemple.fr\nLuc;x\x00y\n", encoding="utf-8")

    error = refusal(path)

    assert str(error) == "nul.csv, line 3, column 'E-mail': value 'x\\x00y': " + error.message
    assert "NUL byte" in error.message


def test_a_nul_byte_in_a_cp1252_file_far_from_the_start_is_refused(tmp_path):
    lines = ["Prénom;Email"] + [f"Hélène;h{i}@exemple.fr" for i in range(30_000)] + ["Zoé;\x00"]
    path = tmp_path / "nul.csv"
    path.write_bytes("\n".join(lines).encode("cp1252"))
    assert path.stat().st_size > 512 * 1024

    error = refusal(path, chunk_rows=1000)

    assert (error.line, error.column, error.value) == (30_002, "Email", "\\x00")


def test_a_10_mb_line_is_refused_quickly_without_reading_it_whole(tmp_path):
    path = tmp_path / "long.csv"
    with path.open("wb") as out:
        out.write(b"Nom,Email\nMartin,m@exemple.fr\n")
        for _ in range(10):
            out.write(b"x" * 1024 * 1024)
        out.write(b"\nBerard,b@exemple.fr\n")

    tracemalloc.start()
    started = time.perf_counter()
    error = refusal(path)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    assert error.line == 3
    assert error.message == "line longer than 1 MiB, the limit"
    assert elapsed < 2
    assert peak < 12 * 1024 * 1024


def test_a_long_line_of_short_values_is_refused(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("Nom,Email\n" + "a," * 1000 + "\n")

    error = refusal(path, max_line=1000)

    assert (error.line, error.message) == (2, "line longer than 1,000 characters, the limit")


def test_a_huge_quoted_value_over_many_lines_is_refused(tmp_path):
    path = tmp_path / "note.csv"
    path.write_text('Nom,Note\nMartin,"' + "bla bla\n" * 200 + '"\n')

    error = refusal(path, max_line=1000)

    assert (error.line, error.message) == (
        2,
        "a value is longer than 1,000 characters, the limit (or a quote is never closed)",
    )


def test_a_quote_that_is_never_closed_is_refused_instead_of_swallowing_the_rest(tmp_path):
    path = tmp_path / "quote.csv"
    path.write_text(
        'Nom;Société;Email\nMartin;Acme;m@exemple.fr\nBérard;"Côté Jardin;b@exemple.fr\nLuc;X;l@exemple.fr\n'
    )

    error = refusal(path)

    assert (error.line, error.column, error.value) == (
        3,
        "Société",
        "Côté Jardin;b@exemple.fr\\nLuc;X;l@exemple…",
    )
    assert "never closed" in error.message


def test_a_quote_never_closed_in_the_header_is_refused(tmp_path):
    path = tmp_path / "quote.csv"
    path.write_text('"Nom,Email\nMartin,m@exemple.fr\n')

    assert (refusal(path).line, refusal(path).value) == (1, "Nom,Email\\nMartin,m@exemple.fr\\n")


def test_a_last_line_without_line_break_is_read(tmp_path):
    path = tmp_path / "end.csv"
    path.write_text('Nom,Note\nMartin,"deux\nlignes"')

    assert read_all(path) == [(2, ["Martin", "deux\nlignes"])]


def test_duplicated_headers_are_refused_naming_both_columns(tmp_path):
    path = tmp_path / "double.csv"
    path.write_text("Nom;Email;Société;EMAIL\nMartin;m@exemple.fr;Acme;m2@exemple.fr\n")

    error = refusal(path)

    assert error.line == 1
    assert "'Email' (column B) and 'EMAIL' (column D)" in error.message


def test_a_row_with_more_values_than_headers_is_refused_naming_its_line(tmp_path):
    path = tmp_path / "extra.csv"
    path.write_text("Nom;Email\nMartin;m@exemple.fr\nBérard;b@exemple.fr;Lyon\n")

    error = refusal(path)

    assert (error.file, error.line, error.value) == ("extra.csv", 3, "Lyon")
    assert "3 values but the header has 2 columns" in error.message
    assert "unquoted semicolon" in error.message


def test_a_zip_bomb_disguised_as_xlsx_is_refused(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            for _ in range(20):
                sheet.write(bytes(1024 * 1024))

    started = time.perf_counter()
    error = refusal(path)

    assert "possible ZIP bomb" in error.message
    assert time.perf_counter() - started < 1


def test_a_spreadsheet_unpacking_beyond_the_size_cap_is_refused(tmp_path):
    path = write_xlsx(
        tmp_path / "big.xlsx", "".join(xlsx_row(n, [f"p{n}@exemple.fr"]) for n in range(1, 30_000))
    )

    error = refusal(path, max_unzipped=1024 * 1024)

    assert error.message == "possible ZIP bomb: the file would unpack to 2 MiB, more than the 1 MiB limit"
    assert len(read_all(path)) == 29_998  # the same file under the default cap


def test_a_zip_whose_directory_understates_its_sizes_is_refused(tmp_path):
    path = tmp_path / "liar.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/worksheets/sheet1.xml", bytes(20 * 1024 * 1024))
    understate_size(path, "xl/worksheets/sheet1.xml", 1000)

    assert refusal(path).message == "possible ZIP bomb: an entry is compressed more than 100:1"


def test_a_zip_directory_giving_wrong_sizes_is_refused_as_damaged(tmp_path):
    path = write_xlsx(tmp_path / "sizes.xlsx", xlsx_row(1, ["Email"]) * 300)
    understate_size(path, "xl/worksheets/sheet1.xml", 1000)

    assert refusal(path).message == "damaged file: the ZIP directory gives wrong sizes"


def test_a_stray_cell_far_away_in_an_xlsx_is_refused_before_it_is_allocated(tmp_path):
    # calamine would allocate 1,048,576 x 16,384 cells for this sheet and abort the process.
    path = write_xlsx(tmp_path / "far.xlsx", xlsx_row(1, ["Email"]) + xlsx_cell_row(1048576, "XFD", "oups"))

    error = refusal(path)

    assert "1,048,576 rows by 16,384 columns" in error.message


def test_a_worksheet_stored_under_another_name_is_checked_all_the_same(tmp_path):
    # calamine finds the sheet through the workbook's relationships, whatever its name.
    path = write_xlsx(tmp_path / "moved.xlsx", xlsx_row(1, ["Email"]) + xlsx_cell_row(1048576, "XFD", "oups"))
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["data/cells.bin"] = parts.pop("xl/worksheets/sheet1.xml")
    relationships = parts["xl/_rels/workbook.xml.rels"]
    parts["xl/_rels/workbook.xml.rels"] = relationships.replace(b"worksheets/sheet1.xml", b"/data/cells.bin")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)

    assert "1,048,576 rows by 16,384 columns" in refusal(path).message


def test_cells_without_references_count_towards_the_extent_of_an_xlsx_sheet(tmp_path):
    # Without r="..." attributes calamine places rows and cells one after the other.
    cell = '<c t="inlineStr"><is><t>x</t></is></c>'
    path = write_xlsx(
        tmp_path / "flat.xlsx", xlsx_row(1, ["Email"]) + "<row/>" * 20_000 + f"<row>{cell * 2000}</row>"
    )

    assert "more than the limit of 20,000,000 cells" in refusal(path).message


def test_a_small_xlsx_sheet_without_cell_references_is_read(tmp_path):
    cell = '<c t="inlineStr"><is><t>{}</t></is></c>'.format
    rows = f"<row>{cell('Email')}{cell('Nom')}</row><row>{cell('z@exemple.fr')}{cell('Lefèvre')}</row>"
    path = write_xlsx(tmp_path / "norefs.xlsx", rows)

    assert read_all(path) == [(2, ["z@exemple.fr", "Lefèvre"])]


def test_an_ods_sheet_repeating_a_value_a_billion_times_is_refused(tmp_path):
    path = tmp_path / "repeat.ods"
    write_ods(path, [["Email"]])
    bomb = (
        '<table:table-row table:number-rows-repeated="1000000"><table:table-cell '
        'table:number-columns-repeated="1000" office:value-type="string"><text:p>x</text:p>'
        "</table:table-cell></table:table-row>"
    )
    with zipfile.ZipFile(path) as archive:
        content = archive.read("content.xml").decode().replace("</table:table>", bomb + "</table:table>")
    write_ods(path, [["Email"]], content=content)

    # Refused before calamine reads it (calamine's own limit is five times higher).
    assert refusal(path).message == (
        "the sheet spans 1,000,001 rows by 1,000 columns once its repeated rows and columns are "
        "counted, more than the limit of 20,000,000 cells"
    )


def test_a_text_file_named_xlsx_is_refused(tmp_path):
    path = tmp_path / "prospects.xlsx"
    path.write_text("Nom;Email\nMartin;m@exemple.fr\n")

    error = refusal(path)

    assert "not a spreadsheet" in error.message
    assert "rename it to .csv" in error.message


def test_a_corrupted_xlsx_is_refused(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Email"])
    path = tmp_path / "cut.xlsx"
    workbook.save(path)
    path.write_bytes(path.read_bytes()[:3000])

    assert "damaged" in refusal(path).message


def test_a_zip_archive_that_is_no_spreadsheet_is_refused(tmp_path):
    path = tmp_path / "photos.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "bonjour")

    assert refusal(path).message == "this is a ZIP archive, not an XLSX or ODS spreadsheet"


def test_a_missing_file_is_refused(tmp_path):
    assert str(refusal(tmp_path / "absent.csv")) == "absent.csv: no such file"


def test_a_folder_is_refused(tmp_path):
    folder = tmp_path / "dossier.csv"
    folder.mkdir()

    assert refusal(folder).message == "this is a folder, not a file"


# ---------------------------------------------------------------------------------------------
# Errors


def test_an_error_reads_as_one_line_naming_file_line_column_and_value():
    error = ReadError("NUL byte in the file", file="prospects.csv", line=12, column="E-mail", value="x\x00y")

    assert str(error) == "prospects.csv, line 12, column 'E-mail': value 'x\\x00y': NUL byte in the file"
    assert error.redacted() == "prospects.csv, line 12, column 'E-mail': NUL byte in the file"
    assert isinstance(error, IngestError)
    assert error.args == ("NUL byte in the file",)


def test_values_shown_in_errors_are_cut_and_escaped():
    assert safe_value("a" * 50) == "a" * 40 + "…"
    assert safe_value("\x1b[31mrouge\u202e\n") == "\\x1b[31mrouge\\u202e\\n"
    assert safe_value("Zoé Lefèvre") == "Zoé Lefèvre"


@pytest.mark.parametrize(("index", "letter"), [(0, "A"), (25, "Z"), (26, "AA"), (16383, "XFD")])
def test_column_letters_are_spreadsheet_letters(index, letter):
    assert column_letter(index) == letter


# ---------------------------------------------------------------------------------------------
# Files that are no files, encodings mixed or guessed wrong, sizes a workbook declares


def test_a_fifo_is_refused_at_once_instead_of_waiting_for_a_writer(tmp_path):
    path = tmp_path / "prospects.csv"
    os.mkfifo(path)

    assert refusal(path).message == "this is a FIFO (named pipe), not a file"


def test_a_link_to_an_endless_device_is_refused_naming_the_device(tmp_path):
    path = tmp_path / "prospects.csv"
    path.symlink_to("/dev/zero")

    assert refusal(path).message == "this is a character device (a link to /dev/zero), not a file"


def test_only_regular_files_pass_the_check_made_before_anything_reads_them(tmp_path):
    os.mkfifo(tmp_path / "pipe.csv")
    (tmp_path / "real.csv").write_text("Email\nz@exemple.fr\n")

    check_regular_file(tmp_path / "real.csv")
    with pytest.raises(ReadError, match="FIFO"):
        check_regular_file(tmp_path / "pipe.csv")
    with pytest.raises(ReadError, match="character device"):
        check_regular_file("/dev/urandom")


def test_a_small_utf8_file_with_one_bad_byte_is_refused_naming_its_line(tmp_path):
    # Guessed whole, it read as mac-roman: "Pr√©nom" lost its column and the names were garbled.
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        "Prénom;Nom;Email\nJosé;Benoît;j@exemple.fr\n".encode() + b"H\xe9l\xe8ne;M\x8fller;h@exemple.fr\n"
    )

    error = refusal(path)

    assert (error.line, error.message) == (
        3,
        "undecodable content: bytes E9 are not valid utf-8 (character 2 of the line); "
        "the file mixes encodings, save it again as UTF-8",
    )


def test_a_utf8_file_with_a_bad_byte_in_its_header_is_refused_too(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"Pr\xc3\xa9nom;Soci\xe9t\xc3\xa9;Email\nZo\xc3\xa9;Acme;z@exemple.fr\n")

    error = refusal(path)

    assert error.line == 1
    assert "bytes E9 are not valid utf-8 (character 12 of the line)" in error.message


def test_a_guess_outside_the_western_code_pages_is_refused_asking_for_utf8(tmp_path):
    path = tmp_path / "japon.csv"
    path.write_text(
        "名前;会社;メール\n山田太郎;株式会社サンプル;yamada@exemple.jp\n" * 3, encoding="shift_jis"
    )

    message = refusal(path).message

    assert message.startswith("unsupported encoding: the text looks like ")
    assert message.endswith("(a guess); save the file as UTF-8 and import it again")


def test_shared_strings_declaring_more_entries_than_their_part_holds_are_refused(tmp_path):
    path = xlsx_with_shared_strings(tmp_path / "strings.xlsx", unique_count=25_000_000)

    assert refusal(path).message == (
        "damaged or hostile workbook: its shared strings declare 25,000,000 entries (uniqueCount), "
        "more than the part can hold or the limit of 20,000,000"
    )


def test_shared_strings_declaring_their_real_count_are_read(tmp_path):
    path = xlsx_with_shared_strings(tmp_path / "strings.xlsx", unique_count=2)

    table = open_table(path)

    assert table.headers == ["Email", "Nom"]
    assert list(table.rows()) == [(2, ["z@exemple.fr", "Lefèvre"])]


def test_a_sheet_declaring_a_dimension_beyond_the_cell_limit_is_refused(tmp_path):
    path = write_xlsx(tmp_path / "dimension.xlsx", xlsx_row(1, ["Email"]) + xlsx_row(2, ["z@exemple.fr"]))
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(
        b"<sheetData>", b'<dimension ref="A1:XFD1048576"/><sheetData>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)

    assert refusal(path).message == (
        "the sheet declares 1,048,576 rows by 16,384 columns (dimension A1:XFD1048576), "
        "more than the limit of 20,000,000 cells"
    )


def test_an_ods_cell_declaring_millions_of_spaces_is_refused_before_calamine_writes_them(tmp_path):
    path = ods_with_spaces(tmp_path / "spaces.ods", 210_000_000)

    assert refusal(path).message == (
        "the spreadsheet's text takes more than 209,715,200 characters once its repeated cells and "
        "declared spaces are counted, the limit"
    )


def test_ods_rows_repeating_a_value_across_every_column_are_refused_past_the_cell_limit(tmp_path):
    # 150 bytes a row, which calamine turns into 16,384 cells.
    row = (
        '<table:table-row><table:table-cell table:number-columns-repeated="16384" '
        'office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>'
    )
    path = write_ods(tmp_path / "wide.ods", [["Email"]])
    with zipfile.ZipFile(path) as archive:
        content = archive.read("content.xml").decode()
    content = content.replace("</table:table>", row * 1300 + "</table:table>")
    write_ods(path, [["Email"]], content=content)

    # calamine used to allocate them all before licite saw the sheet's size.
    message = refusal(path).message
    assert message.endswith(
        "once its repeated rows and columns are counted, more than the limit of 20,000,000 cells"
    )


def test_an_ods_with_a_few_declared_spaces_keeps_them(tmp_path):
    path = ods_with_spaces(tmp_path / "spaces.ods", 3)

    assert open_table(path).headers == ["Email"]
    assert read_all(path) == [(2, ["z@exemple.fr"])]


# ---------------------------------------------------------------------------------------------
# Sample builders

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"


def write_xlsx(path: Path, rows_xml: str) -> Path:
    """A minimal XLSX holding one sheet, written by hand to control every byte."""
    parts = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": f'<Relationships xmlns="{_PACKAGE_RELS}"><Relationship Id="rId1" '
        f'Type="{_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'xmlns:r="{_RELS}"><sheets><sheet name="Feuil1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{_PACKAGE_RELS}"><Relationship Id="rId1" '
        f'Type="{_RELS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{rows_xml}</sheetData></worksheet>",
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return path


def xlsx_row(number: int, values: list[str]) -> str:
    cells = "".join(
        f'<c r="{column_letter(i)}{number}" t="inlineStr"><is><t>{value}</t></is></c>'
        for i, value in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'


def xlsx_cell_row(number: int, column: str, value: str) -> str:
    return f'<row r="{number}"><c r="{column}{number}" t="inlineStr"><is><t>{value}</t></is></c></row>'


def understate_size(path: Path, member: str, size: int) -> None:
    """Rewrite the uncompressed size of `member` in both ZIP headers, as a crafted bomb would."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    struct.pack_into("<I", data, info.header_offset + 22, size)  # local file header
    (directory,) = struct.unpack_from("<I", data, data.rindex(b"PK\x05\x06") + 16)
    while data[directory : directory + 4] == b"PK\x01\x02":
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", data, directory + 28)
        if data[directory + 46 : directory + 46 + name_length] == member.encode():
            struct.pack_into("<I", data, directory + 24, size)  # central directory entry
        directory += 46 + name_length + extra_length + comment_length
    path.write_bytes(bytes(data))


_ODS_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def write_ods(path: Path, rows: list[list[str | tuple[str, str]]], content: str = "") -> Path:
    """A minimal ODS spreadsheet; a cell is a string, or (type, value) for dates and numbers."""

    def cell(value: str | tuple[str, str]) -> str:
        if isinstance(value, tuple):
            kind, raw = value
            attribute = "office:date-value" if kind == "date" else "office:value"
            return (
                f'<table:table-cell office:value-type="{kind}" {attribute}="{raw}">'
                f"<text:p>{raw}</text:p></table:table-cell>"
            )
        if not value:
            return "<table:table-cell/>"
        return f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'

    body = "".join("<table:table-row>" + "".join(map(cell, row)) + "</table:table-row>" for row in rows)
    content = content or (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<office:document-content {_ODS_NAMESPACES} office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Feuille1">{body}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        # The mimetype entry comes first and uncompressed, as the OpenDocument format requires.
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path


def xlsx_with_shared_strings(path: Path, unique_count: int) -> Path:
    """A real workbook saved by openpyxl, its header moved to a shared-strings part declaring
    `unique_count` entries (openpyxl writes inline strings)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Email", "Nom"])
    sheet.append(["z@exemple.fr", "Lefèvre"])
    workbook.save(path)
    strings = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{unique_count}" uniqueCount="{unique_count}"><si><t>Email</t></si><si><t>Nom</t></si></sst>'
    )
    edits = {
        "[Content_Types].xml": (
            "</Types>",
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        ),
        "xl/_rels/workbook.xml.rels": (
            "</Relationships>",
            f'<Relationship Id="rIdStrings" Type="{_RELS}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>",
        ),
        "xl/worksheets/sheet1.xml": (
            '<c r="A1" t="inlineStr"><is><t>Email</t></is></c>'
            '<c r="B1" t="inlineStr"><is><t>Nom</t></is></c>',
            '<c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>',
        ),
    }
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name).decode() for name in archive.namelist()}
    for name, (old, new) in edits.items():
        assert old in parts[name]
        parts[name] = parts[name].replace(old, new)
    parts["xl/sharedStrings.xml"] = strings
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return path


def ods_with_spaces(path: Path, spaces: int) -> Path:
    """An ODS workbook whose header cell declares `spaces` spaces (<text:s text:c="..."/>)."""
    write_ods(path, [["Email"], ["z@exemple.fr"]])
    with zipfile.ZipFile(path) as archive:
        content = archive.read("content.xml").decode()
    content = content.replace("<text:p>Email</text:p>", f'<text:p>Email<text:s text:c="{spaces}"/></text:p>')
    return write_ods(path, [], content=content)
