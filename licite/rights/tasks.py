"""The purge as a task of Django's task API, and its daily schedule in `licite worker`.

django-crontask, the scheduler made for this API, needs Python 3.12 and Django 6 (every release
on PyPI), and django-tasks-scheduler runs its own Redis queue rather than this API; so the
schedule is kept the way django-crontask keeps it: APScheduler's cron trigger, whose job only
enqueues the task through the task API. The worker that holds the schedule, or any other
worker sharing the database, then runs it.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tasks import task

from licite.conf import cron_trigger
from licite.rights.purge import run_purge

log = logging.getLogger("licite.rights")


@task()
def purge() -> dict[str, int]:
    """RULES F1-F4, C2, D2: the daily purge (licite.rights.purge), counts in its result."""
    report = run_purge(None)
    return {**report.erased, "last_chance": report.last_chance, "batches": report.batches}


def start_schedule() -> Any:
    """Start the purge's schedule (LICITE_PURGE_SCHEDULE), and the mailbox's when LICITE_IMAP_URL
    is set (LICITE_INBOX_SCHEDULE), in a background thread; return the scheduler, to shut down
    when the worker stops."""
    from apscheduler.schedulers.background import BackgroundScheduler

    zone = timezone.get_default_timezone()
    scheduler = BackgroundScheduler(timezone=zone)
    trigger = cron_trigger(settings.LICITE_PURGE_SCHEDULE, zone)
    # Missed while the worker was down: one run when it comes back, within the day.
    scheduler.add_job(enqueue_purge, trigger, name="purge", coalesce=True, misfire_grace_time=86_400)
    if settings.LICITE_IMAP_URL:
        inbox = cron_trigger(settings.LICITE_INBOX_SCHEDULE, zone)
        scheduler.add_job(enqueue_inbox, inbox, name="inbox", coalesce=True, misfire_grace_time=3_600)
    scheduler.start()
    return scheduler


def enqueue_purge() -> None:
    """Enqueue the purge, unless one is already waiting or running (several workers may share
    the database, each with the schedule: the purge runs once)."""
    try:
        if not _pending(purge):
            result = purge.enqueue()
            log.info("purge enqueued: task %s", result.id)
    finally:
        connection.close()  # this thread's own connection, idle until tomorrow


def enqueue_inbox() -> None:
    """Enqueue a reading of the mailbox (licite.campaigns.tasks.read_inbox), unless one is
    already waiting or running: a slow server never piles readings up."""
    from licite.campaigns.tasks import read_inbox

    try:
        if not _pending(read_inbox):
            read_inbox.enqueue()
    finally:
        connection.close()


def _pending(job: Any) -> bool:
    if not str(settings.TASKS["default"]["BACKEND"]).startswith("django_tasks_db."):
        return False
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    waiting = (TaskResultStatus.READY, TaskResultStatus.RUNNING)
    return DBTaskResult.objects.filter(task_path=job.module_path, status__in=waiting).exists()
