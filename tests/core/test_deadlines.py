"""RULES G1: a rights request is due one calendar month after receipt (Regulation 1182/71)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from licite.core.deadlines import (
    ExtensionRefused,
    check_extension,
    due_date,
    extended_due_date,
    is_due_soon,
    is_overdue,
)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 1, 15), date(2026, 2, 15)),
        (date(2026, 1, 31), date(2026, 2, 28)),  # no 31 February: the last day of February
        (date(2028, 1, 31), date(2028, 2, 29)),  # a leap year
        (date(2028, 1, 30), date(2028, 2, 29)),
        (date(2028, 1, 29), date(2028, 2, 29)),
        (date(2100, 1, 31), date(2100, 2, 28)),  # a century that is no leap year
        (date(2000, 1, 31), date(2000, 2, 29)),  # a century that is one
        (date(2026, 3, 31), date(2026, 4, 30)),
        (date(2026, 2, 28), date(2026, 3, 28)),  # never "the end of the month" carried over
        (date(2026, 12, 31), date(2027, 1, 31)),  # across the year
        (date(2026, 8, 31), date(2026, 9, 30)),
    ],
)
def test_a_request_is_due_on_the_same_date_of_the_next_month_or_its_last_day(received, due):
    assert due_date(received) == due


def test_a_request_received_on_31_january_is_never_given_30_days():
    assert due_date(date(2026, 1, 31)) != date(2026, 1, 31) + timedelta(days=30)


@given(st.dates(min_value=date(1970, 1, 1), max_value=date(2200, 12, 31)))
def test_the_due_date_is_in_the_next_calendar_month_and_never_before_28_days(received):
    due = due_date(received)
    following = (received.replace(day=1) + timedelta(days=32)).replace(day=1)
    assert (due.year, due.month) == (following.year, following.month)
    assert due >= received + timedelta(days=28)
    assert due.day == received.day or (due.day < received.day and (due + timedelta(days=1)).day == 1)


@pytest.mark.parametrize(
    ("received", "months", "due"),
    [
        (date(2026, 1, 31), 1, date(2026, 3, 28)),  # counted from the first due date: the stricter
        (date(2026, 1, 31), 2, date(2026, 4, 28)),
        (date(2026, 3, 15), 2, date(2026, 6, 15)),
        (date(2026, 11, 30), 2, date(2027, 2, 28)),
    ],
)
def test_an_extension_adds_whole_months_to_the_first_due_date(received, months, due):
    assert extended_due_date(received, months) == due


def test_an_extension_within_the_first_month_moves_the_due_date():
    assert check_extension(date(2026, 1, 31), date(2026, 2, 28), 0, 2) == date(2026, 4, 28)


def test_an_extension_after_the_first_month_is_refused():
    with pytest.raises(ExtensionRefused, match="the first month ended on 2026-02-28"):
        check_extension(date(2026, 1, 31), date(2026, 3, 1), 0, 1)


def test_two_more_months_in_all_at_most():
    assert check_extension(date(2026, 1, 15), date(2026, 2, 1), 1, 1) == date(2026, 4, 15)
    with pytest.raises(ExtensionRefused, match="two more months in all"):
        check_extension(date(2026, 1, 15), date(2026, 2, 1), 1, 2)


@pytest.mark.parametrize("months", [0, 3, -1])
def test_an_extension_is_of_one_or_two_months(months):
    with pytest.raises(ExtensionRefused, match="1 or 2 months"):
        check_extension(date(2026, 1, 15), date(2026, 1, 20), 0, months)


def test_a_request_is_overdue_the_day_after_its_due_day():
    due = date(2026, 2, 28)
    assert not is_overdue(due, date(2026, 2, 28))
    assert is_overdue(due, date(2026, 3, 1))


def test_due_soon_means_today_or_within_seven_days():
    today = date(2026, 2, 1)
    assert is_due_soon(today, today)
    assert is_due_soon(date(2026, 2, 8), today)
    assert not is_due_soon(date(2026, 2, 9), today)
    assert not is_due_soon(date(2026, 1, 31), today)
