"""Files uploaded to the import wizard, waiting for their import (RULES B6, F1).

An upload holds personal data: it is kept under LICITE_HOME/imports/, in a folder whose name is
random (the wizard's token, never guessable from the file), readable by licite alone, and
deleted as soon as its import has run, when the user cancels, or a day after it was left. The
file keeps its own name inside that folder, so that the batch and the report name the file the
user chose. Next to it, `state.json` holds the wizard's state: who uploaded it, the source, the
collection date, the column mapping, the dry run's report and, once confirmed, the import's
progress: ids, counts and column headers, and the dry run's rejected rows as the check page shows
them (values from the file: deleted with the upload, and dropped from the state once imported);
the import's rejected rows stay for the API's report as line, column and reason, never a value.

Each change of state is a compare-and-swap under an exclusive lock (`change`): a double click
served by two web processes queues one import, a task runs only an upload still queued, and a
page never saves a stale state over the worker's.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.text import get_valid_filename

from licite.ingest.columns import ColumnMapping, map_headers
from licite.ingest.reader import open_table

KEPT_SECONDS = 24 * 3600  # an upload left in the wizard is deleted after a day
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")
STATE = "state.json"
LOCK = ".lock"


class State:
    UPLOADED = "uploaded"
    CHECKING = "checking"  # the dry run, queued for the worker or running in it
    CHECKED = "checked"  # the dry run's report is in `check`
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass
class PendingUpload:
    """One upload in the wizard, from its upload to the end of its import."""

    token: str
    owner: int  # the user's id: only they may go on with it
    filename: str
    source: int
    collected_on: str = ""  # YYYY-MM-DD, or "" for today
    overrides: dict[str, str] = field(default_factory=dict)  # column -> field or "drop"
    created: float = 0.0
    state: str = State.UPLOADED
    rows: int = 0  # read so far by the running import
    batch: int | None = None
    error: str = ""  # never a value from the file (IngestError.redacted)
    # The import's refusal in each language (`error`'s words, for the reader's), no value either.
    said: dict[str, str] = field(default_factory=dict)
    # The dry run's outcome: "report" (ImportReport.as_dict, the first rejections only), or
    # "problem" (the refusal in each language), and "discarded" when the file was deleted.
    check: dict[str, Any] = field(default_factory=dict)
    pid: int = 0  # the worker process running the dry run or the import, and its machine
    host: str = ""
    # A dry run that nobody will confirm (the API's `dry_run`): its file goes with its report.
    dry_run_only: bool = False
    # The import's first rejected rows for the API's report: line, column, reason, never the value.
    rejections: list[dict[str, Any]] = field(default_factory=list)

    @property
    def folder(self) -> Path:
        return root() / self.token

    @property
    def path(self) -> Path:
        return self.folder / self.filename

    def save(self) -> None:
        """Written whole to a temporary file, then renamed: a reader never sees half of it."""
        temporary = self.folder / f".{STATE}.{os.getpid()}"
        temporary.write_text(json.dumps(asdict(self)), encoding="utf-8")
        os.replace(temporary, self.folder / STATE)

    def delete_file(self) -> None:
        """The uploaded file goes; the state stays, for the progress page, until swept."""
        self.path.unlink(missing_ok=True)


def root() -> Path:
    return Path(settings.LICITE_HOME) / "imports"


def store(chunks: Iterable[bytes], name: str, owner: int, source: int, collected_on: str) -> PendingUpload:
    """Write an uploaded file under a new random folder, readable by licite alone."""
    sweep()
    token = secrets.token_urlsafe(24)
    upload = PendingUpload(
        token=token, owner=owner, filename=safe_name(name), source=source,
        collected_on=collected_on, created=time.time(),
    )  # fmt: skip
    upload.folder.mkdir(mode=0o700, parents=True)
    descriptor = os.open(upload.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        for chunk in chunks:
            out.write(chunk)
    upload.save()
    return upload


def column_mapping(upload: PendingUpload) -> ColumnMapping:
    """The file's headers mapped exactly as `licite import` maps them, with the user's choices;
    raises IngestError (MappingError for the choices) with the CLI's message."""
    table = open_table(upload.path)
    return map_headers(table.headers, upload.overrides, file=table.name)


def safe_name(name: str) -> str:
    """The file's own name, without any folder, cut to what a batch keeps."""
    base = get_valid_filename(os.path.basename(name.replace("\\", "/")) or "upload")
    return base[-200:] if base not in (STATE, "") else "upload"


def load(token: str) -> PendingUpload | None:
    """The upload of this token, or None (unknown, malformed, or swept)."""
    if not _TOKEN.fullmatch(token):
        return None
    try:
        data: dict[str, Any] = json.loads((root() / token / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return PendingUpload(**data)


@contextmanager
def locked(token: str) -> Iterator[PendingUpload | None]:
    """The upload, read under an exclusive lock held until the block ends (None: gone)."""
    folder = root() / token
    if not _TOKEN.fullmatch(token) or not folder.is_dir():
        yield None
        return
    try:
        descriptor = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:  # swept meanwhile
        yield None
        return
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield load(token)
    finally:
        os.close(descriptor)  # releases the lock


def change(
    token: str, expected: Iterable[str], apply: Callable[[PendingUpload], None]
) -> PendingUpload | None:
    """Compare-and-swap: apply a change and save it, only if the upload is in one of the
    expected states; None (nothing changed) otherwise, or when it is gone."""
    with locked(token) as upload:
        if upload is None or upload.state not in tuple(expected):
            return None
        apply(upload)
        upload.save()
        return upload


def discard(upload: PendingUpload) -> None:
    shutil.rmtree(upload.folder, ignore_errors=True)


def _last_change(folder: Path) -> float:
    """When the upload's state last changed (each change writes it anew), or its folder did."""
    try:
        return (folder / STATE).stat().st_mtime
    except OSError:
        return folder.stat().st_mtime


def sweep(now: float | None = None) -> int:
    """Delete the uploads left for more than a day (RULES B6: nothing kept without a need)."""
    limit = (now or time.time()) - KEPT_SECONDS
    swept = 0
    if not root().is_dir():
        return 0
    for folder in root().iterdir():
        try:
            if folder.is_dir() and _last_change(folder) < limit:
                shutil.rmtree(folder, ignore_errors=True)
                swept += 1
        except OSError:
            continue
    return swept
