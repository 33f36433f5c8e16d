"""Use cases on sources: declare one, assess it (RULES B2-B4, C4). Each is audited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from licite.audit.actions import record
from licite.core.sources import SourceFacts, balancing_concerns, platform_for
from licite.prospects.models import BalancingTest, Source

SOURCE_FIELDS = ("kind", "url", "method", "extraction_allowed", "visibility", "terms_reference", "notes")


@dataclass(frozen=True)
class SourceChange:
    source: Source
    created: bool
    warnings: tuple[str, ...]


@transaction.atomic
def do_save_source(actor: Any, name: str, **values: Any) -> SourceChange:
    """Create or update a source; a known platform's terms override a laxer declaration.

    RULES B4: a method the platform's terms refuse (the model's clean) is a ValidationError.
    """
    source = Source.objects.select_for_update().filter(name=name).first()
    created = source is None
    source = source or Source(name=name)
    for field, value in values.items():
        if field not in SOURCE_FIELDS:
            raise ValueError(f"unknown source field {field}")
        if value is not None:
            setattr(source, field, value)
    warnings = _apply_platform_terms(source)
    source.full_clean()
    source.save()
    record(
        actor,
        "source.created" if created else "source.updated",
        source,
        fields=sorted(k for k, v in values.items() if v is not None),
    )
    return SourceChange(source, created, warnings)


def _apply_platform_terms(source: Source) -> tuple[str, ...]:
    platform = platform_for(source.name, source.url, source.notes)
    if platform is None:
        return ()
    warnings = []
    # RULES B4: a platform's terms only ever tighten the declaration. Terms that forbid extraction
    # override any other answer; terms that allow it (or were not read) never loosen a "no" or an
    # "unknown" the user recorded, which may rest on what they know of this very collection.
    if platform.extraction_allowed == "no" and source.extraction_allowed != "no":
        warnings.append(
            f"{platform.name}'s terms say extraction allowed: {platform.extraction_allowed} "
            f"({platform.terms_reference}); recorded as such, not as {source.extraction_allowed!r}"
        )
        source.extraction_allowed = platform.extraction_allowed
    source.terms_reference = source.terms_reference or platform.terms_reference
    return tuple(warnings)


@transaction.atomic
def do_assess_source(
    actor: Any, source: Source, interest: str, expectations: str, safeguards: str
) -> BalancingTest:
    """RULES C4: record a written balancing test, with what weighs against it."""
    texts = {"interest": interest, "expectations": expectations, "safeguards": safeguards}
    empty = [name for name, text in texts.items() if not text.strip()]
    if empty:
        raise ValidationError({name: "this part of the balancing test must be written" for name in empty})
    test = BalancingTest.objects.create(
        source=source,
        **{k: v.strip() for k, v in texts.items()},
        concerns=list(balancing_concerns(source.extraction_allowed, source.terms_reference)),
        assessed_by=actor if getattr(actor, "pk", None) else None,
        assessed_at=timezone.now(),
    )
    record(actor, "source.assessed", source, balancing_test=test.pk, concerns=len(test.concerns))
    return test


def source_facts(source: Source) -> SourceFacts:
    return SourceFacts(
        name=source.name,
        method=source.method,
        extraction_allowed=source.extraction_allowed,
        visibility=source.visibility,
        terms_reference=source.terms_reference,
        has_balancing_test=source.balancing_tests.exists(),
        url=source.url,
        notes=source.notes,
    )
