"""Mail that comes in through a provider's inbound webhook (django-anymail, Postmark's documented
payload): the List-Unsubscribe mailto objects exactly as the one-click does; a reply is a contact
the prospect initiated; an automatic answer is nobody (RULES E2, G3, F1)."""

from __future__ import annotations

import base64
import json
import logging
import re

import pytest

from licite.audit.models import AuditEvent
from licite.campaigns.actions import do_queue_campaign
from licite.campaigns.models import ContactEvent, OutboundMessage
from licite.core.inbound import asks_to_unsubscribe, is_automatic, own_text, unsubscribe_token
from licite.prospects.models import Prospect
from licite.rights.models import SuppressionEntry
from tests.campaigns.test_campaigns import EMILY, JEANNE, purchasing_campaign, run_worker

pytestmark = pytest.mark.django_db(transaction=True)
MAILBOX = "unsubscribe@acme-conseil.example"


@pytest.fixture
def webhook_secret(settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": "licite:webhook-secret"}


@pytest.fixture
def sent(prospects, smtp, webhook_secret):
    """The campaign message received by Jeanne and by Emily through a real SMTP server."""
    do_queue_campaign(None, purchasing_campaign())
    run_worker()
    return {address: smtp.to(address)[0] for address in (JEANNE, EMILY)}


def mailto(message) -> str:
    found = re.search(r"<mailto:([^>]+)>", message["List-Unsubscribe"])
    assert found is not None
    return found.group(1)


def postmark_inbound(*, sender: str, to: str, subject: str, text: str, headers=()) -> dict[str, object]:
    """Postmark's inbound webhook JSON, as its documentation shows it."""
    return {
        "FromName": "Jeanne Dupont", "MessageStream": "inbound", "From": sender,
        "FromFull": {"Email": sender, "Name": "Jeanne Dupont", "MailboxHash": ""},
        "To": to, "ToFull": [{"Email": to, "Name": "", "MailboxHash": _mailbox_hash(to)}],
        "Cc": "", "CcFull": [], "Bcc": "", "BccFull": [], "OriginalRecipient": to, "Subject": subject,
        "MessageID": "73e6d360-66eb-11e1-8e72-a8904824019b", "ReplyTo": "", "MailboxHash": "",
        "Date": "Thu, 3 Dec 2026 10:45:32 +01:00", "TextBody": text,
        "HtmlBody": f"<html><body><p>{text}</p></body></html>", "StrippedTextReply": "", "Tag": "",
        "Headers": [
            {"Name": "Return-Path", "Value": f"<{sender}>"},
            {"Name": "X-Spam-Status", "Value": "No"},
            {"Name": "X-Spam-Score", "Value": "-0.1"},
            *({"Name": name, "Value": value} for name, value in headers),
        ],
        "Attachments": [],
    }  # fmt: skip


def _mailbox_hash(address: str) -> str:
    return address.partition("+")[2].partition("@")[0]


def post_inbound(client, payload: dict[str, object], secret: str = "licite:webhook-secret"):  # noqa: S107
    auth = base64.b64encode(secret.encode()).decode()
    return client.post(
        "/anymail/postmark/inbound/",
        data=json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {auth}",
    )


def test_a_message_to_the_list_unsubscribe_mailto_objects_exactly_as_the_one_click(sent, client):
    token = OutboundMessage.objects.get(to_address=EMILY).token
    client.post(f"/u/{token}", {"List-Unsubscribe": "One-Click"})
    one_click = AuditEvent.objects.get(action="suppression.added")
    payload = postmark_inbound(sender=JEANNE, to=mailto(sent[JEANNE]), subject="", text="")
    assert post_inbound(client, payload).status_code == 200
    assert not Prospect.objects.filter(email=JEANNE).exists()
    assert SuppressionEntry.objects.filter(reason="objection").count() == 2
    assert not OutboundMessage.objects.filter(to_address=JEANNE).exists()
    by_mail = AuditEvent.objects.filter(action="suppression.added").exclude(pk=one_click.pk).get()
    assert by_mail.detail == {**one_click.detail, "channel": "mailto:postmark"}


def test_the_mailto_objects_whatever_the_sender_and_words(sent, client):
    payload = postmark_inbound(
        sender="assistant@other.example", to=mailto(sent[JEANNE]), subject="Hello", text="Merci !"
    )
    post_inbound(client, payload)
    assert not Prospect.objects.filter(email=JEANNE).exists()


def test_a_reply_to_a_sent_message_is_a_contact_the_prospect_initiated(sent, client):
    reply = postmark_inbound(
        sender=JEANNE, to=MAILBOX, subject="Re: Votre audit achats",
        text="Bonjour, appelez-moi mardi.\n\nLe 2 déc. 2026, Acme a écrit :\n> Se désinscrire : https://...",
        headers=[("In-Reply-To", sent[JEANNE]["Message-ID"]), ("References", sent[JEANNE]["Message-ID"])],
    )  # fmt: skip
    assert post_inbound(client, reply).status_code == 200
    jeanne = Prospect.objects.get(email=JEANNE)
    contact = ContactEvent.objects.get(kind="reply")
    assert contact.prospect == jeanne
    assert contact.initiated_by_prospect
    assert contact.message == OutboundMessage.objects.get(to_address=JEANNE)
    assert jeanne.last_contact_by_prospect_at is not None
    assert AuditEvent.objects.filter(action="contact.recorded", object_id=str(jeanne.pk)).exists()
    assert not SuppressionEntry.objects.exists(), "the footer it quotes is not the person's words"


def test_a_reply_from_a_prospect_address_without_headers_is_a_contact_too(sent, client):
    post_inbound(client, postmark_inbound(sender=EMILY, to=MAILBOX, subject="Question", text="How much?"))
    assert ContactEvent.objects.get(kind="reply").prospect.email == EMILY


@pytest.mark.parametrize(
    ("subject", "text"),
    [("Re: Your purchasing audit", "STOP"), ("unsubscribe", ""), ("Re: audit", "Merci de me désinscrire.")],
)
def test_a_reply_that_asks_to_unsubscribe_is_an_objection(sent, client, subject, text):
    reply = postmark_inbound(sender=EMILY, to=MAILBOX, subject=subject, text=text,
                             headers=[("In-Reply-To", sent[EMILY]["Message-ID"])])  # fmt: skip
    post_inbound(client, reply)
    assert not Prospect.objects.filter(email=EMILY).exists()
    assert SuppressionEntry.objects.get().reason == "objection"
    assert not ContactEvent.objects.filter(kind="reply").exists()


def test_an_out_of_office_answer_is_not_a_contact(sent, client):
    answer = postmark_inbound(sender=JEANNE, to=MAILBOX, subject="Absence", text="Je suis absente.",
                              headers=[("Auto-Submitted", "auto-replied")])  # fmt: skip
    post_inbound(client, answer)
    assert not ContactEvent.objects.filter(kind="reply").exists()
    assert Prospect.objects.get(email=JEANNE).last_contact_by_prospect_at is None


def test_a_forged_message_id_ties_a_reply_to_nobody(sent, client):
    pk = OutboundMessage.objects.get(to_address=JEANNE).pk
    unsigned = f"<licite.{pk}.{'0' * 24}@acme-conseil.example>"
    forged = postmark_inbound(sender="someone@else.example", to=MAILBOX, subject="Re:", text="Oui",
                              headers=[("In-Reply-To", unsigned)])  # fmt: skip
    post_inbound(client, forged)
    assert not ContactEvent.objects.filter(kind="reply").exists()


def test_an_unknown_token_is_ignored_and_never_logged(sent, client, caplog):
    to = "unsubscribe+NotARealTokenAtAll1234@acme-conseil.example"
    with caplog.at_level(logging.INFO):
        post_inbound(client, postmark_inbound(sender=JEANNE, to=to, subject="", text=""))
    assert Prospect.objects.filter(email=JEANNE).exists()
    assert "NotARealToken" not in caplog.text
    assert JEANNE not in caplog.text


def test_nothing_of_the_message_reaches_the_logs_or_the_audit_trail(sent, client, caplog):
    reply = postmark_inbound(sender=JEANNE, to=MAILBOX, subject="Secret subject", text="My private words")
    with caplog.at_level(logging.DEBUG):
        post_inbound(client, reply)
    trail = json.dumps(list(AuditEvent.objects.values("detail", "object_id")))
    for value in (JEANNE, "Secret subject", "My private words"):
        assert value not in caplog.text
        assert value not in trail


def test_the_inbound_webhook_without_the_secret_is_refused(sent, client):
    payload = postmark_inbound(sender=JEANNE, to=mailto(sent[JEANNE]), subject="", text="")
    assert post_inbound(client, payload, secret="licite:wrong").status_code in (400, 401, 403)
    assert Prospect.objects.filter(email=JEANNE).exists()


# --- The rules themselves (licite.core.inbound) ------------------------------------------------


def test_the_token_is_read_from_the_mailto_address_only():
    assert unsubscribe_token(["Unsubscribe+abcDEF_12345@Acme.example"], "unsubscribe@acme.example") == (
        "abcDEF_12345"
    )
    assert unsubscribe_token(["other+abcDEF_12345@acme.example"], "unsubscribe@acme.example") == ""
    assert unsubscribe_token(["unsubscribe@acme.example"], "unsubscribe@acme.example") == ""


def test_bounces_and_auto_replies_are_automatic():
    assert is_automatic({"Auto-Submitted": "auto-replied"})
    assert is_automatic({"Content-Type": "multipart/report; report-type=delivery-status"})
    assert is_automatic({"From": "MAILER-DAEMON@mx.example"})
    assert not is_automatic({"Auto-Submitted": "no", "From": "jeanne@acme.example"})


def test_words_in_the_quoted_message_are_not_the_persons():
    text = "Volontiers !\n\nOn Tue, Dec 1, 2026, Acme wrote:\n> To unsubscribe, click here"
    assert own_text(text) == "Volontiers !\n"
    assert not asks_to_unsubscribe("Re: audit", own_text(text))
    assert not asks_to_unsubscribe("Re: stop-motion video", "Let's talk")
