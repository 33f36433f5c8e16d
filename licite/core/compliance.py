"""Decisions of the compliance check and the breach log: statuses, thresholds, clocks.

Pure rules, no Django: the queries that count live in licite.compliance.checks; `now` is always
a parameter. Each threshold cites its rule (../shared/RULES.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta

OK = "ok"
WARNING = "warning"
FAILURE = "failure"
STATUSES = (OK, WARNING, FAILURE)

# The six good practices of prospecting from public data, then the rules that fall outside them.
LAWFUL_BASIS = "lawful_basis"
PURPOSE = "purpose_limitation"
MINIMIZATION = "minimization"
RETENTION = "retention"
ACCESS = "access"
INFORMATION = "information"
RIGHTS = "rights"
ACCOUNTABILITY = "accountability"
PRACTICES = (LAWFUL_BASIS, PURPOSE, MINIMIZATION, RETENTION, ACCESS, INFORMATION, RIGHTS, ACCOUNTABILITY)

# RULES H1b (GDPR art. 33.1): the CNIL is notified within 72 hours of awareness.
BREACH_NOTIFY_HOURS = 72
# RULES F1-F4: the purge runs daily; two days without one means the schedule stopped.
PURGE_MAX_DAYS = 2
# RULES E4: the spam complaint rate the large mailbox providers tolerate, over 30 days.
COMPLAINT_RATE_LIMIT = 0.003
COMPLAINT_WINDOW_DAYS = 30

# Which exit code `licite compliance` returns (cron, CI): 2 on a failure, 1 on a warning with --strict.
EXIT_OK, EXIT_WARNING, EXIT_FAILURE = 0, 1, 2


def status_of(count: int, severity: str) -> str:
    """A check that finds nothing is ok; otherwise it has its severity."""
    if severity not in (WARNING, FAILURE):
        raise ValueError(f"unknown severity {severity!r}")
    return OK if count == 0 else severity


def worst(statuses: Iterable[str]) -> str:
    """The worst of several statuses (ok when there is none)."""
    return max(statuses, key=STATUSES.index, default=OK)


def exit_code(statuses: Iterable[str], *, strict: bool) -> int:
    """2 on a failure; 1 on a warning when `strict`; else 0."""
    overall = worst(statuses)
    if overall == FAILURE:
        return EXIT_FAILURE
    if overall == WARNING and strict:
        return EXIT_WARNING
    return EXIT_OK


def split_status(failing: int, warning: int) -> tuple[int, str]:
    """The count and status of a check whose findings are failures or warnings (failures win)."""
    if failing:
        return failing + warning, FAILURE
    return warning, status_of(warning, WARNING)


# --- The breach clock (RULES H1b) ------------------------------------------------------------


def breach_deadline(found_at: datetime) -> datetime:
    """The last moment to notify the CNIL: 72 hours after the breach was found (art. 33.1)."""
    return found_at + timedelta(hours=BREACH_NOTIFY_HOURS)


def hours_left(found_at: datetime, now: datetime) -> int:
    """Whole hours left before the deadline; negative once it has passed (hours overdue)."""
    seconds = (breach_deadline(found_at) - now).total_seconds()
    return int(seconds // 3600) if seconds >= 0 else -int(-seconds // 3600)


def clock_text(found_at: datetime, now: datetime) -> str:
    """ "31 hours left" or "5 hours overdue", for a breach not notified yet."""
    left = hours_left(found_at, now)
    return f"{left} hours left" if left >= 0 else f"{-left} hours overdue"


def notification_overdue(risk: str, notified: bool, found_at: datetime, now: datetime) -> bool:
    """RULES H1b: a breach not judged unlikely to result in a risk, not notified to the CNIL 72
    hours after it was found (art. 33.1)."""
    return risk != "none" and not notified and now > breach_deadline(found_at)


def persons_untold(risk: str, told: bool, waived: bool) -> bool:
    """RULES H1b (art. 34): a high risk obliges telling the persons, unless a reason is written."""
    return risk == "high" and not told and not waived


# --- Other thresholds ------------------------------------------------------------------------


def purge_stale(last_run: datetime | None, now: datetime) -> bool:
    """RULES F1-F4: the daily purge has not run for more than two days (or ever)."""
    return last_run is None or now - last_run > timedelta(days=PURGE_MAX_DAYS)


def complaint_rate_too_high(complaints: int, sent: int) -> bool:
    """RULES E4: spam complaints at or above 0.3 % of the messages sent."""
    return sent > 0 and complaints / sent >= COMPLAINT_RATE_LIMIT


# --- The suppression key's fingerprint (RULES F4) ----------------------------------------------


def key_fingerprint(key: bytes) -> str:
    """A short digest that names the key without revealing it (SHA-256 of a labelled key, 64
    bits shown): enough to tell two keys apart, far too little to rebuild or test one."""
    digest = hashlib.sha256(b"licite suppression key fingerprint 1\0" + key).hexdigest()[:16]
    return "-".join(digest[i : i + 4] for i in range(0, 16, 4))


def normalize_fingerprint(text: str) -> str:
    """A fingerprint as typed (any case, with or without dashes or spaces) in its shown form."""
    raw = "".join(ch for ch in text.lower() if ch not in "- :")
    if len(raw) != 16 or any(ch not in "0123456789abcdef" for ch in raw):
        raise ValueError("a fingerprint is 16 hexadecimal digits, such as 1a2b-3c4d-5e6f-7a8b")
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))
