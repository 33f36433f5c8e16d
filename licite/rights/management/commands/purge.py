from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from licite.core.permissions import Perm
from licite.lib.commands import LiciteCommand
from licite.rights.purge import (
    NO_CONSENT,
    NOTICE_NEVER_SENT,
    RETENTION_ENDED,
    SUPPRESSION_EXPIRED,
    last_chance_days,
    run_purge,
)

LABELS = {
    RETENTION_ENDED: "Prospects past their retention date (RULES F1)",
    NO_CONSENT: "Consumers without consent in time (RULES C2)",
    NOTICE_NEVER_SENT: "Prospects whose notice was never sent (RULES D2)",
    SUPPRESSION_EXPIRED: "Suppression entries past LICITE_SUPPRESSION_KEEP_YEARS (RULES F4)",
}


class Command(LiciteCommand):
    permission = Perm.HANDLE_RIGHTS  # RULES F5: what `--as USER` must be allowed
    help = (
        "Erase what the law no longer lets licite keep (RULES F1-F4, C2, D2); `licite worker` runs "
        "it daily (LICITE_PURGE_SCHEDULE).\n\n"
        "It erases the prospects past their retention date (3 years from collection or from the "
        "last contact they initiated; an open never counts), the consumers who did not consent "
        "within LICITE_CONSENT_DELAY_DAYS (their keyed hash stays on the suppression list), the "
        "prospects whose Art. 14 notice was never sent LICITE_NOTICE_GRACE_DAYS after it was due, "
        "and the suppression entries older than LICITE_SUPPRESSION_KEEP_YEARS (kept for good when "
        "empty). It works in batches, each its own transaction with its own audit entry: stopped "
        "half-way, it takes up what is left on its next run. With --last-chance (or "
        "LICITE_LAST_CHANCE_DAYS), it also queues one message to each prospect whose retention ends "
        "within that many days, asking whether they wish to stay in touch; their yes renews "
        "retention, their silence lets the purge erase them."
    )
    example = "licite purge --dry-run"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count what is due, erase nothing")
        parser.add_argument(
            "--last-chance",
            action="store_true",
            default=None,
            help="Also queue the last-chance messages (LICITE_LAST_CHANCE_DAYS days before the end "
            "of retention, 30 when it is empty)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = options["dry_run"]
        report = run_purge(self.actor, dry_run=dry_run, last_chance=options["last_chance"])
        verb = "due" if dry_run else "erased"
        for name, label in LABELS.items():
            self.stdout.write(f"{label}, {verb}: {report.erased[name]}.")
        days = last_chance_days(options["last_chance"])
        if days:
            queued = "to queue" if dry_run else "queued"
            label = f"Last-chance messages ({days} days before the end of retention)"
            self.stdout.write(f"{label}, {queued}: {report.last_chance}.")
        if dry_run:
            self.stdout.write("Dry run: nothing was erased.")
