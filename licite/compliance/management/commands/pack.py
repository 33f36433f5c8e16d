from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import DatabaseError

from licite.compliance.pack import PackError, build_pack, parse_since, recorded_at, verify_pack
from licite.lib.commands import LiciteCommand


class Command(LiciteCommand):
    help = (
        "Write the CNIL inspection pack: one ZIP with an index of every part (RULES H, H2).\n\n"
        "The register, processors, balancing tests, the notices as a person receives them, the "
        "privacy policy, the compliance check, the rights requests and their deadlines, the "
        "retention policy and last purges, suppression and consent statistics, the audit trail's "
        "verification and export (from --since), the breach log, training records and security "
        "measures. The index and SHA256SUMS give each file's SHA-256: `sha256sum -c SHA256SUMS` in "
        "the extracted folder, or `licite pack verify FILE.zip`, checks them. No address or name "
        "of the database goes into it; generating it is an audit entry with the pack's SHA-256."
    )
    example = "licite pack --out pack.zip --lang fr --since 2026-01-01; licite pack verify pack.zip"
    examples = {
        "verify": "licite pack verify pack.zip",
    }

    def add_arguments(self, parser: CommandParser) -> None:
        # --out is required to write a pack, not to verify one: argparse cannot say so (a required
        # option would be asked of `pack verify` too), so the usage line says it.
        parser.usage = (
            "licite pack --out FILE.zip [--lang {fr,en}] [--since YYYY-MM-DD]\n"
            "       licite pack verify FILE.zip"
        )
        parser.add_argument(
            "--out", type=Path, metavar="FILE.zip", help="Required: the ZIP to write (replaced once complete)"
        )
        parser.add_argument("--lang", help="fr or en (default: the organisation's language)")
        parser.add_argument("--since", help="Audit export and requests log from this day on (YYYY-MM-DD)")
        # prog: the subcommand's usage starts from the command's name, not from the usage above.
        commands = parser.add_subparsers(dest="subcommand", metavar="{verify}", prog=parser.prog)
        verify = commands.add_parser("verify", help="Check every file of a pack against its SHA256SUMS")
        verify.add_argument("file", type=Path, help="The pack's ZIP")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options.get("subcommand") == "verify":
                self._verify(options["file"])
            else:
                self._write(options["out"], options["lang"] or _default_language(), options["since"])
        except PackError as exc:
            raise CommandError(str(exc)) from None

    def _write(self, out: Path | None, language: str, since: str | None) -> None:
        if out is None:
            raise CommandError("--out: name the ZIP to write, e.g. --out pack.zip")
        if out.is_dir():
            raise CommandError(f"--out: {out} is a directory: name the ZIP file")
        if not out.parent.is_dir():
            raise CommandError(f"--out: no directory {out.parent}")
        pack = build_pack(self.actor, out, language, parse_since(since) if since else None)
        self.stdout.write(
            f"{out}: {len(pack.parts)} parts, {pack.files} files (index.html and SHA256SUMS included), "
            f"SHA-256 {pack.sha256}"
        )
        for key in pack.unavailable:
            reason = next(part.unavailable for part in pack.parts if part.key == key)
            self.stderr.write(f"warning: part {key}: {reason}")

    def _verify(self, path: Path) -> None:
        result = verify_pack(path)
        for problem in result.problems:
            self.stderr.write(problem)
        if result.problems:
            raise CommandError(f"{path}: {len(result.problems)} problems: the pack was changed")
        self.stdout.write(
            f"{path}: {result.files} files (index.html and SHA256SUMS included): "
            "all files match their SHA-256"
        )
        try:
            at = recorded_at(result.sha256)
        except DatabaseError:  # verified on another machine, without licite's database
            return
        if at is not None:
            self.stdout.write(f"recorded in the audit trail as generated on {at:%Y-%m-%d %H:%M %Z}")
        else:
            self.stdout.write("not found in this installation's audit trail (generated elsewhere?)")


def _default_language() -> str:
    from django.conf import settings

    from licite.accounts.models import Organisation

    organisation = Organisation.current()
    return organisation.default_language if organisation else str(settings.LANGUAGE_CODE)
