"""Push one prospect with its provenance: what an integrator's CRM or form does (issue 23).

The record passes the very gate of a file import, because it is one: written as a one-row CSV
file, readable by licite alone, in a private temporary folder deleted right after, and imported
by `run_import` (classification, minimization, legal basis, suppression, source lawfulness,
retention: RULES A-C, F1, F4). Nothing can drift between the two ways in. Pushed again, the
record updates its prospect or leaves it unchanged, as a re-import of its row would.

A refused record stores nothing, not even an empty batch: the import is rolled back and the
refusal is an audit entry of codes and ids only. A dry run does everything, answers the same,
and rolls back.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from licite.audit.actions import record
from licite.core.emails import InvalidEmail
from licite.core.gate import rejected_address
from licite.ingest.errors import IngestError
from licite.prospects.importing import ImportRefused, ImportReport, ImportRequest, run_import
from licite.prospects.models import Prospect, Provenance, Source
from licite.prospects.staging import StagingFailed

# The fields a pushed record may carry: the columns a file import maps (RULES B6), the company's
# domain and a full name aside (the address gives the one, first and last names the other).
PUSH_FIELDS = ("email", "first_name", "last_name", "job_title", "company", "phone", "country", "language")
# The name the batch and its report give the record: the provenance says it came by the API.
FILENAME = "api-push.csv"
# Which rule each way the gate refuses a source stands on (licite.core.sources.may_collect_from).
SOURCE_RULES = {
    "forbids_automated": "B4",
    "restricted": "B4",
    "no_balancing_test": "C4",
    "balancing_unfavourable": "C4",
}
_RULE_IN_REASON = re.compile(r"\(RULES ([A-H][0-9]+b?)")


class PushRefused(Exception):
    """The gate refused the record: a stable `code`, the `rule` of ../shared/RULES.md, the
    `field` at fault, and the reason, worded as an import's report words it."""

    def __init__(self, code: str, rule: str, field: str, reason: str) -> None:
        super().__init__(reason)
        self.code, self.rule, self.field, self.reason = code, rule, field, reason


@dataclass(frozen=True)
class Pushed:
    """What a push did: "created", "updated" or "unchanged", and the prospect as stored (as it
    would be, for a dry run: then a created one has no id, nor the batch)."""

    outcome: str
    prospect: Prospect
    batch: int | None
    dry_run: bool
    warnings: tuple[str, ...]

    @property
    def created(self) -> bool:
        return self.outcome == "created"


def do_push_prospect(
    actor: Any,
    source: Source,
    fields: Mapping[str, str | None],
    *,
    collected_at: datetime | None = None,
    dry_run: bool = False,
) -> Pushed:
    """One record through the gate of a file import (RULES A-C, F1, F4, B3); PushRefused when
    the gate refuses it, StagingFailed when the machine cannot stage it (a full disk, TMPDIR
    missing: the record is not at fault, try again), with nothing stored either way."""
    given = {name: value for name, value in fields.items() if value is not None}
    unknown = sorted(set(given) - set(PUSH_FIELDS))
    if unknown or "email" not in given:
        raise ValueError(f"a pushed record has an email and only {', '.join(PUSH_FIELDS)}: {unknown}")
    errors = {
        name: "a NUL character (\\x00) cannot be stored" for name, value in given.items() if "\x00" in value
    }
    if collected_at is not None and collected_at > timezone.now():
        errors["collected_on"] = "the collection date cannot be in the future"
    if errors:  # a file holding either is refused whole; a record, naming its field
        raise ValidationError(errors)
    try:
        with _one_row_file(given) as path:
            request = ImportRequest(
                path=path, source=source, actor=actor, overrides={name: name for name in given},
                collected_at=collected_at, workers=1, exclusive=False, once_per_file=False,
            )  # fmt: skip
            pushed = _import(request, dry_run)
    except PushRefused as refused:
        record(actor, "prospect.push_refused", source, code=refused.code, rule=refused.rule, dry_run=dry_run)
        raise
    if not dry_run:
        record(actor, "prospect.pushed", pushed.prospect, outcome=pushed.outcome, batch=pushed.batch)
    return pushed


def _import(request: ImportRequest, dry_run: bool) -> Pushed:
    """The import, kept only when the record passed and this is no dry run."""
    with transaction.atomic():
        report = _run(request)
        outcome = _outcome(report)
        prospect = Provenance.objects.select_related("prospect").get(batch_id=report.batch).prospect
        if dry_run:
            transaction.set_rollback(True)
    warnings = tuple(report.warnings)
    if dry_run and outcome == "created":
        prospect.pk = None
    return Pushed(outcome, prospect, None if dry_run else report.batch, dry_run, warnings)


def _run(request: ImportRequest) -> ImportReport:
    try:
        return run_import(request)
    except ImportRefused as exc:
        codes = exc.decision.codes if exc.decision is not None else ()
        rules = sorted({SOURCE_RULES.get(code, "B4") for code, _params in codes}) or ["B4"]
        raise PushRefused("source_refused", ", ".join(rules), "source", str(exc)) from None
    except IngestError as exc:
        # Never the value: an error message names the field, not what the caller sent in it.
        field = exc.column.split("'")[1] if exc.column and "'" in exc.column else "body"
        raise PushRefused("unreadable", "", field, _without_value(exc)) from None


def _without_value(exc: IngestError) -> str:
    return exc.template % {key: "…" for key in exc.params} if exc.params else exc.template


def _outcome(report: ImportReport) -> str:
    """The outcome, "created", "updated" or "unchanged"; PushRefused when the row was not kept."""
    if not report.rows_read:  # every value empty: the reader skips a blank row
        raise PushRefused("refused", "B5", "email", rejected_address(1, "", InvalidEmail("empty")).reason)
    if report.rejected:
        rejection = report.rejections[0]
        found = _RULE_IN_REASON.search(rejection["reason"])
        # An address that is not one is inaccurate data (RULES B5), unless the reason says better.
        rule = found.group(1) if found else "B5"
        raise PushRefused("refused", rule, rejection["column"], rejection["reason"])
    if report.suppressed:
        raise PushRefused(
            "suppressed", "F4", "email",
            "this address is on the suppression list: the person objected or was erased, and is never "
            "imported again (RULES F4, G3)",
        )  # fmt: skip
    if report.expired:
        reason = next((w for w in report.warnings if "RULES F1" in w), "retention ended (RULES F1)")
        raise PushRefused("expired", "F1", "collected_on", reason)
    if report.created:
        return "created"
    return "updated" if report.updated else "unchanged"


@contextmanager
def _one_row_file(fields: Mapping[str, str]) -> Iterator[Path]:
    """The record as a CSV file of one row under its fields' names, in a folder only licite may
    read (mkdtemp: 0700), the file itself 0600; both gone when the block ends, whatever happens.
    StagingFailed, as an import's scratch file, when it cannot be written (no room, no such
    folder): nothing was stored, and the caller may try again once the machine is set right."""
    try:
        folder = Path(tempfile.mkdtemp(prefix="licite-push-"))
    except OSError as exc:
        raise StagingFailed(_cannot("create the pushed record's scratch folder", exc)) from None
    try:
        path = folder / FILENAME
        try:
            _write_row(path, fields)
        except OSError as exc:
            raise StagingFailed(_cannot("write the pushed record's scratch file", exc)) from None
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _write_row(path: Path, fields: Mapping[str, str]) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow(fields.keys())
        writer.writerow(fields.values())


def _cannot(what: str, error: OSError) -> str:
    """The failure, in the words of an import's (licite.prospects.staging): the system's reason,
    never a value of the record."""
    return (
        f"cannot {what} in {tempfile.gettempdir()} ({error.strerror or type(error).__name__}); "
        "nothing was stored. Set TMPDIR to a writable directory with room"
    )
