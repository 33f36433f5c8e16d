"""Consent with its proof, the suppression list ("liste repoussoir"), and the rights requests."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
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


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access to my data")
    RECTIFICATION = "rectification", _("Rectification")
    ERASURE = "erasure", _("Erasure")
    OBJECTION = "objection", _("Objection to prospecting")
    CONSENT_WITHDRAWAL = "consent_withdrawal", _("Consent withdrawal")
    RESTRICTION = "restriction", _("Restriction of processing")
    PORTABILITY = "portability", _("Portability")
    OTHER = "other", _("Other")


# Fulfilling these erases the person (RULES G3, G4, F3): the request then keeps no address.
ERASING_KINDS = frozenset({RequestKind.ERASURE, RequestKind.OBJECTION, RequestKind.CONSENT_WITHDRAWAL})


class RequestState(models.TextChoices):
    RECEIVED = "received", _("Received")
    AWAITING_IDENTITY = "awaiting_identity", _("Awaiting identity confirmation")
    IN_PROGRESS = "in_progress", _("In progress")
    AWAITING_PRECISION = "awaiting_precision", _("Awaiting the person's precision")
    FULFILLED = "fulfilled", _("Fulfilled")
    REFUSED = "refused", _("Refused")


OPEN_STATES = frozenset(
    {
        RequestState.RECEIVED,
        RequestState.AWAITING_IDENTITY,
        RequestState.IN_PROGRESS,
        RequestState.AWAITING_PRECISION,
    }
)


class RequestChannel(models.TextChoices):
    WEB = "web", _("Web page")
    LETTER = "letter", _("Letter")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")


class RightsRequest(models.Model):
    """RULES G1-G5: a person's request, its deadline, how identity was checked, and its answer.

    The address is held to answer. Once a request that erases the person is fulfilled, the
    address (and the note) are blanked: the request stays provable by its kind, channel, dates,
    state and the keyed hash of the address, the same hash as on the suppression list."""

    kind = models.CharField(_("kind"), max_length=20, choices=RequestKind.choices)
    state = models.CharField(
        _("state"), max_length=20, choices=RequestState.choices, default=RequestState.RECEIVED
    )
    channel = models.CharField(_("channel"), max_length=10, choices=RequestChannel.choices)
    email = models.CharField(_("address"), max_length=254, blank=True)
    key_hash = KeyHashField(_("keyed hash"), db_index=True)
    language = models.CharField(_("language"), max_length=2)
    received_at = models.DateTimeField(_("received at"))
    # RULES G1: a day, counted as Regulation 1182/71 counts months (licite.core.deadlines).
    due_on = models.DateField(_("due on"), db_index=True)
    extension_months = models.PositiveSmallIntegerField(_("extension (months)"), default=0)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    # RULES G1 (CNIL): how identity was checked, in words; never a copy of an identity document.
    identity_check = models.TextField(
        _("how identity was checked"),
        blank=True,
        help_text=_("In words, e.g. 'written from the address concerned'. Never a copy of an ID."),
    )
    note = models.TextField(_("note"), blank=True, help_text=_("About the request, never about the person."))
    refusal_reason = models.TextField(_("reason for the refusal"), blank=True)
    # Restriction (art. 18): the prospect's status before it, put back when lifted.
    status_before_restriction = models.CharField(_("status before restriction"), max_length=20, blank=True)
    restriction_lifted_at = models.DateTimeField(_("restriction lifted at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("rights request")
        verbose_name_plural = _("rights requests")
        ordering: ClassVar = ["due_on", "pk"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=~models.Q(state="refused") | ~models.Q(refusal_reason=""),
                name="rights_request_refusal_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(extension_months__lte=2), name="rights_request_extension_at_most_2"
            ),
        ]

    def __str__(self) -> str:
        return str(_("rights request #%(id)s") % {"id": self.pk})  # never the address

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class IntakeAttempt(models.Model):
    """One confirmation link sent from the public page, kept an hour to hold the rate limits.

    Counted in the database, not in a per-process cache: every web worker sees the same counts.
    The key is a keyed hash (of the address, or of the sender's network prefix): never either."""

    class Scope(models.TextChoices):
        ADDRESS = "address", _("Address")
        NETWORK = "network", _("Network")

    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices)
    key = models.CharField(_("keyed hash"), max_length=64)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("public request sent")
        verbose_name_plural = _("public requests sent (rate limit)")
        ordering: ClassVar = ["-at"]
        indexes: ClassVar = [models.Index(fields=["scope", "key", "at"], name="rights_intake_key_at")]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.key[:12]}…"


class QueuedJob(models.Model):
    """The last task enqueued for a job that runs one at a time (the purge, the reading of the
    mailbox). Whether it still waits or runs is asked of the task API about this id, which each
    backend answers (the database's, Redis'): licite's own row, never a backend's tables
    (licite.rights.tasks.enqueue_once)."""

    job = models.CharField(_("job"), max_length=100, unique=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    enqueued_at = models.DateTimeField(_("enqueued at"), null=True, blank=True)

    class Meta:
        verbose_name = _("queued job")
        verbose_name_plural = _("queued jobs (one at a time)")

    def __str__(self) -> str:
        return self.job
