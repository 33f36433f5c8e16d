"""Processors (GDPR art. 28) and the transfers outside the EU/EEA they make (RULES B7)."""

from __future__ import annotations

from collections.abc import Collection
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from licite.core.countries import country_code
from licite.core.transfers import NO_ADEQUACY, NO_MECHANISM, adequacy_limit, transfer_problem_kind


class TransferMechanism(models.TextChoices):
    ADEQUACY = "adequacy", _("Adequacy decision")
    SCC = "scc", _("Standard contractual clauses")
    BCR = "bcr", _("Binding corporate rules")
    NONE = "none", _("None")


class Processor(models.Model):
    """A processor that handles personal data for the controller under an Art. 28 contract."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    service = models.CharField(_("service provided"), max_length=300)
    country = models.CharField(
        _("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2 code of where it processes the data.")
    )
    contract_date = models.DateField(_("Art. 28 contract date"), null=True, blank=True)
    contract_reference = models.CharField(_("Art. 28 contract reference"), max_length=300, blank=True)
    activities = models.ManyToManyField(
        "register.ProcessingActivity",
        verbose_name=_("activities served"),
        blank=True,
        related_name="declared_processors",
    )
    transfer_mechanism = models.CharField(
        _("transfer mechanism"),
        max_length=10,
        choices=TransferMechanism.choices,
        default=TransferMechanism.NONE,
    )
    # The SMTP host or anymail provider ("smtp.example.net", "postmark") this processor runs for
    # licite's sending: how `licite check` knows the email backend is declared (licite.W021).
    email_backend = models.CharField(
        _("email backend it runs"),
        max_length=200,
        blank=True,
        help_text=_("The SMTP host or the anymail provider of licite's sending, if this processor runs it."),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("processor")
        verbose_name_plural = _("processors")
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean_fields(self, exclude: Collection[str] | None = None) -> None:
        """A country's name or code becomes its ISO code; what names no country is refused."""
        code = country_code(self.country or "")
        if code is None:
            raise ValidationError({"country": _("not a country: %(value)s") % {"value": self.country}})
        self.country = code
        self.email_backend = self.email_backend.strip().lower()
        super().clean_fields(exclude)

    @property
    def transfer_flag(self) -> Promise | None:
        """RULES B7: what is wrong with the transfer this processor makes, in the reader's language."""
        kind = transfer_problem_kind(self.country, self.transfer_mechanism)
        if kind == NO_MECHANISM:
            return _("Outside the EU/EEA without a transfer mechanism (RULES B7)")
        if kind == NO_ADEQUACY:
            return _("No adequacy decision for this country: SCC or BCR needed (RULES B7)")
        return None

    @property
    def transfer_caution(self) -> Promise | None:
        """RULES B7: an adequacy decision that covers only some recipients (US, CA): check this one is."""
        if adequacy_limit(self.country, self.transfer_mechanism) is None:
            return None
        if self.country == "US":
            return _(
                "Adequacy only for organisations certified under the EU-US Data Privacy Framework: "
                "check the certification (dataprivacyframework.gov) (RULES B7)"
            )
        return _(
            "Adequacy only for commercial organisations subject to PIPEDA: check this processor is "
            "one (RULES B7)"
        )
