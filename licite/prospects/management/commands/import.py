from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime, time
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from licite.core.permissions import Perm
from licite.ingest.columns import parse_map_option
from licite.ingest.errors import IngestError
from licite.lib.bulkload import DatabaseInUse
from licite.lib.commands import LiciteCommand
from licite.prospects.importing import ImportRefused, ImportReport, ImportRequest, run_import
from licite.prospects.models import Source
from licite.prospects.staging import StagingFailed


class Command(LiciteCommand):
    permission = Perm.IMPORT  # RULES F5: what `--as USER` must be allowed
    help = (
        "Import a prospect file (CSV, XLSX, ODS) through the compliance gate.\n\n"
        "Each row is classified (work, role or private address), given its legal basis, stripped "
        "of the columns the purpose does not need, checked against the suppression list, and "
        "stored with its provenance, Art. 14 deadline and retention date. All or nothing: a "
        "failed import stores nothing; importing the same file again creates nothing."
    )
    example = (
        'licite import examples/exposants.csv --source "Salon Industrie Lyon 2026" '
        '--map "Commentaire=drop" --dry-run'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The file: CSV (any delimiter, encoding), XLSX or ODS")
        parser.add_argument(
            "--source", required=True, help="The name of a source (see `licite sources list`)"
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COLUMN=FIELD",
            help="Map a column to a field (email, first_name, last_name, full_name, job_title, "
            "company, company_domain, phone, country, language) or to 'drop'; repeatable",
        )
        parser.add_argument(
            "--collected-on",
            metavar="YYYY-MM-DD",
            help="When the data was collected, if before today: the notice deadline and the "
            "retention run from it (data collected more than 3 years ago is not kept, RULES F1)",
        )
        parser.add_argument("--dry-run", action="store_true", help="Do everything but store")
        parser.add_argument(
            "--exclusive",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="Have the database alone while importing (SQLite): faster for a large load. "
            "Refused while the app or another command has the database open; those that connect "
            "meanwhile wait for the import to end. By default a first load of 100,000 rows or "
            "more has it alone when nobody else has it open; --no-exclusive never",
        )
        parser.add_argument(
            "--report", type=Path, metavar="PATH", help="Also write the report as JSON to PATH"
        )
        parser.add_argument("--json", action="store_true", help="Print the report as JSON instead of a table")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["report"]:
            _check_writable(options["report"])
        source = Source.objects.filter(name=options["source"]).first()
        if source is None:
            raise CommandError(f"no source named {options['source']!r}: declare it with `licite sources add`")
        try:
            request = ImportRequest(
                path=options["file"], source=source, actor=self.actor,
                overrides=parse_map_option(options["map"]), dry_run=options["dry_run"],
                collected_at=_collected_at(options["collected_on"]), exclusive=options["exclusive"],
            )  # fmt: skip
            report = self._run(request, show_progress=not options["json"] and sys.stdout.isatty())
        except (IngestError, StagingFailed) as exc:
            raise CommandError(str(exc)) from None
        except DatabaseInUse as exc:
            raise CommandError(
                f"--exclusive: {exc} (the app, a worker, another command?); nothing was imported. "
                "Stop it, or import without --exclusive"
            ) from None
        except ImportRefused as exc:
            raise CommandError(
                f"import refused: {exc}" + (f"\n  run: {exc.hint}" if exc.hint else "")
            ) from None
        if options["report"]:
            _write_json(options["report"], report)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            self._print(report)

    def _run(self, request: ImportRequest, show_progress: bool) -> ImportReport:
        if not show_progress:
            return run_import(request)
        columns = (SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed:,} rows"),
                   TimeElapsedColumn())  # fmt: skip
        with Progress(*columns, transient=True) as progress:
            task = progress.add_task(f"Importing {request.path.name}", total=None)
            return run_import(request, progress=lambda n: progress.advance(task, n))

    def _print(self, report: ImportReport) -> None:
        console = self.console()
        if report.already_imported:
            console.print(report.already_imported)
            return
        title = f"{report.file} → {report.source}" + (" (dry run: nothing stored)" if report.dry_run else "")
        summary = Table(title=title, show_header=False)
        for label, value in (
            ("rows read", report.rows_read), ("created", report.created), ("updated", report.updated),
            ("unchanged", report.unchanged), ("duplicates in the file", report.duplicates_in_file),
            ("suppressed (never imported again)", report.suppressed),
            ("expired (retention ended, RULES F1)", report.expired), ("rejected", report.rejected),
            *((f"email kind: {k}", v) for k, v in report.by_email_kind.items()),
            *((f"legal basis: {k}", v) for k, v in report.by_legal_basis.items()),
        ):  # fmt: skip
            summary.add_row(label, f"{value:,}")
        console.print(summary)
        if report.dropped_columns:
            dropped = Table("dropped column (RULES B6)", "values dropped", title="Minimization")
            for item in report.dropped_columns:
                dropped.add_row(item["column"], f"{item['values']:,}")
            console.print(dropped)
        if report.rejections:
            rejected = Table("line", "column", "value", "reason", title="Rejected rows")
            for item in report.rejections[:50]:
                rejected.add_row(str(item["line"]), item["column"], item["value"], item["reason"])
            console.print(rejected)
            if report.rejected > 50:
                console.print(f"… and {report.rejected - 50:,} more: see --report PATH")
        for warning in report.warnings:
            console.print(f"warning: {warning}")


def _collected_at(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise CommandError(f"--collected-on: expected a date as YYYY-MM-DD, got {value!r}") from None
    moment = timezone.make_aware(datetime.combine(day, time(12)))
    if moment > timezone.now():
        raise CommandError(f"--collected-on: {value} is in the future")
    return moment


def _check_writable(path: Path) -> None:
    """--report's file can be written: found out before importing, not after."""
    if path.is_dir():
        raise CommandError(f"--report: {path} is a folder, not a file; nothing was imported")
    if not path.parent.is_dir():
        raise CommandError(f"--report: there is no folder {path.parent}; nothing was imported")
    target = path if path.exists() else path.parent
    if not os.access(target, os.W_OK):
        raise CommandError(f"--report: cannot write to {target} (permission denied); nothing was imported")


def _write_json(path: Path, report: ImportReport) -> None:
    try:
        path.write_text(json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:  # a full disk, say: the import itself is done
        stored = not report.dry_run and report.batch is not None
        done = f"the import is stored (batch {report.batch}), but " if stored else ""
        raise CommandError(f"{done}--report: cannot write {path}: {exc.strerror or exc}") from None
