"""The fast reading gives exactly the rows chunks() gives, or gives up.

Every case is a small file generated into tmp_path; the people in them are fictitious.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.generate import generate
from licite.ingest import frames
from licite.ingest.errors import ReadError
from licite.ingest.frames import read_frame
from licite.ingest.reader import DELIMITERS, Table, open_table

Rows = list[tuple[int, tuple[str, ...]]]

HEADER = "Prénom;Nom;E-mail\n"
# Past the 64 KiB the encoding is detected on and the first 256 KiB block the header is read
# from, so that the file opens as UTF-8.
FILLER = "Jean;Martin;j@exemple.fr\n" * 12_000


@pytest.fixture(autouse=True)
def _restore_csv_field_size_limit():
    # open_table sets this process-wide limit to its max_line.
    limit = csv.field_size_limit()
    yield
    csv.field_size_limit(limit)


def chunk_rows(table: Table) -> Rows | None:
    """What chunks() yields, or None when it refuses the file."""
    try:
        return [(line, tuple(values)) for chunk in table.chunks() for line, values in chunk]
    except ReadError:
        return None


def frame_rows(frame: pl.DataFrame, width: int) -> Rows:
    columns = [frame[f"c{index}"] for index in range(width)]
    return list(zip(frame["line"], zip(*columns, strict=True), strict=True))


def fast_and_slow(path: Path, **options: int) -> tuple[Rows | None, Rows | None]:
    """The fast reading's rows (None when it gives up) and chunks()' rows (None when it refuses)."""
    table = open_table(path, **options)
    frame = read_frame(table)
    expected = chunk_rows(table)
    if frame is None:
        return None, expected
    assert expected is not None, "chunks() refuses this file, so the fast reading must give up"
    return frame_rows(frame, len(table.headers)), expected


def write(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "prospects.csv"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


# Files the fast reading must read itself.
FAST = {
    "regular": HEADER + "Zoé;Lefèvre;zoe@exemple.fr\nLuc;Bérard;luc@exemple.fr\n",
    "crlf": HEADER.replace("\n", "\r\n") + "Zoé;Lefèvre;zoe@exemple.fr\r\nLuc;Bérard;luc@exemple.fr\r\n",
    "comma": "Prénom,Nom,E-mail\nZoé,Lefèvre,zoe@exemple.fr\nLuc,Bérard,luc@exemple.fr\n",
    "tab": "Prénom\tNom\tE-mail\nZoé\tLefèvre\tzoe@exemple.fr\nLuc\t\tluc@exemple.fr\n",
    "pipe": "Prénom|Nom|E-mail\nZoé|Lefèvre|zoe@exemple.fr\nLuc|Bérard|\n",
    "no final line break": HEADER + "Zoé;Lefèvre;zoe@exemple.fr\nLuc;Bérard;luc@exemple.fr",
    "bom": "\ufeff" + HEADER + "Zoé;Lefèvre;zoe@exemple.fr\n",
    "quoted header": '"Prénom";"Nom";"E-mail"\nZoé;Lefèvre;zoe@exemple.fr\n',
    "delimiters inside quotes": HEADER + '"Côté; Jardin";"a;b;c";x\n"";"";";"\n',
    "doubled quotes": HEADER + '"Il a dit ""oui""";"""";x\nZoé;"a""b";y\n',
    "every value quoted": HEADER + '"Zoé";"Lefèvre";"zoe@exemple.fr"\r\n"Luc";"";"luc@exemple.fr"\r\n',
    "blank lines": HEADER + "\nZoé;Lefèvre;zoe@exemple.fr\n\n\r\nLuc;Bérard;luc@exemple.fr\n",
    "lines of empty values": HEADER + ';;\nZoé;Lefèvre;z@exemple.fr\n;\n"";"";""\n',
    "trailing blank lines": HEADER + "Zoé;Lefèvre;zoe@exemple.fr\n\n\n\n",
    "short rows": HEADER + "Zoé;Lefèvre\nLuc\n;x\nÈve;;\n",
    "header with trailing empty cells": "Prénom;Nom;;\nZoé;Lefèvre;;\nLuc;;;\n;;;\n",
    "empty cells past the header": "Prénom;Nom;;\nZoé;Lefèvre;\nLuc;Bérard;;\n",
    "NA and null": HEADER + "NA;null;NULL\nNaN;None;N/A\n#N/A;-;nan\n",
    "spaces": HEADER + "  Zoé ; Lefèvre;zoe@exemple.fr   \n\t;  ;\u00a0\n",
    "comment-like lines": HEADER + "#Zoé;Lefèvre;z@exemple.fr\n//;x;y\n",
    "only a header": HEADER,
    "controls inside values": HEADER + "a\x0bb;c\x0cd;e\x1cf\x1dg\x1eh\nx\u0085y;\u2028;\u2029\n",
    "a BOM starting a data line": HEADER + "\ufeffZoé;Lefèvre;z@exemple.fr\n",
    "single column": "Email\nzoe@exemple.fr\n\nluc@exemple.fr\n",
    "decimals quoted in a comma file": 'Nom,Montant,Taux\nZoé,"1,5","0,2"\nLuc,"12",3\n',
    "cp1252": ("Prénom;Nom;Société\nÉlodie;Lefèvre;Côté Forêt…\nNoël;Dubœuf;Ça Bouge\n").encode("cp1252"),
}

# Files where the fast reading may give up, but must otherwise give the very same rows.
TRICKY = {
    "quoted line break": HEADER + '"Zoé";"Lefèvre";"ligne 1\nligne 2"\nLuc;Bérard;l@exemple.fr\n',
    "quoted crlf": HEADER + '"Zoé";"Lefèvre";"ligne 1\r\nligne 2"\r\n',
    "quoted line break in the header": '"Prénom";"Nom\n(usage)";"E-mail"\nZoé;Lefèvre;z@exemple.fr\n',
    "quote inside a value": HEADER + 'a;b"c;d\nZoé;Lefèvre;z@exemple.fr\n',
    "text after a closing quote": HEADER + '"a"b;c;d\n',
    "space after a closing quote": HEADER + '"x" ;y;z\n',
    "space before an opening quote": HEADER + ' "x";y;z\n',
    "quotes in the middle": HEADER + 'a;"b"x"y";c\n',
    "unclosed quote on the last line": HEADER + 'Zoé;Lefèvre;"z@exemple.fr\n',
    "unclosed quote in the middle": HEADER + 'Zoé;"Lefèvre;z@exemple.fr\nLuc;Bérard;l@exemple.fr\n',
    "unclosed quote without a line break": HEADER + 'Zoé;Lefèvre;"z@exemple.fr',
    "lone quote value": HEADER + '";x;y\n',
    "empty cells past the header on data lines only": HEADER + "Zoé;Lefèvre;z@exemple.fr;\nLuc;B;l;;\n",
    "a value past the header": HEADER + "Zoé;Lefèvre;z@exemple.fr;en trop\n",
    "a quoted value past the header": HEADER + 'Zoé;Lefèvre;z@exemple.fr;"en; trop"\n',
    "lone cr line ends": HEADER.replace("\n", "\r") + "Zoé;Lefèvre;z@exemple.fr\rLuc;Bérard;l@exemple.fr\r",
    "a lone cr inside a line": HEADER + "Zoé;Lef\rèvre;z@exemple.fr\n",
    "cr cr lf": HEADER + "Zoé;Lefèvre;z@exemple.fr\r\r\nLuc;Bérard;l@exemple.fr\n",
    "a final cr": HEADER + "Zoé;Lefèvre;z@exemple.fr\r",
    "nul byte": HEADER + "Zoé;Lef\x00èvre;z@exemple.fr\n",
    "blank lines before the header": "\n\n" + HEADER + "Zoé;Lefèvre;z@exemple.fr\n",
    "two boms": "\ufeff\ufeff" + HEADER + "Zoé;Lefèvre;z@exemple.fr\n",
    "invalid utf-8": (HEADER + FILLER).encode() + b"Zo\xff;x;y\n",
    "utf-8 surrogate": (HEADER + FILLER).encode() + b"Zo\xed\xa0\x80;x;y\n",
    "overlong utf-8": (HEADER + FILLER).encode() + b"Zo\xc0\xaf;x;y\n",
    "utf-8 cut at the end": (HEADER + FILLER).encode() + b"Zo;x;\xc3",
    "utf-16": (HEADER + "Zoé;Lefèvre;z@exemple.fr\n").encode("utf-16"),
    "undefined cp1252 byte": "Prénom;Nom\nÉlodie;Lefèvre\n".encode("cp1252") + b"\x81;x\n",
}


@pytest.mark.parametrize("content", FAST.values(), ids=FAST.keys())
def test_regular_files_take_the_fast_path_and_give_the_rows_chunks_gives(tmp_path, content):
    fast, slow = fast_and_slow(write(tmp_path, content))

    assert fast is not None
    assert fast == slow


@pytest.mark.parametrize("content", TRICKY.values(), ids=TRICKY.keys())
def test_tricky_files_give_the_rows_chunks_gives_or_nothing(tmp_path, content):
    fast, slow = fast_and_slow(write(tmp_path, content))

    assert fast is None or fast == slow


@pytest.mark.parametrize(
    "name",
    ["unclosed quote on the last line", "a value past the header", "nul byte", "invalid utf-8", "utf-16"],
)
def test_files_chunks_refuses_or_cannot_be_read_fast_give_nothing(tmp_path, name):
    assert read_frame(open_table(write(tmp_path, TRICKY[name]))) is None


def test_quoted_lines_written_as_csv_writer_writes_them_are_not_parsed_again(tmp_path, monkeypatch):
    reparsed: list[str] = []
    reparse = frames._reparse

    def spy(lines, rows, delimiter):
        reparsed.extend(lines)
        reparse(lines, rows, delimiter)

    monkeypatch.setattr(frames, "_reparse", spy)
    every = '"Zoé";"Lefèvre";"a;b"\r\n'
    needed = 'Zoé;"Le ""Fou""";"x;y"\r\n'
    other = 'Luc;"Bérard";l@exemple.fr\r\n'  # quotes that were not needed

    fast, slow = fast_and_slow(write(tmp_path, HEADER + every + needed + other))

    assert fast is not None
    assert fast == slow
    assert reparsed == [other.rstrip()]


def test_a_file_whose_quoted_lines_all_need_parsing_again_is_left_to_chunks(tmp_path):
    path = write(tmp_path, HEADER + 'Luc;"Bérard";l@exemple.fr\n' * 12_000)

    fast, slow = fast_and_slow(path)

    assert fast is None
    assert slow == [(line, ("Luc", "Bérard", "l@exemple.fr")) for line in range(2, 12_002)]


def test_the_frame_has_a_line_column_and_one_string_column_per_header_without_nulls(tmp_path):
    frame = read_frame(open_table(write(tmp_path, "Prénom;Nom;E-mail;;\nZoé\n\nLuc;;l@exemple.fr;;\n")))

    assert frame is not None
    assert frame.schema == pl.Schema({"line": pl.Int64, "c0": pl.String, "c1": pl.String, "c2": pl.String})
    assert frame.null_count().row(0) == (0, 0, 0, 0)
    assert frame.rows() == [(2, "Zoé", "", ""), (4, "Luc", "", "l@exemple.fr")]


def test_a_line_longer_than_the_limit_gives_nothing(tmp_path):
    path = write(tmp_path, HEADER + "Zoé;Lefèvre;z@exemple.fr\n" + "x" * 80 + ";y;z\n")

    assert fast_and_slow(path, max_line=60) == (None, None)
    assert fast_and_slow(path, max_line=84)[0] is not None  # exactly the limit is fine


def test_a_file_larger_than_the_limit_gives_nothing(tmp_path):
    path = write(tmp_path, HEADER + "Zoé;Lefèvre;z@exemple.fr\n")

    assert read_frame(open_table(path), max_bytes=path.stat().st_size - 1) is None
    assert read_frame(open_table(path), max_bytes=path.stat().st_size) is not None


def test_a_spreadsheet_gives_nothing(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(["Prénom", "Nom"])
    workbook.active.append(["Zoé", "Lefèvre"])
    workbook.save(tmp_path / "prospects.xlsx")

    assert read_frame(open_table(tmp_path / "prospects.xlsx")) is None


def test_the_benchmark_file_takes_the_fast_path(tmp_path):
    path = generate(tmp_path / "bench.csv", 2000)

    fast, slow = fast_and_slow(path)

    assert fast is not None
    assert fast == slow
    assert len(fast) == 2000


# Values mixing everything that matters to a CSV parser: quotes, delimiters, spaces, accents
# and look-alikes of empty or missing values; now and then a line break.
VALUES = st.one_of(
    st.text(alphabet="ab é\"';,\t|\u00a0#", max_size=8),
    st.sampled_from(["", " ", "NA", "null", '""', '"', "Zoé", "a;b", " x "]),
    st.text(alphabet='a"\r\n', max_size=3),
)


@st.composite
def tables(draw: st.DrawFn) -> list[list[str]]:
    width = draw(st.integers(1, 4))
    header = ["Prénom", "Nom", "E-mail", "Société"][:width]
    # Now and then a value past the header: chunks() drops it when empty, refuses it if not.
    row = st.builds(list.__add__, st.lists(VALUES, max_size=width), st.sampled_from([[]] * 4 + [[""], ["x"]]))
    return [header, *draw(st.lists(row, max_size=12))]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    table=tables(),
    delimiter=st.sampled_from(DELIMITERS),
    line_end=st.sampled_from(["\n", "\r\n"]),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
)
def test_any_file_written_by_csv_writer_gives_the_rows_chunks_gives_or_nothing(
    tmp_path_factory, table, delimiter, line_end, quoting
):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=line_end, quoting=quoting).writerows(table)
    path = write(tmp_path_factory.mktemp("written"), buffer.getvalue())

    fast, slow = fast_and_slow(path)

    assert fast is None or fast == slow


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.text(alphabet='aé"; \t,\r\n', max_size=60))
def test_any_hand_made_text_gives_the_rows_chunks_gives_or_nothing(tmp_path_factory, body):
    # Written by hand, not by csv.writer: malformed quoting of every kind.
    path = write(tmp_path_factory.mktemp("typed"), HEADER + body)

    fast, slow = fast_and_slow(path)

    assert fast is None or fast == slow
