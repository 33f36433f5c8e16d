"""`licite purge`: retention that runs by itself (RULES F1-F4, C2, D2)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from licite.audit.models import AuditEvent
from licite.campaigns.actions import do_queue_campaign, do_record_contact
from licite.campaigns.models import ContactEvent, OutboundMessage
from licite.prospects.models import Prospect, Provenance
from licite.rights import purge as purge_module
from licite.rights.models import SuppressionEntry
from tests.campaigns.conftest import organisation, prospects, smtp  # noqa: F401  (fixtures)
from tests.campaigns.test_campaigns import EMILY, JEANNE, LEA, PAUL, purchasing_campaign, run_worker
from tests.campaigns.test_consent import write_again
from tests.conftest import import_file, run_licite

pytestmark = pytest.mark.django_db(transaction=True)
YEAR = timedelta(days=366)


def purge(*args: str, after: timedelta = timedelta(0)) -> str:
    """Run `licite purge` as if `after` had passed."""
    out = io.StringIO()
    with time_machine.travel(timezone.now() + after, tick=False):
        call_command("purge", *args, stdout=out)
    return out.getvalue()


def emails() -> set[str]:
    return set(Prospect.objects.values_list("email", flat=True))


@pytest.fixture
def informed(prospects, smtp):  # noqa: F811
    """Jeanne and Emily received a campaign with their notice; Paul (an accountant: not related to
    the offer) and Léa (a consumer, never asked for consent) have not been informed at all."""
    do_queue_campaign(None, purchasing_campaign())
    run_worker()
    assert set(Prospect.objects.filter(notice_sent_at__isnull=False).values_list("email", flat=True)) == {
        JEANNE,
        EMILY,
    }


def test_a_prospect_never_informed_is_erased_once_the_notice_is_late(informed):
    assert "whose notice was never sent (RULES D2), erased: 0." in purge(after=timedelta(days=27))
    out = purge(after=timedelta(days=32))
    assert "whose notice was never sent (RULES D2), erased: 2." in out
    assert emails() == {JEANNE, EMILY}
    assert not SuppressionEntry.objects.exists(), "they did not object: no suppression entry"


def test_the_notice_grace_period_puts_the_erasure_off(informed, settings):
    settings.LICITE_NOTICE_GRACE_DAYS = 10
    assert "never sent (RULES D2), erased: 0." in purge(after=timedelta(days=35))
    assert "never sent (RULES D2), erased: 2." in purge(after=timedelta(days=45))


def test_a_prospect_past_retention_is_erased_with_everything_about_them(informed):
    purge(after=timedelta(days=32))
    assert "past their retention date (RULES F1), erased: 0." in purge(after=3 * YEAR - timedelta(days=3))
    out = purge(after=3 * YEAR)
    assert "past their retention date (RULES F1), erased: 2." in out
    assert emails() == set()
    assert not Provenance.objects.exists()
    assert not ContactEvent.objects.exists()
    assert set(OutboundMessage.objects.values_list("to_address", "body_text", "body_html")) == {("", "", "")}
    event = AuditEvent.objects.get(action="purge.retention_ended")
    assert event.detail == {"erased_prospects": 2, "cancelled_messages": 0}


def test_a_prospect_erased_for_retention_may_be_collected_again_later(informed):
    purge(after=3 * YEAR)
    assert not SuppressionEntry.objects.exists(), "the suppression list is for objections only (F4)"
    assert import_file(write_again(JEANNE))["suppressed"] == 0
    assert JEANNE in emails()


def test_a_reply_restarts_retention_and_an_open_never_does(informed):
    with time_machine.travel(timezone.now() + 2 * YEAR, tick=False):
        do_record_contact(None, Prospect.objects.get(email=JEANNE), "reply")
    purge(after=3 * YEAR)
    assert emails() == {JEANNE}
    purge(after=5 * YEAR)
    assert emails() == set()


def test_a_dry_run_counts_and_erases_nothing(informed):
    out = purge("--dry-run", after=3 * YEAR)
    assert "past their retention date (RULES F1), due: 4." in out
    assert "Dry run: nothing was erased." in out
    assert emails() == {JEANNE, EMILY, PAUL, LEA}
    assert not AuditEvent.objects.filter(action__startswith="purge.").exists()


def test_a_restricted_prospect_waits_for_the_restriction_to_be_lifted(informed):
    Prospect.objects.filter(email=JEANNE).update(status="restricted")  # GDPR art. 18.1.b
    purge(after=3 * YEAR)
    assert emails() == {JEANNE}


def test_each_batch_is_a_transaction_with_its_audit_entry_and_a_stopped_purge_resumes(informed, monkeypatch):
    monkeypatch.setattr(purge_module, "PURGE_BATCH", 1)
    original, calls = purge_module.delete_prospect_rows, []

    def crash_on_the_third_batch(ids):
        calls.append(ids)
        if len(calls) == 3:
            raise KeyboardInterrupt  # the machine stops, half-way
        return original(ids)

    monkeypatch.setattr(purge_module, "delete_prospect_rows", crash_on_the_third_batch)
    with pytest.raises(KeyboardInterrupt):
        purge(after=3 * YEAR)
    assert len(emails()) == 2, "the two batches done stay done; the third left nothing half-erased"
    assert AuditEvent.objects.filter(action="purge.retention_ended").count() == 2
    monkeypatch.setattr(purge_module, "delete_prospect_rows", original)
    assert "past their retention date (RULES F1), erased: 2." in purge(after=3 * YEAR)
    assert emails() == set()
    entries = AuditEvent.objects.filter(action="purge.retention_ended")
    assert [event.detail["erased_prospects"] for event in entries] == [1, 1, 1, 1]


def test_a_consumer_without_consent_is_erased_by_the_purge_and_stays_suppressed(informed):
    call_command("consent", "request", "--all", stdout=io.StringIO())
    run_worker()
    out = purge(after=timedelta(days=31))
    assert "Consumers without consent in time (RULES C2), erased: 1." in out
    assert SuppressionEntry.objects.get().reason == "no_consent"
    assert import_file(write_again(LEA))["suppressed"] == 1


def test_suppression_entries_are_kept_for_good_unless_a_keeping_period_is_set(settings):
    call_command(
        "suppress", "add", "jeanne.dupont@acme.example", "--reason", "objection", stdout=io.StringIO()
    )
    assert "(RULES F4), erased: 0." in purge(after=30 * YEAR)
    settings.LICITE_SUPPRESSION_KEEP_YEARS = 5
    assert "(RULES F4), erased: 0." in purge(after=timedelta(days=5 * 365 - 3))
    assert "(RULES F4), erased: 1." in purge(after=timedelta(days=5 * 365 + 3))
    assert not SuppressionEntry.objects.exists()
    event = AuditEvent.objects.get(action="purge.suppression_expired")
    assert event.detail == {"entries": 1, "keep_years": 5}


def test_a_keeping_period_under_three_years_is_refused_in_one_line(tmp_path):
    env = {"LICITE_HOME": str(tmp_path), "LICITE_SUPPRESSION_KEEP_YEARS": "2"}
    result = run_licite("purge", "--dry-run", env=env)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "licite: configuration error: LICITE_SUPPRESSION_KEEP_YEARS: 2 is below 3: "
        "the CNIL's minimum is 3 years (RULES F4)"
    ]


def test_a_bad_schedule_is_refused_in_one_line(tmp_path):
    env = {"LICITE_HOME": str(tmp_path), "LICITE_PURGE_SCHEDULE": "0 3 * * 1"}
    result = run_licite("purge", "--dry-run", env=env)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "LICITE_PURGE_SCHEDULE" in line
    assert "weekday as a name" in line


def test_the_messages_still_queued_for_an_erased_prospect_are_cancelled(informed):
    do_queue_campaign(None, purchasing_campaign(name="Relance"))  # queued, the worker is down
    purge(after=3 * YEAR)
    queued = OutboundMessage.objects.filter(campaign__name="Relance")
    assert set(queued.values_list("status", "status_reason", "to_address", "body_text")) == {
        ("cancelled", "erased", "", "")
    }
    assert AuditEvent.objects.get(action="purge.retention_ended").detail["cancelled_messages"] == 2
