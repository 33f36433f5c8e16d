"""Provider feedback through django-anymail's tracking webhooks (RULES B5, E3, G3)."""

from __future__ import annotations

import logging
from typing import Any

from anymail.signals import AnymailTrackingEvent, tracking
from django.dispatch import receiver

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
