from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from licite.core.permissions import Perm
from licite.lib.commands import LiciteCommand
from licite.lib.documents import render
from licite.register.privacy import NoOrganisation, privacy_document


class Command(LiciteCommand):
    permission = Perm.EDIT_REGISTER  # RULES F5: what `--as USER` must be allowed
    help = (
        "Write the prospecting section of the website's privacy policy, from the live data (RULES D5).\n\n"
        "It says which kinds of sources are used (naming the platforms), what is done, on which "
        "basis, for how long, the objection list, the rights and how to exercise them (the public "
        "/rights/ page at LICITE_BASE_URL), and the complaint to the CNIL. Paste it into the "
        "website's privacy policy; licite also serves it at /privacy/."
    )
    example = "licite privacy-policy --lang fr --format html --out politique-prospection.html"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--lang", choices=("fr", "en"), required=True, help="The policy's language")
        parser.add_argument("--format", dest="fmt", choices=("html", "md"), default="html",
                            help="HTML (default) or Markdown")  # fmt: skip
        parser.add_argument(
            "--out", type=Path, help="The file to write (replaced); by default the standard output"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            body = render(privacy_document(options["lang"]), options["fmt"])
        except NoOrganisation as exc:
            raise CommandError(str(exc)) from None
        out: Path | None = options["out"]
        if out is None:
            self.stdout.write(body.decode(), ending="")
            return
        if not out.parent.is_dir():
            raise CommandError(f"--out: no directory {out.parent}")
        try:
            out.write_bytes(body)
        except OSError as exc:
            raise CommandError(f"--out: cannot write {out}: {exc.strerror}") from None
        self.stdout.write(f"privacy policy ({options['lang']}, {options['fmt']}) written to {out}")
