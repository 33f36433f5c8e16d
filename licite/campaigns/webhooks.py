"""Provider feedback through django-anymail's webhooks: tracking (bounces, complaints: RULES B5,
E3, G3) and inbound mail (the List-Unsubscribe mailto, replies: RULES E2, G3, F1)."""

from __future__ import annotations

import logging
from typing import Any

from anymail.signals import AnymailInboundEvent, AnymailTrackingEvent, inbound, tracking
from django.dispatch import receiver

from licite.campaigns.inbound import do_handle_inbound
from licite.core.emails import InvalidEmail
from licite.rights.actions import do_suppress
from licite.rights.models import SuppressionReason

log = logging.getLogger("licite.webhooks")

# A hard bounce proves the address inaccurate (RULES B5): erased, and never imported again.
# A complaint or a provider-side unsubscribe is an objection (RULES G3), at once.
ACTIONS = {
    "bounced": SuppressionReason.BOUNCE,
    "rejected": SuppressionReason.BOUNCE,
    "complained": SuppressionReason.COMPLAINT,
    "unsubscribed": SuppressionReason.OBJECTION,
}


@receiver(tracking)
def on_tracking_event(sender: Any, event: AnymailTrackingEvent, esp_name: str, **kwargs: Any) -> None:
    reason = ACTIONS.get(event.event_type)
    if reason is None or not event.recipient:
        return  # opens, deliveries...: an open is never a contact (RULES F1)
    try:
        result = do_suppress(None, event.recipient, reason, channel=f"provider:{esp_name.lower()}")
    except InvalidEmail:
        log.warning("%s %s event for an invalid address ignored", esp_name, event.event_type)
        return
    log.info(
        "%s %s: suppression entry %s, %s prospect erased",
        esp_name,
        event.event_type,
        result.entry.pk,
        result.erased_prospects,
    )


@receiver(inbound)
def on_inbound_event(sender: Any, event: AnymailInboundEvent, esp_name: str, **kwargs: Any) -> None:
    """A message to the mailbox: an objection through the mailto, or a reply (licite.campaigns.inbound)."""
    message = event.message
    if message is None:
        return
    recipient = message.envelope_recipient or ""
    do_handle_inbound(message, channel=f"mailto:{esp_name.lower()}", envelope_recipient=recipient)
