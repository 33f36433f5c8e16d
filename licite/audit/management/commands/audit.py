from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from licite.audit.actions import do_export, verify
from licite.audit.chain import ChainError
from licite.core.permissions import Perm
from licite.lib.commands import LiciteCommand


class Command(LiciteCommand):
    permission = Perm.READ_AUDIT  # RULES F5: what `--as USER` must be allowed
    help = (
        "Check the audit trail's hash chain, or export it for an inspection (RULES H).\n\n"
        "verify walks every entry in order and stops at the first one modified, deleted, inserted "
        "or reordered, or at a missing tail, and exits with 1; export writes JSON lines with the "
        "hashes, which whoever holds the audit key can check again. Each export is itself an entry."
    )
    example = "licite audit verify; licite audit export --out audit.jsonl --since 2026-01-01"
    examples = {
        "verify": "licite audit verify",
        "export": "licite audit export --out audit.jsonl --since 2026-01-01",
    }

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="{verify,export}")
        commands.add_parser("verify", help="Check the whole chain and its head file; exit 1 if tampered with")
        export = commands.add_parser("export", help="Write the trail as JSON lines, with the hashes")
        export.add_argument("--out", type=Path, required=True, help="The file to write (replaced)")
        export.add_argument("--since", help="Only entries from this day on (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify":
            self._verify()
        else:
            self._export(options["out"], _date(options["since"]) if options["since"] else None)

    def _verify(self) -> None:
        try:
            verdict = verify()
        except ChainError as exc:
            raise CommandError(f"audit chain broken: {exc}") from None
        for warning in verdict.warnings:
            self.stderr.write(f"warning: {warning}")
        self.stdout.write(f"audit chain intact: {verdict.length} entries, head #{verdict.last.sequence}")

    def _export(self, out: Path, since: dt.date | None) -> None:
        if not out.parent.is_dir():
            raise CommandError(f"--out: no directory {out.parent}")
        start = None
        if since is not None:
            start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
        try:
            count = do_export(self.actor, out, start)
        except OSError as exc:
            raise CommandError(f"--out: cannot write {out}: {exc.strerror}") from None
        self.stdout.write(f"{count} entries written to {out}")


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--since: expected a date as YYYY-MM-DD, got {value!r}") from None
