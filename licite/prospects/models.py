"""Where prospects come from (sources, import batches, provenance) and the prospects themselves."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from licite.core.sources import PlatformRefusal, platform_refusal
from licite.lib.keyhash import KeyHashField
from licite.lib.refusals import platform_refusal_text


class SourceKind(models.TextChoices):
    WEBSITE = "website", _("Website")
    SOCIAL_NETWORK = "social_network", _("Social network")
    DIRECTORY = "directory", _("Directory")
    EVENT = "event", _("Event")
    FORM = "form", _("Form")
    CRM_EXPORT = "crm_export", _("CRM export")
    PURCHASED_LIST = "purchased_list", _("Purchased list")
    MANUAL = "manual", _("Manual entry")


class CollectionMethod(models.TextChoices):
    MANUAL = "manual", _("Manual")
    AUTOMATED = "automated", _("Automated (scraping, robot, plug-in)")
    API = "api", _("API")
    EXPORT = "export", _("Export")
    PURCHASE = "purchase", _("Purchase")
    FORM = "form", _("Form")


class ExtractionAllowed(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Unknown")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Publicly accessible")
    RESTRICTED = "restricted", _("Restricted to the person's network")


class Source(models.Model):
    """A place prospects are found (RULES B3): named in every Art. 14 notice."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=SourceKind.choices)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    method = models.CharField(_("collection method"), max_length=20, choices=CollectionMethod.choices)
    extraction_allowed = models.CharField(
        _("terms allow automated extraction"),
        max_length=10,
        choices=ExtractionAllowed.choices,
        default=ExtractionAllowed.UNKNOWN,
    )
    terms_reference = models.CharField(
        _("terms reference"),
        max_length=300,
        blank=True,
        help_text=_(
            "The clause of the source's terms about extraction, e.g. 'LinkedIn User Agreement, section 8.2'."
        ),
    )
    visibility = models.CharField(
        _("visibility"), max_length=20, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    notes = models.TextField(_("notes"), blank=True, help_text=_("About the source, never about people."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """RULES B4: a method a known platform's terms refuse is refused here, in the admin and the CLI."""
        refusal = platform_refusal(self.name, self.url, self.method, self.notes)
        if refusal is not None:
            raise ValidationError({"method": refusal_message(refusal)})


def refusal_message(refusal: PlatformRefusal) -> str:
    """The refusal in the reader's language, as a sentence: the platform's terms and the decision
    too, where licite has them in that language (licite.lib.refusals)."""
    text = platform_refusal_text(refusal)
    return f"{text[:1].upper()}{text[1:]}."


class ImportBatch(models.Model):
    """One file (or API push) run through the compliance gate."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="batches"
    )
    filename = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    report = models.JSONField(_("report"), default=dict, blank=True)

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering: ClassVar = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.started_at:%Y-%m-%d %H:%M})"


class EmailKind(models.TextChoices):
    NOMINATIVE = "nominative", _("Nominative work address")
    GENERIC = "generic", _("Role address")
    PRIVATE = "private", _("Private mailbox")


class Audience(models.TextChoices):
    B2B = "b2b", _("B2B (professional)")
    B2C = "b2c", _("B2C (consumer)")


class LegalBasis(models.TextChoices):
    LEGITIMATE_INTEREST = "legitimate_interest", _("Legitimate interest (art. 6.1.f)")
    CONSENT = "consent", _("Consent (art. 6.1.a)")


class ProspectStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CONSENT_PENDING = "consent_pending", _("Consent pending")
    RESTRICTED = "restricted", _("Processing restricted")


def notice_overdue(now: datetime) -> models.Q:
    """RULES D2: a notice not sent by its deadline is overdue. The one definition: the compliance
    check, the register's figures, the dashboard and the prospects filter all count with it."""
    return models.Q(notice_sent_at__isnull=True, notice_due_at__lt=now)


class Prospect(models.Model):
    """A person or company contact that may be prospected, and the clocks the law puts on it."""

    # Unique through Meta's constraint, not unique=True, which on PostgreSQL also adds a pattern
    # (LIKE) index nobody uses and every bulk load would rebuild. The constraint is written as an
    # expression so that SQLite too makes it an index of its own, which a bulk load can drop and
    # build again from one sort, rather than part of the table, kept up one row at a time
    # (1M rows: 1.6 s against 4.5 s, see licite.lib.bulkload).
    email = models.CharField(_("normalized email"), max_length=254)
    # RULES F4: the same keyed hash as on the suppression list, so that suppression checks and
    # erasure are exact index lookups, in bulk too. Indexed in Meta: only equality is ever asked
    # of it, so it needs none of the pattern (LIKE) index PostgreSQL gets for db_index.
    key_hash = KeyHashField(_("keyed hash"))
    email_kind = models.CharField(_("email kind"), max_length=12, choices=EmailKind.choices)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    company_domain = models.CharField(_("company domain"), max_length=253, blank=True)
    phone = models.CharField(_("professional phone"), max_length=32, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    language = models.CharField(_("language"), max_length=2, blank=True)
    audience = models.CharField(_("audience"), max_length=3, choices=Audience.choices)
    legal_basis = models.CharField(_("legal basis"), max_length=20, choices=LegalBasis.choices)
    status = models.CharField(_("status"), max_length=20, choices=ProspectStatus.choices)
    collected_at = models.DateTimeField(_("collected at"))
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("collected by"),
        db_index=False,  # never looked up by collector; every index slows bulk imports
    )
    # RULES D2: the Art. 14 notice is due one month after collection at the latest.
    notice_due_at = models.DateTimeField(_("notice due at"))
    notice_sent_at = models.DateTimeField(_("notice sent at"), null=True, blank=True)
    # RULES F1: only a contact the prospect initiated (a reply, a click) restarts retention.
    last_contact_by_prospect_at = models.DateTimeField(
        _("last contact initiated by the prospect"), null=True, blank=True
    )
    retain_until = models.DateTimeField(_("retain until"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    sources: models.ManyToManyField[Source, Provenance] = models.ManyToManyField(
        Source, verbose_name=_("sources"), through="Provenance", related_name="prospects"
    )

    class Meta:
        verbose_name = _("prospect")
        verbose_name_plural = _("prospects")
        ordering: ClassVar = ["-collected_at"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                models.F("email"),
                name="prospect_email_unique",
                violation_error_message=_("A prospect with this address already exists."),
            )
        ]
        indexes: ClassVar = [
            models.Index(fields=["key_hash"], name="prospect_key_hash"),
            # Only the statuses that are looked for: the consent requests to send or to chase,
            # the restricted records. Most prospects are active, found by a scan anyway, and an
            # index of every row made a first load's inserts 30 % slower (1M rows: 0.6 s). The
            # condition is written with OR, which SQLite's planner matches to `status = ?`; it
            # does not match IN. A status added to ProspectStatus goes into it (a test checks).
            models.Index(
                fields=["status"],
                name="prospect_status",
                condition=models.Q(status=ProspectStatus.CONSENT_PENDING)
                | models.Q(status=ProspectStatus.RESTRICTED),
            ),
            models.Index(fields=["retain_until"], name="prospect_retain_until"),
            models.Index(
                fields=["notice_due_at"],
                name="prospect_notice_due",
                condition=models.Q(notice_sent_at__isnull=True),
            ),
            # The prospects list's search by the beginning of a last name or of a company,
            # ignoring case (licite.prospects.search._starts_with): a range of the lowered column.
            # Without them, a company's whole name was found by reading every row (1M: 800 ms).
            models.Index(Lower("last_name"), name="prospect_last_name_lower"),
            models.Index(Lower("company"), name="prospect_company_lower"),
            # The dashboard's count by legal basis (licite.web.dashboard.by_legal_basis): consent,
            # the rarer basis of B2B prospecting, is counted on this partial index, legitimate
            # interest is what remains of the total; before, the count read every row (1M: 330 ms).
            models.Index(
                fields=["legal_basis"],
                name="prospect_basis_consent",
                condition=models.Q(legal_basis=LegalBasis.CONSENT),
            ),
        ]

    def __str__(self) -> str:
        return str(_("prospect #%(id)s") % {"id": self.pk})  # never the address: str() ends up in logs


class Provenance(models.Model):
    """Where and how one prospect was found (RULES B3); a prospect may have several."""

    # No index of its own: the unique (prospect, batch) constraint starts with it.
    prospect = models.ForeignKey(
        Prospect,
        verbose_name=_("prospect"),
        on_delete=models.CASCADE,
        related_name="provenance",
        db_index=False,
    )
    # No index of its own: the (source, prospect) index in Meta starts with it.
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    batch = models.ForeignKey(
        ImportBatch,
        verbose_name=_("import batch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="provenance",
    )
    line_number = models.PositiveIntegerField(_("line in file"), null=True, blank=True)
    page_url = models.URLField(_("page URL"), max_length=500, blank=True)
    collected_at = models.DateTimeField(_("collected at"))
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("collected by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("provenance")
        verbose_name_plural = _("provenance")
        ordering: ClassVar = ["collected_at"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["prospect", "batch"], name="provenance_once_per_batch"),
        ]
        indexes: ClassVar = [
            # In place of the source's own index: the dashboard counts each source's prospects
            # (licite.web.dashboard.by_source) from this index alone, in its order, where the
            # source's index read every row of the table too (1M rows: 200 ms against 65 ms).
            models.Index(fields=["source", "prospect"], name="provenance_source_prospect"),
        ]

    def __str__(self) -> str:
        return f"{self.source} ({timezone.localtime(self.collected_at):%Y-%m-%d})"


class Conclusion(models.TextChoices):
    FAVOURABLE = "favourable", _("Favourable: the interest prevails")
    UNFAVOURABLE = "unfavourable", _("Unfavourable: the persons' rights prevail")


class BalancingTest(models.Model):
    """RULES C4: the written balancing test behind a legitimate-interest collection from a source,
    for a purpose of the register. Its texts are the DPO's, in the language they wrote them in."""

    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.CASCADE, related_name="balancing_tests"
    )
    # Empty for the tests recorded before purposes were named.
    activity = models.ForeignKey(
        "register.ProcessingActivity",
        verbose_name=_("purpose (processing activity)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="balancing_tests",
    )
    interest = models.TextField(_("legitimate interest pursued"))
    # Empty for the tests recorded before necessity was asked for.
    necessity = models.TextField(_("necessity"), blank=True)
    expectations = models.TextField(_("reasonable expectations of the persons"))
    safeguards = models.TextField(_("safeguards"))
    conclusion = models.CharField(
        _("conclusion"), max_length=12, choices=Conclusion.choices, default=Conclusion.FAVOURABLE
    )
    conclusion_text = models.TextField(_("reasoning of the conclusion"), blank=True)
    # One year after the test unless the DPO says otherwise (licite.prospects.balancing).
    review_on = models.DateField(_("review date"), blank=True, help_text=_("Empty: one year after the test."))
    # What weighs against the interest, as licite found it (e.g. terms that forbid extraction).
    concerns = models.JSONField(_("what weighs against"), default=list, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    assessed_at = models.DateTimeField(_("assessed at"))

    class Meta:
        verbose_name = _("balancing test")
        verbose_name_plural = _("balancing tests")
        ordering: ClassVar = ["-assessed_at"]

    def __str__(self) -> str:
        return f"{self.source} ({timezone.localtime(self.assessed_at):%Y-%m-%d})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.review_on is None and self.assessed_at is not None:
            self.review_on = review_date_after(timezone.localdate(self.assessed_at))
        super().save(*args, **kwargs)


def review_date_after(assessed: date) -> date:
    """RULES C4: a balancing test is reviewed one year after it was written (29 February: the 28th)."""
    try:
        return assessed.replace(year=assessed.year + 1)
    except ValueError:
        return assessed.replace(year=assessed.year + 1, day=28)
