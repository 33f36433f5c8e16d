"""The breach log (GDPR art. 33.5, RULES H1b): documented, the 72-hour clock shown, in the compliance
check and the inspection pack, audited, read-only in the admin."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from licite.audit.models import AuditEvent
from licite.compliance.models import Breach
from licite.compliance.report import breaches_document
from licite.lib.documents import render
from tests.compliance.conftest import status

# The ids a DPO types (`breach notify 1`) are read as they are: sequences restart for each test.
pytestmark = pytest.mark.django_db(reset_sequences=True)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def add(found_at: str, risk: str = "risk", *more: str) -> str:
    return run(
        "breach", "add", "--found-at", found_at, "--nature", "confidentiality,availability",
        "--data", "work emails, names", "--persons", "120", "--records", "130",
        "--consequences", "unwanted emails", "--measures", "password reset", "--risk", risk, *more,
    )  # fmt: skip


def ago(**delta: float) -> str:
    return timezone.localtime(timezone.now() - timedelta(**delta)).strftime("%Y-%m-%d %H:%M")


def test_a_breach_is_recorded_with_its_72_hour_clock():
    out = add(ago(hours=10))
    assert "Breach 1 recorded (risk: risk)." in out
    assert "(61 hours left)" in out or "(62 hours left)" in out
    breach = Breach.objects.get()
    assert breach.nature == ["confidentiality", "availability"]
    assert (breach.persons_count, breach.records_count) == (120, 130)


def test_the_list_shows_hours_left_or_overdue():
    add(ago(hours=10))
    add(ago(hours=80))
    out = run("breach", "list")
    assert "hours left" in out
    assert "hours overdue" in out
    assert "2 breach(es)." in out


def test_an_unnotified_breach_with_a_risk_warns_within_72_hours_and_fails_after():
    add(ago(hours=10))
    assert status("breach_not_notified") == "warning"
    Breach.objects.update(found_at=timezone.now() - timedelta(hours=73))
    assert status("breach_not_notified") == "failure"
    run("breach", "notify", "1", "--at", ago(minutes=5), "--delay-reason", "the provider told us late")
    assert status("breach_not_notified") == "ok"
    assert "late" in run("breach", "show", "1")


def test_a_breach_unlikely_to_result_in_a_risk_needs_no_notification_but_its_reason():
    add(ago(hours=100), "none")
    assert status("breach_not_notified") == "ok"
    assert status("breach_undocumented") == "warning"
    run("breach", "waive", "1", "--reason", "encrypted laptop, key not disclosed")
    assert status("breach_undocumented") == "ok"


def test_only_a_riskless_breach_may_go_unnotified():
    add(ago(hours=1), "high")
    with pytest.raises(CommandError, match="only a breach unlikely to result in a risk may go unnotified"):
        run("breach", "waive", "1", "--reason", "we would rather not")


def test_a_high_risk_breach_fails_until_the_persons_are_told_or_the_reason_is_written():
    add(ago(hours=1), "high")
    run("breach", "notify", "1")
    assert status("breach_persons_not_told") == "failure"
    run("breach", "tell", "1")
    assert status("breach_persons_not_told") == "ok"
    add(ago(hours=1), "high")
    run("breach", "notify", "2")
    run("breach", "not-told", "2", "--reason", "data encrypted, unintelligible (art. 34.3.a)")
    assert status("breach_persons_not_told") == "ok"


def test_the_risk_is_updated_as_it_becomes_known():
    add(ago(hours=1), "none")
    run("breach", "update", "1", "--risk", "high", "--persons", "300")
    breach = Breach.objects.get()
    assert (breach.risk, breach.persons_count) == ("high", 300)
    event = AuditEvent.objects.get(action="breach.updated")
    assert event.detail == {"fields": ["persons_count", "risk"], "risk": "high"}


def test_every_step_is_audited_without_the_free_text():
    add(ago(hours=1))
    run("breach", "notify", "1")
    actions = list(AuditEvent.objects.filter(action__startswith="breach.").values_list("action", "detail"))
    assert [action for action, _detail in actions] == ["breach.notified", "breach.recorded"]
    assert "work emails" not in str(actions)
    assert "password reset" not in str(actions)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--found-at", "yesterday"), "is not a date"),
        (("--nature", "secrecy"), "secrecy: name one or more of confidentiality, integrity, availability"),
        (("--persons", "-3"), "is not a whole number"),
        (("--found-at", "2099-01-01"), "is in the future"),
        (("--found-at", "2026-13-04 09:00"), "'2026-13-04 09:00' is not a date"),
        (("--found-at", "2026-02-30"), "'2026-02-30' is not a date"),
    ],
)
def test_bad_input_gets_a_one_line_error(args, message):
    base = {"--found-at": ago(hours=1), "--nature": "integrity", "--data": "d", "--persons": "1",
            "--records": "1", "--consequences": "c", "--measures": "m", "--risk": "risk"}  # fmt: skip
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    with pytest.raises(CommandError, match=message):
        run("breach", "add", *[item for pair in base.items() for item in pair])


def test_a_date_alone_means_the_start_of_that_day():
    day = (timezone.localdate() - timedelta(days=2)).isoformat()
    add(day)
    assert timezone.localtime(Breach.objects.get().found_at).strftime("%H:%M") == "00:00"


def test_the_clock_cannot_be_moved_into_the_future():
    add(ago(hours=10))
    with pytest.raises(CommandError, match="found at 2099-01-01 00:00 is in the future"):
        run("breach", "update", "1", "--found-at", "2099-01-01", "--reason", "typo")


def test_the_clock_moves_later_only_with_a_reason_audited_by_its_length():
    add(ago(hours=70))
    with pytest.raises(CommandError, match="say why with --reason"):
        run("breach", "update", "1", "--found-at", ago(hours=2))
    assert timezone.now() - Breach.objects.get().found_at > timedelta(hours=69)
    run("breach", "update", "1", "--found-at", ago(hours=2), "--reason", "the alert was a false start")
    event = AuditEvent.objects.get(action="breach.updated")
    assert event.detail == {"fields": ["found_at"], "risk": "risk", "found_at_moved_later": True,
                            "reason_length": 27}  # fmt: skip
    assert "false start" not in str(event.detail)


def test_the_breach_cannot_be_found_after_it_was_notified():
    add(ago(hours=10))
    run("breach", "notify", "1", "--at", ago(hours=5))
    with pytest.raises(CommandError, match="--found-at is after the CNIL or the persons were told"):
        run("breach", "update", "1", "--found-at", ago(hours=2), "--reason", "later alert")


def test_the_clock_moves_earlier_without_a_reason():
    add(ago(hours=10))
    run("breach", "update", "1", "--found-at", ago(hours=20))
    assert timezone.now() - Breach.objects.get().found_at > timedelta(hours=19)


def test_the_cnil_notification_date_is_not_rewritten():
    add(ago(hours=10))
    run("breach", "notify", "1", "--at", ago(hours=5))
    with pytest.raises(CommandError, match="the CNIL was already notified on"):
        run("breach", "notify", "1")
    assert timezone.now() - Breach.objects.get().cnil_notified_at > timedelta(hours=4)


def test_a_late_notification_needs_the_reasons_for_the_delay():
    add(ago(hours=80))
    with pytest.raises(CommandError, match="--delay-reason: the notification comes after the 72 hours"):
        run("breach", "notify", "1")
    assert Breach.objects.get().cnil_notified_at is None
    run("breach", "notify", "1", "--delay-reason", "found during a holiday")
    assert Breach.objects.get().notification_delay_reason == "found during a holiday"
    assert "(late: found during a holiday)" in run("breach", "show", "1")
    event = AuditEvent.objects.get(action="breach.notified")
    assert event.detail == {"late": True, "delay_reason_length": 22}


def test_an_unknown_breach_is_named():
    with pytest.raises(CommandError, match="no breach 9"):
        run("breach", "notify", "9")


def test_the_pack_document_shows_each_breach_in_the_chosen_language():
    add(ago(hours=80), "high")
    french = render(breaches_document("fr"), "html").decode()
    assert "Registre des violations" in french
    assert "Non notifiée à la CNIL dans les 72 heures" in french
    english = render(breaches_document("en"), "md").decode()
    assert "Breach log" in english
    assert "hours overdue" in english


def test_the_admin_shows_the_log_and_lets_no_one_edit_it(client, owner):
    add(ago(hours=1))
    client.force_login(owner)
    assert client.get("/admin/compliance/breach/").status_code == 200
    assert client.get("/admin/compliance/breach/1/change/").status_code == 200
    assert client.get("/admin/compliance/breach/add/").status_code == 403
    client.post("/admin/compliance/breach/1/change/", {"risk": "none"})
    assert Breach.objects.get().risk == "risk"
