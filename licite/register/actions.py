"""Use cases on the register (RULES H1): write an activity. Each is audited, naming the fields
changed, never their values."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from licite.audit.actions import record
from licite.register.models import ProcessingActivity


@dataclass(frozen=True)
class ActivityChange:
    activity: ProcessingActivity
    created: bool


@transaction.atomic
def do_save_activity(
    actor: Any,
    activity: ProcessingActivity,
    changed: Iterable[str],
    sources: Iterable[Any] | None = None,
) -> ActivityChange:
    """Create or change a register activity (GDPR art. 30.1, RULES H1): checked whole by the
    model's clean (RULES D4: texts in both languages; B7: transfers), then recorded with the
    names of the fields changed. `sources`, when given, are the activity's data sources."""
    created = activity.pk is None
    activity.full_clean()
    activity.save()
    if sources is not None:
        activity.sources.set(list(sources))
    action = "processingactivity.created" if created else "processingactivity.updated"
    record(actor, action, activity, fields=sorted(set(changed)))
    return ActivityChange(activity, created)
