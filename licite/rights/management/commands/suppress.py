from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from licite.core.emails import InvalidEmail
from licite.lib.commands import LiciteCommand
from licite.rights.actions import do_suppress, is_suppressed
from licite.rights.models import SuppressionReason


class Command(LiciteCommand):
    help = (
        "Add an address to the suppression list, or check one (RULES F4, G3, G4).\n\n"
        "`add` honours an objection received by phone or letter: it erases the person's prospect "
        "record at once and keeps only a keyed hash, so the address is never imported again. "
        "`check` answers whether one address is suppressed; the list itself is never shown."
    )
    example = "licite suppress add jeanne.dupont@acme.example --reason objection"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{add,check}")
        add = actions.add_parser("add", help="Suppress an address and erase its prospect record")
        add.add_argument("email")
        add.add_argument("--reason", required=True, choices=SuppressionReason.values)
        check = actions.add_parser(
            "check", help="Say whether an address is suppressed (exit 0 if it is, 1 if not)"
        )
        check.add_argument("email")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "add":
                self._add(options["email"], options["reason"])
            else:
                self._check(options["email"])
        except InvalidEmail as exc:
            raise CommandError(f"not a valid email address: {exc.reason}") from None

    def _add(self, email: str, reason: str) -> None:
        result = do_suppress(self.actor, email, reason)
        state = "added to" if result.created else "already on"
        self.stdout.write(f"Address {state} the suppression list (reason: {result.entry.reason}).")
        self.stdout.write(f"Prospect records erased: {result.erased_prospects}.")

    def _check(self, email: str) -> None:
        if is_suppressed(email):
            self.stdout.write("suppressed: this address must never be contacted or imported.")
            return
        self.stdout.write("not suppressed.")
        raise SystemExit(1)
