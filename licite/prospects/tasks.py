"""The dry run and the import of an uploaded file, run by `licite worker` through Django's task
API (django-tasks): a large file must not hold a web request (issue 22). Each task first claims
its upload by a compare-and-swap of its state (licite.prospects.uploads.change) and gives up if
another got there first; a run whose worker was killed is found and marked failed, and uploads
left behind are swept, by the daily purge and when a worker starts (RULES B6)."""

from __future__ import annotations

import copy
import logging
import os
import socket
import time
from datetime import date, datetime
from datetime import time as clock
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from licite.ingest.errors import IngestError, ReadError
from licite.lib.bulkload import DatabaseInUse
from licite.lib.refusals import refusal
from licite.prospects import uploads
from licite.prospects.importing import ImportRefused, ImportRequest, run_import
from licite.prospects.models import Source
from licite.prospects.staging import StagingFailed
from licite.prospects.uploads import PendingUpload, State

log = logging.getLogger("licite.import")
PROGRESS_EVERY = 1.0  # seconds between two writes of the rows read
REJECTIONS_KEPT = 200  # the dry run's rejected rows kept for its page
# A run that gave no sign of life (a write of its state) for so long is taken for dead, when its
# worker is on another machine (on the same machine, a dead process is seen at once).
STALLED_SECONDS = 3600
WORKER_STOPPED = "worker stopped"  # the error of an import whose worker died (said by the page)
STOPPED_CHECK = _(
    "The dry run stopped: its worker was killed or restarted. The file was deleted: upload it again."
)
REFUSED = (IngestError, ImportRefused, StagingFailed, DatabaseInUse)


@task()
def import_upload(token: str) -> dict[str, Any]:
    """Import an upload of the wizard as `licite import` does, with its user as the actor; the
    file is deleted afterwards, whatever happens (it holds personal data). Runs only an upload
    still queued (a second task for it gives up). Ids and counts in the result, never a value
    from the file."""
    upload = uploads.change(token, (State.QUEUED,), _claimed(State.RUNNING))
    if upload is None:
        return {"error": "upload not queued"}
    outcome: dict[str, Any] = {"state": State.FAILED, "check": {}}
    try:
        report = run_import(request_for(upload, dry_run=False), progress=_progress(token))
    except REFUSED as exc:
        outcome["error"], outcome["said"] = _redacted(exc), _in_each_language(_without_value(exc))
        log.info("import of upload failed: %s", type(exc).__name__)
        return {"error": type(exc).__name__}
    except BaseException:
        outcome["error"] = "the import stopped unexpectedly; nothing was stored"
        raise
    else:
        outcome.update(
            state=State.DONE, batch=report.batch, error=report.already_imported,
            rejections=without_values(report.rejections),
        )  # fmt: skip
        return {"batch": report.batch, "rows": report.rows_read, "created": report.created}
    finally:
        upload.delete_file()
        uploads.change(token, (State.RUNNING,), _setting(outcome))


@task()
def check_upload(token: str) -> dict[str, Any]:
    """The dry run of an upload (`licite import --dry-run`), its report kept in the upload's
    state for the check page; nothing is stored. A file with a bad line is deleted."""
    upload = uploads.change(token, (State.CHECKING,), _claimed(State.CHECKING))
    if upload is None:
        return {"error": "upload not waiting for its dry run"}
    check: dict[str, Any] = {"problem": {"en": "the dry run stopped unexpectedly"}}
    try:
        report = run_import(request_for(upload, dry_run=True))
    except ReadError as exc:  # a bad line: the file must be fixed and uploaded again
        upload.delete_file()
        check = {"problem": _in_each_language(exc), "discarded": True}
    except REFUSED as exc:
        check = {"problem": _in_each_language(exc)}
    else:
        kept = report.as_dict()
        kept["rejections"] = kept["rejections"][:REJECTIONS_KEPT]
        check = {"report": kept}
    finally:
        uploads.change(token, (State.CHECKING,), _setting({"state": State.CHECKED, "check": check, "pid": 0}))
        if upload.dry_run_only:  # nobody will confirm it: the file goes now (RULES B6)
            upload.delete_file()
    return {"rows": check["report"]["rows_read"]} if "report" in check else {"error": "refused"}


def start_check(token: str) -> PendingUpload | None:
    """The dry run queued for the worker, unless another request queued it first."""
    if uploads.change(token, (State.UPLOADED,), _setting({"state": State.CHECKING})) is not None:
        check_upload.enqueue(token)  # an immediate backend has run it when this returns
    return uploads.load(token)


def start_import(token: str, expected: tuple[str, ...] = (State.CHECKED,)) -> PendingUpload | None:
    """The import handed to the worker, once: None when the upload is no longer in an expected
    state (a second click found it queued, or it is gone). The web's follows its dry run; the
    API's may go straight from the upload, as `licite import` does."""
    queued = uploads.change(token, expected, _setting({"state": State.QUEUED}))
    if queued is not None:
        import_upload.enqueue(token)  # the task's own saves follow this one (an immediate backend's too)
    return queued


def without_values(rejections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first rejected rows, line, column and reason: never the value, which is the file's
    personal data and goes with it (RULES B6)."""
    return [{key: row[key] for key in ("line", "column", "reason")} for row in rejections[:REJECTIONS_KEPT]]


def _claimed(state: str) -> Any:
    def claim(upload: PendingUpload) -> None:
        upload.state, upload.pid, upload.host = state, os.getpid(), socket.gethostname()

    return claim


def _setting(values: dict[str, Any]) -> Any:
    def apply(upload: PendingUpload) -> None:
        for name, value in values.items():
            setattr(upload, name, value)

    return apply


def _in_each_language(exc: Exception) -> dict[str, str]:
    """The refusal as each reader will read it: the worker does not know who will."""
    said = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            said[code] = refusal(exc)
    return said


def stalled(upload: PendingUpload, now: float | None = None) -> bool:
    """Whether a dry run or an import has lost its worker: its process is gone (same machine),
    or it gave no sign of life for STALLED_SECONDS."""
    if upload.state not in (State.RUNNING, State.CHECKING) or not upload.pid:
        return False
    if upload.host == socket.gethostname() and not _alive(upload.pid):
        return True
    try:
        beat = (upload.folder / uploads.STATE).stat().st_mtime
    except OSError:
        return False
    return (now or time.time()) - beat > STALLED_SECONDS


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def settle_stalled(token: str, now: float | None = None) -> bool:
    """Mark failed an import whose worker died, and delete its file (RULES B6); a dry run that
    died gets its problem. True when it was stalled."""
    with uploads.locked(token) as upload:
        if upload is None or not stalled(upload, now):
            return False
        if upload.state == State.RUNNING:
            upload.state, upload.error = State.FAILED, WORKER_STOPPED
        else:
            upload.state, upload.check = State.CHECKED, {"problem": _stopped_check(), "discarded": True}
        upload.pid = 0
        upload.delete_file()
        upload.save()
        log.warning("upload %s: its worker stopped; marked failed and its file deleted", token[:6])
        return True


def _stopped_check() -> dict[str, str]:
    said = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            said[code] = str(STOPPED_CHECK)
    return said


def tidy_uploads(now: float | None = None) -> dict[str, int]:
    """RULES B6: the runs whose worker died marked failed, then the uploads left for a day
    deleted. Run by the daily purge and when a worker starts; counts only."""
    swept, stopped = uploads.sweep(now), 0
    if uploads.root().is_dir():
        stopped = sum(settle_stalled(folder.name, now) for folder in uploads.root().iterdir())
    if stopped or swept:
        log.info(
            "uploads: %d runs whose worker stopped marked failed, %d left uploads deleted", stopped, swept
        )
    return {"stopped": stopped, "swept": swept}


def request_for(upload: PendingUpload, *, dry_run: bool) -> ImportRequest:
    """The ImportRequest the CLI would build for this upload, its user as the actor (RULES B3)."""
    return ImportRequest(
        path=upload.path,
        source=Source.objects.get(pk=upload.source),
        actor=get_user_model().objects.filter(pk=upload.owner).first(),
        overrides=dict(upload.overrides),
        dry_run=dry_run,
        collected_at=collected_at(upload.collected_on),
    )


def collected_at(day: str) -> datetime | None:
    """Noon of the collection day, as `licite import --collected-on` takes it."""
    if not day:
        return None
    return timezone.make_aware(datetime.combine(date.fromisoformat(day), clock(12)))


def _progress(token: str) -> Any:
    last, rows = [time.monotonic()], [0]

    def advance(read: int) -> None:
        rows[0] += read
        if time.monotonic() - last[0] >= PROGRESS_EVERY:
            last[0] = time.monotonic()
            uploads.change(token, (State.RUNNING,), _setting({"rows": rows[0]}))

    return advance


def _without_value(error: Exception) -> Exception:
    """The error as `_redacted` says it: an import file's error without the value it quotes
    (the upload's state outlives the file)."""
    if isinstance(error, IngestError) and error.value is not None:
        error = copy.copy(error)
        error.value = None
    return error


def _redacted(error: Exception) -> str:
    if isinstance(error, IngestError):
        return error.redacted()
    return str(error)
