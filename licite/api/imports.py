"""Imports through the API: the web wizard's path without its pages (licite.prospects.uploads and
tasks). The file is kept under a random folder readable by licite alone; the dry run or the
import runs in the worker, with the CLI's reader, mapping and gate; the file is deleted once it
has run (RULES B6).

An import's id is its upload's token: it exists from the upload on (a dry run never gets a
batch), it is what the worker's tasks and the web wizard already follow, and being random it
tells nothing of other imports. Once an import is done its `batch` (the ImportBatch id, the
one `licite` and the web's import pages show) is in the answers. The token's state is kept a day.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import File, Form, Router, Schema, Status, UploadedFile
from pydantic import Field

from licite.api.auth import caller, require
from licite.api.errors import ERRORS, ApiError, invalid, not_found
from licite.core.permissions import Perm
from licite.core.sources import may_collect_from
from licite.ingest.columns import parse_map_option
from licite.ingest.errors import IngestError, MappingError
from licite.prospects import uploads
from licite.prospects.actions import source_facts
from licite.prospects.models import ImportBatch, Source
from licite.prospects.tasks import WORKER_STOPPED, settle_stalled, start_check, start_import
from licite.prospects.uploads import PendingUpload, State

router = Router(tags=["imports"])
COUNTS = (
    "rows_read", "created", "updated", "unchanged", "duplicates_in_file", "suppressed", "expired", "rejected",
)  # fmt: skip
# RULES B4 for a source whose terms or restrictions forbid the collection, C4 for its balancing test.
SOURCE_RULES = {"no_balancing_test": "C4", "balancing_unfavourable": "C4"}


class ImportIn(Schema):
    source: str = Field(description="the name of a declared source (RULES B3), as `licite import --source`")
    mapping: str = Field(
        "",
        description='JSON object {"Column header": "field"}, as `--map`: a field (email, first_name, '
        "last_name, full_name, job_title, company, company_domain, phone, country, language) or "
        '"drop"; the other columns are detected by their names',
    )
    dry_run: bool = Field(False, description="do everything but store, and report")
    collected_on: date | None = Field(
        None, description="when the data was collected, if before today (YYYY-MM-DD): RULES D2, F1"
    )


class ImportCounts(Schema):
    rows_read: int
    created: int
    updated: int
    unchanged: int
    duplicates_in_file: int
    suppressed: int = Field(description="rows on the suppression list, never imported (RULES F4)")
    expired: int = Field(description="rows whose retention had ended, not kept (RULES F1)")
    rejected: int


class ImportOut(Schema):
    id: str = Field(description="the upload's token: follow the import with it")
    state: Literal["queued", "running", "done", "failed"]
    dry_run: bool
    file: str
    source: str
    rows_read: int = Field(description="rows read so far by a running import")
    batch: int | None = Field(description="the import's batch, once it is done (never for a dry run)")
    counts: ImportCounts | None = Field(description="once done")
    already_imported: str | None = Field(description="the same file from the same source: nothing done")
    error: str | None = Field(description="why it failed")
    url: str = Field(description="this import's state, to follow")
    report_url: str = Field(description="its full report, once done")


class DroppedColumn(Schema):
    column: str
    values: int = Field(description="values it held, not kept (RULES B6)")


class Rejection(Schema):
    line: int
    column: str
    reason: str


class ImportReportOut(Schema):
    id: str
    dry_run: bool
    file: str
    source: str
    batch: int | None
    already_imported: str | None
    format: str
    encoding: str | None
    delimiter: str | None
    columns: dict[str, str] = Field(description="each field kept and the column it was read from")
    counts: ImportCounts
    dropped_columns: list[DroppedColumn]
    by_email_kind: dict[str, int]
    by_legal_basis: dict[str, int]
    warnings: list[str]
    rejections: list[Rejection] = Field(description="the first 200 rejected rows; never their value")


@router.post(
    "",
    response={202: ImportOut, **ERRORS},
    url_name="imports_create",
    summary="Upload a file to import, or to dry-run",
)
def create_import(
    request: HttpRequest, response: HttpResponse, file: File[UploadedFile], data: Form[ImportIn]
) -> Status[dict[str, Any]]:
    """The file (CSV in any encoding and delimiter, XLSX or ODS) goes through the same reader,
    mapping and gate as `licite import` and the web's wizard, in the worker: the answer is 202
    at once, with the `url` to follow (also in `Location`). A file the reader refuses is refused
    here with the CLI's message (file, line, column, value), and nothing is kept."""
    user = require(request, Perm.IMPORT)
    source = _source(data.source)
    overrides = _overrides(data.mapping)
    if data.collected_on is not None and data.collected_on > timezone.localdate():
        raise invalid("collected_on", "the collection date cannot be in the future")
    day = data.collected_on.isoformat() if data.collected_on else ""
    pending = uploads.store(file.chunks(), file.name or "upload", user.pk, source.pk, day)
    pending.overrides, pending.dry_run_only = overrides, data.dry_run
    pending.save()  # nobody knows its token yet: no lock needed
    _check_readable(pending)
    started = start_check(pending.token) if data.dry_run else start_import(pending.token, (State.UPLOADED,))
    response["Location"] = _url(pending.token)
    return Status(202, _status(started or pending))


@router.get(
    "/{id}", response={200: ImportOut, **ERRORS}, url_name="imports_detail", summary="An import's state"
)
def import_detail(request: HttpRequest, id: str) -> dict[str, Any]:
    """Queued, running (with the rows read so far), done (with its counts and batch) or failed
    (with why). Only the user who uploaded it follows it, as in the web's wizard."""
    require(request, Perm.IMPORT)
    return _status(_own(request, id))


@router.get(
    "/{id}/report",
    response={200: ImportReportOut, **ERRORS},
    url_name="imports_report",
    summary="An import's full report",
)
def import_report(request: HttpRequest, id: str) -> dict[str, Any]:
    """The report of `licite import --json`: counts, columns kept and dropped, rows by kind of
    address and legal basis, warnings, and the first rejected rows (line, column, reason). 409
    while it runs; 422 with why when it failed."""
    require(request, Perm.IMPORT)
    pending = _own(request, id)
    state = _state(pending)
    if state == "failed":
        raise ApiError(422, "import_failed", _error(pending) or "the import failed")
    if state != "done":
        raise ApiError(409, "not_done", f"the import is {state}: follow {_url(pending.token)}")
    return _report(pending)


# --- the upload -----------------------------------------------------------------------------------


def _source(name: str) -> Source:
    """The declared source of this name, when it may feed an import (RULES B4, C4): as the web's
    upload form checks it, before the file is kept."""
    source = Source.objects.filter(name=name).first()
    if source is None:
        raise invalid("source", f"no source named {name!r}: declare it first")
    decision = may_collect_from(source_facts(source), legitimate_interest=True)
    if not decision.allowed:
        rules = {SOURCE_RULES.get(code, "B4") for code, _params in decision.codes} or {"B4"}
        message = "this source may not feed an import: " + "; ".join(decision.reasons)
        raise ApiError(
            422, "source_refused", message, rule=", ".join(sorted(rules)),
            errors=[{"field": "source", "message": message}],
        )  # fmt: skip
    return source


def _overrides(mapping: str) -> dict[str, str]:
    """`mapping` read as `--map` reads its COLUMN=FIELD items (the fields are checked with the
    file's headers)."""
    if not mapping.strip():
        return {}
    try:
        found = json.loads(mapping)
    except ValueError:
        raise invalid("mapping", 'expected a JSON object {"Column header": "field"}') from None
    if not isinstance(found, dict) or not all(isinstance(v, str) for v in found.values()):
        raise invalid("mapping", 'expected a JSON object {"Column header": "field"}')
    try:
        return parse_map_option([f"{column}={target}" for column, target in found.items()])
    except MappingError as exc:
        raise invalid("mapping", str(exc).replace("--map", "mapping")) from None


def _check_readable(pending: PendingUpload) -> None:
    """Refuse at once, with the CLI's message, a file the reader refuses or whose mapping does
    not hold (as the web's upload does); the file is deleted (RULES B6)."""
    try:
        mapping = uploads.column_mapping(pending)
    except IngestError as exc:
        uploads.discard(pending)
        field = "mapping" if isinstance(exc, MappingError) else "file"
        message = str(exc).replace("--map", "mapping")
        raise ApiError(422, "bad_file", message, errors=[{"field": field, "message": message}]) from None
    if "email" not in mapping.field_index:
        uploads.discard(pending)
        headers = ", ".join(repr(header) for header in mapping.headers)
        message = (
            f'no email column found; the headers are: {headers}. Name it in mapping: {{"COLUMN": "email"}}'
        )
        raise ApiError(422, "bad_file", message, errors=[{"field": "mapping", "message": message}])


# --- following it ---------------------------------------------------------------------------------


def _own(request: HttpRequest, token: str) -> PendingUpload:
    """The caller's own upload of this token, its stalled run settled; another user's is unknown."""
    pending = uploads.load(token)
    if pending is None or pending.owner != caller(request).pk:
        raise not_found("import (an import's state is kept a day)")
    if settle_stalled(token):
        pending = uploads.load(token) or pending
    return pending


def _url(token: str) -> str:
    return reverse("api:imports_detail", args=[token])


def _state(pending: PendingUpload) -> str:
    """The wizard's states as the API's four: queued, running, done, failed."""
    if pending.state == State.CHECKED:
        return "done" if "report" in pending.check else "failed"
    if pending.state in (State.RUNNING, State.CHECKING) and pending.pid:
        return "running"
    if pending.state in (State.DONE, State.FAILED):
        return pending.state
    return "queued"


def _error(pending: PendingUpload) -> str | None:
    if pending.state == State.CHECKED and "report" not in pending.check:
        return str(pending.check.get("problem", {}).get("en", "the dry run failed"))
    if pending.state == State.FAILED:
        if pending.error == WORKER_STOPPED:
            return "its worker was stopped (killed or restarted); nothing was stored: upload the file again"
        return pending.error or "the import failed; nothing was stored"
    return None


def _dry(pending: PendingUpload) -> bool:
    """A dry run: the API's, or the web wizard's before its user confirms the import."""
    return pending.dry_run_only or pending.state in (State.UPLOADED, State.CHECKING, State.CHECKED)


def _already(pending: PendingUpload) -> str | None:
    if _dry(pending):
        return pending.check.get("report", {}).get("already_imported") or None
    return (pending.error or None) if pending.state == State.DONE else None


def _report_data(pending: PendingUpload) -> dict[str, Any]:
    """The report as the worker kept it: the dry run's in the upload's state, the import's with
    its batch (its rejected rows, without values, in the upload's state)."""
    if _dry(pending):
        return dict(pending.check.get("report", {}))
    if _already(pending) or pending.batch is None:
        return {}
    batch = ImportBatch.objects.filter(pk=pending.batch).first()
    return {**(batch.report if batch is not None else {}), "rejections": pending.rejections}


def _status(pending: PendingUpload) -> dict[str, Any]:
    state = _state(pending)
    counts = None
    if state == "done":
        found = _report_data(pending)
        counts = {name: found.get(name, 0) for name in COUNTS}
    return {
        "id": pending.token,
        "state": state,
        "dry_run": _dry(pending),
        "file": pending.filename,
        "source": _source_name(pending),
        "rows_read": counts["rows_read"] if counts else pending.rows,
        "batch": None if _dry(pending) else pending.batch,
        "counts": counts,
        "already_imported": _already(pending),
        "error": _error(pending),
        "url": _url(pending.token),
        "report_url": reverse("api:imports_report", args=[pending.token]),
    }


def _source_name(pending: PendingUpload) -> str:
    return Source.objects.filter(pk=pending.source).values_list("name", flat=True).first() or ""


def _report(pending: PendingUpload) -> dict[str, Any]:
    found = _report_data(pending)
    rejections = [
        {"line": row["line"], "column": row["column"], "reason": row["reason"]}
        for row in found.get("rejections", [])
    ]
    return {
        "id": pending.token,
        "dry_run": _dry(pending),
        "file": pending.filename,
        "source": _source_name(pending),
        "batch": None if _dry(pending) else pending.batch,
        "already_imported": _already(pending),
        "format": found.get("format", ""),
        "encoding": found.get("encoding"),
        "delimiter": found.get("delimiter"),
        "columns": found.get("columns", {}),
        "counts": {name: found.get(name, 0) for name in COUNTS},
        "dropped_columns": found.get("dropped_columns", []),
        "by_email_kind": found.get("by_email_kind", {}),
        "by_legal_basis": found.get("by_legal_basis", {}),
        "warnings": found.get("warnings", []),
        "rejections": rejections,
    }
