"""Writing the audit trail: every action function calls `record` inside its transaction."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from licite.audit.models import AuditEvent


def record(
    actor: Any | None,
    action: str,
    target: models.Model | None = None,
    **detail: Any,
) -> AuditEvent:
    """Append one entry. `detail` holds ids and counts only, never personal data.

    `actor` is a user, a label naming who acted without being a user ("os:jdoe", a command
    run by that operating system user), or None for licite itself ("system").
    """
    label = actor if isinstance(actor, str) else getattr(actor, "username", "")
    label = label or "system"
    return AuditEvent.objects.create(
        at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=label,
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        detail=detail,
    )
