from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from rich.table import Table

from licite.core.permissions import Perm
from licite.lib.commands import LiciteCommand, describe_validation_error
from licite.processors.actions import PROCESSOR_FIELDS, do_remove_processor, do_save_processor
from licite.processors.models import Processor, TransferMechanism

FLAG = "TRANSFER WITHOUT GROUND"
CAUTION = "CHECK THE TRANSFER"
NAME = "The processor's name, as `licite processors list` shows it"


class Command(LiciteCommand):
    permission = Perm.EDIT_REGISTER  # RULES F5: what `--as USER` must be allowed
    help = (
        "Declare, list, show, edit and remove the processors handling personal data for you (RULES B7).\n\n"
        "Each needs an Art. 28 contract; a transfer outside the EU/EEA needs an adequacy decision, "
        "standard contractual clauses or binding corporate rules. A processor outside the EU/EEA "
        "without a valid mechanism is flagged in every listing. The "
        "email provider licite sends through is a processor: declare it with --email-backend HOST "
        "(its SMTP host, or the anymail provider's name) and `licite check` stops warning. Every "
        "change is audited."
    )
    example = (
        'licite processors add "Postmark" --service "Sending prospecting emails" --country US '
        "--mechanism scc --contract-date 2026-01-15 --contract-reference DPA-2026-01 "
        '--activity "Prospection commerciale B2B par courrier électronique" --email-backend postmark'
    )
    examples = {
        "add": example,
        "edit": 'licite processors edit Brevo --contract-reference "DPA Brevo v2, signed 2026-11-02"',
        "list": "licite processors list",
        "show": "licite processors show Brevo",
        "remove": "licite processors remove Postmark",
    }

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{add,list,show,edit,remove}")
        add = actions.add_parser("add", help="Declare a processor")
        edit = actions.add_parser("edit", help="Change what is recorded of a processor")
        for subparser, required in ((add, True), (edit, False)):
            subparser.add_argument("name", help="The processor's name, e.g. the provider's")
            subparser.add_argument("--service", required=required, help="The service it provides")
            subparser.add_argument(
                "--country", required=required, help="Where it processes the data: ISO code or name"
            )
            subparser.add_argument("--contract-date", help="Date of the Art. 28 contract (YYYY-MM-DD)")
            subparser.add_argument("--contract-reference", help="Where the Art. 28 contract is kept")
            subparser.add_argument(
                "--transfer-mechanism",
                "--mechanism",
                dest="transfer_mechanism",
                default=TransferMechanism.NONE if required else None,
                help=f"One of {', '.join(TransferMechanism.values)} (default at creation: none)",
            )
            subparser.add_argument(
                "--activity",
                dest="activities",
                action="append",
                metavar="NAME",
                help="A processing activity of the register it serves (repeat for several)",
            )
            subparser.add_argument(
                "--email-backend", help="The SMTP host or anymail provider of licite's sending it runs"
            )
            subparser.add_argument("--notes", help="Anything else worth recording about it")
        actions.add_parser("list", help="List the processors, flagging transfers without a ground")
        show = actions.add_parser("show", help="Show one processor")
        show.add_argument("name", help=NAME)
        remove = actions.add_parser("remove", help="Remove a processor no longer used")
        remove.add_argument("name", help=NAME)

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _add(self, options: dict[str, Any]) -> None:
        if Processor.objects.filter(name=options["name"]).exists():
            raise CommandError(f"a processor named {options['name']!r} exists: use `licite processors edit`")
        self._save(options)

    def _edit(self, options: dict[str, Any]) -> None:
        _get(options["name"])
        self._save(options)

    def _save(self, options: dict[str, Any]) -> None:
        values = {field: options[field] for field in PROCESSOR_FIELDS}
        try:
            change = do_save_processor(self.actor, options["name"], options["activities"], **values)
        except ValidationError as exc:
            raise CommandError(describe_validation_error(exc)) from None
        processor = change.processor
        self.stdout.write(f"Processor {'added' if change.created else 'updated'}: {processor.name}")
        if processor.transfer_flag is not None:
            self.stderr.write(f"warning: {processor.transfer_flag}")
        if processor.transfer_caution is not None:
            self.stderr.write(f"warning: {processor.transfer_caution}")

    def _list(self, options: dict[str, Any]) -> None:
        table = Table("name", "service", "country", "mechanism", "Art. 28 contract", "activities", "transfer")
        for processor in Processor.objects.prefetch_related("activities"):
            table.add_row(
                processor.name,
                processor.service,
                processor.country,
                processor.transfer_mechanism,
                _contract(processor),
                ", ".join(a.name for a in processor.activities.all()) or "-",
                _transfer_cell(processor),
            )
        self.console().print(table)
        for processor in Processor.objects.all():
            if processor.transfer_flag is not None:
                self.stdout.write(f"{FLAG}: {processor.name}: {processor.transfer_flag}")
            if processor.transfer_caution is not None:
                self.stdout.write(f"{CAUTION}: {processor.name}: {processor.transfer_caution}")

    def _show(self, options: dict[str, Any]) -> None:
        processor = _get(options["name"])
        for label, value in (
            ("name", processor.name),
            ("service", processor.service),
            ("country", processor.country),
            ("mechanism", processor.transfer_mechanism),
            ("Art. 28 contract", _contract(processor)),
            ("activities", ", ".join(a.name for a in processor.activities.all()) or "-"),
            ("email backend", processor.email_backend or "-"),
            ("notes", processor.notes or "-"),
        ):
            self.stdout.write(f"{label + ':':<20}{value}")
        flag, caution = processor.transfer_flag, processor.transfer_caution
        if flag is not None:
            transfer = f"{FLAG}: {flag}"
        else:
            transfer = f"{CAUTION}: {caution}" if caution is not None else "ok"
        self.stdout.write(f"{'transfer:':<20}{transfer}")

    def _remove(self, options: dict[str, Any]) -> None:
        processor = _get(options["name"])
        do_remove_processor(self.actor, processor)
        self.stdout.write(f"Processor removed: {options['name']}")


def _transfer_cell(processor: Processor) -> str:
    if processor.transfer_flag is not None:
        return "FLAGGED"
    return "CHECK" if processor.transfer_caution is not None else "ok"


def _contract(processor: Processor) -> str:
    parts = [
        f"{processor.contract_date:%Y-%m-%d}" if processor.contract_date else "",
        processor.contract_reference,
    ]
    return " ".join(filter(None, parts)) or "MISSING"


def _get(name: str) -> Processor:
    processor = Processor.objects.filter(name=name).first()
    if processor is None:
        known = ", ".join(Processor.objects.values_list("name", flat=True)[:20]) or "none yet"
        raise CommandError(f"no processor named {name!r}; known processors: {known}")
    return processor
