"""The deadlines the law puts on a prospect record. `now` is always a parameter."""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta

NOTICE_DELAY_MONTHS = 1  # RULES D2: one month after collection at the latest
RETENTION_YEARS = 3  # RULES F1: 3 years from collection or the last contact the prospect initiated
SUPPRESSION_YEARS = 3  # RULES F4: the suppression hash is kept at least 3 years


def add_months(moment: datetime, months: int) -> datetime:
    """The same day `months` later, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def notice_due_at(collected_at: datetime) -> datetime:
    """RULES D2: the Art. 14 notice is due one month after collection at the latest."""
    return add_months(collected_at, NOTICE_DELAY_MONTHS)


def retain_until(collected_at: datetime, last_contact_by_prospect_at: datetime | None = None) -> datetime:
    """RULES F1: 3 years from collection or from the last contact the prospect initiated."""
    start = max(collected_at, last_contact_by_prospect_at or collected_at)
    return add_months(start, 12 * RETENTION_YEARS)


def retention_ended(collected_at: datetime, now: datetime) -> bool:
    """RULES F1: whether a record collected at `collected_at`, with no contact from the prospect
    since, is past its retention at `now` (imported so late, it is not kept at all)."""
    return retain_until(collected_at) <= now


def suppression_keep_until(suppressed_at: datetime) -> datetime:
    """RULES F4: kept at least 3 years from the objection."""
    return add_months(suppressed_at, 12 * SUPPRESSION_YEARS)


# --- What is due for erasure (the purge: licite.rights.purge) --------------------------------


def notice_grace_cutoff(now: datetime, grace_days: int) -> datetime:
    """RULES D2: a prospect whose Art. 14 notice, due at or before this moment, was never sent is
    erased: it may not be processed any longer without informing them (KASPR, notices years late)."""
    return now - timedelta(days=grace_days)


def suppression_purge_cutoff(now: datetime, keep_years: int | None) -> datetime | None:
    """RULES F4: a suppression entry kept until this moment or earlier has been kept `keep_years`
    from its latest objection, and may go; None keeps every entry (the default). `keep_until` is
    the latest objection plus the 3-year minimum, so the cutoff is `now` less the extra years."""
    if keep_years is None:
        return None
    if keep_years < SUPPRESSION_YEARS:
        raise ValueError(f"the suppression list is kept at least {SUPPRESSION_YEARS} years (RULES F4)")
    return add_months(now, -12 * (keep_years - SUPPRESSION_YEARS))


def last_chance_from(now: datetime, days: int) -> datetime:
    """RULES F1: a prospect whose retention ends before this moment may be asked, once, whether
    they wish to stay in touch."""
    return now + timedelta(days=days)
