from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone
from rich.table import Table

from licite.core.permissions import Perm
from licite.lib.commands import LiciteCommand
from licite.register.export import FORMATS, LANGUAGES, RegisterExportError, do_export_register
from licite.register.figures import ProspectFigures, live_figures
from licite.register.models import ProcessingActivity


class Command(LiciteCommand):
    permission = Perm.EDIT_REGISTER  # RULES F5: what `--as USER` must be allowed
    help = (
        "List the register of processing activities, or export it with its live figures (GDPR "
        "art. 30.1, RULES H1).\n\n"
        "The export holds every field of the CNIL's simplified register template (the "
        "organisation's contacts, then one fiche per activity: purposes, legal basis, categories "
        "of persons and of data with their retention, sensitive data, recipients, transfers, "
        "security measures, sources), and beside each activity the figures computed from the "
        "database at export time: records held by source, oldest record, notices due and "
        "overdue, suppressed addresses, rights requests answered in time, last purge. XLSX and "
        "ODS follow the template's layout; HTML, Markdown and PDF are for reading. Every export "
        "is audited (docs/register.md)."
    )
    example = "licite register export --format xlsx --out registre.xlsx --lang fr"
    examples = {
        "list": "licite register list",
        "export": example,
    }

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{list,export}")
        actions.add_parser("list", help="List the activities of the register, with their records held")
        export = actions.add_parser("export", help="Write the register with its live figures")
        export.add_argument(
            "--format",
            dest="fmt",
            required=True,
            metavar="{" + ",".join(FORMATS) + "}",
            help="The file's format",
        )
        export.add_argument("--out", required=True, help="The file to write")
        export.add_argument("--lang", default="fr", metavar="{fr,en}", help="The language of the register")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            self._list()
        else:
            self._export(options["fmt"], options["lang"], options["out"])

    def _list(self) -> None:
        activities = list(ProcessingActivity.objects.prefetch_related("sources").order_by("pk"))
        figures = live_figures(activities, timezone.now())
        table = Table("reference", "name", "legal basis", "records held", "updated")
        for activity in activities:
            found = figures.for_activity(activity)
            held = str(found.records) if isinstance(found, ProspectFigures) else "-"
            table.add_row(
                activity.reference,
                activity.name,
                str(activity.get_legal_basis_display()),
                held,
                f"{activity.updated_at:%Y-%m-%d}",
            )
        self.console().print(table)
        self.stdout.write(f"{len(activities)} activities.")

    def _export(self, fmt: str, language: str, out: str) -> None:
        if fmt not in FORMATS:
            raise CommandError(f"--format: unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
        if language not in LANGUAGES:
            raise CommandError(f"--lang: unknown language {language!r}: use fr or en")
        path = Path(out)
        if path.is_dir() or not path.parent.is_dir():
            raise CommandError(f"--out: cannot write {out}: not a file in an existing directory")
        if not os.access(path if path.exists() else path.parent, os.W_OK):
            raise CommandError(f"--out: cannot write {out}: permission denied")
        try:
            data = do_export_register(self.actor, fmt, language)
        except RegisterExportError as exc:
            raise CommandError(str(exc)) from None
        try:
            path.write_bytes(data)
        except OSError as exc:
            raise CommandError(f"--out: cannot write {out}: {exc.strerror}") from None
        self.stdout.write(f"Register written to {out} ({fmt}, {language}).")
