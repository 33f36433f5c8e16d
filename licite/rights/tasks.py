"""The purge as a task of Django's task API, and its daily schedule in `licite worker`.

django-crontask, the scheduler made for this API, needs Python 3.12 and Django 6 (every release
on PyPI), and django-tasks-scheduler runs its own Redis queue rather than this API; so the
schedule is kept the way django-crontask keeps it: APScheduler's cron trigger, whose job only
enqueues the task through the task API. The worker that holds the schedule, or any other
worker sharing the database, then runs it.

Every worker holds the schedule, so each due time fires in each of them: the first to insert the
row (job, due time) of licite.campaigns.models.ScheduledRun enqueues the job, the others find the
row there and do nothing (a unique constraint decides, on SQLite as on PostgreSQL). So a job runs
once per due time however many workers run, on however many machines.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks.base import Task
from django_tasks.exceptions import TaskResultDoesNotExist

from licite.audit.actions import record
from licite.conf import cron_trigger
from licite.rights.models import QueuedJob
from licite.rights.purge import run_purge

log = logging.getLogger("licite.rights")


@task()
def purge(requested_by: int | None = None) -> dict[str, int]:
    """RULES F1-F4, C2, D2: the daily purge (licite.rights.purge), counts in its result;
    `requested_by` is the user who asked for it on the retention page, its audit's actor."""
    from django.contrib.auth import get_user_model

    actor = get_user_model().objects.filter(pk=requested_by).first() if requested_by else None
    report = run_purge(actor)
    from licite.prospects.tasks import tidy_uploads

    tidy_uploads()  # RULES B6: the import wizard's uploads left behind, and runs a killed worker left
    return {**report.erased, "last_chance": report.last_chance, "batches": report.batches}


PURGE_GRACE = 86_400  # seconds: a purge missed while the workers were down runs when one is back
INBOX_GRACE = 3_600
RUNS_KEPT = timedelta(days=30)  # the rows of ScheduledRun, kept to say when each job last ran


def start_schedule() -> Any:
    """Start the purge's schedule (LICITE_PURGE_SCHEDULE), and the mailbox's when LICITE_IMAP_URL
    is set (LICITE_INBOX_SCHEDULE), in a background thread; return the scheduler, to shut down
    when the worker stops."""
    from apscheduler.schedulers.background import BackgroundScheduler

    zone = timezone.get_default_timezone()
    scheduler = BackgroundScheduler(timezone=zone)
    trigger = cron_trigger(settings.LICITE_PURGE_SCHEDULE, zone)
    # Missed while the worker was down: one run when it comes back, within the day.
    scheduler.add_job(enqueue_purge, trigger, name="purge", coalesce=True, misfire_grace_time=PURGE_GRACE)
    if settings.LICITE_IMAP_URL:
        inbox = cron_trigger(settings.LICITE_INBOX_SCHEDULE, zone)
        scheduler.add_job(enqueue_inbox, inbox, name="inbox", coalesce=True, misfire_grace_time=INBOX_GRACE)
    scheduler.start()
    return scheduler


def enqueue_purge() -> None:
    """Enqueue the purge, unless one is already waiting or running (several workers may share
    the database, each with the schedule: the purge runs once)."""
    try:
        if first_for_due_time("purge", settings.LICITE_PURGE_SCHEDULE, PURGE_GRACE):
            task_id = enqueue_once(purge)
            log.info("purge enqueued: task %s", task_id or "none, one is pending")
    finally:
        connection.close()  # this thread's own connection, idle until tomorrow


def do_request_purge(actor: Any) -> str | None:
    """The "run now" button of the retention page: the purge `licite purge` runs, enqueued for the worker
    (a large purge must not hold a web request), unless one is already waiting or running.
    Returns the task's id, or None when one was pending. An audit entry names who asked."""
    task_id = enqueue_once(purge, requested_by=getattr(actor, "pk", None))
    if task_id is not None:
        record(actor, "purge.requested", None, task=task_id)
    return task_id


def next_purge(now: datetime) -> datetime | None:
    """When the worker's schedule (LICITE_PURGE_SCHEDULE, the trigger start_schedule uses)
    enqueues the purge next, after `now`."""
    zone = timezone.get_default_timezone()
    trigger = cron_trigger(settings.LICITE_PURGE_SCHEDULE, zone)
    moment: datetime | None = trigger.get_next_fire_time(None, timezone.localtime(now, zone))
    return moment


def purge_pending() -> bool:
    """Whether a purge waits for the worker or is running now."""
    return pending(purge)


def enqueue_inbox() -> None:
    """Enqueue a reading of the mailbox (licite.campaigns.tasks.read_inbox), unless one is
    already waiting or running: a slow server never piles readings up."""
    from licite.campaigns.tasks import read_inbox

    try:
        if first_for_due_time("inbox", settings.LICITE_INBOX_SCHEDULE, INBOX_GRACE):
            enqueue_once(read_inbox)
    finally:
        connection.close()


def first_for_due_time(job: str, schedule: str, grace: int, now: datetime | None = None) -> bool:
    """Whether this worker is the first to take the job's latest due time (at most `grace`
    seconds ago): it inserts the row (job, due time); another worker's insert of the same row
    fails on the unique constraint, and that worker leaves the job to this one."""
    from licite.campaigns.actions import worker_name
    from licite.campaigns.models import ScheduledRun

    now = now or timezone.now()
    due = last_due_time(schedule, now, grace)
    try:
        with transaction.atomic():
            ScheduledRun.objects.create(job=job, due_at=due, enqueued_at=now, worker=worker_name())
    except IntegrityError:
        log.info("%s due at %s: already enqueued by another worker", job, due.isoformat())
        return False
    ScheduledRun.objects.filter(due_at__lt=now - RUNS_KEPT).delete()
    return True


def last_due_time(schedule: str, now: datetime, grace: int) -> datetime:
    """The schedule's latest due time at or before `now`, no earlier than `grace` seconds before:
    the time this firing of the schedule stands for, the same in every worker; `now` to the
    second when none is (a schedule changed meanwhile)."""
    zone = timezone.get_default_timezone()
    trigger = cron_trigger(schedule, zone)
    due = now.replace(microsecond=0)
    moment = trigger.get_next_fire_time(None, timezone.localtime(now - timedelta(seconds=grace), zone))
    while moment is not None and moment <= now:
        due = moment
        moment = trigger.get_next_fire_time(moment, moment + timedelta(microseconds=1))
    return due


def enqueue_once(job: Task[..., Any], **kwargs: Any) -> str | None:
    """Enqueue `job` unless the task last enqueued for it still waits or runs: the new task's id,
    or None. The same on every task backend (the database's, Redis'): licite's own row
    (QueuedJob) names the last task, and the task API says where that task stands. The row is
    locked meanwhile: two requests at once (two clicks, two workers) enqueue one task."""
    QueuedJob.objects.get_or_create(job=job.module_path)  # the row to lock, made once
    with transaction.atomic():
        queued = QueuedJob.objects.select_for_update().get(job=job.module_path)
        if _waiting(job, queued.task_id):
            return None
        result = job.enqueue(**kwargs)
        queued.task_id, queued.enqueued_at = str(result.id), timezone.now()
        queued.save(update_fields=["task_id", "enqueued_at"])
    return queued.task_id


def pending(job: Task[..., Any]) -> bool:
    """Whether the task last enqueued for `job` (by enqueue_once) still waits or runs."""
    queued = QueuedJob.objects.filter(job=job.module_path).first()
    return queued is not None and _waiting(job, queued.task_id)


def _waiting(job: Task[..., Any], task_id: str) -> bool:
    if not task_id:
        return False
    try:
        status = job.get_result(task_id).status
    except TaskResultDoesNotExist:  # expired (Redis keeps a finished job's result a while) or deleted
        return False
    except NotImplementedError:  # a backend that keeps no result (immediate, dummy): nothing waits
        return False
    return status in (TaskResultStatus.READY, TaskResultStatus.RUNNING)
