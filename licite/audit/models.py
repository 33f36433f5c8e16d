"""An append-only trail of who did what to which record, without personal data in it, chained
by keyed hashes so that an edit, a deletion, an insertion or a cut shows (licite.audit.chain)."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CanonicalJSONEncoder(json.JSONEncoder):
    """Writes the detail as it is hashed (sorted keys, no spaces): SQLite keeps that very text,
    which `audit verify` then hashes without parsing it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.update(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        super().__init__(*args, **kwargs)


class AuditEvent(models.Model):
    class Via(models.TextChoices):
        WEB = "web", _("web")
        API = "api", _("API")
        CLI = "cli", _("command line")
        WORKER = "worker", _("background worker")
        INTERNAL = "internal", _("internal")

    # 1, 2, 3... in the order of writing, given under the chain's lock (audit.actions.record).
    sequence = models.PositiveBigIntegerField(_("sequence number"), unique=True)
    at = models.DateTimeField(_("at"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Kept when the user is deleted, so the trail still says who acted.
    actor_label = models.CharField(_("actor"), max_length=150)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True, encoder=CanonicalJSONEncoder)
    # Empty for the entries written before licite recorded it.
    via = models.CharField(_("origin"), max_length=10, choices=Via.choices, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        ordering: ClassVar = ["-sequence"]
        indexes: ClassVar = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("audit events are append-only")
        super().save(*args, **kwargs)
