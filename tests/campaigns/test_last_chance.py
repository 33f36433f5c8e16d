"""RULES F1: before retention ends, one message may ask whether the person wishes to stay in touch;
their yes renews retention, their silence lets the purge erase them. Off by default."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from licite.audit.models import AuditEvent
from licite.campaigns.actions import do_queue_campaign
from licite.campaigns.models import OutboundMessage
from licite.prospects.models import Prospect
from tests.campaigns.test_campaigns import EMILY, JEANNE, link, purchasing_campaign, run_worker

pytestmark = pytest.mark.django_db(transaction=True)
YEAR = timedelta(days=366)
BEFORE_THE_END = 3 * YEAR - timedelta(days=20)


@pytest.fixture
def informed(prospects, smtp):
    """Jeanne (French) and Emily (English) received a campaign with their notice."""
    do_queue_campaign(None, purchasing_campaign())
    run_worker()
    smtp.messages.clear()


def purge(*args: str, after: timedelta) -> str:
    out = io.StringIO()
    with time_machine.travel(timezone.now() + after, tick=False):
        call_command("purge", *args, stdout=out)
        run_worker()
    return out.getvalue()


def last_chances() -> int:
    return OutboundMessage.objects.filter(kind=OutboundMessage.Kind.LAST_CHANCE).count()


def test_no_last_chance_message_is_sent_by_default(informed, smtp):
    out = purge(after=BEFORE_THE_END)
    assert "Last-chance" not in out
    assert last_chances() == 0
    assert smtp.messages == []


def test_the_switch_asks_each_informed_prospect_once_in_their_language(informed, smtp):
    out = purge("--last-chance", after=BEFORE_THE_END)
    assert "Last-chance messages (30 days before the end of retention), queued: 2." in out
    [french] = smtp.to(JEANNE)
    assert "rester en contact" in french["Subject"]
    text = french.get_body(preferencelist=("plain",)).get_content()
    assert "Pour rester en contact" in text
    assert "https://licite.example/u/" in text, "the way to object, as in every message (RULES E1)"
    assert french["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [english] = smtp.to(EMILY)
    assert "stay in touch" in english["Subject"]
    assert "retention), queued: 0." in purge("--last-chance", after=BEFORE_THE_END + timedelta(days=1))
    assert last_chances() == 2, "one message, not one a day"
    assert AuditEvent.objects.get(action="purge.last_chance").detail == {"queued_messages": 2, "days": 30}


def test_the_setting_turns_it_on_with_its_number_of_days(informed, settings):
    settings.LICITE_LAST_CHANCE_DAYS = 10
    purge(after=BEFORE_THE_END)
    assert last_chances() == 0, "20 days before the end, 10 days were asked"
    assert "(10 days before the end of retention), queued: 2." in purge(after=3 * YEAR - timedelta(days=8))


def test_a_yes_renews_retention_and_silence_lets_the_purge_erase(informed, smtp, client):
    purge("--last-chance", after=BEFORE_THE_END)
    url = link(smtp.to(JEANNE)[0], r"https://licite\.example/stay/[\w-]+").removeprefix(
        "https://licite.example"
    )
    before = Prospect.objects.get(email=JEANNE).retain_until
    page = client.get(url)
    assert page.status_code == 200
    assert "rester en contact" in page.content.decode()
    assert Prospect.objects.get(email=JEANNE).retain_until == before, "opening the page is not a yes"
    with time_machine.travel(timezone.now() + BEFORE_THE_END, tick=False):
        assert client.post(url).status_code == 200
    assert Prospect.objects.get(email=JEANNE).retain_until > before + 2 * YEAR
    assert AuditEvent.objects.filter(action="retention.renewed").count() == 1
    purge(after=3 * YEAR)
    assert set(Prospect.objects.values_list("email", flat=True)) == {JEANNE}


def test_a_yes_after_the_erasure_is_too_late(informed, smtp, client):
    purge("--last-chance", after=BEFORE_THE_END)
    url = link(smtp.to(EMILY)[0], r"https://licite\.example/stay/[\w-]+").removeprefix(
        "https://licite.example"
    )
    purge(after=3 * YEAR)
    answer = client.post(url)
    assert answer.status_code == 410
    assert "already erased" in answer.content.decode()
    assert not Prospect.objects.exists()


def test_a_restricted_prospect_is_not_asked(informed):
    Prospect.objects.filter(email=JEANNE).update(status="restricted")  # GDPR art. 18
    purge("--last-chance", after=BEFORE_THE_END)
    assert list(OutboundMessage.objects.filter(kind="last_chance").values_list("to_domain", flat=True)) == [
        "northfield.example"
    ]
