"""Contacts with prospects: every outbound message and every contact the prospect initiates."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from licite.lib.keyhash import KeyHashField
from licite.prospects.models import Audience, Prospect


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
    prospect = models.ForeignKey(
        Prospect, verbose_name=_("prospect"), on_delete=models.CASCADE, related_name="contacts"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ContactKind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    initiated_by_prospect = models.BooleanField(_("initiated by the prospect"), default=False)
    occurred_at = models.DateTimeField(_("occurred at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    message = models.ForeignKey(
        "OutboundMessage",
        verbose_name=_("message"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("contact event")
        verbose_name_plural = _("contact events")
        ordering: ClassVar = ["-occurred_at"]
        indexes: ClassVar = [models.Index(fields=["prospect", "occurred_at"], name="contact_prospect_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.occurred_at:%Y-%m-%d})"


class Campaign(models.Model):
    """A prospecting message to send to the prospects it may lawfully reach (RULES C1-C3, E1)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        # Every message was cancelled before it left (objections, erasures...): nothing was sent.
        CANCELLED = "cancelled", _("Nothing sent")

    name = models.CharField(_("name"), max_length=200, unique=True)
    purpose = models.TextField(_("purpose"))
    audience = models.CharField(_("audience"), max_length=3, choices=Audience.choices, default=Audience.B2B)
    offer = models.TextField(_("offer"), help_text=_("What the message offers, in a sentence."))
    # RULES C3 (NESTOR): the professions or functions the offer concerns.
    functions = models.JSONField(_("functions concerned"), default=list, blank=True)
    subject_fr = models.CharField(_("subject (French)"), max_length=200)
    subject_en = models.CharField(_("subject (English)"), max_length=200)
    body_fr = models.TextField(_("message (French)"))
    body_en = models.TextField(_("message (English)"))
    link_url = models.URLField(_("offer link"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering: ClassVar = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class OutboundMessage(models.Model):
    """The outbox: every message is rendered here first, then sent once by a worker."""

    class Kind(models.TextChoices):
        CAMPAIGN = "campaign", _("Campaign message")
        CONSENT_REQUEST = "consent_request", _("Consent request")
        # RULES G1: an answer to a rights request (extension, refusal, access link); sent
        # whatever the person's status, suppressed included: it is not prospecting.
        RIGHTS = "rights", _("Answer to a rights request")
        # RULES F1: before retention ends, one message asks whether the person wishes to stay.
        LAST_CHANCE = "last_chance", _("Last-chance message (stay in touch?)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
    )
    prospect = models.ForeignKey(
        Prospect,
        verbose_name=_("prospect"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    # RULES F4: what identifies the person once their record is erased; the address goes with it.
    key_hash = KeyHashField(_("keyed hash"), db_index=True)
    to_address = models.CharField(_("recipient"), max_length=254, blank=True)
    to_domain = models.CharField(_("recipient domain"), max_length=253, blank=True)
    language = models.CharField(_("language"), max_length=2)
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text"), blank=True)
    body_html = models.TextField(_("HTML"), blank=True)
    includes_notice = models.BooleanField(_("carries the Art. 14 notice"), default=False)
    # Opaque, unguessable: 256 random bits, looked up, never decoded (unsubscribe, consent, clicks).
    token = models.CharField(_("token"), max_length=64, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    status_reason = models.CharField(_("reason"), max_length=60, blank=True)
    queued_at = models.DateTimeField(_("queued at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # When a worker last took the message to send it: a message still "sending" long after was
    # left by a worker that stopped (licite.campaigns.actions.STUCK_AFTER).
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    # The worker ("host:pid") that claimed it; empty for a claim made before licite recorded
    # hand-overs, whose fate is then unknown (licite.campaigns.workers, the rule of a dead claim).
    claimed_by = models.CharField(_("claimed by"), max_length=80, blank=True)
    # When the worker handed it to the mail server, committed before the SMTP conversation: a
    # claim without it never reached the server and may be sent again; one with it never is.
    handed_over_at = models.DateTimeField(_("handed to the mail server at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    class Meta:
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbox")
        ordering: ClassVar = ["-queued_at"]
        constraints: ClassVar = [
            # A campaign reaches one person once, whatever happens to the queue.
            models.UniqueConstraint(fields=["campaign", "key_hash"], name="message_once_per_campaign"),
        ]
        indexes: ClassVar = [
            models.Index(fields=["to_domain", "sent_at"], name="message_domain_sent"),
            models.Index(fields=["status"], name="message_status"),
            models.Index(fields=["campaign", "status"], name="message_campaign_status"),
        ]

    def __str__(self) -> str:
        return str(_("message #%(id)s (%(status)s)") % {"id": self.pk, "status": self.get_status_display()})


class WorkerBeat(models.Model):
    """A running `licite worker`: it writes its beat every few seconds (licite.campaigns.workers);
    the readiness check (/api/ready) wants one recent beat."""

    host = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    backend = models.CharField(_("task backend"), max_length=100)
    started_at = models.DateTimeField(_("started at"))
    beat_at = models.DateTimeField(_("last beat at"), db_index=True)

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        constraints: ClassVar = [models.UniqueConstraint(fields=["host", "pid"], name="worker_once")]

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}"

    @staticmethod
    def lost_after() -> timedelta:
        """A worker whose last beat is older than this is taken as gone: six beats missed
        (LICITE_WORKER_BEAT_SECONDS, 5 by default: 30 seconds)."""
        return timedelta(seconds=6 * settings.LICITE_WORKER_BEAT_SECONDS)


class ScheduledRun(models.Model):
    """One row per scheduled job and due time: however many workers hold the schedule, the first
    to insert the row enqueues the job, the others find it there (licite.rights.tasks)."""

    job = models.CharField(_("job"), max_length=40)
    due_at = models.DateTimeField(_("due at"))
    enqueued_at = models.DateTimeField(_("enqueued at"))
    worker = models.CharField(_("worker"), max_length=300)

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        constraints: ClassVar = [models.UniqueConstraint(fields=["job", "due_at"], name="scheduled_run_once")]

    def __str__(self) -> str:
        return f"{self.job} {self.due_at:%Y-%m-%d %H:%M}"
