from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandParser

from licite.lib.commands import LiciteCommand
from licite.prospects.tasks import tidy_uploads
from licite.rights.tasks import start_schedule


class Command(LiciteCommand):
    help = (
        "Run a background worker: it sends the outbox's messages, each at most once (django-tasks).\n\n"
        "Several workers may run at once, on one machine or several sharing the database.\n\n"
        "Without --batch, it also runs the purge (`licite purge`, RULES F1-F4) on the schedule "
        f"LICITE_PURGE_SCHEDULE gives, now {settings.LICITE_PURGE_SCHEDULE!r} (cron: minute hour day "
        "month weekday, in LICITE_TIME_ZONE), through the same task queue; and, when "
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
        schedule = None if options["batch"] else start_schedule()
        try:
            call_command(
                "db_worker",
                queue_name="*",
                batch=options["batch"],
                interval=options["interval"],
                startup_delay=False,
                verbosity=0 if quiet else options["verbosity"],
            )
        finally:
            if schedule is not None:
                schedule.shutdown(wait=False)
