"""Mail that comes in, from a provider's inbound webhook or from `licite inbox` (RULES E2, G3, F1).

One entry, `do_handle_inbound(message, channel)`, for every way a message arrives: the rules of
`licite.core.inbound` decide what it is; an objection goes through the one-click's own action
(`licite.rights.actions.do_object`), a reply is recorded as a contact the prospect initiated.
Nothing of the message is kept or logged (no address, no subject, no body, no token): ids and
the verdict only.
"""

from __future__ import annotations

import email.utils
import logging
from dataclasses import dataclass
from datetime import datetime
from email.message import Message
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from licite.audit.actions import record
from licite.campaigns.actions import _record_prospect_contact, message_for_token
from licite.campaigns.models import ContactKind, OutboundMessage
from licite.core import inbound
from licite.core.emails import InvalidEmail
from licite.prospects.models import Prospect
from licite.rights.actions import do_object, do_object_hash, key_hash

log = logging.getLogger("licite.inbound")
_RECIPIENT_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To")


@dataclass(frozen=True)
class Outcome:
    verdict: str  # "objection", "reply" or "ignored"
    why: str
    prospect_id: int | None = None


def do_handle_inbound(message: Message, channel: str, envelope_recipient: str = "") -> Outcome:
    """RULES E2, G3, F1: an inbound message is an objection, a contact the person initiated, or
    nothing; `channel` names its way in ("mailto:imap", "mailto:postmark")."""
    facts = inbound.InboundFacts(
        recipients=_recipients(message, envelope_recipient),
        mailto=settings.LICITE_UNSUBSCRIBE_MAILTO,
        automatic=inbound.is_automatic({name: str(value) for name, value in message.items()}),
        subject=str(message.get("Subject", "")),
        own_text=inbound.own_text(_text(message)),
    )
    decision = inbound.decide(facts)
    if decision.verdict == inbound.Verdict.OBJECTION:
        outcome = _object(message, decision, channel)
    elif decision.verdict == inbound.Verdict.REPLY:
        outcome = _reply(message, channel)
    else:
        outcome = Outcome("ignored", decision.why)
    log.info("inbound message (%s): %s, %s, prospect %s", channel, outcome.verdict, outcome.why,
             outcome.prospect_id)  # fmt: skip
    return outcome


def _object(message: Message, decision: inbound.Decision, channel: str) -> Outcome:
    if decision.token:
        sent = message_for_token(decision.token)
        if sent is None:  # the token is a credential: never logged (licite.lib.logmask)
            return Outcome("ignored", "unknown unsubscribe token")
        do_object(sent, channel=channel)  # exactly what the one-click link does (RULES E2)
        return Outcome("objection", decision.why, sent.prospect_id)
    sent = _replied_message(message)
    if sent is not None:
        do_object(sent, channel=channel)
        return Outcome("objection", decision.why, sent.prospect_id)
    digest = _sender_hash(message)
    if digest is None:
        return Outcome("ignored", "an objection from no valid address")
    prospect = Prospect.objects.filter(key_hash=digest).values_list("pk", flat=True).first()
    # RULES G3: honoured whoever writes, known or not: the hash keeps them from any future import.
    do_object_hash(digest, channel=channel)
    return Outcome("objection", decision.why, prospect)


@transaction.atomic
def _reply(message: Message, channel: str) -> Outcome:
    """RULES F1: a reply is a contact the prospect initiated; it restarts their retention."""
    sent = _replied_message(message)
    prospect_id = sent.prospect_id if sent else None
    if prospect_id is None:
        digest = _sender_hash(message)
        found = (
            Prospect.objects.filter(key_hash=digest).values_list("pk", flat=True).first() if digest else None
        )
        prospect_id = found
    if prospect_id is None or not Prospect.objects.filter(pk=prospect_id).exists():
        return Outcome("ignored", "a reply from nobody licite holds")
    _record_prospect_contact(prospect_id, ContactKind.REPLY, _received_at(message), sent)
    record(None, "contact.recorded", Prospect(pk=prospect_id), kind=ContactKind.REPLY, channel=channel)
    return Outcome("reply", "a contact the prospect initiated", prospect_id)


def _replied_message(message: Message) -> OutboundMessage | None:
    headers = [str(message.get(name, "")) for name in ("In-Reply-To", "References")]
    ids = inbound.replied_message_ids(headers, _key())
    return OutboundMessage.objects.filter(pk__in=ids).order_by("-pk").first() if ids else None


def _sender_hash(message: Message) -> str | None:
    _, address = email.utils.parseaddr(str(message.get("From", "")))
    try:
        return key_hash(address) if address else None
    except InvalidEmail:
        return None


def _recipients(message: Message, envelope_recipient: str) -> tuple[str, ...]:
    values = [str(value) for name in _RECIPIENT_HEADERS for value in message.get_all(name, [])]
    addresses = [address for _, address in email.utils.getaddresses(values) if address]
    return tuple(([envelope_recipient] if envelope_recipient else []) + addresses)


def _text(message: Message) -> str:
    """The first text/plain part, decoded; "" when there is none (an HTML-only message)."""
    for part in message.walk():
        if part.get_content_type() == "text/plain" and not part.get_filename():
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                return payload.decode(part.get_content_charset() or "utf-8", errors="replace")
    return ""


def _received_at(message: Message) -> datetime:
    """When the person wrote: the Date header, never later than now (RULES F1: no retention gained)."""
    now = timezone.now()
    try:
        written = email.utils.parsedate_to_datetime(str(message.get("Date", "")))
    except (TypeError, ValueError, IndexError):
        return now
    if written.tzinfo is None:
        return now
    return min(written, now)


def _key() -> Any:
    return settings.SECRET_KEY.encode()
