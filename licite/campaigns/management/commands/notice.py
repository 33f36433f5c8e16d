from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone
from rich.table import Table

from licite.audit.actions import record
from licite.campaigns.notices import NoticeUnavailable, compose_for
from licite.campaigns.rendering import new_token
from licite.core.notice import NoticeInvalid
from licite.lib.commands import LiciteCommand, find_prospect
from licite.prospects.models import Prospect


class Command(LiciteCommand):
    help = (
        "Preview a prospect's Art. 14 notice, or list the notices due soon (RULES D1-D4).\n\n"
        "The notice names the controller, the purpose, the legal basis, the data, the recipients, the "
        "retention, the rights, the CNIL, and the specific source of the data; the right to object "
        "stands apart. `due` lists the prospects whose notice deadline (one month after collection) is near."
    )
    example = "licite notice preview jeanne.dupont@acme.example --lang fr"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{preview,due}")
        preview = actions.add_parser("preview", help="Print the notice a prospect would receive")
        preview.add_argument("email")
        preview.add_argument(
            "--lang", choices=("fr", "en"), help="Default: the prospect's, else the organisation's"
        )
        due = actions.add_parser("due", help="Prospects whose notice is overdue or due within --days")
        due.add_argument("--days", type=int, default=7)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "preview":
            self._preview(options["email"], options["lang"])
        else:
            self._due(options["days"])

    def _preview(self, email: str, language: str | None) -> None:
        prospect = find_prospect(email)
        try:
            notice = compose_for(prospect, new_token(), language)
        except (NoticeUnavailable, NoticeInvalid) as exc:
            raise CommandError(str(exc)) from None
        record(None, "prospect.viewed", prospect, via="cli notice preview")
        self.stdout.write(notice.text())

    def _due(self, days: int) -> None:
        now = timezone.now()
        due = Prospect.objects.filter(
            notice_sent_at__isnull=True, notice_due_at__lte=now + timedelta(days=days)
        )
        table = Table(
            "prospect",
            "email",
            "collected",
            "notice due",
            "state",
            title=f"Notices overdue or due within {days} days",
        )
        for prospect in due.order_by("notice_due_at")[:500]:
            state = "OVERDUE" if prospect.notice_due_at < now else "due soon"
            table.add_row(
                str(prospect.pk),
                prospect.email,
                f"{prospect.collected_at:%Y-%m-%d}",
                f"{prospect.notice_due_at:%Y-%m-%d}",
                state,
            )
        record(None, "prospect.listed", None, via="cli notice due", count=due.count())
        self.console().print(table)
        self.stdout.write(
            f"{due.count():,} prospects; a campaign message carries the notice, or send a "
            "consent request to consumers (`licite consent request --all`)."
        )
