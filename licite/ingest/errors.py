"""Errors raised while reading an import file or mapping its columns.

Every error names the file and, where it means something, the line, the column and the
offending value, so the CLI, the web app and the API can print one clear line instead of a
traceback.

The value is shown to the person who supplied the file and may be personal data: `str(error)`
includes it, `error.redacted()` does not. Log or store `redacted()`, never `str(error)`.

The reason is an English template with named placeholders (`template`, `params`): this package
stays free of Django (it runs in the gate's worker processes too), and a page says the same
reason in the reader's language at display time (licite.lib.refusals.describe).
"""

from __future__ import annotations

import unicodedata

__all__ = ["IngestError", "MappingError", "ReadError", "column_letter", "safe_value"]

VALUE_DISPLAY_CHARS = 40

# Short escapes for the control characters people recognise; the rest are shown as \xNN or \uNNNN.
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}


def safe_value(value: str, limit: int = VALUE_DISPLAY_CHARS) -> str:
    """Return `value` cut to `limit` characters with invisible characters escaped.

    A terminal or a web page must never receive raw control characters (terminal escape
    sequences, NUL, bidirectional overrides) from an imported file.
    """
    cut = value[:limit]
    shown = cut if cut.isprintable() and "\\" not in cut else "".join(map(_escape_char, cut))
    return shown + "…" if len(value) > limit else shown


def _escape_char(char: str) -> str:
    if char in _ESCAPES:
        return _ESCAPES[char]
    if char.isprintable():
        return char
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def column_letter(index: int) -> str:
    """The spreadsheet name of a 0-based column index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _safe_label(text: str) -> str:
    # Column names come from the file too: same treatment, a little more room.
    return safe_value(unicodedata.normalize("NFC", text), 60)


class IngestError(Exception):
    """A problem with an import file or with the way its columns are mapped."""

    file: str | None
    line: int | None
    column: str | None
    value: str | None
    message: str
    template: str
    params: dict[str, object]

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: str | None = None,
        value: str | None = None,
        params: dict[str, object] | None = None,
    ) -> None:
        # `message` is a template when `params` fill its %(name)s placeholders.
        self.template = message
        self.params = dict(params or {})
        if params:
            message = message % self.params
        # Only the message goes to Exception.args: a pickled or logged error carries no value.
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = None if column is None else _safe_label(column)
        self.value = None if value is None else safe_value(value)

    def _where(self) -> list[str]:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        return parts

    def __str__(self) -> str:
        where = ", ".join(self._where())
        parts = [where] if where else []
        if self.value is not None:
            parts.append(f"value '{self.value}'")
        parts.append(self.message)
        return ": ".join(parts)

    def redacted(self) -> str:
        """The same line without the value, for logs and stored task results."""
        where = ", ".join(self._where())
        return f"{where}: {self.message}" if where else self.message


class ReadError(IngestError):
    """The file cannot be read as a table: wrong format, encoding, size or structure."""


class MappingError(IngestError):
    """The columns cannot be mapped to licite's fields (bad `--map` option, ambiguity)."""
