from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from licite.campaigns.actions import (
    do_expire_consent_requests,
    do_request_consent,
    do_request_pending_consents,
)
from licite.campaigns.notices import NoticeUnavailable
from licite.core.permissions import Perm
from licite.lib.commands import LiciteCommand, find_prospect


class Command(LiciteCommand):
    permission = {
        "request": Perm.SEND_CAMPAIGNS,
        "expire": Perm.HANDLE_RIGHTS,
    }  # RULES F5: what `--as USER` must be allowed
    help = (
        "Ask consumers for consent (double opt-in), and erase those who did not answer (RULES C1, C2).\n\n"
        "`request` queues the one message a consumer may receive before consenting: who we are, where "
        "the data came from, what we would send, and a confirmation link. `expire` erases the consumers "
        "who did not confirm within LICITE_CONSENT_DELAY_DAYS (30 by default) of the sending of their "
        "request, keeping only their keyed hash so that no import asks them again."
    )
    example = "licite consent request --all"
    examples = {
        "request": "licite consent request paul.girard@gmail.com; licite consent request --all",
        "expire": "licite consent expire",
    }

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{request,expire}")
        request = actions.add_parser("request", help="Queue consent requests")
        request.add_argument("email", nargs="?", help="The consumer's address (or --all)")
        request.add_argument("--all", action="store_true", help="Every consumer not asked yet")
        actions.add_parser("expire", help="Erase the consumers who did not consent in time")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "expire":
                erased = do_expire_consent_requests(actor=self.actor)
                self.stdout.write(f"Consumers erased for lack of consent: {erased}.")
            elif options["all"]:
                self.stdout.write(f"Consent requests queued: {do_request_pending_consents(self.actor)}.")
            elif options["email"]:
                do_request_consent(self.actor, find_prospect(options["email"]))
                self.stdout.write("Consent request queued.")
            else:
                raise CommandError("give an email address or --all")
        except (NoticeUnavailable, ValueError) as exc:
            raise CommandError(str(exc)) from None
