"""A campaign is sent once, never left "sending" with nothing to send, and `campaign status` says
what a worker that stopped mid-batch left behind, and what to do about it."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from licite.audit.models import AuditEvent
from licite.campaigns.actions import _claim_batch, _hand_over, do_create_campaign, do_queue_campaign
from licite.campaigns.models import Campaign, OutboundMessage
from licite.prospects.models import Prospect

pytestmark = pytest.mark.django_db(transaction=True)


def purchasing_campaign(functions=("achats", "procurement")) -> Campaign:
    return do_create_campaign(
        None, name="Audit achats", purpose="Prospecting purchasing managers", offer="A purchasing audit",
        audience="b2b", functions=list(functions), subject_fr="Votre audit achats",
        subject_en="Your purchasing audit", body_fr="Nous auditons vos achats.",
        body_en="We audit your purchasing.",
    )  # fmt: skip


def campaign(*args: str) -> str:
    out = io.StringIO()
    call_command("campaign", *args, stdout=out)
    return out.getvalue()


def run_worker() -> None:
    call_command("worker", batch=True, stdout=io.StringIO(), stderr=io.StringIO())


def test_sending_a_sent_campaign_again_says_when_it_was_sent_and_queues_nothing(prospects, smtp):
    purchasing_campaign()
    campaign("send", "Audit achats")
    run_worker()
    last = OutboundMessage.objects.latest("sent_at").sent_at
    with pytest.raises(CommandError) as refused:
        campaign("send", "Audit achats")
    assert str(refused.value) == (
        f"Campaign Audit achats was already sent on {timezone.localtime(last):%Y-%m-%d %H:%M}: nothing queued"
    )
    assert OutboundMessage.objects.count() == 2
    assert len(smtp.messages) == 2


def test_the_status_of_a_sent_campaign_says_when(prospects, smtp):
    purchasing_campaign()
    campaign("send", "Audit achats")
    run_worker()
    last = OutboundMessage.objects.latest("sent_at").sent_at
    assert f"Campaign Audit achats: sent on {timezone.localtime(last):%Y-%m-%d %H:%M}" in campaign(
        "status", "Audit achats"
    )


def test_a_campaign_being_sent_is_not_queued_a_second_time(prospects):
    purchasing_campaign()
    campaign("send", "Audit achats")
    with pytest.raises(
        CommandError, match=r"is being sent since .*: nothing queued; `licite campaign status"
    ):
        campaign("send", "Audit achats")
    assert OutboundMessage.objects.count() == 2


def test_a_campaign_with_nothing_eligible_stays_a_draft(prospects):
    purchasing_campaign(functions=["juridique"])
    with pytest.raises(CommandError) as refused:
        campaign("send", "Audit achats")
    assert str(refused.value) == (
        "Campaign Audit achats: no prospect is eligible, nothing queued; it stays a draft. "
        "`licite campaign preview Audit achats` says why each prospect is excluded."
    )
    assert Campaign.objects.get().status == "draft"
    assert not OutboundMessage.objects.exists()
    assert not AuditEvent.objects.filter(action="campaign.queued").exists()


def left_by_a_stopped_worker(handed_over: bool = True) -> list[int]:
    """The state a worker killed mid-batch leaves: its batch claimed, nothing marked sent, and
    each message handed to the mail server (its SMTP conversation begun) or not yet."""
    ids = list(OutboundMessage.objects.values_list("pk", flat=True))
    claimed, _ = _claim_batch(ids, timezone.now())
    assert len(claimed) == len(ids) == 2
    if handed_over:
        assert all(_hand_over(message) for message in claimed)
    # Claimed by a worker that no longer beats (this process may run a worker later in the test).
    OutboundMessage.objects.filter(pk__in=ids).update(claimed_by="stopped-host:4242")
    return ids


def test_the_status_reports_the_messages_a_stopped_worker_left_and_says_what_to_do(prospects, smtp):
    do_queue_campaign(None, purchasing_campaign())
    left_by_a_stopped_worker()
    assert set(OutboundMessage.objects.values_list("status", "attempts", "sent_at")) == {("sending", 1, None)}
    assert "worker stopped" not in campaign("status", "Audit achats")  # a batch being sent, for now
    with time_machine.travel(timezone.now() + timedelta(minutes=20)):
        report = campaign("status", "Audit achats")
        assert "Campaign Audit achats: sending" in report
        assert re.search(r"sending\s+│\s+-\s+│\s+2", report)
        assert (
            "2 messages were being sent when a worker stopped (claimed more than 15 minutes ago). Those "
            "never handed to the mail server go out with the next worker; those handed over may or may "
            "not have gone out, and licite never sends a message twice, so they stay unsent." in report
        )
        assert "Run `licite campaign settle Audit achats` to settle them now" in report
        with pytest.raises(CommandError, match="is being sent since"):
            campaign("send", "Audit achats")
        settled = campaign("settle", "Audit achats")
        assert settled == (
            "2 messages marked failed (worker_stopped), never to be sent again; "
            "campaign Audit achats: sent.\n"
        )
        assert "worker stopped" not in campaign("status", "Audit achats")
    assert set(OutboundMessage.objects.values_list("status", "status_reason", "to_address")) == {
        ("failed", "worker_stopped", "")
    }
    run_worker()
    assert smtp.messages == []  # never sent twice
    assert not Prospect.objects.filter(notice_sent_at__isnull=False).exists()
    assert AuditEvent.objects.filter(action="campaign.settled").count() == 1


def test_messages_a_stopped_worker_claimed_but_never_handed_over_are_sent_by_the_next_worker(prospects, smtp):
    do_queue_campaign(None, purchasing_campaign())
    left_by_a_stopped_worker(handed_over=False)
    with time_machine.travel(timezone.now() + timedelta(minutes=20)):
        settled = campaign("settle", "Audit achats")
    assert settled == (
        "2 messages never reached the mail server: queued again for `licite worker`.\n"
        "0 messages marked failed (worker_stopped), never to be sent again; campaign Audit achats: sending.\n"
    )
    run_worker()
    assert sorted(m["To"] for m in smtp.messages) == sorted(set(m["To"] for m in smtp.messages))
    assert len(smtp.messages) == 2  # each once
    assert set(OutboundMessage.objects.values_list("status", "attempts")) == {("sent", 2)}
    assert Campaign.objects.get().status == "sent"


def test_a_worker_settles_on_its_own_what_a_stopped_worker_left_after_the_claim_timeout(prospects, smtp):
    do_queue_campaign(None, purchasing_campaign())
    left_by_a_stopped_worker(handed_over=False)
    run_worker()  # within the timeout: the claims may be a live worker's, left alone
    assert smtp.messages == []
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {"sending"}
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        run_worker()  # its first heartbeat settles them, then it sends them
    assert len(smtp.messages) == 2
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {"sent"}
    event = AuditEvent.objects.get(action="outbox.settled")
    assert (event.detail["requeued"], event.detail["failed"]) == (2, 0)


def test_settling_a_campaign_with_nothing_stuck_says_so(prospects):
    do_queue_campaign(None, purchasing_campaign())
    assert campaign("settle", "Audit achats") == (
        "Campaign Audit achats: no message was left 'sending' by a stopped worker.\n"
    )
    assert Campaign.objects.get().status == "sending"
