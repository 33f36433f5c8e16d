from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandParser
from django.utils import translation
from rich.table import Table

from licite.compliance.actions import do_check_compliance
from licite.compliance.checks import PRACTICE_TITLES, CheckResult
from licite.compliance.report import STATUS_WORDS
from licite.core import compliance
from licite.lib.commands import LiciteCommand

STYLES = {compliance.OK: "green", compliance.WARNING: "yellow", compliance.FAILURE: "bold red"}


class Command(LiciteCommand):
    help = (
        "Check the live database against the law, practice by practice (RULES.md).\n\n"
        "The six good practices of prospecting (lawful basis, purpose limitation, minimization, "
        "retention, access, information), the rights, and accountability. "
        "Each check is ok, warning or failure, with its count, its rule and what to do. Exit code: "
        "0 when all pass, 2 on a failure, 1 on a warning with --strict; so it can run from cron or "
        "CI. Each run is an audit entry."
    )
    example = "licite compliance --strict"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="One JSON object, for machines")
        parser.add_argument("--strict", action="store_true", help="Exit 1 on a warning too")
        parser.add_argument("--lang", choices=("fr", "en"), default="en", help="The table's language")

    def handle(self, *args: Any, **options: Any) -> None:
        results = do_check_compliance(self.actor)
        code = compliance.exit_code((r.status for r in results), strict=options["strict"])
        if options["json"]:
            overall = compliance.worst(r.status for r in results)
            report = {"status": overall, "exit_code": code, "checks": [r.as_dict() for r in results]}
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            with translation.override(options["lang"]):
                self._print(results)
        if code:
            raise SystemExit(code)

    def _print(self, results: list[CheckResult]) -> None:
        table = Table(show_lines=False)
        for header in ("status", "count", "rule", "check", "what to do"):
            table.add_column(header.upper(), overflow="fold")
        for practice, title in PRACTICE_TITLES.items():
            group = [r for r in results if r.practice == practice]
            if not group:
                continue
            table.add_section()
            table.add_row("", "", "", f"[bold]{title}[/bold]", "")
            for result in group:
                status = f"[{STYLES[result.status]}]{STATUS_WORDS[result.status]}[/]"
                todo = "" if result.status == compliance.OK else str(result.what_to_do)
                table.add_row(status, str(result.count), result.rule, str(result.title), todo)
        console = self.console()
        console.print(table)
        counts = {status: sum(1 for r in results if r.status == status) for status in compliance.STATUSES}
        console.print(f"{counts['ok']} ok, {counts['warning']} warning(s), {counts['failure']} failure(s).")
