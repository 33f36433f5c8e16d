"""Read an import file (CSV, XLSX or ODS) as a header and a stream of rows of strings.

`open_table(path)` looks at the content, not the name, to tell the formats apart, reads the
header and checks what can be checked up front; `Table.chunks()` and `Table.rows()` then stream
the rows, raising `ReadError` as soon as a bad line shows up. Every problem becomes one
`ReadError` naming the file, and the line and column where that means something.

Only a regular file is opened (a link is followed): a FIFO or a device such as /dev/zero is
refused at once, naming what it is, instead of being read forever.

CSV files are decoded block by block with an incremental decoder and parsed by the csv module,
so memory stays flat whatever the file size and a line longer than the limit is refused after
reading at most that limit. A file that is UTF-8 but for a few bytes is refused as mixing
encodings, naming the line; a single-byte code page is only guessed among the Western ones
French files come in, and any other guess is refused rather than taken.

Spreadsheets are read by python-calamine, after their ZIP structure has been checked (sizes,
compression ratio, extent of the sheet) and every size the workbook declares (the count of
XLSX shared strings, a sheet's dimension, ODS repeated rows, columns and spaces), because
calamine allocates what it is told and aborts the process when it cannot.

Values are returned exactly as found (no trimming, no formula neutralization): cleaning is the
job of the classification step and of exports.
"""

from __future__ import annotations

import codecs
import copy
import csv
import gc
import io
import itertools
import os
import re
import stat
import unicodedata
import xml.parsers.expat
import zipfile
import zlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from datetime import date, time
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Final, Literal

import charset_normalizer
import python_calamine

from licite.ingest.errors import ReadError, column_letter, safe_value

if TYPE_CHECKING:
    from _csv import Reader as _CsvReader

__all__ = [
    "DELIMITERS",
    "MAX_LINE_CHARS",
    "MAX_SHARED_STRINGS",
    "MAX_SHEET_CELLS",
    "MAX_SHEET_TEXT",
    "MAX_UNZIPPED_BYTES",
    "MAX_ZIP_RATIO",
    "Format",
    "Row",
    "Table",
    "check_regular_file",
    "csv_records",
    "open_table",
]

Format = Literal["csv", "xlsx", "ods"]
Row = tuple[int, list[str]]
"""A line number as a spreadsheet user sees it (the header is usually line 1) and its values."""

KIB: Final = 1024
MIB: Final = 1024 * KIB

SAMPLE_BYTES: Final = 64 * KIB
MAX_LINE_CHARS: Final = 1 * MIB
MAX_UNZIPPED_BYTES: Final = 200 * MIB
MAX_ZIP_RATIO: Final = 100
MAX_ZIP_ENTRIES: Final = 10_000
# calamine stores a sheet as a dense rectangle of cells (about 32 bytes each).
MAX_SHEET_CELLS: Final = 20_000_000
# The strings of an XLSX workbook: calamine reserves room for as many as it declares.
MAX_SHARED_STRINGS: Final = MAX_SHEET_CELLS
# The text of an ODS workbook, repeats and declared spaces included (as many characters as
# the unpacked file may have bytes).
MAX_SHEET_TEXT: Final = 200 * MIB
DELIMITERS: Final = (",", ";", "\t", "|")

_BLOCK_BYTES = 256 * KIB
_ODS_MAX_ROWS = 1_048_576  # calamine's caps on the repeats of one table
_ODS_MAX_COLUMNS = 16_384
_ZIP_READ_BYTES = 1 * MIB
_SNIFF_RECORDS = 50
_BINARY_CONTROL_RATIO = 0.02

# Bytes that do not occur in text files, apart from a stray one (\t \n \v \f \r are allowed).
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x20)])

_BOMS = (
    # UTF-32 first: its little-endian BOM starts with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
)

_OTHER_FORMATS = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x7fELF", "a program"),
    (b"SQLite format 3\x00", "an SQLite database"),
)
_SPECIAL_FILES: tuple[tuple[Callable[[int], bool], str], ...] = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")

# charset-normalizer cannot tell the Latin single-byte code pages apart on short French text
# (it often answers cp1250, turning "è" into "č"); when it lands in this family, licite picks
# among the code pages French files really come in. Outside it (Cyrillic, Greek, CJK...), its
# answer is trusted.
_LATIN_CODE_PAGES = frozenset(
    {
        "ascii", "latin_1", "cp1250", "cp1252", "cp1254", "cp1257", "cp775", "cp437", "cp850",
        "cp852", "cp858", "cp860", "cp863", "cp865", "iso8859_2", "iso8859_3", "iso8859_4",
        "iso8859_9", "iso8859_10", "iso8859_13", "iso8859_14", "iso8859_15", "iso8859_16",
        "mac_roman", "mac_iceland", "mac_latin2", "mac_turkish",
    }
)  # fmt: skip
# Windows (Excel on a French PC), old Macintosh Excel, DOS.
_WESTERN_CANDIDATES = ("cp1252", "mac_roman", "cp850")
_FRENCH_LOWER = frozenset("àâäçéèêëîïôöùûüÿœæ")
_FRENCH_OTHER = frozenset("ÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ’‘“”«»–—…€°\xa0")

_XLSX_CONTENT_TYPES = (
    b"spreadsheetml.sheet.main+xml",
    b"spreadsheetml.template.main+xml",
    b"ms-excel.sheet.macroEnabled.main+xml",
)
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"

# Cell references (r="XFD1048576") and row numbers (r="1048576") in a worksheet's XML, in any
# spelling XML allows. Starting with a literal makes them twice as fast as with \s; an
# attribute whose name merely ends in "r" can only make the sheet look bigger, never smaller.
_REF_COLUMN = re.compile(rb"""r\s*=\s*["']([A-Za-z]{1,8})[0-9]""")
_REF_ROW = re.compile(rb"""r\s*=\s*["'][A-Za-z]{0,8}([0-9]{1,12})["']""")

# A worksheet's declared extent: "A1", "A1:XFD1048576" (columns, rows; "$" is allowed).
_DIMENSION = re.compile(r"\$?([A-Za-z]{1,8})\$?([0-9]{1,12})(:\$?([A-Za-z]{1,8})\$?([0-9]{1,12}))?")
_NON_ASCII = re.compile(rb"[\x80-\xff]")
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")  # an undecodable byte, as surrogateescape gives it
_HEADER_JUNK = str.maketrans("", "", "\ufeff\u200b\u200e\u200f\u2060")


def open_table(
    path: str | os.PathLike[str],
    *,
    chunk_rows: int = 50_000,
    max_line: int = MAX_LINE_CHARS,
    max_unzipped: int = MAX_UNZIPPED_BYTES,
) -> Table:
    """Open an import file, detect its format, encoding and delimiter, and read its header.

    Raises ReadError, naming the file, for anything that is not a readable table.
    """
    file = Path(path)
    name = file.name
    try:
        with _open_regular(file) as raw:
            size = os.fstat(raw.fileno()).st_size
            sample = raw.read(SAMPLE_BYTES)
            if not sample:
                raise ReadError("the file is empty", file=name)
            if sample.startswith(_ZIP_MAGICS):
                return _open_spreadsheet(file, chunk_rows, max_unzipped)
            _refuse_other_formats(file, sample)
            return _open_csv(file, raw, sample, size, chunk_rows, max_line)
    except IsADirectoryError:
        raise ReadError("this is a folder, not a file", file=name) from None
    except FileNotFoundError:
        raise ReadError("no such file", file=name) from None
    except PermissionError:
        raise ReadError("permission denied", file=name) from None
    except OSError as exc:
        raise ReadError(
            "cannot read the file (%(reason)s)", file=name, params={"reason": exc.strerror or exc}
        ) from None


def check_regular_file(path: str | os.PathLike[str]) -> None:
    """Refuse at once anything but a regular file (a link is followed): reading a FIFO waits
    for a writer forever, and a device such as /dev/zero never ends."""
    file = Path(path)
    try:
        mode = os.stat(file).st_mode
    except FileNotFoundError:
        raise ReadError("no such file", file=file.name) from None
    except PermissionError:
        raise ReadError("permission denied", file=file.name) from None
    except OSError as exc:
        raise ReadError(
            "cannot read the file (%(reason)s)", file=file.name, params={"reason": exc.strerror or exc}
        ) from None
    _refuse_special(file, mode)


def _open_regular(file: Path) -> BinaryIO:
    # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer; fstat() then
    # looks at what was opened, not at what the name pointed to a moment before.
    fd = os.open(file, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_BINARY", 0))
    try:
        _refuse_special(file, os.fstat(fd).st_mode)
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _refuse_special(file: Path, mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    what = next((what for test, what in _SPECIAL_FILES if test(mode)), "not a regular file")
    if file.is_symlink():
        raise ReadError(
            "this is %(what)s (a link to %(target)s), not a file",
            file=file.name,
            params={"what": what, "target": os.path.realpath(file)},
        )
    raise ReadError("this is %(what)s, not a file", file=file.name, params={"what": what})


class Table(ABC):
    """A file's header and a way to stream its rows; `rows()` and `chunks()` can be called again.

    `headers` are the header cells, trimmed of spaces and invisible characters, with trailing
    empty cells removed; an empty header inside the row stays "" (its column is dropped by the
    mapping). Every row returned has exactly `len(headers)` values: shorter rows are padded
    with "", blank rows are skipped, and a row with a value beyond the last header is an error.
    """

    path: Path
    name: str
    format: Format
    headers: list[str]
    header_line: int
    chunk_rows: int
    encoding: str | None = None
    """CSV only: the encoding found, as Python names it ("utf-8", "utf-8-sig", "cp1252"...)."""
    delimiter: str | None = None
    """CSV only: one of DELIMITERS."""
    sheet: str | None = None
    """Spreadsheets only: the name of the sheet read."""
    _first_column = 0  # spreadsheets: where the sheet's data starts, for column letters

    def __init__(self, path: Path, chunk_rows: int) -> None:
        self.path = path
        self.name = path.name
        self.chunk_rows = max(1, chunk_rows)
        self.headers = []
        self.header_line = 0

    def rows(self) -> Iterator[Row]:
        """Yield `(line, values)` for each data row, in file order."""
        for chunk in self.chunks():
            yield from chunk

    @abstractmethod
    def chunks(self) -> Iterator[list[Row]]:
        """Yield lists of at most `chunk_rows` rows, in file order."""

    def column_name(self, index: int) -> str:
        """How to name a column in a message: its header, or its letter when it has none."""
        header = self.headers[index] if index < len(self.headers) else ""
        return header or f"column {column_letter(index + self._first_column)}"

    def _set_headers(self, cells: list[str], line: int) -> None:
        headers = [
            unicodedata.normalize("NFC", " ".join(cell.translate(_HEADER_JUNK).split())) for cell in cells
        ]
        while headers and not headers[-1]:
            headers.pop()
        if not headers:
            raise ReadError("the header line is empty", file=self.name, line=line)
        self.headers = headers
        self.header_line = line
        seen: dict[str, int] = {}
        for index, header in enumerate(headers):
            if "\x00" in header:
                raise ReadError(_NUL_MESSAGE, file=self.name, line=line, value=header)
            if not header:
                continue
            key = header.casefold()
            if key in seen:
                raise self._duplicate_header(seen[key], index)
            seen[key] = index

    def _duplicate_header(self, first: int, second: int) -> ReadError:
        def label(index: int) -> str:
            header = safe_value(self.headers[index], 60)
            return f"'{header}' (column {column_letter(index + self._first_column)})"

        return ReadError(
            "duplicated header: %(first)s and %(second)s have the same name; rename or delete one of them",
            params={"first": label(first), "second": label(second)},
            file=self.name,
            line=self.header_line,
            column=self.headers[second],
        )

    def _fit(self, values: list[str], line: int, delimiter: str = "") -> list[str]:
        """Pad a short row; drop empty cells past the last header; refuse anything else."""
        width = len(self.headers)
        missing = width - len(values)
        if missing > 0:
            values.extend([""] * missing)
            return values
        extra = values[width:]
        if not any(extra):
            del values[width:]
            return values
        index = width + next(i for i, value in enumerate(extra) if value)
        raise ReadError(
            _TOO_MANY_VALUES_DELIMITED if delimiter else _TOO_MANY_VALUES,
            params={
                "values": len(values),
                "width": width,
                "letter": column_letter(index + self._first_column),
                "delimiter": _delimiter_name(delimiter) if delimiter else "",
            },
            file=self.name,
            line=line,
            value=values[index],
        )


# ---------------------------------------------------------------------------------------------
# CSV


_TOO_MANY_VALUES = (
    "this line has %(values)s values but the header has %(width)s columns "
    "(a value in column %(letter)s, which has no header)"
)
_TOO_MANY_VALUES_DELIMITED = (
    "this line has %(values)s values but the header has %(width)s columns "
    "(a value in column %(letter)s, which has no header; is there an unquoted %(delimiter)s inside a value?)"
)
_NUL_MESSAGE = "NUL byte (\\x00) in the file: is it really a text file?"
_UNCLOSED_QUOTE_MESSAGE = (
    'a quoted value that starts on this line is never closed: check the quotes (") on this line'
)
# A last line the feed adds after the file: read as its own record when the file ends well, it
# ends up inside the last value when a quote is left open, which csv.reader accepts silently
# (swallowing every line after the quote). It holds NUL, so no real line can look like it.
_END = "\x00licite:end\x00"


def _open_csv(
    file: Path, raw: BinaryIO, sample: bytes, size: int, chunk_rows: int, max_line: int
) -> CsvTable:
    name = file.name
    whole = size <= len(sample)
    codec, offset, label = _detect_encoding(name, raw, sample, whole)
    text = _decode_sample(name, sample[offset:], codec, whole)
    if whole and not text.strip():
        raise ReadError("the file is empty (only spaces and blank lines)", file=name)
    delimiter = _sniff_delimiter(text, whole)
    return CsvTable(file, chunk_rows, codec, offset, label, delimiter, max_line)


def _refuse_other_formats(file: Path, sample: bytes) -> None:
    name = file.name
    if sample.startswith(_OLE2_MAGIC):
        raise ReadError(
            "this is an Excel 97-2003 (.xls) workbook or a password-protected Excel file: "
            "save it as .xlsx without a password, or as CSV",
            file=name,
        )
    for magic, what in _OTHER_FORMATS:
        if sample.startswith(magic):
            raise ReadError("this is %(what)s, not a CSV, XLSX or ODS file", file=name, params={"what": what})
    suffix = file.suffix.lower()
    if suffix in _SPREADSHEET_SUFFIXES:
        raise ReadError(
            "the name ends in %(suffix)s but the file is not a spreadsheet "
            "(no ZIP structure); if it is a CSV file, rename it to .csv",
            file=name,
            params={"suffix": suffix},
        )


def _detect_encoding(name: str, raw: BinaryIO, sample: bytes, whole: bool) -> tuple[str, int, str]:
    """Return (codec, bytes to skip, name to report) for a text file."""
    for bom, codec, label in _BOMS:
        if sample.startswith(bom):
            return codec, len(bom), label
    utf16 = _utf16_without_bom(sample)
    if utf16:
        return utf16, 0, utf16
    control = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    # A few stray control bytes are left to the row checks, which locate them.
    if control > max(8, _BINARY_CONTROL_RATIO * len(sample)):
        raise ReadError("binary content: this is not a CSV, XLSX or ODS file", file=name)
    if sample.isascii() and not whole:
        # Detect on the first bytes that say something, not on a plain ASCII beginning.
        sample = _first_non_ascii(raw, len(sample))
    if sample.isascii():
        return "utf-8", 0, "utf-8"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        if _mostly_utf8(sample):
            # Decoded as UTF-8, the bad bytes are refused where they are, naming their line.
            return "utf-8", 0, "utf-8"
        codec = _guess_single_byte(name, sample)
        return codec, 0, codecs.lookup(codec).name
    return "utf-8", 0, "utf-8"


def _mostly_utf8(sample: bytes) -> bool:
    """Whether the sample is UTF-8 but for a few bytes: at least as many valid multi-byte
    characters as invalid bytes. Such a file mixes encodings; no single-byte code page reads it
    right ("Prénom" becomes "Pr√©nom" in mac-roman), and in a real one valid UTF-8 sequences
    are rare (an upper-case accented letter followed by a symbol)."""
    text = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape").decode(sample, final=False)
    invalid = len(_ESCAPED_BYTE.findall(text))
    valid = len(text) - len(text.encode("ascii", errors="ignore")) - invalid
    return valid >= invalid


def _utf16_without_bom(sample: bytes) -> str | None:
    half = len(sample) // 2
    if half < 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > 0.3 * half and even < 0.05 * odd:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.05 * even:
        return "utf-16-be"
    return None


def _first_non_ascii(raw: BinaryIO, start: int) -> bytes:
    position = start
    while block := raw.read(MIB):
        found = _NON_ASCII.search(block)
        if found:
            # Before that byte everything is ASCII, so it starts a character in any encoding.
            raw.seek(position + found.start())
            return raw.read(SAMPLE_BYTES)
        position += len(block)
    return b""


def _guess_single_byte(name: str, sample: bytes) -> str:
    best = charset_normalizer.from_bytes(sample).best()
    if best is not None and best.encoding not in _LATIN_CODE_PAGES:
        # A guess outside the Western code pages is too often wrong to be taken silently.
        raise ReadError(
            "unsupported encoding: the text looks like %(codec)s (a guess); "
            "save the file as UTF-8 and import it again",
            file=name,
            params={"codec": codecs.lookup(best.encoding).name},
        )
    scores = {codec: _french_score(sample, codec) for codec in _WESTERN_CANDIDATES}
    # max() keeps the first of equal scores, so cp1252 wins ties.
    return max(_WESTERN_CANDIDATES, key=lambda codec: scores[codec])


def _french_score(sample: bytes, codec: str) -> float:
    try:
        text = sample.decode(codec)
    except UnicodeDecodeError:
        return float("-inf")
    score = 0
    for char in text:
        if char.isascii():
            continue
        if char in _FRENCH_LOWER:
            score += 2
        elif char in _FRENCH_OTHER:
            score += 1
        else:
            score -= 3
    return score


def _decode_sample(name: str, data: bytes, codec: str, whole: bool) -> str:
    try:
        return codecs.getincrementaldecoder(codec)().decode(data, final=whole)
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode(codec, errors="replace")
        raise _undecodable(name, codec, exc, before, 0) from None


def _undecodable(name: str, codec: str, exc: UnicodeDecodeError, before: str, lines: int) -> ReadError:
    """The error for bytes that do not decode, after `lines` lines and then the text `before`."""
    line = lines + before.count("\n") + before.count("\r") - before.count("\r\n")
    character = len(before) - max(before.rfind("\n"), before.rfind("\r"))
    bad = exc.object[exc.start : exc.end].hex(" ").upper()
    return ReadError(
        "undecodable content: bytes %(bytes)s are not valid %(codec)s "
        "(character %(character)s of the line); the file mixes encodings, save it again as UTF-8",
        params={"bytes": bad, "codec": codecs.lookup(codec).name, "character": character},
        file=name,
        line=line + 1,
    )


def _sniff_delimiter(text: str, whole: bool) -> str:
    """Pick the delimiter that splits the first records into a steady number of fields."""
    lines = io.StringIO(text, newline="").readlines()
    if not whole and len(lines) > 1:
        lines.pop()  # probably cut in the middle
    best, best_score = DELIMITERS[0], (0.0, 0)
    for delimiter in DELIMITERS:
        reader = csv.reader(lines, delimiter=delimiter)
        try:
            counts = [len(row) for row in itertools.islice(reader, _SNIFF_RECORDS * 4) if any(row)]
        except csv.Error:
            continue
        counts = counts[:_SNIFF_RECORDS]
        if not counts or counts[0] < 2:
            continue
        steady = sum(count == counts[0] for count in counts) / len(counts)
        score = (steady, counts[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


class CsvTable(Table):
    """A delimited text file, decoded and parsed as a stream."""

    format: Format = "csv"

    def __init__(
        self,
        path: Path,
        chunk_rows: int,
        codec: str,
        offset: int,
        label: str,
        delimiter: str,
        max_line: int,
    ) -> None:
        super().__init__(path, chunk_rows)
        self.encoding = label
        self.delimiter = delimiter
        self.max_line = max_line
        self._codec = codec
        self._offset = offset
        self._header_records = 0  # blank records before the header, plus the header
        feed, reader = self._open_reader(width=1)
        try:
            last = 0
            for values in reader:
                start, last = last + 1, reader.line_num
                self._header_records += 1
                if any(values):
                    break
        except csv.Error as exc:
            raise self._csv_error(exc, last + 1) from None
        finally:
            feed.close()
        if values[0] == _END:
            raise ReadError("the file is empty (no header line, only blank lines)", file=self.name)
        self._refuse_unclosed_quote(start, values)
        self._set_headers(values, start)

    def chunks(self) -> Iterator[list[Row]]:
        size = self.chunk_rows
        width = len(self.headers)
        delimiter = self.delimiter or ","
        feed, reader = self._open_reader(width)
        try:
            for _ in itertools.islice(reader, self._header_records):
                pass
            last = reader.line_num
            finished = False
            while not finished:
                chunk: list[Row] = []
                append = chunk.append
                finished = True
                # Rows are kept, so the cyclic GC would scan them again and again while the
                # chunk fills (a third of the reading time at 50,000 rows a chunk); nothing
                # built here can form a cycle, so collection waits until the chunk is full.
                collecting = gc.isenabled()
                gc.disable()
                try:
                    for values in reader:
                        start = last + 1
                        last = reader.line_num
                        if len(values) != width:
                            if not any(values) or values[0] == _END:
                                continue
                            values = self._fit(values, start, delimiter)
                        elif not (values[0] or any(values)):
                            continue
                        append((start, values))
                        if len(chunk) >= size:
                            finished = False
                            break
                except csv.Error as exc:
                    raise self._csv_error(exc, last + 1) from None
                finally:
                    if collecting:
                        gc.enable()
                if chunk:
                    # Only the last record of the file can hold the end line.
                    self._refuse_unclosed_quote(*chunk[-1])
                if feed.nul_seen:
                    self._refuse_nul(chunk)
                if chunk:
                    yield chunk
        finally:
            feed.close()

    def _open_reader(self, width: int) -> tuple[_TextFeed, _CsvReader]:
        # A process-wide setting of the csv module: licite uses one limit everywhere.
        csv.field_size_limit(self.max_line)
        delimiter = self.delimiter or ","
        # One value more than the header, so the end record takes the loop's slow branch.
        end_line = delimiter.join([_END] * (width + 1)) + "\n"
        raw = self.path.open("rb", buffering=0)
        try:
            raw.seek(self._offset)
            feed = _TextFeed(raw, self._codec, self.name, self.max_line)
            reader = csv_records(
                itertools.chain(itertools.chain.from_iterable(feed.blocks()), [end_line]), delimiter
            )
        except BaseException:
            raw.close()
            raise
        feed.lines_read = lambda: reader.line_num
        return feed, reader

    def _csv_error(self, exc: csv.Error, line: int) -> ReadError:
        if "field larger than field limit" in str(exc):
            return ReadError(
                "a value is longer than %(size)s, the limit (or a quote is never closed)",
                params={"size": _size(self.max_line)},
                file=self.name,
                line=line,
            )
        return ReadError("malformed CSV (%(reason)s)", file=self.name, line=line, params={"reason": exc})

    def _refuse_unclosed_quote(self, line: int, values: list[str]) -> None:
        for index, value in enumerate(values):
            if _END in value:
                raise ReadError(
                    _UNCLOSED_QUOTE_MESSAGE,
                    file=self.name,
                    line=line,
                    column=self.column_name(index) if self.headers else None,
                    value=value[: value.index(_END)],
                )

    def _refuse_nul(self, chunk: list[Row]) -> None:
        for line, values in chunk:
            for index, value in enumerate(values):
                if "\x00" in value:
                    raise ReadError(
                        _NUL_MESSAGE,
                        file=self.name,
                        line=line,
                        column=self.column_name(index),
                        value=value,
                    )


def csv_records(lines: Iterable[str], delimiter: str) -> _CsvReader:
    """The csv module's reading of an import file: the one dialect licite reads CSV in."""
    return csv.reader(lines, delimiter=delimiter, quotechar='"', doublequote=True, strict=False)


def _delimiter_name(delimiter: str) -> str:
    return {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(delimiter, delimiter)


def _size(chars: int) -> str:
    return f"{chars // MIB} MiB" if chars % MIB == 0 else f"{chars:,} characters"


class _TextFeed:
    """Decode a binary stream block by block and hand out its lines to csv.reader.

    Each block is cut after its last line break and the rest carried to the next, so no line is
    split. Only the first line of a block can be longer than a block, which makes the line limit
    cheap to enforce; NUL characters are only flagged here, to be located in the parsed rows.
    """

    def __init__(self, raw: BinaryIO, codec: str, name: str, max_line: int) -> None:
        self.raw = raw
        self.codec = codec
        self.name = name
        self.max_line = max_line
        self.block_bytes = min(_BLOCK_BYTES, max_line)
        self.nul_seen = False
        self.lines_read: Callable[[], int] = lambda: 0

    def close(self) -> None:
        self.raw.close()

    def blocks(self) -> Iterator[Iterable[str]]:
        decoder = codecs.getincrementaldecoder(self.codec)(errors="strict")
        carry = ""
        while True:
            data = self.raw.read(self.block_bytes)
            try:
                text = carry + decoder.decode(data, final=not data)
            except UnicodeDecodeError as exc:
                raise self._decode_error(exc, carry) from None
            if "\x00" in text:
                self.nul_seen = True
            if not data:
                if text:
                    self._check_first_line(text)
                    yield io.StringIO(text, newline="")
                return
            if len(text) > self.max_line:
                self._check_first_line(text)
            cut = max(text.rfind("\n"), text.rfind("\r", 0, len(text) - 1)) + 1
            if cut:
                yield io.StringIO(text[:cut], newline="")
            carry = text[cut:]

    def _check_first_line(self, text: str) -> None:
        ends = [i for i in (text.find("\n"), text.find("\r")) if i >= 0]
        length = min(ends) if ends else len(text)
        if length > self.max_line:
            raise ReadError(
                "line longer than %(size)s, the limit",
                params={"size": _size(self.max_line)},
                file=self.name,
                line=self.lines_read() + 1,
            )

    def _decode_error(self, exc: UnicodeDecodeError, carry: str) -> ReadError:
        before = carry + exc.object[: exc.start].decode(self.codec, errors="replace")
        return _undecodable(self.name, self.codec, exc, before, self.lines_read())


# ---------------------------------------------------------------------------------------------
# XLSX and ODS


def _open_spreadsheet(file: Path, chunk_rows: int, max_unzipped: int) -> SheetTable:
    kind = _check_zip(file, max_unzipped)
    return SheetTable(file, chunk_rows, kind)


def _check_zip(file: Path, max_unzipped: int) -> Format:
    """Refuse damaged archives and ZIP bombs before calamine opens the file; return its kind."""
    name = file.name
    try:
        with zipfile.ZipFile(file) as archive:
            entries = [info for info in archive.infolist() if not info.is_dir()]
            _check_zip_directory(name, entries, max_unzipped)
            kind = _zip_kind(name, archive)
            _check_zip_content(name, archive, entries, max_unzipped, kind)
            return kind
    except ReadError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError) as exc:
        raise ReadError(
            "damaged file: not a valid XLSX or ODS archive (%(reason)s)", file=name, params={"reason": exc}
        ) from None
    except NotImplementedError:
        raise ReadError("unsupported compression method in the ZIP archive", file=name) from None
    except RuntimeError:  # zipfile's "password required"
        raise ReadError("password-protected file: remove the password and try again", file=name) from None


def _check_zip_directory(name: str, entries: list[zipfile.ZipInfo], limit: int) -> None:
    if len(entries) > MAX_ZIP_ENTRIES:
        raise ReadError(
            "ZIP archive with %(entries)s entries: refused",
            file=name,
            params={"entries": f"{len(entries):,}"},
        )
    declared = sum(info.file_size for info in entries)
    if declared > limit:
        raise ReadError(
            "possible ZIP bomb: the file would unpack to %(declared)s MiB, more than the %(limit)s MiB limit",
            params={"declared": f"{declared // MIB:,}", "limit": limit // MIB},
            file=name,
        )
    for info in entries:
        if info.flag_bits & 0x1:
            raise ReadError("password-protected file: remove the password and try again", file=name)
        _check_ratio(name, info, info.file_size)


def _check_ratio(name: str, info: zipfile.ZipInfo, unpacked: int) -> None:
    # Small entries may compress very well without harm; bombs are big by definition.
    if unpacked > MIB and unpacked > MAX_ZIP_RATIO * max(info.compress_size, 1):
        raise ReadError(
            "possible ZIP bomb: an entry is compressed more than %(ratio)s:1",
            params={"ratio": MAX_ZIP_RATIO},
            file=name,
        )


def _zip_kind(name: str, archive: zipfile.ZipFile) -> Format:
    names = set(archive.namelist())
    if "mimetype" in names:
        mimetype = _read_small(archive, "mimetype").strip()
        if mimetype == _ODS_MIMETYPE:
            return "ods"
        if mimetype.startswith(b"application/vnd.oasis.opendocument."):
            raise ReadError("this is an OpenDocument file, but not a spreadsheet", file=name)
    if "[Content_Types].xml" in names:
        types = _read_small(archive, "[Content_Types].xml")
        if any(marker in types for marker in _XLSX_CONTENT_TYPES):
            return "xlsx"
        if b"ms-excel.sheet.binary" in types:
            raise ReadError("XLSB workbooks are not supported: save it as .xlsx or CSV", file=name)
        if b"wordprocessingml" in types:
            raise ReadError("this is a Word document, not a spreadsheet", file=name)
        if b"presentationml" in types:
            raise ReadError("this is a PowerPoint presentation, not a spreadsheet", file=name)
    raise ReadError("this is a ZIP archive, not an XLSX or ODS spreadsheet", file=name)


def _read_small(archive: zipfile.ZipFile, member: str) -> bytes:
    with archive.open(member) as stream:
        return stream.read(MIB)


def _check_zip_content(
    name: str, archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], limit: int, kind: Format
) -> None:
    """Unpack every entry once, counting, since the directory's sizes may lie."""
    budget = limit
    for info in entries:
        probe = copy.copy(info)
        probe.file_size = budget + 1  # let zipfile unpack past the declared size
        extent = _SheetExtent(name) if kind == "xlsx" and _is_worksheet(info.filename) else None
        start = _PartStart(name, info) if kind == "xlsx" else None
        tables = _OdsExtent(name) if kind == "ods" and info.filename == "content.xml" else None
        unpacked = 0
        with archive.open(probe) as stream:
            while data := stream.read(_ZIP_READ_BYTES):
                unpacked += len(data)
                if unpacked > budget:
                    raise ReadError(
                        "possible ZIP bomb: the file unpacks to more than %(limit)s MiB",
                        params={"limit": limit // MIB},
                        file=name,
                    )
                _check_ratio(name, info, unpacked)
                if start and not start.done:
                    start.feed(data)
                    # A worksheet found by its content, wherever the workbook puts it.
                    if start.root == "worksheet" and extent is None:
                        extent = _SheetExtent(name)
                if extent:
                    extent.feed(data)
                if tables:
                    tables.feed(data)
        if unpacked != info.file_size:
            raise ReadError("damaged file: the ZIP directory gives wrong sizes", file=name)
        budget -= unpacked
        if extent:
            extent.check()
        if tables:
            tables.feed(b"", final=True)


class _Enough(Exception):
    """What _PartStart needed to read has been read."""


class _PartStart:
    """The sizes an XLSX part declares at its start, checked before calamine reserves memory
    for them: the string count of the shared strings (`<sst uniqueCount="...">`) and the
    extent of a worksheet (`<dimension ref="A1:XFD1048576"/>`).

    The part is parsed with expat as it is unpacked, up to what is needed only: the root
    element, and for a worksheet its `dimension`, which comes before its cells. Worksheets are
    recognised by their root element, not by their name. A part that is not XML (an image) is
    left alone, but not the shared strings, nor a part known as a worksheet. OOXML has no DTD:
    one is refused, so no entity can be declared.
    """

    def __init__(self, name: str, info: zipfile.ZipInfo) -> None:
        self.name = name
        self.info = info
        self.root: str | None = None
        self.done = False
        self.parser = xml.parsers.expat.ParserCreate()
        self.parser.StartElementHandler = self._start
        self.parser.StartDoctypeDeclHandler = self._doctype

    def feed(self, data: bytes) -> None:
        try:
            self.parser.Parse(data, False)
        except _Enough:
            self.done = True
        except xml.parsers.expat.ExpatError as exc:
            self.done = True
            # The strings are where calamine looks for them; a worksheet is known by its root.
            if self.root is not None or self.info.filename.lower().endswith("sharedstrings.xml"):
                raise ReadError(
                    "damaged file: %(part)s is not well-formed XML (%(reason)s)",
                    params={
                        "part": safe_value(self.info.filename, 60),
                        "reason": xml.parsers.expat.ErrorString(exc.code),
                    },
                    file=self.name,
                ) from None

    def _start(self, tag: str, attributes: dict[str, str]) -> None:
        local = tag.rpartition(":")[2]
        if self.root is None:
            self.root = local
            if local == "sst":
                self._check_strings(attributes)
            if local != "worksheet":
                raise _Enough
        elif local == "dimension":
            self._check_dimension(attributes.get("ref", ""))
            raise _Enough
        elif local == "sheetData":
            raise _Enough

    def _doctype(self, *_: object) -> None:
        raise ReadError("damaged file: a DOCTYPE in a spreadsheet part", file=self.name)

    def _check_strings(self, attributes: dict[str, str]) -> None:
        # The smallest string item is "<si/>": the part's size bounds how many it holds.
        room = self.info.file_size // len("<si/>")
        for attribute in ("uniqueCount", "count"):
            declared = _declared_number(attributes.get(attribute))
            # "count" counts the uses of the strings in every sheet, not the strings.
            if declared > MAX_SHARED_STRINGS or (attribute == "uniqueCount" and declared > room):
                raise ReadError(
                    "damaged or hostile workbook: its shared strings declare %(declared)s entries "
                    "(%(attribute)s), more than the part can hold or the limit of %(limit)s",
                    params={
                        "declared": f"{declared:,}",
                        "attribute": attribute,
                        "limit": f"{MAX_SHARED_STRINGS:,}",
                    },
                    file=self.name,
                )

    def _check_dimension(self, ref: str) -> None:
        found = _DIMENSION.fullmatch(ref.strip())
        if found is None:
            return  # calamine refuses a dimension it cannot read
        first = found.group(1, 2)
        last = found.group(4, 5) if found.group(4) else first
        rows = abs(int(last[1]) - int(first[1])) + 1
        columns = abs(_column_number(last[0].encode()) - _column_number(first[0].encode())) + 1
        if rows * columns > MAX_SHEET_CELLS:
            raise ReadError(
                "the sheet declares %(rows)s rows by %(columns)s columns (dimension %(ref)s), "
                "more than the limit of %(limit)s cells",
                params={
                    "rows": f"{rows:,}",
                    "columns": f"{columns:,}",
                    "ref": safe_value(ref),
                    "limit": f"{MAX_SHEET_CELLS:,}",
                },
                file=self.name,
            )


class _OdsExtent:
    """What calamine will hold of an ODS workbook, counted in content.xml as it is unpacked,
    since calamine reads every table at once and trusts the repeats the file declares.

    For each table: the cells its rows hold, repeated columns included (calamine caps a row at
    16,384 columns, not a table), and the rectangle they become once repeated rows are laid
    out; for the whole file, the characters of the text, where a `<text:s text:c="N"/>`
    declares N spaces (a few bytes that calamine turns into gigabytes). Element names are
    matched as calamine matches them, prefix included.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.parser = xml.parsers.expat.ParserCreate()
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._text
        self.parser.buffer_text = True  # one call per run of text
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.text = 0  # characters of the whole file, repeats included
        self._table()
        self._row(1)
        self._cell(0, False)

    def feed(self, data: bytes, final: bool = False) -> None:
        try:
            self.parser.Parse(data, final)
        except xml.parsers.expat.ExpatError as exc:
            reason = xml.parsers.expat.ErrorString(exc.code)
            raise ReadError(
                "damaged file: content.xml is not well-formed XML (%(reason)s)",
                file=self.name,
                params={"reason": reason},
            ) from None

    def _table(self) -> None:
        self.cells = self.rows = self.width = 0
        self.first_row: int | None = None
        self.last_row = 0

    def _row(self, repeats: int) -> None:
        self.row_repeats = repeats
        self.column = self.row_width = self.row_text = 0

    def _cell(self, repeats: int, filled: bool) -> None:
        self.cell_repeats = repeats
        self.filled = filled
        self.cell_text = 0

    def _start(self, tag: str, attributes: dict[str, str]) -> None:
        if tag in ("table:table-cell", "table:covered-table-cell"):
            repeats = _declared_number(attributes.get("table:number-columns-repeated")) or 1
            filled = "office:value-type" in attributes or "table:formula" in attributes
            self._cell(min(repeats, _ODS_MAX_COLUMNS), filled)
        elif tag == "text:s":
            self.cell_text += _declared_number(attributes.get("text:c")) or 1
            self.filled = True
            self._check_text(self.text + self.cell_text)
        elif tag == "table:table-row":
            repeats = _declared_number(attributes.get("table:number-rows-repeated")) or 1
            self._row(min(repeats, _ODS_MAX_ROWS))
        elif tag == "table:table":
            self._table()
        elif tag.startswith("text:"):
            self.filled = True

    def _text(self, data: str) -> None:
        self.cell_text += len(data)

    def _end(self, tag: str) -> None:
        if tag in ("table:table-cell", "table:covered-table-cell"):
            start, self.column = self.column, min(_ODS_MAX_COLUMNS, self.column + self.cell_repeats)
            if self.filled:
                self.row_width = self.column
                self.row_text += self.cell_text * (self.column - start)
        elif tag == "table:table-row":
            self._end_row()

    def _end_row(self) -> None:
        if self.row_width:
            self.cells += self.row_width  # held once, then laid out as often as repeated
            self._check_cells(self.cells // self.row_width, self.row_width)
            if self.first_row is None:
                self.first_row = self.rows
            self.last_row = min(_ODS_MAX_ROWS, self.rows + self.row_repeats)
            self.width = max(self.width, self.row_width)
            self._check_cells(self.last_row - self.first_row, self.width)
        self.rows = min(_ODS_MAX_ROWS, self.rows + self.row_repeats)
        self.text += self.row_text * self.row_repeats
        self._check_text(self.text)

    def _check_cells(self, rows: int, columns: int) -> None:
        if rows * columns > MAX_SHEET_CELLS:
            raise ReadError(
                "the sheet spans %(rows)s rows by %(columns)s columns once its repeated rows and "
                "columns are counted, more than the limit of %(limit)s cells",
                params={"rows": f"{rows:,}", "columns": f"{columns:,}", "limit": f"{MAX_SHEET_CELLS:,}"},
                file=self.name,
            )

    def _check_text(self, characters: int) -> None:
        if characters > MAX_SHEET_TEXT:
            raise ReadError(
                "the spreadsheet's text takes more than %(limit)s characters once its "
                "repeated cells and declared spaces are counted, the limit",
                params={"limit": f"{MAX_SHEET_TEXT:,}"},
                file=self.name,
            )

    def _doctype(self, *_: object) -> None:
        raise ReadError("damaged file: a DOCTYPE in content.xml", file=self.name)


def _declared_number(value: str | None) -> int:
    """A count as a reader would take it: digits only, else nothing declared."""
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) <= 30 else 0


def _is_worksheet(member: str) -> bool:
    return member.startswith("xl/worksheets/") and member.endswith(".xml")


class _SheetExtent:
    """How far an XLSX worksheet's cells reach, found by scanning its XML as it is unpacked.

    calamine places a cell by its reference (r="XFD1048576") or, without one, right after the
    previous cell or row; the bounds below count both ways, so no layout of the XML can make
    calamine allocate more than MAX_SHEET_CELLS without being seen here first.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.max_row = self.max_column = 0
        self.rows = self.cells = 0  # elements
        self.row_refs = self.cell_refs = 0  # elements with a reference
        self.tail = b""

    def feed(self, data: bytes) -> None:
        data = self.tail + data
        # An unfinished tag waits for the next block, so that nothing is seen twice or cut.
        cut = data.rfind(b"<")
        if cut < data.rfind(b">"):
            cut = len(data)
        data, self.tail = data[:cut], data[cut:]
        if len(self.tail) > MIB:
            raise ReadError("damaged worksheet: an XML tag longer than 1 MiB", file=self.name)
        letters = _REF_COLUMN.findall(data)
        if letters:
            self.max_column = max(self.max_column, *map(_column_number, set(letters)))
        numbers = _REF_ROW.findall(data)
        if numbers:
            self.max_row = max(self.max_row, *map(int, set(numbers)))
        self.cell_refs += len(letters)
        self.row_refs += len(numbers) - len(letters)
        # Counting "<c" also counts <col>, <cfRule>... and ":c" any prefixed tag or text: the
        # bounds can only grow, and only matter for cells written without a reference.
        self.cells += data.count(b"<c") + data.count(b":c")
        self.rows += data.count(b"<row") + data.count(b":row")

    def check(self) -> None:
        rows = self.max_row + max(0, self.rows - self.row_refs)
        columns = self.max_column + max(0, self.cells - self.cell_refs)
        if rows * columns > MAX_SHEET_CELLS:
            raise ReadError(
                "the sheet spans %(rows)s rows by %(columns)s columns, more than the limit of "
                "%(limit)s cells (a stray value far from the data?)",
                params={"rows": f"{rows:,}", "columns": f"{columns:,}", "limit": f"{MAX_SHEET_CELLS:,}"},
                file=self.name,
            )


def _column_number(letters: bytes) -> int:
    number = 0
    for byte in letters.upper():
        number = number * 26 + byte - 64
    return number


class SheetTable(Table):
    """The first visible worksheet of an XLSX or ODS workbook, read by python-calamine."""

    def __init__(self, path: Path, chunk_rows: int, kind: Format) -> None:
        super().__init__(path, chunk_rows)
        self.format = kind
        self._sheet = self._load()
        start = self._sheet.start
        self._first_column = start[1] if start else 0
        for line, values in self._lines():
            if any(values):
                self._set_headers(values, line)
                break
        else:
            raise ReadError("the spreadsheet is empty", file=self.name)

    def chunks(self) -> Iterator[list[Row]]:
        size = self.chunk_rows
        width = len(self.headers)
        chunk: list[Row] = []
        lines = self._lines()
        for line, _ in lines:
            if line >= self.header_line:
                break
        for line, values in lines:
            if not any(values):
                continue
            if len(values) != width:
                values = self._fit(values, line)
            chunk.append((line, values))
            if len(chunk) >= size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def _load(self) -> python_calamine.CalamineSheet:
        try:
            with python_calamine.CalamineWorkbook.from_path(self.path) as workbook:
                index = _first_visible_sheet(workbook.sheets_metadata)
                self.sheet = workbook.sheet_names[index]
                sheet = workbook.get_sheet_by_index(index)
        except BaseException as exc:
            # calamine's Rust panics arrive as pyo3's PanicException, a BaseException.
            if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
                raise
            raise ReadError(
                "cannot read this spreadsheet (%(reason)s)",
                file=self.name,
                params={"reason": f"{type(exc).__name__}: {exc}"},
            ) from None
        if sheet.height * sheet.width > MAX_SHEET_CELLS:
            raise ReadError(
                "the sheet spans %(rows)s rows by %(columns)s columns, more than the limit of "
                "%(limit)s cells",
                params={
                    "rows": f"{sheet.height:,}",
                    "columns": f"{sheet.width:,}",
                    "limit": f"{MAX_SHEET_CELLS:,}",
                },
                file=self.name,
            )
        return sheet

    def _lines(self) -> Iterator[Row]:
        # calamine's rows start at the sheet's first row, whatever is empty above the data,
        # so the position is the spreadsheet's own row number.
        for number, cells in enumerate(self._sheet.iter_rows(), start=1):
            yield number, [cell if type(cell) is str else _cell_text(cell) for cell in cells]


def _first_visible_sheet(sheets: list[python_calamine.SheetMetadata]) -> int:
    for index, sheet in enumerate(sheets):
        if (
            sheet.visible == python_calamine.SheetVisibleEnum.Visible
            and sheet.typ == python_calamine.SheetTypeEnum.WorkSheet
        ):
            return index
    return 0


def _cell_text(cell: object) -> str:
    """A spreadsheet value as the text a person would type: 33612345678, 2024-03-01, 1.5."""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float):
        # Phone numbers and postcodes typed as numbers come back as floats.
        return str(int(cell)) if cell.is_integer() else repr(cell)
    if isinstance(cell, (date, time)):  # datetime is a date
        return cell.isoformat()
    return str(cell)  # int, timedelta
