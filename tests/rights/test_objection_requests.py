"""An objection through any channel settles the person's rights requests the same way as an
erasure through a request does: an open objection is fulfilled and forgets the address; an open
access request keeps it until answered, and its answer says what survives (RULES G1-G4)."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.management import call_command

from licite.audit.models import AuditEvent
from licite.campaigns.actions import do_queue_campaign
from licite.campaigns.models import OutboundMessage
from licite.prospects.models import Prospect
from licite.rights.models import RightsRequest
from tests.campaigns.test_campaigns import JEANNE, purchasing_campaign
from tests.campaigns.test_feedback import post_postmark
from tests.campaigns.test_inbound import post_inbound, postmark_inbound

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(prospects, settings):
    """The token of the campaign message to Jeanne, and the webhooks' secret."""
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": "licite:webhook-secret"}
    settings.LICITE_UNSUBSCRIBE_MAILTO = "unsubscribe@acme-conseil.example"
    do_queue_campaign(None, purchasing_campaign())
    return OutboundMessage.objects.get(to_address=JEANNE).token


def receive(kind: str, channel: str, note: str) -> RightsRequest:
    call_command("rights", "request", JEANNE, "--kind", kind, "--channel", channel, "--note", note,
                 stdout=io.StringIO())  # fmt: skip
    return RightsRequest.objects.get(kind=kind)


def one_click(client, token: str) -> None:
    client.post(f"/u/{token}", {"List-Unsubscribe": "One-Click"})


def objection_page(client, token: str) -> None:
    client.post(f"/u/{token}")


def mailto(client, token: str) -> None:
    user, _, domain = "unsubscribe@acme-conseil.example".partition("@")
    post_inbound(client, postmark_inbound(sender=JEANNE, to=f"{user}+{token}@{domain}", subject="", text=""))


def provider_complaint(client, token: str) -> None:
    complaint = {"RecordType": "SpamComplaint", "Type": "SpamComplaint", "TypeCode": 512, "Email": JEANNE,
                 "MessageID": "m-2", "BouncedAt": "2026-11-23T10:00:00Z"}  # fmt: skip
    post_postmark(client, complaint)


CHANNELS = {
    "one_click": one_click,
    "web": objection_page,
    "mailto:postmark": mailto,
    "provider:postmark": provider_complaint,
}


@pytest.mark.parametrize("channel", CHANNELS)
def test_an_objection_by_any_channel_fulfils_the_open_objection_request_and_forgets_its_address(
    client, token, channel
):
    objection = receive("objection", "letter", "Letter from Jeanne Dupont, Lyon")
    CHANNELS[channel](client, token)
    assert not Prospect.objects.filter(email=JEANNE).exists()
    objection.refresh_from_db()
    assert (objection.state, objection.email, objection.note) == ("fulfilled", "", "")
    assert objection.closed_at is not None
    fulfilled = AuditEvent.objects.get(action="rights.fulfilled")
    answer = OutboundMessage.objects.get(kind="rights")
    assert (fulfilled.object_id, fulfilled.detail) == (
        str(objection.pk),
        {"kind": "objection", "by_erasure": channel, "message": answer.pk},
    )
    assert answer.to_address == JEANNE, "told what was done (GDPR art. 12.3), before being forgotten"
    assert "jeanne" not in str(RightsRequest.objects.values().get()).lower()


def test_an_open_access_request_stays_answerable_and_its_answer_tells_what_survives(client, token):
    access = receive("access", "phone", "Called on Monday")
    one_click(client, token)
    access.refresh_from_db()
    assert (access.state, access.email, access.note) == ("received", JEANNE, "Called on Monday")
    call_command("rights", "fulfil", str(access.pk), stdout=io.StringIO())
    access.refresh_from_db()
    assert (access.state, access.email, access.note) == ("fulfilled", "", ""), "answered: forgotten"
    answer = OutboundMessage.objects.get(kind="rights")
    assert answer.to_address == JEANNE, "the answer still reaches the person"
    path = re.search(r"https?://[^/\s]+(/access/\S+)", answer.body_text)
    assert path is not None
    report = json.loads(client.get(path.group(1), {"format": "json"}).content)
    assert (report["held"], report["records"]) == ("suppression_only", [])
