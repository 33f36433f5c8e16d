"""The import wizard: upload, column mapping, dry run, confirm, progress, and the batches with
their reports. The same reader, mapping and gate as `licite import` (licite.ingest,
licite.prospects.importing): a bad file gets the CLI's message, and nothing is stored. The
import itself runs in the worker (licite.prospects.tasks); its audit entry is run_import's."""

from __future__ import annotations

import contextlib
from typing import Any, cast

from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from licite.core.permissions import Perm
from licite.ingest.columns import ColumnMapping, map_headers
from licite.ingest.errors import IngestError, MappingError
from licite.ingest.reader import open_table
from licite.lib.refusals import column_label, refusal, rejection_reason, report_warning
from licite.prospects import uploads
from licite.prospects.forms import ImportUploadForm, MappingForm, column_key, mapping_choices
from licite.prospects.importing import ImportReport
from licite.prospects.models import EmailKind, ImportBatch, LegalBasis
from licite.prospects.tasks import WORKER_STOPPED, settle_stalled, start_check, start_import
from licite.prospects.uploads import PendingUpload, State
from licite.web.access import requires
from licite.web.paging import keyset_page, page_key

PAGE_SIZE = 50
REJECTIONS_SHOWN = 200
REFRESH_SECONDS = 2
EDITABLE = (State.UPLOADED, State.CHECKED)  # the columns may change, and the dry run run again
AFTER_CONFIRM = (State.QUEUED, State.RUNNING, State.DONE, State.FAILED)


@require_GET
@requires(Perm.IMPORT)
def import_list(request: HttpRequest) -> HttpResponse:
    """The past imports, newest first, with their reports (kept with each batch)."""
    after, before = page_key(request, "after"), page_key(request, "before")
    batches = ImportBatch.objects.select_related("source", "imported_by")
    page = keyset_page(batches, after=after, before=before, size=PAGE_SIZE)
    return render(request, "prospects/import_list.html", {"page": page})


@require_GET
@requires(Perm.IMPORT)
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One batch and the report its import kept (counts, dropped columns, warnings)."""
    batch = get_object_or_404(ImportBatch.objects.select_related("source", "imported_by"), pk=pk)
    context = {"batch": batch, "report": batch.report, **labelled(batch.report)}
    return render(request, "prospects/import_detail.html", context)


def labelled(report: dict[str, Any]) -> dict[str, Any]:
    """The report's codes (email kinds, legal bases, fields), columns and warnings as the reader's
    words; the report kept with its batch stays in English, as `licite import` prints it."""
    kinds, bases, fields = dict(EmailKind.choices), dict(LegalBasis.choices), dict(mapping_choices())
    return {
        "kinds": [(kinds.get(code, code), count) for code, count in report.get("by_email_kind", {}).items()],
        "bases": [(bases.get(code, code), count) for code, count in report.get("by_legal_basis", {}).items()],
        "kept": [(fields.get(code, code), header) for code, header in report.get("columns", {}).items()],
        "dropped": [
            (column_label(item["column"]), item["values"]) for item in report.get("dropped_columns", [])
        ],
        "warnings": [report_warning(warning) for warning in report.get("warnings", [])],
        "already_imported": report_warning(report.get("already_imported", "")),
    }


@require_http_methods(["GET", "POST"])
@requires(Perm.IMPORT)
def upload(request: HttpRequest) -> HttpResponse:
    """Step 1: the file, its source and its collection date. A file the reader refuses is
    refused here, with the CLI's message, and deleted at once."""
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        pending = _store(form.cleaned_data, cast(int, request.user.pk))
        try:
            with contextlib.suppress(MappingError):  # two columns for one field: the next page asks
                _mapping(pending)
        except IngestError as exc:
            uploads.discard(pending)
            form.add_error("file", refusal(exc))
        if form.is_valid():
            return redirect("import_mapping", token=pending.token)
    return render(request, "prospects/import_upload.html", {"form": form})


def _store(data: dict[str, Any], owner: int) -> PendingUpload:
    file: UploadedFile = data["file"]
    day = data["collected_on"]
    return uploads.store(
        file.chunks(), file.name or "upload", owner, data["source"].pk, day.isoformat() if day else ""
    )


def _pending(request: HttpRequest, token: str) -> PendingUpload | None:
    """The user's own upload of this token; another user's is a 404."""
    pending = uploads.load(token)
    if pending is not None and pending.owner != request.user.pk:
        raise Http404
    return pending


def _gone(request: HttpRequest) -> HttpResponse:
    messages.error(
        request,
        _("This upload is no longer here (imported, cancelled or left for a day): upload the file again."),
    )
    return redirect("import_upload")


def _mapping(pending: PendingUpload) -> ColumnMapping:
    """The file's headers mapped exactly as `licite import` maps them (with the user's choices)."""
    return uploads.column_mapping(pending)


def _headers(pending: PendingUpload) -> list[str]:
    return open_table(pending.path).headers


@require_http_methods(["GET", "POST"])
@requires(Perm.IMPORT)
def mapping(request: HttpRequest, token: str) -> HttpResponse:
    """Step 2: each column and the field it feeds, as detected; the user may change any."""
    pending = _pending(request, token)
    if pending is not None and pending.state == State.CHECKING:  # its dry run first
        return redirect("import_check", token=token)
    if pending is None or pending.state not in EDITABLE or pending.check.get("discarded"):
        return _gone(request)
    try:
        headers = _headers(pending)
    except IngestError as exc:
        uploads.discard(pending)
        messages.error(request, refusal(exc))
        return redirect("import_upload")
    problem = ""
    try:
        detected = _choices(_mapping(pending))
    except MappingError as exc:
        problem, detected = refusal(exc), _guesses(headers)
    form = MappingForm(headers, detected, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            chosen = map_headers(headers, form.overrides(), file=pending.filename)
        except MappingError as exc:
            problem = refusal(exc)
        else:
            if "email" in chosen.field_index:
                return _remapped(request, token, form.overrides())
            problem = _("No column is mapped to the email: choose the column that holds the addresses.")
    return render(
        request,
        "prospects/import_mapping.html",
        {"pending": pending, "form": form, "problem": problem, "columns": _columns(form)},
    )


def _remapped(request: HttpRequest, token: str, overrides: dict[str, str]) -> HttpResponse:
    """The new mapping, saved unless the upload moved on meanwhile; its dry run to be run again."""

    def remap(upload: PendingUpload) -> None:
        upload.overrides, upload.state, upload.check = overrides, State.UPLOADED, {}

    uploads.change(token, EDITABLE, remap)  # moved on meanwhile: the check page says where it is
    return redirect("import_check", token=token)


def _choices(found: ColumnMapping) -> dict[str, str]:
    by_index = {index: name for name, index in found.field_index.items()}
    return {column_key(found.headers, i): by_index.get(i, "drop") for i in range(len(found.headers))}


def _guesses(headers: list[str]) -> dict[str, str]:
    """Each column's field taken alone, when two columns claim one field."""
    guesses = {}
    for index, header in enumerate(headers):
        alone = map_headers([header]).field_index if header else {}
        guesses[column_key(headers, index)] = next(iter(alone), "drop")
    return guesses


def _columns(form: MappingForm) -> list[Any]:
    return [form[f"column_{index}"] for index in range(len(form.headers))]


@require_GET
@requires(Perm.IMPORT)
def check(request: HttpRequest, token: str) -> HttpResponse:
    """Step 3: the dry run, the same report as `licite import --dry-run`; nothing is stored. It
    runs in the worker, once: this page waits for it, refreshing itself, then shows its report."""
    pending = _pending(request, token)
    if pending is not None and pending.state in AFTER_CONFIRM:
        return redirect("import_progress", token=token)
    if pending is None:
        return _gone(request)
    if pending.state == State.UPLOADED:
        pending = start_check(token) or pending
    settle_stalled(token)
    pending = uploads.load(token) or pending
    if pending.state != State.CHECKED:
        context = {"pending": pending, "running": True, "refresh": REFRESH_SECONDS, "checking": True}
        return render(request, "prospects/import_progress.html", context)
    response = render(request, "prospects/import_check.html", {"pending": pending, **_checked(pending.check)})
    if pending.check.get("discarded"):  # its file is gone: the problem, with the bad value, is said once
        uploads.discard(pending)
    return response


def _checked(check: dict[str, Any]) -> dict[str, Any]:
    """The dry run's report, or its problem in the reader's language."""
    if "report" not in check:
        said = check.get("problem", {})
        language = (get_language() or "en")[:2]
        return {
            "problem": said.get(language) or said.get("en", ""),
            "discarded": check.get("discarded", False),
        }
    report = ImportReport(**check["report"])
    return {"report": report, "rejections": _rejections(report), **labelled(check["report"])}


def _rejections(report: ImportReport) -> list[dict[str, Any]]:
    """The first rejected rows, each reason in the reader's language (only those shown)."""
    shown = report.rejections[:REJECTIONS_SHOWN]  # the worker kept as many (REJECTIONS_KEPT)
    fields = dict(mapping_choices())
    return [
        {**row, "column": fields.get(row["column"], row["column"]), "reason": rejection_reason(row["reason"])}
        for row in shown
    ]


@require_POST
@requires(Perm.IMPORT)
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Step 4: the import is handed to the worker, once, and only after its dry run; the
    progress page follows it."""
    pending = _pending(request, token)
    if pending is None:
        return _gone(request)
    queued = start_import(token) if _importable(pending) else None
    if queued is None and pending.state not in AFTER_CONFIRM:  # a second click finds it queued: it follows it
        messages.error(request, _("Read the dry run's report first: the import follows it."))
        return redirect("import_check", token=token)
    return redirect("import_progress", token=token)


def _importable(pending: PendingUpload) -> bool:
    check = pending.check
    return "report" in check and not check["report"].get("already_imported")


@require_POST
@requires(Perm.IMPORT)
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    """The upload and its file are deleted at once (RULES B6)."""
    if _pending(request, token) is None:
        return redirect("import_upload")
    with uploads.locked(token) as pending:
        if pending is not None and pending.state in (*EDITABLE, State.CHECKING):
            uploads.discard(pending)
            messages.success(request, _("Import cancelled; the file was deleted."))
    return redirect("import_upload")


@require_GET
@requires(Perm.IMPORT)
def progress(request: HttpRequest, token: str) -> HttpResponse:
    """Step 5: the import in the worker, the page refreshing itself until its report is there."""
    pending = _pending(request, token)
    if pending is not None and pending.state not in AFTER_CONFIRM:
        return redirect("import_check", token=token)
    if pending is None:
        return _gone(request)
    if settle_stalled(token):
        pending = uploads.load(token) or pending
    if pending.state == State.DONE and pending.batch is not None:
        if pending.error:  # the same file from the same source: nothing to do
            messages.info(request, report_warning(pending.error))
        return redirect("import_detail", pk=pending.batch)
    running = pending.state in (State.QUEUED, State.RUNNING)
    error = (
        _("its worker was stopped (killed or restarted).")
        if pending.error == WORKER_STOPPED
        else pending.said.get((get_language() or "en")[:2]) or pending.error
    )
    return render(
        request,
        "prospects/import_progress.html",
        {"pending": pending, "running": running, "refresh": REFRESH_SECONDS, "error": error},
    )
