from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from licite.compliance.actions import (
    BreachError,
    do_not_tell_persons,
    do_notify_breach,
    do_record_breach,
    do_tell_persons,
    do_update_breach,
    do_waive_notification,
)
from licite.compliance.models import Breach, BreachNature, BreachRisk
from licite.compliance.report import notification_text, persons_text
from licite.core import compliance
from licite.lib.commands import LiciteCommand, describe_validation_error

COLUMNS = ("ID", "FOUND", "RISK", "PERSONS", "RECORDS", "CNIL", "PERSONS TOLD")
BREACH_ID = "The breach's number, as `licite breach list` shows it"


def _moment(text: str) -> datetime:
    """YYYY-MM-DD HH:MM (local time), or YYYY-MM-DD (00:00, the stricter reading: the 72-hour clock
    starts at the earliest moment of that day), or ISO 8601 with an offset."""
    text = text.strip()
    try:
        moment = parse_datetime(text.replace(" ", "T", 1)) if ":" in text else None
        if moment is None:
            day = parse_date(text) if len(text) == 10 else None
            moment = datetime(day.year, day.month, day.day) if day else None
    except ValueError:  # well formed but impossible: 2026-13-04, 25:00
        moment = None
    if moment is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: write YYYY-MM-DD or 'YYYY-MM-DD HH:MM'")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _natures(text: str) -> list[str]:
    natures = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [part for part in natures if part not in BreachNature.values]
    if not natures or unknown:
        raise argparse.ArgumentTypeError(
            f"{', '.join(unknown) or 'nothing'}: name one or more of "
            f"{', '.join(BreachNature.values)}, comma-separated"
        )
    return list(dict.fromkeys(natures))


def _count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of zero or more")
    return int(text)


class Command(LiciteCommand):
    help = (
        "The breach log (GDPR art. 33.5, RULES H1b) and its 72-hour clock.\n\n"
        "Record a personal data breach, follow the 72-hour clock, record the CNIL's notification and "
        "what the persons were told. "
        "Every breach is documented: when it was found, its nature (confidentiality, integrity, "
        "availability), the data and the persons concerned (counts), the likely consequences, the "
        "measures taken and the risk. The CNIL is notified within 72 hours of awareness unless the "
        "breach is unlikely to result in a risk (then `waive` writes why); the persons are told when "
        "the risk is high (art. 34). Describe categories of data, never the data itself."
    )
    example = (
        'licite breach add --found-at "2026-12-01 09:30" --nature confidentiality '
        '--data "work emails, names" --persons 120 --records 120 --consequences "unwanted emails" '
        '--measures "password reset, access revoked" --risk risk'
    )
    examples = {
        "add": example,
        "update": 'licite breach update 1 --persons 150 --records 150 --measures "2FA enforced"',
        "list": "licite breach list",
        "show": "licite breach show 1",
        "notify": 'licite breach notify 1 --at "2026-12-02 10:00"',
        "waive": 'licite breach waive 1 --reason "the lost laptop was encrypted and its key was not exposed"',
        "tell": 'licite breach tell 1 --at "2026-12-03 09:00"',
        "not-told": 'licite breach not-told 1 --reason "the data were encrypted, unintelligible to others"',
    }

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = actions.add_parser("add", help="Record a breach: the 72-hour clock starts at --found-at")
        update = actions.add_parser("update", help="Complete what was learnt since (risk, counts, measures)")
        update.add_argument("id", type=int, help=BREACH_ID)
        update.add_argument(
            "--reason", default="", help="Why --found-at moves later (required then: it moves the clock)"
        )
        for sub, required in ((add, True), (update, False)):
            sub.add_argument(
                "--found-at", type=_moment, required=required, help="YYYY-MM-DD HH:MM, local time"
            )
            sub.add_argument("--nature", type=_natures, required=required,
                             help=f"One or more of {', '.join(BreachNature.values)}")  # fmt: skip
            sub.add_argument("--data", dest="data_concerned", required=required,
                             help="The categories of data concerned, never the data")  # fmt: skip
            sub.add_argument("--persons", dest="persons_count", type=_count, required=required,
                             help="How many persons are concerned (a count)")  # fmt: skip
            sub.add_argument("--records", dest="records_count", type=_count, required=required,
                             help="How many records are concerned (a count)")  # fmt: skip
            sub.add_argument("--consequences", required=required, help="The likely consequences")
            sub.add_argument("--measures", required=required, help="The measures taken or proposed")
            sub.add_argument("--risk", choices=BreachRisk.values, required=required,
                             help="none (unlikely to result in a risk), risk, or high")  # fmt: skip
        actions.add_parser("list", help="Every breach, with the 72-hour clock of those not notified")
        show = actions.add_parser("show", help="One breach, whole")
        show.add_argument("id", type=int, help=BREACH_ID)
        notify = actions.add_parser("notify", help="The CNIL was notified (art. 33.1)")
        notify.add_argument("id", type=int, help=BREACH_ID)
        notify.add_argument("--at", type=_moment, help="When (default: now)")
        notify.add_argument("--delay-reason", default="",
                            help="Why it comes after the 72 hours (required then, art. 33.1)")  # fmt: skip
        waive = actions.add_parser("waive", help="Not notified: the breach is unlikely to result in a risk")
        waive.add_argument("id", type=int, help=BREACH_ID)
        waive.add_argument("--reason", required=True, help="Why it is unlikely to result in a risk")
        tell = actions.add_parser("tell", help="The persons concerned were told (art. 34)")
        tell.add_argument("id", type=int, help=BREACH_ID)
        tell.add_argument("--at", type=_moment, help="When (default: now)")
        not_told = actions.add_parser("not-told", help="Why the persons are not told (art. 34.3)")
        not_told.add_argument("id", type=int, help=BREACH_ID)
        not_told.add_argument("--reason", required=True, help="Which exception of art. 34.3 applies, and why")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action'].replace('-', '_')}")(options)
        except BreachError as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError(describe_validation_error(exc)) from None

    def _fields(self, options: dict[str, Any]) -> dict[str, Any]:
        names = ("found_at", "nature", "data_concerned", "persons_count", "records_count", "consequences",
                 "measures", "risk")  # fmt: skip
        return {name: options[name] for name in names if options.get(name) is not None}

    def _add(self, options: dict[str, Any]) -> None:
        breach = do_record_breach(self.actor, **self._fields(options))
        self.stdout.write(f"Breach {breach.pk} recorded (risk: {breach.risk}).")
        self.stdout.write(self._clock(breach))

    def _update(self, options: dict[str, Any]) -> None:
        breach = do_update_breach(
            self.actor, self._breach(options["id"]), reason=options["reason"], **self._fields(options)
        )
        self.stdout.write(f"Breach {breach.pk} updated (risk: {breach.risk}).")

    def _list(self, options: dict[str, Any]) -> None:
        now = timezone.now()
        rows = [_row(breach, now) for breach in Breach.objects.order_by("-found_at")]
        widths = [max(len(row[i]) for row in [COLUMNS, *rows]) for i in range(len(COLUMNS))]
        for row in [COLUMNS, *rows]:
            self.stdout.write("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        self.stdout.write(f"{len(rows)} breach(es).")

    def _show(self, options: dict[str, Any]) -> None:
        breach, now = self._breach(options["id"]), timezone.now()
        lines = (
            ("Found at", _local(breach.found_at)),
            ("Nature", ", ".join(breach.nature)),
            ("Data concerned", breach.data_concerned),
            ("Persons concerned", str(breach.persons_count)),
            ("Records concerned", str(breach.records_count)),
            ("Likely consequences", breach.consequences),
            ("Measures taken", breach.measures),
            ("Risk", breach.risk),
            ("Notify the CNIL by", _local(breach.deadline)),
            ("CNIL notified", notification_text(breach, now)),
            ("Persons told", persons_text(breach)),
        )
        for label, value in lines:
            self.stdout.write(f"{label + ':':<21}{value}")

    def _notify(self, options: dict[str, Any]) -> None:
        breach = do_notify_breach(
            self.actor, self._breach(options["id"]), options["at"] or timezone.now(),
            delay_reason=options["delay_reason"],
        )  # fmt: skip
        late = (
            " (after the 72 hours)"
            if breach.cnil_notified_at and breach.cnil_notified_at > breach.deadline
            else ""
        )
        self.stdout.write(f"Breach {breach.pk}: CNIL notified on {_local(breach.cnil_notified_at)}{late}.")

    def _waive(self, options: dict[str, Any]) -> None:
        breach = do_waive_notification(self.actor, self._breach(options["id"]), options["reason"])
        self.stdout.write(f"Breach {breach.pk}: not notified, the reason is recorded.")

    def _tell(self, options: dict[str, Any]) -> None:
        breach = do_tell_persons(self.actor, self._breach(options["id"]), options["at"] or timezone.now())
        self.stdout.write(f"Breach {breach.pk}: persons told on {_local(breach.persons_told_at)}.")

    def _not_told(self, options: dict[str, Any]) -> None:
        breach = do_not_tell_persons(self.actor, self._breach(options["id"]), options["reason"])
        self.stdout.write(f"Breach {breach.pk}: persons not told, the reason is recorded.")

    def _breach(self, pk: int) -> Breach:
        breach = Breach.objects.filter(pk=pk).first()
        if breach is None:
            raise CommandError(f"no breach {pk}: `licite breach list` shows them")
        return breach

    def _clock(self, breach: Breach) -> str:
        if breach.risk == BreachRisk.NONE:
            return (
                "Unlikely to result in a risk: no notification needed; say why with "
                f"`licite breach waive {breach.pk} --reason TEXT`."
            )
        return (f"Notify the CNIL by {_local(breach.deadline)} "
                f"({compliance.clock_text(breach.found_at, timezone.now())}).")  # fmt: skip


def _row(breach: Breach, now: datetime) -> tuple[str, ...]:
    if breach.cnil_notified_at is not None:
        cnil = f"notified {_local(breach.cnil_notified_at)}"
    elif breach.risk == BreachRisk.NONE:
        cnil = "not needed" if breach.no_notification_reason else "not needed (reason missing)"
    else:
        cnil = compliance.clock_text(breach.found_at, now)
    if breach.persons_told_at is not None:
        told = f"told {_local(breach.persons_told_at)}"
    else:
        told = "not told" + (" (required)" if breach.persons_untold() else "")
    return (str(breach.pk), _local(breach.found_at), breach.risk, str(breach.persons_count),
            str(breach.records_count), cnil, told)  # fmt: skip


def _local(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""
