from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from licite.core import clocks

moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC))


def test_the_notice_is_due_one_month_after_collection():
    collected = datetime(2026, 3, 12, 9, 30, tzinfo=UTC)
    assert clocks.notice_due_at(collected) == datetime(2026, 4, 12, 9, 30, tzinfo=UTC)


def test_a_month_after_the_31st_of_january_is_the_last_day_of_february():
    assert clocks.add_months(datetime(2028, 1, 31, tzinfo=UTC), 1) == datetime(2028, 2, 29, tzinfo=UTC)


def test_retention_runs_three_years_from_collection():
    collected = datetime(2026, 3, 12, tzinfo=UTC)
    assert clocks.retain_until(collected) == datetime(2029, 3, 12, tzinfo=UTC)


def test_a_record_collected_three_years_ago_or_more_is_past_its_retention():
    collected = datetime(2026, 3, 12, tzinfo=UTC)
    assert not clocks.retention_ended(collected, datetime(2029, 3, 11, 23, 59, tzinfo=UTC))
    assert clocks.retention_ended(collected, datetime(2029, 3, 12, tzinfo=UTC))


def test_a_contact_initiated_by_the_prospect_restarts_the_three_years():
    collected, replied = datetime(2026, 3, 12, tzinfo=UTC), datetime(2027, 6, 1, tzinfo=UTC)
    assert clocks.retain_until(collected, replied) == datetime(2030, 6, 1, tzinfo=UTC)


@given(moments, st.one_of(st.none(), moments))
def test_retention_never_ends_before_three_years_from_the_latest_start(collected, contact):
    end = clocks.retain_until(collected, contact)
    start = max(collected, contact or collected)
    assert 365 * 3 - 1 <= (end - start).days <= 366 * 3


@given(moments)
def test_the_notice_deadline_is_never_more_than_31_days_away(collected):
    assert 28 <= (clocks.notice_due_at(collected) - collected).days <= 31
