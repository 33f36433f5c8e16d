"""Bring the opt-outs of the previous tool (RULES G3, F4, B5).

An export of unsubscribes, bounces or a blocklist (lemlist, Brevo, Mailchimp, HubSpot, a
spreadsheet) is read like an import file (licite.ingest.reader), its address column found by its
name like `licite import` finds it (licite.ingest.columns); every address is hashed with the
suppression key, and only the keyed hashes are stored, through the one erasure
(licite.rights.actions.do_erase), which also erases any prospect they match. The addresses are
never stored, printed or logged: the report gives counts and line numbers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from licite.core.emails import InvalidEmail, normalize_email
from licite.core.suppression import suppression_hasher
from licite.ingest.columns import map_headers
from licite.ingest.errors import IngestError, MappingError, safe_value
from licite.ingest.reader import Table, open_table
from licite.prospects.models import Prospect
from licite.rights.actions import do_erase
from licite.rights.models import SuppressionEntry

BATCH = 5000  # keyed hashes per erasure: one transaction and one audit entry each (restartable)


class SuppressionFileError(ValueError):
    """The file cannot be read, or has no column of addresses: one line that says why."""


@dataclass
class SuppressionImport:
    rows: int = 0
    hashed: int = 0  # valid addresses, with their repeats
    distinct: int = 0
    already: int = 0  # already on the suppression list
    added: int = 0
    erased_prospects: int = 0
    invalid_lines: list[int] = field(default_factory=list)
    column: str = ""


def do_import_suppressions(
    actor: Any, path: Path, reason: str, *, column: str = "", dry_run: bool = False
) -> SuppressionImport:
    """RULES G3, F4: every address of the file on the suppression list, hashed; matching prospects
    erased. With dry_run, the same counts and nothing stored."""
    try:
        table = open_table(path)
        index, header_is_data = _address_column(table, column)
        report = SuppressionImport(column=table.column_name(index) if not header_is_data else "")
        hashes = _hashes(_values(table, index, header_is_data), report)
    except IngestError as exc:
        raise SuppressionFileError(exc.redacted()) from None
    ordered = sorted(hashes)
    for start in range(0, len(ordered), BATCH):
        _suppress(actor, ordered[start : start + BATCH], reason, report, dry_run)
    return report


def _address_column(table: Table, column: str) -> tuple[int, bool]:
    """The column of addresses: named by --column, else the one whose header names an address;
    a file of bare addresses (its first line an address) is read whole."""
    if column:
        return map_headers(table.headers, {column: "email"}, file=table.name).field_index["email"], False
    found = [i for i, header in enumerate(table.headers) if "email" in _mapped(header)]
    if len(found) == 1:
        return found[0], False
    if len(table.headers) == 1 and _is_address(table.headers[0]):
        return 0, True
    if found:
        names = " and ".join(table.column_name(i) for i in found[:2])
        raise MappingError(
            f"columns {names} could both be the address: choose one with --column", file=table.name
        )
    listed = ", ".join(f"'{safe_value(header, 60)}'" for header in table.headers if header)
    raise MappingError(
        f"no column of email addresses (its columns are {listed}): name it with --column", file=table.name
    )


def _mapped(header: str) -> dict[str, int]:
    try:
        return map_headers([header]).field_index
    except MappingError:
        return {}


def _is_address(value: str) -> bool:
    try:
        normalize_email(value)
    except InvalidEmail:
        return False
    return True


def _values(table: Table, index: int, header_is_data: bool) -> Iterator[tuple[int, str]]:
    if header_is_data:
        yield table.header_line, table.headers[0]
    for line, values in table.rows():
        yield line, values[index]


def _hashes(values: Iterator[tuple[int, str]], report: SuppressionImport) -> set[str]:
    hash_address = suppression_hasher(settings.SUPPRESSION_KEY)
    hashes: set[str] = set()
    for line, value in values:
        report.rows += 1
        try:
            hashes.add(hash_address(value.strip()))
        except InvalidEmail:
            report.invalid_lines.append(line)
            continue
        report.hashed += 1
    report.distinct = len(hashes)
    return hashes


def _suppress(actor: Any, batch: list[str], reason: str, report: SuppressionImport, dry_run: bool) -> None:
    if dry_run:
        already = SuppressionEntry.objects.filter(key_hash__in=batch).count()
        report.already += already
        report.added += len(batch) - already
        report.erased_prospects += Prospect.objects.filter(key_hash__in=batch).count()
        return
    erasure = do_erase(actor, batch, reason, channel="import", action="suppression.imported")
    report.already += erasure.renewed
    report.added += erasure.added
    report.erased_prospects += erasure.erased_prospects
