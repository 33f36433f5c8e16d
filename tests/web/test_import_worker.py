"""The import wizard's work in the worker (issue 22): the dry run runs there, once, and the check
page waits for its report; an upload is imported once, whatever the clicks and the tasks; a run
whose worker was killed is reported failed and its file deleted; uploads left behind are swept
by the daily purge and when a worker starts (RULES B6)."""

# The fixtures imported below are pytest's, received as arguments of the same name.
# ruff: noqa: F811
from __future__ import annotations

import multiprocessing
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from licite.audit.models import AuditEvent
from licite.prospects import uploads
from licite.prospects.models import ImportBatch, Prospect
from licite.prospects.tasks import STALLED_SECONDS, import_upload
from licite.prospects.uploads import State
from licite.rights.tasks import purge
from tests.campaigns.test_campaigns import run_worker
from tests.web.test_import_pages import (
    EN,
    STATE_FILES,
    dry_run,
    home,  # noqa: F401  (the test's own LICITE_HOME)
    pending_of,
    stored_files,
    uploaded,
)

pytestmark = pytest.mark.django_db(transaction=True)  # the worker runs here: it commits
TWO_DAYS = 2 * 24 * 3600


def tasks_of(name: str) -> int:
    return DBTaskResult.objects.filter(task_path=f"licite.prospects.tasks.{name}").count()


def data_files(home: Path) -> list[Path]:
    return [path for path in stored_files(home) if path.name not in STATE_FILES]


def confirmed(client, salesperson, source) -> str:
    token = uploaded(client, salesperson, source)
    dry_run(client, token)
    assert client.post(reverse("import_confirm", args=[token]))["Location"].endswith("/progress/")
    return token


def dead_pid() -> int:
    """The id of a process that has ended, as a killed worker's is."""
    ended = subprocess.Popen(["true"])
    ended.wait()
    return ended.pid


def left_running(token: str, pid: int, host: str | None = None) -> None:
    """What a worker killed in the middle of the import leaves: the state says running."""

    def running(upload: uploads.PendingUpload) -> None:
        upload.state, upload.pid = State.RUNNING, pid
        upload.host = host if host is not None else os.uname().nodename

    assert uploads.change(token, (State.QUEUED,), running) is not None


# --- the dry run runs in the worker, once ----------------------------------------------------------


def test_the_check_page_returns_at_once_and_waits_for_the_worker(client, salesperson, source):
    token = uploaded(client, salesperson, source)
    response = client.get(reverse("import_check", args=[token]), headers=EN)
    assert response.status_code == 200
    assert "report" not in response.context
    body = response.content.decode()
    assert '<meta http-equiv="refresh"' in body
    assert 'id="checking"' in body
    assert pending_of(token).state == State.CHECKING
    assert tasks_of("check_upload") == 1


def test_the_worker_produces_the_dry_runs_report_and_a_reload_never_runs_it_again(
    client, salesperson, source
):
    token = uploaded(client, salesperson, source)
    response = dry_run(client, token)
    assert response.context["report"].rows_read == 6
    assert [row["line"] for row in response.context["rejections"]] == [6]
    assert "&#x27;Commentaire&#x27; (column F)" in response.content.decode()
    reload = client.get(reverse("import_check", args=[token]), headers=EN)
    assert reload.context["report"].created == 4
    assert tasks_of("check_upload") == 1
    assert Prospect.objects.count() == 0


def test_a_changed_mapping_runs_the_dry_run_again(client, salesperson, source):
    token = uploaded(client, salesperson, source)
    dry_run(client, token)
    choices = {f"column_{i}": f for i, f in enumerate(
        ["first_name", "last_name", "email", "drop", "company", "drop", "country"])}  # fmt: skip
    client.post(reverse("import_mapping", args=[token]), choices)
    assert "job_title" not in dry_run(client, token).context["report"].columns
    assert tasks_of("check_upload") == 2


# --- one import, whatever the clicks and the tasks -------------------------------------------------


def test_confirm_is_refused_until_the_dry_run_ran(client, salesperson, source):
    token = uploaded(client, salesperson, source)
    response = client.post(reverse("import_confirm", args=[token]), headers=EN)
    assert response["Location"] == reverse("import_check", args=[token])
    assert tasks_of("import_upload") == 0
    assert pending_of(token).state != State.QUEUED


def test_a_double_click_on_import_queues_one_task(client, salesperson, source):
    token = confirmed(client, salesperson, source)
    second = client.post(reverse("import_confirm", args=[token]))
    assert second["Location"] == reverse("import_progress", args=[token])
    assert tasks_of("import_upload") == 1


def test_two_web_processes_confirming_at_once_queue_it_once(client, salesperson, source):
    """The double click served by two gunicorn workers: two processes race to queue the upload
    (the same compare-and-swap as the confirm view), released together; one wins."""
    token = uploaded(client, salesperson, source)
    dry_run(client, token)
    context = multiprocessing.get_context("fork")
    start, results = context.Barrier(8), context.Queue()
    racers = [context.Process(target=_race, args=(token, start, results)) for _ in range(8)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(timeout=30)
    assert sorted(results.get(timeout=5) for _ in racers) == [False] * 7 + [True]
    assert pending_of(token).state == State.QUEUED


def _race(token: str, start: Any, results: Any) -> None:
    def queue(upload: uploads.PendingUpload) -> None:
        upload.state = State.QUEUED

    start.wait()
    results.put(uploads.change(token, (State.CHECKED,), queue) is not None)


def test_two_tasks_for_one_upload_import_it_once_and_the_second_gives_up(client, salesperson, source):
    token = confirmed(client, salesperson, source)
    import_upload.enqueue(token)  # what a second web process, serving the same click, queued
    run_worker()
    assert ImportBatch.objects.count() == 1
    assert Prospect.objects.count() == 4
    assert pending_of(token).state == State.DONE
    assert not AuditEvent.objects.filter(action="import.failed").exists()
    assert AuditEvent.objects.filter(action="import.completed").count() == 1


def test_a_page_loaded_before_the_confirm_cannot_save_over_it(client, salesperson, source):
    token = uploaded(client, salesperson, source)
    dry_run(client, token)
    client.post(reverse("import_confirm", args=[token]))
    choices = {f"column_{i}": "drop" for i in range(7)} | {"column_2": "email"}
    client.post(reverse("import_mapping", args=[token]), choices)
    assert pending_of(token).state == State.QUEUED
    assert pending_of(token).overrides == {}


def test_an_import_refused_in_the_worker_is_said_in_the_reader_s_language_without_the_value(
    client, salesperson, source
):
    token = confirmed(client, salesperson, source)
    # Between the dry run and the import, the file's third row lost its closing quote: the
    # import's own read refuses it (what a file changed on disk meanwhile would meet).
    path = pending_of(token).path
    lines = path.read_bytes().split(b"\r\n")
    lines[3] = b'"Secret;' + lines[3]
    path.write_bytes(b"\r\n".join(lines))
    run_worker()
    assert pending_of(token).state == State.FAILED
    french = client.get(reverse("import_progress", args=[token]), headers={"accept-language": "fr"})
    error = french.content.decode().split('id="import-error"')[1].split("</p>")[0]
    assert "ligne 4" in error, error
    assert "line" not in error, error
    assert "Secret" not in error, "the value stays out of the stored state"
    english = client.get(reverse("import_progress", args=[token]), headers=EN).content.decode()
    assert "line 4" in english.split('id="import-error"')[1].split("</p>")[0]
    assert not Prospect.objects.exists()


# --- a killed worker, and uploads left behind (RULES B6) -------------------------------------------


def test_an_import_whose_worker_was_killed_is_reported_failed_and_its_file_deleted(
    client, salesperson, source, home
):
    token = confirmed(client, salesperson, source)
    left_running(token, dead_pid())
    page = client.get(reverse("import_progress", args=[token]), headers=EN).content.decode()
    assert 'id="import-error"' in page
    assert "its worker was stopped (killed or restarted)" in page
    assert '<meta http-equiv="refresh"' not in page
    assert pending_of(token).state == State.FAILED
    assert data_files(home) == []


def test_a_worker_that_starts_marks_failed_the_run_a_killed_one_left(client, salesperson, source, home):
    token = confirmed(client, salesperson, source)
    left_running(token, dead_pid())
    run_worker()  # it starts, finds the dead run, then its queued task gives up
    assert pending_of(token).state == State.FAILED
    assert data_files(home) == []
    assert Prospect.objects.count() == 0


def test_a_run_on_another_machine_silent_for_an_hour_is_taken_for_dead(client, salesperson, source, home):
    token = confirmed(client, salesperson, source)
    left_running(token, 1, host="another-machine")
    silent_since = time.time() - STALLED_SECONDS - 60
    os.utime(pending_of(token).folder / "state.json", (silent_since, silent_since))
    run_worker()
    assert pending_of(token).state == State.FAILED


def test_a_dry_run_whose_worker_was_killed_says_so_and_deletes_the_file(client, salesperson, source, home):
    token = uploaded(client, salesperson, source)
    client.get(reverse("import_check", args=[token]))

    def killed(upload: uploads.PendingUpload) -> None:
        upload.pid, upload.host = dead_pid(), os.uname().nodename

    uploads.change(token, (State.CHECKING,), killed)
    response = client.get(reverse("import_check", args=[token]), headers=EN)
    assert "The dry run stopped: its worker was killed or restarted" in response.context["problem"]
    assert stored_files(home) == []


def aged(token: str) -> None:
    """The upload as a user left it at the mapping step two days ago."""
    folder = pending_of(token).folder
    past = time.time() - TWO_DAYS
    for path in [*folder.iterdir(), folder]:
        os.utime(path, (past, past))


def test_an_upload_left_at_the_mapping_step_is_swept_when_a_worker_starts(client, salesperson, source, home):
    token = uploaded(client, salesperson, source)
    aged(token)
    run_worker()
    assert stored_files(home) == []


def test_an_upload_left_at_the_dry_run_is_swept_by_the_daily_purge(client, salesperson, source, home):
    token = uploaded(client, salesperson, source)
    dry_run(client, token)
    aged(token)
    purge.call()
    assert stored_files(home) == []
