from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.utils import timezone
from rich.table import Table

from licite.core.permissions import Perm
from licite.core.sources import may_collect_from
from licite.lib.commands import LiciteCommand, describe_validation_error
from licite.prospects import balancing
from licite.prospects.actions import do_assess_source, do_save_source, source_facts
from licite.prospects.models import (
    BalancingTest,
    CollectionMethod,
    ExtractionAllowed,
    Source,
    SourceKind,
    Visibility,
)

NAME = "The source's name, as `licite sources list` shows it"


class Command(LiciteCommand):
    permission = {
        "add": Perm.DECLARE_SOURCES,
        "assess": Perm.DECLARE_SOURCES,
        "balancing-export": Perm.DECLARE_SOURCES,
        "list": Perm.VIEW_PROSPECTS,
        "show": Perm.VIEW_PROSPECTS,
    }  # RULES F5: what `--as USER` must be allowed
    help = (
        "Declare, list, show and assess the sources prospects come from (RULES B2-B4, C4).\n\n"
        "A known platform (LinkedIn, Facebook, X, Google Maps...) is recognised by its name, its "
        "URL or the tool that copied it (Kaspr, Lusha, Phantombuster...), and comes preset with what "
        "its terms say: on LinkedIn only a person reading a page and typing what it shows may collect "
        "(RULES B4; docs/sources.md). A legitimate-interest import needs a balancing test for its source: "
        "`licite sources assess` records one. Every change is audited."
    )
    example = (
        'licite sources add "Salon Industrie Lyon 2026" --kind event '
        "--url https://salon.example/exposants --method manual --extraction-allowed unknown"
    )
    examples = {
        "add": example,
        "list": "licite sources list",
        "show": 'licite sources show "Salon Industrie Lyon 2026"',
        "assess": (
            'licite sources assess "Salon Industrie Lyon 2026" --interest "Offer our audits to exhibitors" '
            '--necessity "Only the name, job and work address" --expectations "Exhibitors publish a contact" '
            '--safeguards "Notice, one-click objection" --conclusion favourable'
        ),
        "balancing-export": "licite sources balancing-export --format html --out balancing.html --lang fr",
    }

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(
            dest="action", required=True, metavar="{add,list,show,assess,balancing-export}"
        )
        add = actions.add_parser("add", help="Declare a source, or update the one of that name")
        add.add_argument("name", help="The source's name, as imports will name it with --source")
        add.add_argument("--kind", required=True, choices=SourceKind.values, help="What the source is")
        add.add_argument("--url", default="", help="Where the data was found, if on the web")
        add.add_argument(
            "--method",
            required=True,
            choices=CollectionMethod.values,
            help="How the data was collected from it",
        )
        add.add_argument(
            "--extraction-allowed",
            required=True,
            choices=ExtractionAllowed.values,
            help="Whether the source's terms allow automated extraction",
        )
        add.add_argument(
            "--visibility",
            choices=Visibility.values,
            default=Visibility.PUBLIC,
            help="restricted: data the persons restricted to their own network",
        )
        add.add_argument(
            "--terms", dest="terms_reference", default=None, help="The clause of the terms about extraction"
        )
        add.add_argument("--notes", default=None, help="About the source, never about people")
        actions.add_parser("list", help="List the sources")
        show = actions.add_parser(
            "show", help="Show one source, its balancing tests and whether it may be used"
        )
        show.add_argument("name", help=NAME)
        assess = actions.add_parser("assess", help="Record a balancing test for a source (RULES C4)")
        assess.add_argument("name", help=NAME)
        assess.add_argument("--interest", required=True, help="The legitimate interest pursued")
        assess.add_argument(
            "--necessity", required=True, help="Why the processing is needed for that interest, and no less"
        )
        assess.add_argument(
            "--expectations",
            required=True,
            help="Why the persons can reasonably expect this use of their data",
        )
        assess.add_argument(
            "--safeguards", required=True, help="What protects them (information, objection...)"
        )
        assess.add_argument(
            "--conclusion",
            required=True,
            metavar="{favourable,unfavourable}",
            help="favourable: the interest prevails; unfavourable: the persons' rights prevail",
        )
        assess.add_argument("--conclusion-text", default="", help="The reasoning of the conclusion")
        assess.add_argument(
            "--activity", help="The processing activity of the register (the purpose) the test is for"
        )
        assess.add_argument(
            "--review-date", help="When to review the test (YYYY-MM-DD; default: one year from today)"
        )
        export = actions.add_parser(
            "balancing-export", help="Write the balancing tests as a document (RULES C4)"
        )
        export.add_argument("name", nargs="?", help="Only this source's tests (default: every source)")
        export.add_argument(
            "--format", dest="fmt", default="html", metavar="{html,pdf,md}", help="Default: html"
        )
        export.add_argument("--out", required=True, help="The file to write")
        export.add_argument("--lang", default="fr", metavar="{fr,en}", help="The language of the labels")

    def handle(self, *args: Any, **options: Any) -> None:
        self.out = self.console()
        getattr(self, f"_{options['action'].replace('-', '_')}")(options)

    def _add(self, options: dict[str, Any]) -> None:
        fields = ("kind", "url", "method", "extraction_allowed", "visibility", "terms_reference", "notes")
        try:
            change = do_save_source(self.actor, options["name"], **{f: options[f] for f in fields})
        except ValidationError as exc:
            raise CommandError(describe_validation_error(exc)) from None
        for warning in change.warnings:
            self.stderr.write(f"warning: {warning}")
        self.stdout.write(f"Source {'added' if change.created else 'updated'}: {change.source.name}")
        self._explain(change.source)

    def _list(self, options: dict[str, Any]) -> None:
        table = Table(
            "name", "kind", "method", "extraction allowed", "visibility", "balancing test", "prospects"
        )
        sources = list(Source.objects.order_by("name"))
        for source in sources:
            table.add_row(
                source.name, source.kind, source.method, source.extraction_allowed, source.visibility,
                "yes" if source.balancing_tests.exists() else "no", str(source.prospects.count()),
            )  # fmt: skip
        self.out.print(table)
        # An address is never cut nor folded to the terminal's width: one line each, whole.
        with_url = [source for source in sources if source.url]
        if with_url:
            self.stdout.write("URLs:")
        for source in with_url:
            self.stdout.write(f"  {source.name}:\n    {source.url}")

    def _show(self, options: dict[str, Any]) -> None:
        source = _get(options["name"])
        for label, value in (
            ("name", source.name), ("kind", source.kind), ("URL", source.url or "-"),
            ("method", source.method),
            ("extraction allowed", source.extraction_allowed), ("terms", source.terms_reference or "-"),
            ("visibility", source.visibility), ("notes", source.notes or "-"),
            ("prospects", source.prospects.count()),
        ):  # fmt: skip
            self.stdout.write(f"{label + ':':<20}{value}")
        for test in source.balancing_tests.select_related("activity", "assessed_by"):
            self._show_test(test)
        self._explain(source)

    def _explain(self, source: Source) -> None:
        decision = may_collect_from(source_facts(source), legitimate_interest=True)
        if decision.allowed:
            self.stdout.write("May feed a legitimate-interest import: yes")
            return
        self.stdout.write("May feed a legitimate-interest import: no")
        for reason in decision.reasons:
            self.stdout.write(f"  - {reason}")
        if decision.hint:
            self.stdout.write(f"  run: {decision.hint}")

    def _show_test(self, test: BalancingTest) -> None:
        """Every part of a balancing test, as its author wrote it (RULES C4)."""
        self.stdout.write(f"balancing test of {timezone.localtime(test.assessed_at):%Y-%m-%d}:")
        for label, value in balancing.test_parts(test):
            self.stdout.write(f"  {label + ':':<40}{value}")
        for concern in balancing.concern_texts(test):
            self.stdout.write(f"  weighs against: {concern}")

    def _assess(self, options: dict[str, Any]) -> None:
        source = _get(options["name"])
        try:
            test = do_assess_source(
                self.actor,
                source,
                options["interest"],
                options["expectations"],
                options["safeguards"],
                necessity=options["necessity"],
                conclusion=options["conclusion"],
                conclusion_text=options["conclusion_text"],
                activity=_activity(options["activity"]),
                review_on=_date(options["review_date"]),
            )
        except ValidationError as exc:
            raise CommandError(describe_validation_error(exc)) from None
        self.stdout.write(
            f"Balancing test recorded for {source.name} ({timezone.localtime(test.assessed_at):%Y-%m-%d}, "
            f"{test.conclusion}, review by {test.review_on:%Y-%m-%d})."
        )
        for concern in balancing.concern_texts(test):
            self.stderr.write(f"warning: weighs against the legitimate interest: {concern}")

    def _balancing_export(self, options: dict[str, Any]) -> None:
        if options["fmt"] not in ("html", "pdf", "md"):
            raise CommandError(f"--format: expected html, pdf or md, not {options['fmt']!r}")
        if options["lang"] not in ("fr", "en"):
            raise CommandError(f"--lang: expected fr or en, not {options['lang']!r}")
        sources = [_get(options["name"])] if options["name"] else None
        data = balancing.do_export_balancing(self.actor, options["lang"], options["fmt"], sources)
        try:
            Path(options["out"]).write_bytes(data)
        except OSError as exc:
            raise CommandError(f"--out: cannot write {options['out']}: {exc.strerror}") from None
        self.stdout.write(f"Balancing tests written to {options['out']}.")


def _activity(name: str | None) -> Any:
    if name is None:
        return None
    from licite.register.models import ProcessingActivity

    activity = ProcessingActivity.objects.filter(name=name).first()
    if activity is None:
        known = ", ".join(ProcessingActivity.objects.values_list("name", flat=True)[:20]) or "none yet"
        raise CommandError(f"--activity: no processing activity named {name!r}; known: {known}")
    return activity


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--review-date: not a date (YYYY-MM-DD): {value!r}") from None


def _get(name: str) -> Source:
    source = Source.objects.filter(name=name).first()
    if source is None:
        known = ", ".join(Source.objects.order_by("name").values_list("name", flat=True)[:20]) or "none yet"
        raise CommandError(f"no source named {name!r}; known sources: {known}")
    return source
