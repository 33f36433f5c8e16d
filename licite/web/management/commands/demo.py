from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from licite.accounts.models import User
from licite.lib.commands import LiciteCommand
from licite.prospects.models import Prospect
from licite.web import demo


class Command(LiciteCommand):
    help = (
        "Fill an empty database with generated, fictitious demo data (French and English).\n\n"
        "Creates sources, a processing activity, prospects with their provenance, contacts, "
        "consent records and suppression entries. Refuses a database that already holds prospects."
    )
    example = "licite demo --count 500 --seed 7"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=300, help="How many prospects (default 300)")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed, for a repeatable set")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing, successfully, when the database already holds prospects",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        existing = Prospect.objects.count()
        if existing:
            if options["if_empty"]:
                self.stdout.write(f"The database already holds {existing} prospects: no demo data added.")
                return
            raise CommandError(
                f"the database already holds {existing} prospects; demo data goes only into an empty database"
            )
        if not 1 <= options["count"] <= 1_000_000:
            raise CommandError("--count must be between 1 and 1000000")
        collector = User.objects.filter(is_superuser=True).order_by("pk").first()
        summary = demo.generate(options["count"], options["seed"], timezone.now(), collector)
        self.stdout.write(
            f"Demo data: {summary.sources} sources, {summary.prospects} prospects, "
            f"{summary.contacts} contacts, {summary.consents} consent records, "
            f"{summary.suppressed} suppression entries."
        )
