"""The register of processing activities (GDPR art. 30.1, RULES H1), with every field of the
CNIL's simplified register template (registre-traitement-simplifie.ods, 2019).

The lists of the template (categories of persons, of data, sensitive data, recipients, security
measures) and the transfers are kept as JSON rows, each validated in `clean()` against the
CNIL's list below. A row's free texts are written in French and in English
(`description_fr`/`description_en`...), like the texts the Art. 14 notice quotes (RULES D4).
Joint controllers are JSON rows too: an activity has one or two at most, nothing else refers to
them, and they are read only with their activity's fiche; a table of their own would add an
admin, a migration and a join for no query that needs one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from licite.core import notice as core

_INTEREST_HELP = _("Required under legitimate interest.")
_RETENTION_HELP = _("Empty: licite's standard retention, 3 years from collection or from the last contact.")
MAX_SUB_PURPOSES = 5  # the CNIL template: a main purpose and up to 5 sub-purposes


class RegisterBasis(models.TextChoices):
    """GDPR art. 6.1; the values of consent and legitimate interest are the prospects' own."""

    CONSENT = "consent", _("Consent (art. 6.1.a)")
    CONTRACT = "contract", _("Contract (art. 6.1.b)")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation (art. 6.1.c)")
    VITAL_INTERESTS = "vital_interests", _("Vital interests (art. 6.1.d)")
    PUBLIC_TASK = "public_task", _("Public task (art. 6.1.e)")
    LEGITIMATE_INTEREST = "legitimate_interest", _("Legitimate interest (art. 6.1.f)")


class PersonCategory(models.TextChoices):
    """The CNIL template's categories of persons concerned."""

    EMPLOYEES = "employees", _("Employees")
    INTERNAL_SERVICES = "internal_services", _("Internal services")
    CUSTOMERS = "customers", _("Customers")
    SUPPLIERS = "suppliers", _("Suppliers")
    SERVICE_PROVIDERS = "service_providers", _("Service providers")
    PROSPECTS = "prospects", _("Prospects")
    CANDIDATES = "candidates", _("Candidates")
    OTHER = "other", _("Other")


class DataCategory(models.TextChoices):
    """The CNIL template's categories of personal data; the notice names them by these keys."""

    IDENTITY = "identity", _("Civil status, identity, identification data, images")
    PERSONAL_LIFE = "personal_life", _("Personal life (habits, family situation...)")
    PROFESSIONAL_LIFE = "professional_life", _("Professional life (CV, education, job...)")
    ECONOMIC = "economic", _("Economic and financial information")
    CONNECTION = "connection", _("Connection data (IP address, logs...)")
    LOCATION = "location", _("Location data (travels, GPS, GSM...)")
    INTERNET = "internet", _("Internet (cookies, trackers, browsing data...)")
    SOCIAL_SECURITY_NUMBER = "social_security_number", _("Social security number (NIR)")
    OTHER = "other", _("Other")


class SensitiveCategory(models.TextChoices):
    """GDPR art. 9.1 and art. 10: the nine categories the CNIL template lists as sensitive."""

    RACIAL_ETHNIC = "racial_ethnic_origin", _("Racial or ethnic origin")
    POLITICAL = "political_opinions", _("Political opinions")
    RELIGIOUS = "religious_beliefs", _("Religious or philosophical beliefs")
    TRADE_UNION = "trade_union_membership", _("Trade union membership")
    GENETIC = "genetic", _("Genetic data")
    BIOMETRIC = "biometric", _("Biometric data identifying a person")
    HEALTH = "health", _("Health data")
    SEX_LIFE = "sex_life", _("Sex life or sexual orientation")
    CRIMINAL = "criminal_convictions", _("Criminal convictions and offences")


class RecipientCategory(models.TextChoices):
    INTERNAL_SERVICE = "internal_service", _("Internal service")
    PROCESSORS = "processors", _("Processors")
    THIRD_COUNTRY = "third_country", _("Recipients in third countries or international organisations")
    PARTNERS = "partners", _("Institutional or commercial partners")
    OTHER = "other", _("Other")


class SecurityMeasure(models.TextChoices):
    ACCESS_CONTROL = "access_control", _("User access control")
    TRACEABILITY = "traceability", _("Traceability measures")
    SOFTWARE_PROTECTION = "software_protection", _("Software protection measures (antivirus, updates...)")
    BACKUP = "backup", _("Data backup")
    ENCRYPTION = "encryption", _("Data encryption")
    PROCESSOR_CONTROL = "processor_control", _("Control of processors")
    OTHER = "other", _("Other")


class Safeguard(models.TextChoices):
    """GDPR arts. 45-49: what allows a transfer outside the EU/EEA (RULES B7)."""

    ADEQUACY = "adequacy", _("Adequacy decision (art. 45)")
    SCC = "scc", _("Standard contractual clauses (art. 46)")
    BCR = "bcr", _("Binding corporate rules (art. 47)")
    CODE_OF_CONDUCT = "code_of_conduct", _("Code of conduct (art. 46.2.e)")
    CERTIFICATION = "certification", _("Certification (art. 46.2.f)")
    DEROGATION = "derogation", _("Derogation for a specific situation (art. 49)")


# The texts of a row, each written in both languages (RULES D4): row[f"{name}_{language}"].
ROW_TEXTS = {
    "data_categories": ("description", "retention"),
    "sensitive_data": ("description", "retention"),
    "recipients": ("details",),
    "security_measures": ("details",),
}
ROW_CHOICES: dict[str, type[models.TextChoices]] = {
    "data_categories": DataCategory,
    "sensitive_data": SensitiveCategory,
    "recipients": RecipientCategory,
    "security_measures": SecurityMeasure,
}
CONTACT_FIELDS = ("name", "address", "postcode", "city", "country", "phone", "email")
TRANSFER_FIELDS = ("recipient", "country", "safeguard", "link")


def category_key(value: str) -> str:
    """A category as written before the CNIL lists were keys ("professional life") as a key."""
    return "_".join(value.replace("-", " ").lower().split())


def normalize_rows(name: str, rows: Iterable[Any]) -> list[dict[str, str]]:
    """The rows of a CNIL list as dicts with every text key; a bare string is a category."""
    texts = [f"{text}_{language}" for text in ROW_TEXTS[name] for language in core.LANGUAGES]
    normalized = []
    for row in rows:
        given = {"category": row} if isinstance(row, str) else dict(row) if isinstance(row, dict) else {}
        category = category_key(str(given.get("category", "")))
        normalized.append({"category": category, **{key: str(given.get(key) or "") for key in texts}})
    return normalized


class ProcessingActivity(models.Model):
    """An activity of the register. The texts the Art. 14 notice quotes are kept in French and in
    English: a person is informed in their language (RULES D4), never in a mix of both."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    reference = models.CharField(_("reference"), max_length=40, blank=True)
    # Which of licite's preset activities this is ("b2b_prospecting"...), "" for the DPO's own.
    preset = models.CharField(_("preset"), max_length=40, blank=True, editable=False)
    purpose_fr = models.TextField(_("purpose (French)"))
    purpose_en = models.TextField(_("purpose (English)"))
    sub_purposes_fr = models.JSONField(_("sub-purposes (French)"), default=list, blank=True)
    sub_purposes_en = models.JSONField(_("sub-purposes (English)"), default=list, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=20, choices=RegisterBasis.choices)
    legal_basis_justification_fr = models.TextField(
        _("justification of the legal basis (French)"), blank=True
    )
    legal_basis_justification_en = models.TextField(
        _("justification of the legal basis (English)"), blank=True
    )
    interest_pursued_fr = models.TextField(
        _("legitimate interest pursued (French)"), blank=True, help_text=_INTEREST_HELP
    )
    interest_pursued_en = models.TextField(
        _("legitimate interest pursued (English)"), blank=True, help_text=_INTEREST_HELP
    )
    person_categories = models.JSONField(_("categories of persons"), default=list, blank=True)
    data_subjects = models.TextField(_("categories of persons: details"), blank=True)
    data_categories = models.JSONField(_("categories of data"), default=list, blank=True)
    sensitive_data = models.JSONField(_("sensitive data"), default=list, blank=True)
    # RULES B6: a professional phone is kept only if the purpose declares it.
    keeps_professional_phone = models.BooleanField(_("keeps a professional phone"), default=False)
    recipients = models.JSONField(_("recipients by category"), default=list, blank=True)
    recipients_internal_fr = models.TextField(_("internal recipients (French)"), blank=True)
    recipients_internal_en = models.TextField(_("internal recipients (English)"), blank=True)
    recipients_external_fr = models.TextField(_("external recipients (French)"), blank=True)
    recipients_external_en = models.TextField(_("external recipients (English)"), blank=True)
    # Free notes; the processors themselves, with their contracts, are licite.processors'.
    processors = models.TextField(_("processors (Art. 28 contracts)"), blank=True)
    transfers = models.JSONField(_("transfers outside the EU"), default=list, blank=True)
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
    security_measures = models.JSONField(_("security measures"), default=list, blank=True)
    software = models.CharField(_("software used"), max_length=200, default="licite")
    joint_controllers = models.JSONField(_("joint controllers"), default=list, blank=True)
    sources = models.ManyToManyField(
        "prospects.Source", verbose_name=_("data sources"), blank=True, related_name="activities"
    )
    automated_decisions_fr = models.TextField(_("automated decision-making (French)"), blank=True)
    automated_decisions_en = models.TextField(_("automated decision-making (English)"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("processing activity")
        verbose_name_plural = _("processing activities")
        ordering: ClassVar = ["name"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["preset"], condition=~models.Q(preset=""), name="register_preset_once"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def as_notice_activity(self) -> core.Activity:
        """What the Art. 14 notice quotes of this activity, in both languages (RULES D1, D4)."""

        def both(name: str) -> core.Translated:
            return core.Translated(fr=getattr(self, f"{name}_fr"), en=getattr(self, f"{name}_en"))

        return core.Activity(
            purpose=both("purpose"), legal_basis=self.legal_basis,
            interest_pursued=both("interest_pursued"),
            data_categories=tuple(row["category"] for row in self.rows("data_categories")),
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
        if self.legal_basis == RegisterBasis.LEGITIMATE_INTEREST:
            for language in core.LANGUAGES:
                if not getattr(self, f"interest_pursued_{language}").strip():
                    errors.setdefault(f"interest_pursued_{language}", _INTEREST_HELP)
        errors.update(self._row_errors())
        if errors:
            raise ValidationError(errors)

    def rows(self, name: str) -> list[dict[str, str]]:
        """The rows of one of the CNIL lists (`data_categories`, `sensitive_data`, `recipients`,
        `security_measures`), each with its category key and its texts in both languages."""
        return normalize_rows(name, getattr(self, name) or [])

    def _row_errors(self) -> dict[str, Any]:
        """RULES H1: each list holds the CNIL's categories, and the texts of this register."""
        errors: dict[str, Any] = {}
        for name, choices in ROW_CHOICES.items():
            unknown = [row["category"] for row in self.rows(name) if row["category"] not in choices.values]
            if unknown:
                errors[name] = _unknown(unknown, choices)
        unknown = [key for key in self.person_categories or [] if key not in PersonCategory.values]
        if unknown:
            errors["person_categories"] = _unknown(unknown, PersonCategory)
        if not self.person_categories and not self.data_subjects.strip():
            errors["person_categories"] = _("Name at least one category of persons (GDPR art. 30.1.c).")
        for language in core.LANGUAGES:
            subs = getattr(self, f"sub_purposes_{language}") or []
            if not isinstance(subs, list) or len(subs) > MAX_SUB_PURPOSES:
                errors[f"sub_purposes_{language}"] = _("Write at most 5 sub-purposes, as a list.")
        errors.update(_contact_errors(self.joint_controllers))
        errors.update(_transfer_errors(self.transfers))
        return errors


def _unknown(keys: list[str], choices: type[models.TextChoices]) -> ValidationError:
    return ValidationError(
        _("Unknown categories: %(unknown)s. The CNIL's list: %(known)s."),
        params={"unknown": ", ".join(keys), "known": ", ".join(choices.values)},
    )


def _contact_errors(rows: Any) -> dict[str, Any]:
    if not isinstance(rows, list) or any(
        not isinstance(row, dict) or not str(row.get("name", "")).strip() or set(row) - set(CONTACT_FIELDS)
        for row in rows
    ):
        return {
            "joint_controllers": _("Give each joint controller a name, and only these fields: %(fields)s.")
            % {"fields": ", ".join(CONTACT_FIELDS)}
        }
    return {}


def _transfer_errors(rows: Any) -> dict[str, Any]:
    """RULES B7: a transfer outside the EU names its recipient, country and safeguard."""
    if not isinstance(rows, list) or any(
        not isinstance(row, dict)
        or not str(row.get("recipient", "")).strip()
        or not str(row.get("country", "")).strip()
        or row.get("safeguard") not in Safeguard.values
        for row in rows
    ):
        return {
            "transfers": _("Give each transfer a recipient, a country and a safeguard among: %(known)s.")
            % {"known": ", ".join(Safeguard.values)}
        }
    return _transfer_ground_errors(rows)


def _transfer_ground_errors(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """RULES B7: the country is one, and an adequacy decision covers it when that is the safeguard
    (licite.core.transfers.transfer_problem_kind, as for processors)."""
    from licite.core.countries import country_code
    from licite.core.transfers import NO_ADEQUACY, transfer_problem_kind

    for row in rows:
        code = country_code(str(row["country"]))
        if code is None:
            return {"transfers": _("not a country: %(value)s") % {"value": row["country"]}}
        if transfer_problem_kind(code, str(row["safeguard"])) == NO_ADEQUACY:
            return {
                "transfers": _(
                    "No adequacy decision covers %(country)s: choose standard contractual clauses, "
                    "binding corporate rules or another safeguard (RULES B7)."
                )
                % {"country": code}
            }
    return {}
