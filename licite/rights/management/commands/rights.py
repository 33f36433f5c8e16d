from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from licite.audit.models import AuditEvent
from licite.core.emails import InvalidEmail
from licite.core.permissions import Perm
from licite.lib.commands import LiciteCommand
from licite.rights.actions import (
    MOVABLE_STATES,
    RECTIFIABLE,
    RightsError,
    do_export_access,
    do_extend_request,
    do_fulfil_request,
    do_lift_restriction,
    do_move_request,
    do_receive_request,
    do_refuse_request,
    overdue_requests,
    requests_due_soon,
)
from licite.rights.models import OPEN_STATES, RequestChannel, RequestKind, RightsRequest

COLUMNS = ("ID", "KIND", "STATE", "CHANNEL", "RECEIVED", "DUE", "ADDRESS")
REQUEST_ID = "The request's number, as `licite rights list` shows it"


class Command(LiciteCommand):
    permission = Perm.HANDLE_RIGHTS  # RULES F5: what `--as USER` must be allowed
    help = (
        "Rights requests: record, list, extend, refuse, fulfil, and export what is held (RULES G1-G5).\n\n"
        "A request is due one calendar month after receipt (31 January: the last day of February); "
        "an extension of one or two more months needs its reason, is told to the person, and is "
        "refused after the first month. A refusal tells the person its reason and their right to "
        "complain to the CNIL. Fulfilling an access or portability request sends the person a "
        "signed link to their data (48 hours); an erasure, objection or consent withdrawal erases "
        "the person and keeps only the keyed hash; a rectification applies --set FIELD=VALUE; a "
        "restriction excludes the person from every campaign until `lift`. Identity is recorded "
        "as how it was checked, never as a copy of a document."
    )
    example = (
        "licite rights request tom.smith@northfield.example --kind access --channel letter "
        '--identity-check "signed letter, address matches"'
    )
    examples = {
        "request": example,
        "list": "licite rights list --overdue",
        "show": "licite rights show 1",
        "extend": 'licite rights extend 1 --months 2 --reason "three years of exchanges to gather"',
        "fulfil": "licite rights fulfil 1; licite rights fulfil 2 --set job_title=Acheteuse",
        "refuse": 'licite rights refuse 3 --reason "the same request was answered last week"',
        "state": "licite rights state 1 awaiting_identity",
        "lift": "licite rights lift 4",
        "access": "licite rights access jeanne.dupont@acme-industrie.example --out access.html",
    }

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        request = actions.add_parser(
            "request", help="Record a request received by letter, phone, email or web"
        )
        request.add_argument("email", help="The address of the person who asks")
        request.add_argument(
            "--kind", required=True, choices=RequestKind.values, help="The right the person exercises"
        )
        request.add_argument(
            "--channel", required=True, choices=RequestChannel.values, help="How it reached you"
        )
        request.add_argument("--note", default="", help="About the request, never about the person")
        request.add_argument("--identity-check", default="", help="How identity was checked, in words")
        request.add_argument(
            "--language",
            choices=("fr", "en"),
            default="",
            help="The person's language (default: theirs if known, else the organisation's)",
        )
        request.add_argument(
            "--received-on", type=_day, help="The day it arrived, YYYY-MM-DD (default: today)"
        )
        listing = actions.add_parser("list", help="Open requests, the address last (--overdue, --due-soon)")
        which = listing.add_mutually_exclusive_group()
        which.add_argument("--overdue", action="store_true", help="Open requests past their due day")
        which.add_argument("--due-soon", action="store_true", help="Open requests due within 7 days")
        which.add_argument("--all", action="store_true", help="Every request, closed ones included")
        show = actions.add_parser("show", help="One request, with its deadline and history")
        show.add_argument("id", type=int, help=REQUEST_ID)
        extend = actions.add_parser("extend", help="Two more months at most, within the first month")
        extend.add_argument("id", type=int, help=REQUEST_ID)
        extend.add_argument("--months", type=int, required=True, choices=(1, 2), help="How many more months")
        extend.add_argument("--reason", required=True, help="Why (complexity, volume): the person is told")
        fulfil = actions.add_parser("fulfil", help="Answer the request as its kind asks, and close it")
        fulfil.add_argument("id", type=int, help=REQUEST_ID)
        fulfil.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="FIELD=VALUE",
            help=f"A rectification's change; FIELD is one of {', '.join(RECTIFIABLE)}",
        )
        refuse = actions.add_parser(
            "refuse", help="Refuse with a reason, told to the person with the CNIL right"
        )
        refuse.add_argument("id", type=int, help=REQUEST_ID)
        refuse.add_argument("--reason", required=True, help="Why, in words the person will read")
        state = actions.add_parser(
            "state", help="Wait for the person (identity, precision) or mark in progress"
        )
        state.add_argument("id", type=int, help=REQUEST_ID)
        state.add_argument("state", choices=MOVABLE_STATES, help="The state the request moves to")
        lift = actions.add_parser("lift", help="Lift a restriction: the prospect gets its status back")
        lift.add_argument("id", type=int, help="The number of the restriction request")
        access = actions.add_parser("access", help="Write what is held about an address (HTML or JSON)")
        access.add_argument("email", help="The address whose data is written")
        access.add_argument("--out", required=True, type=Path, help="The file to write")
        access.add_argument("--format", choices=("html", "json"), default="html", help="Default: html")
        access.add_argument(
            "--language",
            choices=("fr", "en"),
            default="",
            help="Default: the person's, else the organisation's",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except InvalidEmail as exc:
            raise CommandError(f"not a valid email address: {exc.reason}") from None
        except RightsError as exc:
            raise CommandError(str(exc)) from None

    def _request(self, options: dict[str, Any]) -> None:
        received_on: date | None = options["received_on"]
        if received_on and received_on > timezone.localdate():
            raise CommandError(f"--received-on: {received_on.isoformat()} is in the future")
        received_at = timezone.make_aware(datetime.combine(received_on, time(12))) if received_on else None
        request = do_receive_request(
            self.actor, options["email"], options["kind"], options["channel"], note=options["note"],
            identity_check=options["identity_check"], language=options["language"], received_at=received_at,
        )  # fmt: skip
        self.stdout.write(f"Request {request.pk} recorded ({request.kind}, by {request.channel}).")
        self.stdout.write(f"Due on {request.due_on.isoformat()} (one calendar month after receipt).")

    def _list(self, options: dict[str, Any]) -> None:
        if options["overdue"]:
            requests = overdue_requests()
        elif options["due_soon"]:
            requests = requests_due_soon()
        elif options["all"]:
            requests = RightsRequest.objects.all()
        else:
            requests = RightsRequest.objects.filter(state__in=OPEN_STATES)
        rows = [_row(request) for request in requests.order_by("due_on", "pk")]
        widths = [max(len(row[i]) for row in [COLUMNS, *rows]) for i in range(len(COLUMNS) - 1)]
        for row in [COLUMNS, *rows]:  # plain columns, the address last and whole
            self.stdout.write(
                "  ".join([*(cell.ljust(w) for cell, w in zip(row, widths, strict=False)), row[-1]])
            )
        self.stdout.write(f"{len(rows)} request(s).")

    def _show(self, options: dict[str, Any]) -> None:
        request = _request(options["id"])
        today = timezone.localdate()
        late = " (overdue)" if request.is_open and request.due_on < today else ""
        lines = [
            ("request", str(request.pk)), ("kind", request.kind), ("state", request.state),
            ("channel", request.channel), ("address", request.email or "(erased: keyed hash only)"),
            ("language", request.language),
            ("received", _moment(request.received_at)),
            ("due", request.due_on.isoformat() + late),
            ("extension", f"{request.extension_months} month(s): {request.extension_reason}"
             if request.extension_months else "none"),
            ("identity check", request.identity_check or "(none recorded)"), ("note", request.note),
            ("refusal reason", request.refusal_reason),
            ("closed", _moment(request.closed_at)),
            ("received by", request.received_by.get_username() if request.received_by else ""),
        ]  # fmt: skip
        for label, value in lines:
            if value:
                self.stdout.write(f"{label + ':':<16}{value}")
        self.stdout.write("history:")
        for event in AuditEvent.objects.filter(
            object_type=request._meta.label_lower, object_id=str(request.pk)
        ).order_by("at", "pk"):
            self.stdout.write(f"  {_moment(event.at)}  {event.actor_label}  {event.action}")

    def _extend(self, options: dict[str, Any]) -> None:
        request = do_extend_request(self.actor, _request(options["id"]), options["months"], options["reason"])
        self.stdout.write(f"Request {request.pk} extended: due on {request.due_on.isoformat()}.")
        self.stdout.write("The person is told why and the new date (message queued).")

    def _fulfil(self, options: dict[str, Any]) -> None:
        changes = dict(_change(item) for item in options["set"])
        request = do_fulfil_request(self.actor, _request(options["id"]), changes)
        self.stdout.write(f"Request {request.pk} fulfilled ({request.kind}).")
        if request.kind in (RequestKind.ACCESS, RequestKind.PORTABILITY):
            self.stdout.write("A signed link to the data (valid 48 hours) is queued for the person.")
        elif not request.email:
            self.stdout.write("The person is erased; the request keeps only the keyed hash of the address.")

    def _refuse(self, options: dict[str, Any]) -> None:
        request = do_refuse_request(self.actor, _request(options["id"]), options["reason"])
        self.stdout.write(f"Request {request.pk} refused. The person is told the reason and the CNIL right.")

    def _state(self, options: dict[str, Any]) -> None:
        request = do_move_request(self.actor, _request(options["id"]), options["state"])
        self.stdout.write(
            f"Request {request.pk} is now {request.state}; still due on {request.due_on.isoformat()}."
        )

    def _lift(self, options: dict[str, Any]) -> None:
        lifted = do_lift_restriction(self.actor, _request(options["id"]))
        self.stdout.write(f"Restriction lifted: {lifted} prospect(s) back to their status.")

    def _access(self, options: dict[str, Any]) -> None:
        document, held = do_export_access(
            self.actor, options["email"], options["format"], options["language"]
        )
        try:
            options["out"].write_text(document, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"--out: cannot write {options['out']}: {exc.strerror}") from None
        self.stdout.write(f"Written to {options['out']} ({options['format']}; held: {held}).")


def _row(request: RightsRequest) -> tuple[str, ...]:
    received = timezone.localtime(request.received_at).date().isoformat()
    address = request.email or "(erased)"
    due = request.due_on.isoformat()
    return (str(request.pk), request.kind, request.state, request.channel, received, due, address)


def _moment(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _request(pk: int) -> RightsRequest:
    request = RightsRequest.objects.filter(pk=pk).first()
    if request is None:
        raise CommandError(f"no rights request {pk}")
    return request


def _change(item: str) -> tuple[str, str]:
    name, equals, value = item.partition("=")
    if not equals or not name.strip():
        raise CommandError(f"--set: expected FIELD=VALUE, got {item!r}")
    return name.strip(), value


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--received-on: expected a day as YYYY-MM-DD, got {text!r}") from None
