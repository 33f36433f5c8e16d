"""Read a whole CSV table as one polars DataFrame, when that gives exactly what `chunks()` gives.

`CsvTable.chunks()` decodes and parses with the csv module, about 3 s a million rows; polars
parses the same file ten times faster. But the two disagree on malformed quoting, and polars
has conventions of its own (a leading BOM is dropped, text after a closing quote is an error).
So `read_frame` does not trust polars' parse: it proves that each row is what the csv module
makes of its line, and returns None whenever it cannot; the caller then streams `chunks()`,
which also words the error when the file is bad.

The proof compares polars' rows with a second, trivial polars reading of the same bytes, one
string per physical line (no quoting, and NUL, which is refused, as the separator), whose count
is checked against the line feeds of the file:

- there must be one row per physical line: a record then never spans two lines (a quoted line
  break, or any disagreement on where a record ends, changes the count), no line is skipped,
  and a row's line number is its position;
- for the csv module, a line without a quote is its text split at the delimiter: polars' fields
  must join back into the line (plus one delimiter per missing trailing field) and the line
  must hold no other delimiter, which leaves a single way to have cut it;
- a line with a quote is proven when it is exactly how csv.writer writes polars' fields (every
  field quoted, or those holding a quote or the delimiter), since the csv module reads back
  what it writes; otherwise the csv module parses it again, alone, in chunks()' dialect: it
  must be a whole record and give polars' row;
- what chunks() refuses (a lone CR, a line over the limit, a value past the last header, bytes
  that do not decode) is refused here too, and what it skips (rows of empty values) dropped.
"""

from __future__ import annotations

import codecs
import itertools
import os
from typing import Final

import polars as pl

from licite.ingest.reader import MIB, CsvTable, Table, csv_records

__all__ = ["LINE", "MAX_FRAME_BYTES", "read_frame"]

# A frame takes about four times its file in memory while it is proved and gated: past this,
# the file streams through chunks() in flat memory instead (the import's target: under 1 GiB).
MAX_FRAME_BYTES: Final = 192 * MIB
LINE: Final = "line"

_TEXT = "text"
_QUOTE = '"'
# Single-byte code pages that keep ASCII in place: decoded whole, they give what the feed's
# incremental decoder gives, and their UTF-8 form has the same lines and delimiters.
_SINGLE_BYTE: Final = frozenset(
    codecs.lookup(name).name for name in ("cp1252", "latin-1", "iso8859-15", "mac-roman", "cp850")
)
# Parsing lines again costs what chunks() costs: past this share of the file, chunks() is quicker.
_REPARSED_SHARE = 0.25
_REPARSED_FREE = 10_000


class _Refused(Exception):
    """The fast reading cannot promise to give what chunks() gives."""


def read_frame(table: Table, *, max_bytes: int = MAX_FRAME_BYTES) -> pl.DataFrame | None:
    """The whole table as one DataFrame when it is exactly what table.chunks() gives; else None.

    Columns: "line" (Int64, the line number chunks() gives the row), then "c0".."c{n-1}" (String,
    never null), one per header; rows in file order. Never raises for a bad file.
    """
    if not isinstance(table, CsvTable) or table._header_records != 1:
        return None
    try:
        return _read(table, max_bytes)
    except (Exception, pl.exceptions.PanicException):
        # Whatever went wrong, chunks() is always right: it decides, and explains.
        return None


def _read(table: CsvTable, max_bytes: int) -> pl.DataFrame:
    if os.stat(table.path).st_size > max_bytes:
        raise _Refused
    delimiter = table.delimiter or ","
    body = _utf8_body(table)
    width = _header_width(body, delimiter)
    if width < len(table.headers):
        raise _Refused
    fields = _parse(body, delimiter, width)
    lines = _physical_lines(body, table.max_line)
    del body
    if fields.height != lines.len():
        raise _Refused
    frame = fields.with_columns(lines.alias(_TEXT))
    quoted = lines.str.contains(_QUOTE, literal=True)
    reparsed = max(_REPARSED_FREE, int(_REPARSED_SHARE * lines.len()))
    _check_plain_lines(frame.filter(~quoted), fields.columns, delimiter)
    _check_quoted_lines(frame.filter(quoted), fields.columns, delimiter, reparsed)
    return _data_rows(fields, len(table.headers))


def _utf8_body(table: CsvTable) -> bytes:
    with table.path.open("rb") as raw:
        raw.seek(table._offset)
        body = raw.read()
    codec = codecs.lookup(table._codec).name
    if codec in _SINGLE_BYTE:
        body = body.decode(codec).encode("utf-8")
    elif codec != "utf-8":
        raise _Refused
    # polars drops a leading BOM that the csv module keeps in the first value; NUL is the
    # separator of the line reading.
    if body.startswith(codecs.BOM_UTF8) or b"\x00" in body:
        raise _Refused
    # UTF-8 is left to polars, which refuses invalid UTF-8 in a String column as strictly.
    return body


def _header_width(body: bytes, delimiter: str) -> int:
    """How many fields the header line has, trailing empty ones included."""
    end = body.find(b"\n")
    first = body if end < 0 else body[: end + 1]
    return len(next(csv_records([first.decode("utf-8")], delimiter), []))


def _parse(body: bytes, delimiter: str, width: int) -> pl.DataFrame:
    """Every physical line, the header included, so that the header sets the width polars expects."""
    frame = _read_strings(body, delimiter, _QUOTE, [f"c{index}" for index in range(width)])
    return frame.with_columns(pl.all().fill_null(""))


def _physical_lines(body: bytes, max_line: int) -> pl.Series:
    """The text of each line, without its line end (polars drops the \\r of a CRLF)."""
    lines = _read_strings(body, "\x00", None, [_TEXT]).to_series()
    expected = body.count(b"\n") + (not body.endswith(b"\n"))
    if lines.len() != expected or lines.null_count():
        raise _Refused
    # A \r left inside a line ends a record for the csv module, not for polars.
    if lines.str.contains("\r", literal=True).any():
        raise _Refused
    if (lines.str.len_chars() > max_line).any():
        raise _Refused
    return lines


def _read_strings(body: bytes, separator: str, quote: str | None, names: list[str]) -> pl.DataFrame:
    # Values as written: no header, no type, no null for an empty value or "NA", no comments.
    return pl.read_csv(
        body,
        has_header=False,
        separator=separator,
        quote_char=quote,
        schema=dict.fromkeys(names, pl.String),
        infer_schema=False,
        comment_prefix=None,
        null_values=None,
        empty_string_is_null=False,
        truncate_ragged_lines=False,
        encoding="utf8",
        eol_char="\n",
        glob=False,
    )


def _check_plain_lines(frame: pl.DataFrame, names: list[str], delimiter: str) -> None:
    """Lines without quotes: polars' fields must be the line split at the delimiter, padded with ""."""
    width = len(names)
    text = pl.col(_TEXT)
    joined = pl.concat_str(names, separator=delimiter)
    count = text.str.count_matches(delimiter, literal=True) + 1
    # When the fields join back into a line holding width - 1 delimiters, those are the
    # separators: no field holds one.
    rest = frame.filter((count != width) | (joined != text))
    if rest.height:
        padded = text.str.pad_end(text.str.len_chars() + (width - count), delimiter)
        if not rest.select(((count < width) & (joined == padded)).all()).item():
            raise _Refused


def _check_quoted_lines(frame: pl.DataFrame, names: list[str], delimiter: str, most: int) -> None:
    """Lines with a quote: csv.writer's writing of polars' row, or parsed again to the same row."""
    text = pl.col(_TEXT)
    rest = frame.filter(text != _written(names, delimiter, every=True))
    rest = rest.filter(text != _written(names, delimiter, every=False))
    if rest.height > most:
        raise _Refused
    _reparse(rest[_TEXT].to_list(), rest.select(names).rows(), delimiter)


def _written(names: list[str], delimiter: str, *, every: bool) -> pl.Expr:
    """A row as csv.writer writes it, quoting every field, or only those that need it."""
    quote = _QUOTE
    values = [pl.col(name) for name in names]
    escaped = [value.str.replace_all(quote, quote * 2, literal=True) for value in values]
    if every:
        return quote + pl.concat_str(escaped, separator=quote + delimiter + quote) + quote
    fields = [
        pl.when(value.str.contains(quote, literal=True) | value.str.contains(delimiter, literal=True))
        .then(quote + inner + quote)
        .otherwise(value)
        for value, inner in zip(values, escaped, strict=True)
    ]
    return pl.concat_str(fields, separator=delimiter)


def _reparse(lines: list[str], rows: list[tuple[str, ...]], delimiter: str) -> None:
    """Each line must be a whole record for the csv module, giving polars' row."""
    # A last empty line: a quote left open on the last line swallows it, and shows.
    reader = csv_records(itertools.chain((f"{line}\n" for line in lines), ["\n"]), delimiter)
    for number, row in enumerate(rows, start=1):
        values = next(reader, None)
        if values is None or reader.line_num != number or _fit(values, len(row)) != row:
            raise _Refused


def _fit(values: list[str], width: int) -> tuple[str, ...]:
    """The row polars gives for these csv.reader values: padded with "", cut only if empty."""
    if len(values) > width:
        if any(values[width:]):
            raise _Refused
        del values[width:]
    return (*values, *[""] * (width - len(values)))


def _data_rows(fields: pl.DataFrame, width: int) -> pl.DataFrame:
    """Line numbers, without the header and the rows of empty values chunks() skips."""
    names = fields.columns
    rows = fields.with_row_index(LINE, offset=1).slice(1)
    past = names[width:]
    # A value past the last header makes chunks() refuse the file.
    if past and rows.select(pl.any_horizontal(pl.col(past) != "").any()).item():
        raise _Refused
    kept = rows.filter(pl.any_horizontal(pl.col(names[:width]) != ""))
    return kept.select(pl.col(LINE).cast(pl.Int64), *names[:width])
