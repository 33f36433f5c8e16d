"""B2C: a consent request is the only message before consent; consent is proved; silence erases."""

from __future__ import annotations

import io
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from licite.audit.models import AuditEvent
from licite.campaigns.actions import do_queue_campaign, preview_campaign
from licite.campaigns.models import OutboundMessage
from licite.prospects.models import Prospect
from licite.rights.models import ConsentRecord, SuppressionEntry
from tests.campaigns.test_campaigns import LEA, link, purchasing_campaign, run_worker
from tests.conftest import HEADER, import_file

pytestmark = pytest.mark.django_db(transaction=True)


def consumer_campaign():
    return purchasing_campaign(name="Offres", audience="b2c", functions=[])


def test_a_consumer_receives_no_prospecting_before_consent(prospects, smtp):
    preview = preview_campaign(consumer_campaign(), timezone.now())
    assert preview.eligible == []
    assert preview.counts["no_consent"] == 1


def test_the_consent_request_asks_names_the_source_and_proves_the_answer(prospects, smtp, client):
    call_command("consent", "request", "--all", stdout=io.StringIO())
    run_worker()
    [request] = smtp.to(LEA)
    assert "consentement" in request["Subject"]
    text = request.get_body(preferencelist=("plain",)).get_content()
    assert "Salon Industrie Lyon 2026" in text
    assert "Retirer votre consentement" in text
    url = link(request, r"https://licite\.example/consent/[\w-]+").removeprefix("https://licite.example")
    assert client.get(url).status_code == 200
    assert ConsentRecord.objects.get().given_at is None, "opening the page is not consenting"
    assert client.post(url, HTTP_USER_AGENT="Mozilla/5.0", REMOTE_ADDR="203.0.113.77").status_code == 200
    consent = ConsentRecord.objects.get()
    assert consent.given_at is not None
    assert consent.wording_version
    assert consent.channel == "email_link"
    assert consent.evidence["ip_prefix"] == "203.0.113.0/24"
    assert "203.0.113.77" not in str(consent.evidence)
    assert Prospect.objects.get(email=LEA).status == "active"
    smtp.messages.clear()
    do_queue_campaign(None, consumer_campaign())
    run_worker()
    assert [m["To"] for m in smtp.messages] == [LEA]


def test_withdrawing_consent_is_one_click_and_erases(prospects, smtp, client):
    call_command("consent", "request", LEA, stdout=io.StringIO())
    run_worker()
    token = OutboundMessage.objects.get(to_address=LEA).token
    client.post(f"/consent/{token}")
    client.post(f"/u/{token}", {"List-Unsubscribe": "One-Click"})
    assert not Prospect.objects.filter(email=LEA).exists()
    assert SuppressionEntry.objects.get().reason == "withdrawal"


def test_an_objection_leaves_no_address_and_no_body_in_the_outbox(prospects, smtp, client):
    call_command("consent", "request", LEA, stdout=io.StringIO())
    run_worker()
    token = OutboundMessage.objects.get(to_address=LEA).token
    assert client.post(f"/u/{token}", {"List-Unsubscribe": "One-Click"}).status_code == 200
    [message] = OutboundMessage.objects.filter(token=token).values("to_address", "body_text", "body_html")
    assert message == {"to_address": "", "body_text": "", "body_html": ""}
    event = AuditEvent.objects.get(action="suppression.added")
    assert (event.detail["channel"], event.detail["erased_prospects"]) == ("one_click", 1)


def expire(days_from_now: int) -> str:
    """Run `licite consent expire` as if `days_from_now` days had passed."""
    out = io.StringIO()
    with time_machine.travel(timezone.now() + timedelta(days=days_from_now), tick=False):
        call_command("consent", "expire", stdout=out)
    return out.getvalue()


def test_no_answer_within_the_delay_erases_the_consumer(prospects, smtp):
    call_command("consent", "request", "--all", stdout=io.StringIO())
    run_worker()
    assert "erased for lack of consent: 0." in expire(29)
    assert "erased for lack of consent: 1." in expire(31)
    assert not Prospect.objects.filter(email=LEA).exists()


def test_the_delay_runs_from_the_sending_of_the_request_not_from_its_queuing(prospects, smtp):
    call_command("consent", "request", "--all", stdout=io.StringIO())
    assert "erased for lack of consent: 0." in expire(31), "a request still unsent starts no clock"
    with time_machine.travel(timezone.now() + timedelta(days=31), tick=False):
        run_worker()  # the worker was down for a month: the request goes out only now
    assert "erased for lack of consent: 0." in expire(31 + 29)
    assert "erased for lack of consent: 1." in expire(31 + 31)


def test_a_consumer_erased_for_lack_of_consent_is_never_imported_or_asked_again(prospects, smtp):
    call_command("consent", "request", "--all", stdout=io.StringIO())
    run_worker()
    expire(31)
    entry = SuppressionEntry.objects.get()
    assert entry.reason == "no_consent"
    assert OutboundMessage.objects.get().to_address == OutboundMessage.objects.get().body_text == ""
    event = AuditEvent.objects.get(action="consent.expired")
    assert (event.detail["erased_prospects"], event.detail["reason"]) == (1, "no_consent")
    assert "lea" not in str(event.detail).lower()
    again = import_file(write_again(LEA))
    assert again["suppressed"] == 1
    out = io.StringIO()
    call_command("consent", "request", "--all", stdout=out)
    assert "Consent requests queued: 0." in out.getvalue()


def test_a_consumer_is_asked_only_once(prospects, smtp):
    call_command("consent", "request", "--all", stdout=io.StringIO())
    out = io.StringIO()
    call_command("consent", "request", "--all", stdout=out)
    assert "Consent requests queued: 0." in out.getvalue()


def write_again(address: str) -> str:
    path = Path(tempfile.mkdtemp()) / "again.csv"
    path.write_text(HEADER + f"Léa;Petit;{address};;;;;France\n", encoding="utf-8")
    return str(path)


def test_a_consumer_of_no_known_language_is_asked_wholly_in_the_organisations_language(prospects, smtp):
    """RULES D4: the consent request's purpose follows the notice's language, never a fixed French."""
    from licite.accounts.models import Organisation

    Organisation.objects.update(default_language="en")
    Prospect.objects.filter(email=LEA).update(language="", country="")
    call_command("consent", "request", "--all", stdout=io.StringIO())
    assert ConsentRecord.objects.get().purpose == "our offers by email"
    run_worker()
    [request] = smtp.to(LEA)
    text = request.get_body(preferencelist=("plain",)).get_content()
    assert "our offers by email" in text
    assert "nos offres" not in text
