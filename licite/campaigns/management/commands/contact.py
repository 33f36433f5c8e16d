from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from licite.campaigns.actions import do_record_contact
from licite.core.permissions import Perm
from licite.lib.commands import LiciteCommand, find_prospect


class Command(LiciteCommand):
    permission = Perm.VIEW_PROSPECT_DETAIL  # RULES F5: what `--as USER` must be allowed
    help = (
        "Record a contact the prospect initiated: a reply or a call (RULES F1).\n\n"
        "It restarts the 3-year retention from today. An email open is never a contact."
    )
    example = "licite contact record tom.smith@northfield.example --kind reply"
    examples = {
        "record": example,
    }

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{record}")
        record = actions.add_parser("record", help="Record a reply or a call from the prospect")
        record.add_argument("email", help="The prospect's address")
        record.add_argument(
            "--kind", choices=("reply", "call"), required=True, help="They replied to a message, or called"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        prospect = find_prospect(options["email"])
        try:
            do_record_contact(self.actor, prospect, options["kind"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        prospect.refresh_from_db()
        self.stdout.write(f"Contact recorded; the record is now kept until {prospect.retain_until:%Y-%m-%d}.")
