"""The register of processing activities (GDPR art. 30, RULES H1)."""

from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from licite.core import notice as core
from licite.prospects.models import LegalBasis

_INTEREST_HELP = _("Required under legitimate interest.")
_RETENTION_HELP = _("Empty: licite's standard retention, 3 years from collection or from the last contact.")


class ProcessingActivity(models.Model):
    """An activity of the register. The texts the Art. 14 notice quotes are kept in French and in
    English: a person is informed in their language (RULES D4), never in a mix of both."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    purpose_fr = models.TextField(_("purpose (French)"))
    purpose_en = models.TextField(_("purpose (English)"))
    legal_basis = models.CharField(_("legal basis"), max_length=20, choices=LegalBasis.choices)
    interest_pursued_fr = models.TextField(
        _("legitimate interest pursued (French)"), blank=True, help_text=_INTEREST_HELP
    )
    interest_pursued_en = models.TextField(
        _("legitimate interest pursued (English)"), blank=True, help_text=_INTEREST_HELP
    )
    data_subjects = models.TextField(_("categories of persons"))
    data_categories = models.JSONField(_("categories of data"), default=list)
    # RULES B6: a professional phone is kept only if the purpose declares it.
    keeps_professional_phone = models.BooleanField(_("keeps a professional phone"), default=False)
    recipients_internal_fr = models.TextField(_("internal recipients (French)"), blank=True)
    recipients_internal_en = models.TextField(_("internal recipients (English)"), blank=True)
    recipients_external_fr = models.TextField(_("external recipients (French)"), blank=True)
    recipients_external_en = models.TextField(_("external recipients (English)"), blank=True)
    processors = models.TextField(_("processors (Art. 28 contracts)"), blank=True)
    transfers_outside_eu_fr = models.TextField(
        _("transfers outside the EU and safeguards (French)"), blank=True
    )
    transfers_outside_eu_en = models.TextField(
        _("transfers outside the EU and safeguards (English)"), blank=True
    )
    retention_fr = models.TextField(
        _("retention period or criteria (French)"), blank=True, help_text=_RETENTION_HELP
    )
    retention_en = models.TextField(
        _("retention period or criteria (English)"), blank=True, help_text=_RETENTION_HELP
    )
    security_measures = models.JSONField(_("security measures"), default=list)
    software = models.CharField(_("software used"), max_length=200, default="licite")
    automated_decisions_fr = models.TextField(_("automated decision-making (French)"), blank=True)
    automated_decisions_en = models.TextField(_("automated decision-making (English)"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("processing activity")
        verbose_name_plural = _("processing activities")
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name

    def as_notice_activity(self) -> core.Activity:
        """What the Art. 14 notice quotes of this activity, in both languages (RULES D1, D4)."""

        def both(name: str) -> core.Translated:
            return core.Translated(fr=getattr(self, f"{name}_fr"), en=getattr(self, f"{name}_en"))

        return core.Activity(
            purpose=both("purpose"), legal_basis=self.legal_basis,
            interest_pursued=both("interest_pursued"), data_categories=tuple(self.data_categories),
            recipients_internal=both("recipients_internal"),
            recipients_external=both("recipients_external"),
            transfers_outside_eu=both("transfers_outside_eu"), retention=both("retention"),
            automated_decisions=both("automated_decisions"), name=self.name,
        )  # fmt: skip

    def clean(self) -> None:
        """RULES D4: a text written in one language is written in the other, so that no notice is
        sent half in French, half in English; the interest pursued under legitimate interest (D1)."""
        activity = self.as_notice_activity()
        errors = {
            f"{name}_{language}": _(
                "Write this text in this language too: the notice quotes it in the person's language."
            )
            for language in core.LANGUAGES
            for name in core.untranslated(activity, language)
        }
        if self.legal_basis == LegalBasis.LEGITIMATE_INTEREST:
            for language in core.LANGUAGES:
                if not getattr(self, f"interest_pursued_{language}").strip():
                    errors.setdefault(f"interest_pursued_{language}", _INTEREST_HELP)
        if errors:
            raise ValidationError(errors)
