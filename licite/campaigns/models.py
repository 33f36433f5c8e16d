"""Contacts with prospects: every outbound message and every contact the prospect initiates."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from licite.prospects.models import Prospect


class ContactKind(models.TextChoices):
    NOTICE = "notice", _("Art. 14 notice sent")
    CONSENT_REQUEST = "consent_request", _("Consent request sent")
    MESSAGE = "message", _("Prospecting message sent")
    REPLY = "reply", _("Reply from the prospect")
    CLICK = "click", _("Click on a link by the prospect")
    CALL = "call", _("Call initiated by the prospect")


# RULES F1: these contacts are initiated by the prospect and restart the retention clock; an
# email open never does (SPARTOO, PERFORMECLIC).
PROSPECT_INITIATED = frozenset({ContactKind.REPLY, ContactKind.CLICK, ContactKind.CALL})


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    WEB = "web", _("Web")
    LETTER = "letter", _("Letter")


class ContactEvent(models.Model):
    prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(_("kind"), max_length=20, choices=ContactKind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    initiated_by_prospect = models.BooleanField(_("initiated by the prospect"), default=False)
    occurred_at = models.DateTimeField(_("occurred at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("contact event")
        verbose_name_plural = _("contact events")
        ordering: ClassVar = ["-occurred_at"]
        indexes: ClassVar = [models.Index(fields=["prospect", "occurred_at"], name="contact_prospect_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.occurred_at:%Y-%m-%d})"
