from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from licite.core.emails import InvalidEmail
from licite.core.permissions import Perm
from licite.lib.commands import LiciteCommand
from licite.rights.actions import do_erase, key_hash
from licite.rights.models import SuppressionReason


class Command(LiciteCommand):
    permission = Perm.HANDLE_RIGHTS  # RULES F5: what `--as USER` must be allowed
    help = (
        "Erase a person now: the one erasure (RULES G3, G4, F3, F4).\n\n"
        "Their prospect records go, with provenance, consent records and contact events; queued "
        "messages are cancelled and the outbox keeps neither address nor body; their open "
        "erasure, objection and withdrawal requests are fulfilled, and their answered requests "
        "keep only the keyed hash (an open access request keeps the address until answered). "
        "The keyed hash goes on the suppression list, so that "
        "no import brings the person back."
    )
    example = "licite erase m.leroy@boisetfer.example --reason objection"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The address whose prospect record is erased")
        parser.add_argument(
            "--reason",
            choices=(SuppressionReason.ERASURE, SuppressionReason.OBJECTION, SuppressionReason.WITHDRAWAL),
            default=SuppressionReason.ERASURE,
            help="Why, as the suppression list records it (default: erasure)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            digest = key_hash(options["email"])
        except InvalidEmail as exc:
            raise CommandError(f"not a valid email address: {exc.reason}") from None
        erasure = do_erase(self.actor, [digest], options["reason"], channel="staff")
        state = "added to" if erasure.added else "already on"
        self.stdout.write(f"Keyed hash {state} the suppression list (reason: {options['reason']}).")
        self.stdout.write(
            f"Prospect records erased: {erasure.erased_prospects}; queued messages cancelled: "
            f"{erasure.cancelled_messages}; rights requests fulfilled: {erasure.fulfilled_requests}; "
            f"without address: {erasure.forgotten_requests}."
        )
