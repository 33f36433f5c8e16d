from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from licite.compliance.actions import current_fingerprint, do_acknowledge_key, key_acknowledged
from licite.lib.commands import LiciteCommand


class Command(LiciteCommand):
    help = (
        "The suppression key's fingerprint, and the acknowledgement of its backup (RULES F4).\n\n"
        "The suppression list keeps keyed hashes of addresses: without its key (LICITE_SUPPRESSION_KEY, "
        "or the file suppression_key under LICITE_HOME) no objection is recognised again. Back the key "
        "up, then type its fingerprint back with `acknowledge`: the fingerprint names the key without "
        "revealing it. `licite compliance` warns until the key in use is acknowledged."
    )
    example = "licite key acknowledge 1a2b-3c4d-5e6f-7a8b"
    examples = {
        "fingerprint": "licite key fingerprint",
        "acknowledge": example,
    }

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{fingerprint,acknowledge}")
        actions.add_parser(
            "fingerprint", help="Show the key's fingerprint and whether its backup is acknowledged"
        )
        acknowledge = actions.add_parser(
            "acknowledge", help="Record that the key with this fingerprint is backed up"
        )
        acknowledge.add_argument("fingerprint", help="As `licite key fingerprint` shows it")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "fingerprint":
            self._fingerprint()
        else:
            self._acknowledge(options["fingerprint"])

    def _fingerprint(self) -> None:
        self.stdout.write(f"Suppression key fingerprint: {current_fingerprint()}")
        done = key_acknowledged()
        if done is None:
            self.stdout.write(
                "Its backup is not acknowledged: back the key up, then run "
                f"`licite key acknowledge {current_fingerprint()}`."
            )
        else:
            when = timezone.localtime(done.acknowledged_at).strftime("%Y-%m-%d %H:%M")
            self.stdout.write(f"Backup acknowledged by {done.acknowledged_by_label} on {when}.")

    def _acknowledge(self, typed: str) -> None:
        try:
            done = do_acknowledge_key(self.actor, typed)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Backup of the suppression key {done.fingerprint} acknowledged.")
