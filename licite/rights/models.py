"""Consent with its proof, and the suppression list ("liste repoussoir")."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from licite.lib.keyhash import KeyHashField
from licite.prospects.models import Prospect


class ConsentChannel(models.TextChoices):
    EMAIL_LINK = "email_link", _("Confirmation link in an email (double opt-in)")
    WEB_FORM = "web_form", _("Web form")
    PAPER = "paper", _("Signed paper form")


class ConsentRecord(models.Model):
    """RULES G5: when, how and with what wording consent was asked, given, refused or withdrawn."""

    prospect = models.ForeignKey(
        Prospect, verbose_name=_("prospect"), on_delete=models.CASCADE, related_name="consents"
    )
    purpose = models.CharField(_("purpose"), max_length=200)
    wording_version = models.CharField(_("wording version"), max_length=40)
    channel = models.CharField(_("channel"), max_length=20, choices=ConsentChannel.choices)
    requested_at = models.DateTimeField(_("requested at"))
    given_at = models.DateTimeField(_("given at"), null=True, blank=True)
    refused_at = models.DateTimeField(_("refused at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    # Minimal technical evidence (e.g. a truncated IP, a user-agent hash), never more.
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering: ClassVar = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.purpose} ({self.wording_version})"

    @property
    def is_valid(self) -> bool:
        return self.given_at is not None and self.withdrawn_at is None


class SuppressionReason(models.TextChoices):
    OBJECTION = "objection", _("Objection")
    WITHDRAWAL = "withdrawal", _("Consent withdrawn")
    BOUNCE = "bounce", _("Hard bounce")
    COMPLAINT = "complaint", _("Complaint")
    ERASURE = "erasure", _("Erasure request")
    MANUAL = "manual", _("Manual")
    # RULES C2: a consumer asked for consent who did not give it: kept so that no import asks again.
    NO_CONSENT = "no_consent", _("No consent")


class SuppressionEntry(models.Model):
    """RULES F4: a keyed hash of the normalized address, the reason and the date; never the address."""

    key_hash = KeyHashField(_("keyed hash"), unique=True)
    reason = models.CharField(_("reason"), max_length=12, choices=SuppressionReason.choices)
    created_at = models.DateTimeField(_("suppressed at"))
    # RULES F4: kept at least 3 years from the objection.
    keep_until = models.DateTimeField(_("keep until"))

    class Meta:
        verbose_name = _("suppression entry")
        verbose_name_plural = _("suppression list")
        ordering: ClassVar = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.key_hash[:12]}… ({self.get_reason_display()})"
