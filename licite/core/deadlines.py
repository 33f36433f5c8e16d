"""The deadline of a rights request (RULES G1): one calendar month, extendable once by two at most.

A month is a calendar month, counted as Regulation (EEC, Euratom) No 1182/71 counts periods
(art. 3.2.c): the period ends on the day of the next month that has the date of receipt, or on
the last day of that month when it has no such date (received on 31 January: due on the last day
of February, 28 or 29). Never a fixed 30 days, never 45 (Fides' Californian figure). Dates are
days in the organisation's time zone: a request is due by the end of its due day.

`today` is always a parameter, never read from the clock.
"""

from __future__ import annotations

from datetime import date, timedelta

from licite.core.clocks import add_months

ANSWER_MONTHS = 1  # RULES G1: within one month of receipt
MAX_EXTENSION_MONTHS = 2  # RULES G1: "by two further months" where necessary
DUE_SOON_DAYS = 7  # the DPO's list of requests due within a week


class ExtensionRefused(ValueError):
    """An extension the law does not allow: past the first month, or beyond two more months.

    `code` names the refusal and `params` its values, so that a page can say it in the reader's
    language (core stays free of Django: the translations live in licite.lib.refusals)."""

    def __init__(self, message: str, code: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


def due_date(received_on: date) -> date:
    """RULES G1: one calendar month after receipt (31 January gives 28 or 29 February)."""
    return add_months(received_on, ANSWER_MONTHS)  # type: ignore[arg-type]


def extended_due_date(received_on: date, months: int) -> date:
    """The due date extended by `months` (1 or 2), counted from the first due date.

    Where the law is silent on how the further months are counted, licite takes the stricter
    reading: they follow the first due date (31 January: 28 February, then 28 March), never
    the longer count from receipt (31 March)."""
    if not 0 <= months <= MAX_EXTENSION_MONTHS:
        raise ExtensionRefused(f"an extension is of 1 or 2 months, not {months}", "months", months=months)
    return add_months(due_date(received_on), months)  # type: ignore[arg-type]


def check_extension(received_on: date, today: date, already: int, months: int) -> date:
    """RULES G1: the new due date of an extension by `months` more, or ExtensionRefused.

    The person must be told why within the first month: past the first due date, too late.
    Two more months in all, whether asked at once or one after the other."""
    if months not in (1, 2):
        raise ExtensionRefused(f"an extension is of 1 or 2 months, not {months}", "months", months=months)
    first = due_date(received_on)
    if today > first:
        raise ExtensionRefused(
            f"the first month ended on {first.isoformat()}: an extension must be decided and "
            "told to the person within it (GDPR art. 12.3)",
            "too_late",
            first=first.isoformat(),
        )
    if already + months > MAX_EXTENSION_MONTHS:
        raise ExtensionRefused(
            f"already extended by {already} month(s): two more months in all at most (GDPR art. 12.3)",
            "too_long",
            already=already,
        )
    return extended_due_date(received_on, already + months)


def is_overdue(due_on: date, today: date) -> bool:
    """Past its due day: the answer is late."""
    return today > due_on


def is_due_soon(due_on: date, today: date, days: int = DUE_SOON_DAYS) -> bool:
    """Due today or within `days` days, not yet late."""
    return today <= due_on <= today + timedelta(days=days)
