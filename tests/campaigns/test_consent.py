"""B2C: a consent request is the only message before consent; consent is proved; silence erases."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from licite.campaigns.actions import do_expire_consent_requests, do_queue_campaign, preview_campaign
from licite.campaigns.models import OutboundMessage
from licite.prospects.models import Prospect
from licite.rights.models import ConsentRecord
from tests.campaigns.test_campaigns import LEA, link, purchasing_campaign, run_worker

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
    from licite.rights.models import SuppressionEntry

    assert SuppressionEntry.objects.get().reason == "withdrawal"


def test_no_answer_within_the_delay_erases_the_consumer(prospects, smtp):
    call_command("consent", "request", "--all", stdout=io.StringIO())
    assert do_expire_consent_requests(timezone.now() + timedelta(days=29)) == 0
    assert do_expire_consent_requests(timezone.now() + timedelta(days=31)) == 1
    assert not Prospect.objects.filter(email=LEA).exists()


def test_a_consumer_is_asked_only_once(prospects, smtp):
    call_command("consent", "request", "--all", stdout=io.StringIO())
    out = io.StringIO()
    call_command("consent", "request", "--all", stdout=out)
    assert "Consent requests queued: 0." in out.getvalue()
