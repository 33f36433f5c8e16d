"""Use cases on processors: declare or change one, remove one (RULES B7). Each is audited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from licite.audit.actions import record
from licite.processors.models import Processor

PROCESSOR_FIELDS = (
    "service",
    "country",
    "contract_date",
    "contract_reference",
    "transfer_mechanism",
    "email_backend",
    "notes",
)


@dataclass(frozen=True)
class ProcessorChange:
    processor: Processor
    created: bool


@transaction.atomic
def do_save_processor(
    actor: Any, name: str, activities: list[str] | None = None, **values: Any
) -> ProcessorChange:
    """Declare a processor, or change the one of that name; `activities` names register activities.

    RULES B7: a country that is not one, a mechanism licite does not know, or a contract dated in
    the future is a ValidationError.
    """
    from licite.register.models import ProcessingActivity

    processor = Processor.objects.select_for_update().filter(name=name).first()
    created = processor is None
    processor = processor or Processor(name=name)
    for field, value in values.items():
        if field not in PROCESSOR_FIELDS:
            raise ValueError(f"unknown processor field {field}")
        if value is not None:
            setattr(processor, field, value)
    processor.full_clean()
    if processor.contract_date is not None and processor.contract_date > timezone.localdate():
        raise ValidationError(
            {"contract_date": f"{processor.contract_date:%Y-%m-%d} is in the future: the date it was signed"}
        )  # RULES B7 (art. 28.3): a contract recorded is one in force, not one planned
    processor.save()
    if activities is not None:
        found = list(ProcessingActivity.objects.filter(name__in=activities))
        unknown = sorted(set(activities) - {activity.name for activity in found})
        if unknown:
            raise ValidationError(
                {"activity": f"no processing activity named {', '.join(map(repr, unknown))}"}
            )
        processor.activities.set(found)
    changed = sorted(k for k, v in values.items() if v is not None) + (
        ["activities"] if activities is not None else []
    )
    record(
        actor,
        "processor.created" if created else "processor.updated",
        processor,
        fields=changed,
        transfer_flagged=processor.transfer_flag is not None,
    )
    return ProcessorChange(processor, created)


@transaction.atomic
def do_remove_processor(actor: Any, processor: Processor) -> None:
    """Remove a processor the controller no longer uses; the audit trail keeps its id."""
    record(actor, "processor.removed", processor)
    processor.delete()
