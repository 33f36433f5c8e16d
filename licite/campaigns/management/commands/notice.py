from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from licite.audit.actions import record
from licite.campaigns.notices import NoticeUnavailable, compose_for
from licite.campaigns.rendering import new_token
from licite.core.notice import NoticeInvalid
from licite.core.permissions import Perm
from licite.lib.commands import LiciteCommand, find_prospect
from licite.prospects.models import Prospect


class Command(LiciteCommand):
    permission = {
        "preview": Perm.VIEW_PROSPECT_DETAIL,
        "due": Perm.VIEW_PROSPECTS,
    }  # RULES F5: what `--as USER` must be allowed
    help = (
        "Preview a prospect's Art. 14 notice, or list the notices due soon (RULES D1-D4).\n\n"
        "The notice names the controller, the purpose, the legal basis, the data, the recipients, the "
        "retention, the rights, the CNIL, and the specific source of the data; the right to object "
        "stands apart. `due` lists the prospects whose notice deadline (one month after collection) is near."
    )
    example = "licite notice preview jeanne.dupont@acme-industrie.example --lang fr"
    examples = {
        "preview": example,
        "due": "licite notice due --days 7",
    }

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{preview,due}")
        preview = actions.add_parser("preview", help="Print the notice a prospect would receive")
        preview.add_argument("email", help="The prospect's address")
        preview.add_argument(
            "--lang", choices=("fr", "en"), help="Default: the prospect's, else the organisation's"
        )
        due = actions.add_parser("due", help="Prospects whose notice is overdue or due within --days")
        due.add_argument("--days", type=int, default=7, help="Due within this many days (default 7)")

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
        record(self.actor, "prospect.viewed", prospect, via="cli notice preview")
        self.stdout.write(notice.text())

    def _due(self, days: int) -> None:
        now = timezone.now()
        due = Prospect.objects.filter(
            notice_sent_at__isnull=True, notice_due_at__lte=now + timedelta(days=days)
        )
        rows = [
            (
                str(prospect.pk),
                f"{prospect.notice_due_at:%Y-%m-%d}",
                "OVERDUE" if prospect.notice_due_at < now else "due soon",
                f"{prospect.collected_at:%Y-%m-%d}",
                prospect.email,
            )
            for prospect in due.order_by("notice_due_at")[:500]
        ]
        record(self.actor, "prospect.listed", None, via="cli notice due", count=due.count())
        self.stdout.write(f"Notices overdue or due within {days} days")
        self.stdout.write(aligned(("prospect", "notice due", "state", "collected", "email"), rows))
        self.stdout.write(
            f"{due.count():,} prospects; a campaign message carries the notice, or send a "
            "consent request to consumers (`licite consent request --all`)."
        )


def aligned(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    """Columns aligned with spaces, the last one (an address) never cut: on a narrow terminal a
    long line wraps, but the address stays whole, to be copied into `notice preview`."""
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header) - 1)]
    return "\n".join(
        "  ".join([*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)), row[-1]])
        for row in (header, *rows)
    )
