"""The pure decisions of the compliance check and the breach clock (licite.core.compliance)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from licite.core import compliance

FOUND = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("statuses", "strict", "code"),
    [
        ((), False, 0),
        (("ok", "ok"), True, 0),
        (("ok", "warning"), False, 0),
        (("ok", "warning"), True, 1),
        (("warning", "failure"), False, 2),
        (("failure",), True, 2),
    ],
)
def test_the_exit_code_is_2_on_a_failure_and_1_on_a_warning_only_when_strict(statuses, strict, code):
    assert compliance.exit_code(statuses, strict=strict) == code


def test_the_cnil_must_be_notified_within_72_hours_of_awareness():
    assert compliance.breach_deadline(FOUND) == FOUND + timedelta(hours=72)
    assert compliance.clock_text(FOUND, FOUND + timedelta(hours=10, minutes=30)) == "61 hours left"
    assert compliance.clock_text(FOUND, FOUND + timedelta(hours=80, minutes=30)) == "8 hours overdue"


def test_only_a_breach_with_a_risk_is_overdue_and_only_past_72_hours():
    late = FOUND + timedelta(hours=73)
    assert compliance.notification_overdue("risk", False, FOUND, late)
    assert not compliance.notification_overdue("risk", False, FOUND, FOUND + timedelta(hours=71))
    assert not compliance.notification_overdue("risk", True, FOUND, late)
    assert not compliance.notification_overdue("none", False, FOUND, late)


def test_a_high_risk_obliges_telling_the_persons_unless_a_reason_is_written():
    assert compliance.persons_untold("high", told=False, waived=False)
    assert not compliance.persons_untold("high", told=False, waived=True)
    assert not compliance.persons_untold("risk", told=False, waived=False)


def test_the_purge_is_stale_after_two_days_or_when_it_never_ran():
    now = FOUND
    assert compliance.purge_stale(None, now)
    assert not compliance.purge_stale(now - timedelta(days=1), now)
    assert compliance.purge_stale(now - timedelta(days=2, seconds=1), now)


def test_a_fingerprint_names_a_key_without_revealing_it_and_is_read_back_however_typed():
    key = b"k" * 64
    fingerprint = compliance.key_fingerprint(key)
    assert len(fingerprint) == 19
    assert fingerprint.count("-") == 3
    assert compliance.key_fingerprint(b"j" * 64) != fingerprint
    assert compliance.normalize_fingerprint(fingerprint.upper().replace("-", " ")) == fingerprint
    with pytest.raises(ValueError, match="16 hexadecimal digits"):
        compliance.normalize_fingerprint("not-a-fingerprint")


def test_spam_complaints_count_from_three_per_thousand():
    assert not compliance.complaint_rate_too_high(2, 1000)
    assert compliance.complaint_rate_too_high(3, 1000)
    assert not compliance.complaint_rate_too_high(0, 0)
