"""The register of processing activities (GDPR art. 30, RULES H1)."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from licite.prospects.models import LegalBasis


class ProcessingActivity(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    purpose = models.TextField(_("purpose"))
    legal_basis = models.CharField(_("legal basis"), max_length=20, choices=LegalBasis.choices)
    interest_pursued = models.TextField(_("legitimate interest pursued"), blank=True)
    data_subjects = models.TextField(_("categories of persons"))
    data_categories = models.JSONField(_("categories of data"), default=list)
    # RULES B6: a professional phone is kept only if the purpose declares it.
    keeps_professional_phone = models.BooleanField(_("keeps a professional phone"), default=False)
    recipients_internal = models.TextField(_("internal recipients"), blank=True)
    recipients_external = models.TextField(_("external recipients"), blank=True)
    processors = models.TextField(_("processors (Art. 28 contracts)"), blank=True)
    transfers_outside_eu = models.TextField(_("transfers outside the EU and safeguards"), blank=True)
    retention = models.TextField(_("retention period or criteria"))
    security_measures = models.JSONField(_("security measures"), default=list)
    software = models.CharField(_("software used"), max_length=200, default="licite")
    automated_decisions = models.TextField(_("automated decision-making"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("processing activity")
        verbose_name_plural = _("processing activities")
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name
