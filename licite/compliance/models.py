"""The breach log (GDPR art. 33.5, RULES H1b) and the acknowledged backups of the suppression key."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from licite.core import compliance


class BreachNature(models.TextChoices):
    CONFIDENTIALITY = "confidentiality", _("Confidentiality (data disclosed or accessed)")
    INTEGRITY = "integrity", _("Integrity (data altered)")
    AVAILABILITY = "availability", _("Availability (data lost or out of reach)")


class BreachRisk(models.TextChoices):
    NONE = "none", _("Unlikely to result in a risk")
    RISK = "risk", _("Risk to the persons")
    HIGH = "high", _("High risk to the persons")


def validate_natures(value: object) -> None:
    known = set(BreachNature.values)
    if not isinstance(value, list) or not value or not set(value) <= known:
        raise ValidationError(
            _("Name one or more of: %(natures)s."), params={"natures": ", ".join(BreachNature.values)}
        )


class Breach(models.Model):
    """RULES H1b: one personal data breach, its facts, effects and measures (art. 33.5), and
    whether the CNIL (art. 33.1, within 72 hours) and the persons (art. 34) were told."""

    found_at = models.DateTimeField(_("found at"))
    nature = models.JSONField(_("nature"), validators=[validate_natures])
    data_concerned = models.TextField(
        _("data concerned"), help_text=_("The categories of data, never the data itself.")
    )
    persons_count = models.PositiveIntegerField(_("persons concerned"))
    records_count = models.PositiveIntegerField(_("records concerned"))
    consequences = models.TextField(_("likely consequences"))
    measures = models.TextField(_("measures taken"))
    risk = models.CharField(_("risk"), max_length=4, choices=BreachRisk.choices)
    cnil_notified_at = models.DateTimeField(_("CNIL notified at"), null=True, blank=True)
    notification_delay_reason = models.TextField(
        _("reasons for the late notification"), blank=True
    )  # RULES H1b (art. 33.1): a notification after 72 hours comes with the reasons for the delay
    no_notification_reason = models.TextField(_("why the CNIL was not notified"), blank=True)
    persons_told_at = models.DateTimeField(_("persons told at"), null=True, blank=True)
    persons_not_told_reason = models.TextField(_("why the persons were not told"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("personal data breach")
        verbose_name_plural = _("breach log")
        ordering: ClassVar = ["-found_at"]

    def __str__(self) -> str:
        return str(_("breach #%(id)s of %(date)s") % {"id": self.pk, "date": f"{self.found_at:%Y-%m-%d}"})

    @property
    def deadline(self) -> datetime:
        """RULES H1b: 72 hours after the breach was found."""
        return compliance.breach_deadline(self.found_at)

    def notification_overdue(self, now: datetime) -> bool:
        return compliance.notification_overdue(
            self.risk, self.cnil_notified_at is not None, self.found_at, now
        )

    def persons_untold(self) -> bool:
        return compliance.persons_untold(
            self.risk, self.persons_told_at is not None, bool(self.persons_not_told_reason)
        )


class KeyAcknowledgement(models.Model):
    """RULES F4: someone declared the suppression key with this fingerprint backed up. Kept in the
    database, not beside the key: a backup of the key must not carry the proof of its own backup,
    and the database's own backups keep who acknowledged what."""

    fingerprint = models.CharField(_("key fingerprint"), max_length=19)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_by_label = models.CharField(_("acknowledged by (name)"), max_length=150)
    acknowledged_at = models.DateTimeField(_("acknowledged at"))

    class Meta:
        verbose_name = _("suppression key backup")
        verbose_name_plural = _("suppression key backups")
        ordering: ClassVar = ["-acknowledged_at"]

    def __str__(self) -> str:
        return f"{self.fingerprint} ({self.acknowledged_at:%Y-%m-%d})"
