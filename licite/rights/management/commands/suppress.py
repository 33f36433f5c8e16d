from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from django.core.management.base import CommandError, CommandParser

from licite.core.emails import InvalidEmail
from licite.core.permissions import Perm, perm_to_suppress
from licite.lib.commands import LiciteCommand
from licite.rights.actions import do_suppress, is_suppressed
from licite.rights.models import SuppressionReason
from licite.rights.suppress_import import SuppressionFileError, SuppressionImport, do_import_suppressions

REASON = "Why the address is suppressed (objection: the person said no to prospecting)"


class Command(LiciteCommand):
    # RULES F5, G3: what `--as USER` must be allowed. `add` is the API's and the prospect page's
    # (licite.core.permissions.perm_to_suppress: an objection is any prospecting role's to record,
    # an erasure request the rights handler's); `check` answers what the API's check answers;
    # `import` erases in bulk: the rights handler's.
    permission: Mapping[str, Perm] = MappingProxyType(
        {"add": Perm.RECORD_OBJECTION, "check": Perm.VIEW_PROSPECTS, "import": Perm.HANDLE_RIGHTS}
    )
    help = (
        "Add an address to the suppression list, check one, or import old opt-outs (RULES F4, G3, G4).\n\n"
        "`add` honours an objection received by phone or letter: it erases the person's prospect "
        "record at once and keeps only a keyed hash, so the address is never imported again. "
        "`check` answers whether one address is suppressed; the list itself is never shown. "
        "`import` brings the opt-outs of the previous tool (unsubscribes, bounces, a blocklist "
        "exported as CSV or XLSX): each address is hashed, matching prospects are erased, and "
        "only the keyed hashes are stored, never the addresses."
    )
    example = "licite suppress add jeanne.dupont@acme-industrie.example --reason objection"
    examples = {
        "add": example,
        "check": "licite suppress check jeanne.dupont@acme-industrie.example",
        "import": "licite suppress import mailchimp-unsubscribed.csv --reason objection",
    }

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{add,check,import}")
        add = actions.add_parser("add", help="Suppress an address and erase its prospect record")
        add.add_argument("email", help="The address never to contact again")
        add.add_argument("--reason", required=True, choices=SuppressionReason.values, help=REASON)
        check = actions.add_parser(
            "check", help="Say whether an address is suppressed (exit 0 if it is, 1 if not)"
        )
        check.add_argument("email", help="The address to look up")
        bring = actions.add_parser(
            "import", help="Suppress every address of an export of opt-outs (CSV, XLSX, ODS)"
        )
        bring.add_argument("file", type=Path, help="The export: its address column is found by its name")
        bring.add_argument("--reason", required=True, choices=SuppressionReason.values, help=REASON)
        bring.add_argument("--column", default="", help="The column of addresses, by its header or letter")
        bring.add_argument("--dry-run", action="store_true", help="Count everything, store nothing")

    def required_permission(self, options: Mapping[str, Any]) -> Perm | None:
        if options.get("action") == "add" and options.get("reason"):
            return perm_to_suppress(str(options["reason"]))
        return super().required_permission(options)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "add":
                self._add(options["email"], options["reason"])
            elif options["action"] == "import":
                self._import(options)
            else:
                self._check(options["email"])
        except InvalidEmail as exc:
            raise CommandError(f"not a valid email address: {exc.reason}") from None
        except SuppressionFileError as exc:
            raise CommandError(str(exc).replace("--map", "--column")) from None

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

    def _import(self, options: dict[str, Any]) -> None:
        dry_run = options["dry_run"]
        report = do_import_suppressions(
            self.actor, options["file"], options["reason"], column=options["column"], dry_run=dry_run
        )
        self.stdout.write(_summary(report, dry_run))


def _summary(report: SuppressionImport, dry_run: bool) -> str:
    """Counts and line numbers only: no address is ever printed (RULES F4)."""
    would = "would be " if dry_run else ""
    lines = [
        f"Address column: {report.column or 'the whole file (no header)'}",
        f"Rows read: {report.rows}",
        f"Addresses hashed: {report.hashed} ({report.distinct} distinct)",
        f"Already on the suppression list: {report.already}",
        f"New entries: {report.added}{' (would be added)' if dry_run else ''}",
        f"Prospects {would}erased: {report.erased_prospects}",
        f"Invalid rows: {len(report.invalid_lines)}{_lines(report.invalid_lines)}",
    ]
    if dry_run:
        lines.append("Dry run: nothing was stored.")
    return "\n".join(lines)


def _lines(numbers: list[int], shown: int = 20) -> str:
    if not numbers:
        return ""
    more = f" and {len(numbers) - shown} more" if len(numbers) > shown else ""
    return f" (lines {', '.join(map(str, numbers[:shown]))}{more})"
