from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandParser

from licite.campaigns.workers import Heartbeat, uses_redis
from licite.lib.commands import LiciteCommand
from licite.prospects.tasks import tidy_uploads
from licite.rights.tasks import start_schedule


class Command(LiciteCommand):
    help = (
        "Run a background worker: it sends the outbox's messages, each at most once (django-tasks).\n\n"
        "Several workers may run at once, on one machine or several sharing the database: the tasks "
        "wait in the database (LICITE_TASKS_BACKEND=database, the default) or in Redis "
        "(LICITE_TASKS_BACKEND=redis, LICITE_REDIS_URL), and this command runs the matching worker. "
        "Each worker writes a heartbeat every few seconds (read by GET /api/ready) and settles the "
        "messages a stopped worker left claimed for longer than LICITE_CLAIM_TIMEOUT_SECONDS: sent "
        "again only if they never reached the mail server, else marked failed (never sent twice; "
        "docs/operations.md).\n\n"
        "Without --batch, it also runs the purge (`licite purge`, RULES F1-F4) on the schedule "
        f"LICITE_PURGE_SCHEDULE gives, now {settings.LICITE_PURGE_SCHEDULE!r} (cron: minute hour day "
        "month weekday, in LICITE_TIME_ZONE), through the same task queue, once per due time "
        "however many workers run; and, when "
        "LICITE_IMAP_URL is set, it reads that mailbox (`licite inbox`: objections and replies) on "
        f"the schedule LICITE_INBOX_SCHEDULE gives, now {settings.LICITE_INBOX_SCHEDULE!r}"
        f"{'' if settings.LICITE_IMAP_URL else ' (LICITE_IMAP_URL is not set: not read)'}."
    )
    example = "licite worker --batch"
    audit_via = "worker"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch", action="store_true", help="Stop when no task is left (for cron and tests)"
        )
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls (default 1)")

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = settings.LOG_LEVEL in ("WARNING", "ERROR")  # db_worker logs each task at verbosity 1
        tidy_uploads()  # RULES B6: runs a killed worker left, and uploads left for a day
        heartbeat = Heartbeat().start()
        schedule = None if options["batch"] else start_schedule()
        verbosity = 0 if quiet else options["verbosity"]
        try:
            if uses_redis():
                _rq_worker(options["batch"], verbosity)
            else:
                call_command(
                    "db_worker",
                    queue_name="*",
                    batch=options["batch"],
                    interval=options["interval"],
                    startup_delay=False,
                    verbosity=verbosity,
                )
        finally:
            if schedule is not None:
                schedule.shutdown(wait=False)
            heartbeat.stop()


def _rq_worker(batch: bool, verbosity: int) -> None:
    """django-tasks-rq's tasks, run by rq's worker on every queue of TASKS, with rq's scheduler
    for the tasks to run later (a domain's rate, a server unreachable)."""
    call_command(
        "rqworker",
        *settings.TASKS["default"]["QUEUES"],
        worker_class="licite.campaigns.workers.LiciteRQWorker",
        job_class="django_tasks_rq.backend.Job",
        with_scheduler=True,
        burst=batch,
        verbosity=verbosity,
    )
