"""Use cases on sources: declare one, assess it (RULES B2-B4, C4). Each is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from licite.audit.actions import record
from licite.core.sources import SourceFacts, balancing_concerns, platform_for
from licite.lib.refusals import quoted, terms_text
from licite.prospects.models import (
    BalancingTest,
    Conclusion,
    ExtractionAllowed,
    LegalBasis,
    Source,
    review_date_after,
)

if TYPE_CHECKING:
    from licite.register.models import ProcessingActivity

SOURCE_FIELDS = ("kind", "url", "method", "extraction_allowed", "visibility", "terms_reference", "notes")


@dataclass(frozen=True)
class SourceChange:
    source: Source
    created: bool
    warnings: tuple[str, ...]


@transaction.atomic
def do_save_source(actor: Any, name: str, *, new: bool = False, **values: Any) -> SourceChange:
    """Create or update a source; a known platform's terms override a laxer declaration.

    RULES B4: a method the platform's terms refuse (the model's clean) is a ValidationError.
    `new` (a declaration, on a page or through the API): a name already declared is a
    ValidationError on `name`, even one declared by another request since the form's check.
    """
    source = Source.objects.select_for_update().filter(name=name).first()
    if new and source is not None:
        raise _name_taken()
    created = source is None
    source = source or Source(name=name)
    for field, value in values.items():
        if field not in SOURCE_FIELDS:
            raise ValueError(f"unknown source field {field}")
        if value is not None:
            setattr(source, field, value)
    warnings = _apply_platform_terms(source)
    # A new name is checked by the insert itself, under the unique constraint (_save_new_name).
    source.full_clean(validate_unique=not created)
    if created:
        _save_new_name(source)
    else:
        source.save()
    record(
        actor,
        "source.created" if created else "source.updated",
        source,
        fields=sorted(k for k, v in values.items() if v is not None),
    )
    return SourceChange(source, created, warnings)


def _name_taken() -> ValidationError:
    return ValidationError({"name": _("A source with this name is already declared.")})


def _save_new_name(source: Source) -> None:
    """Insert a new source. Another request may insert the same name between the check above and
    this insert (PostgreSQL: `select_for_update` locks no row that does not exist yet): its unique
    constraint then refuses ours, and the caller gets the error of a name already declared, not
    a 500. The savepoint keeps the transaction usable after the refusal (PostgreSQL aborts it)."""
    try:
        with transaction.atomic():
            source.save()
    except IntegrityError:
        if Source.objects.filter(name=source.name).exists():
            raise _name_taken() from None
        raise


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
            _(
                "%(platform)s's terms say extraction allowed: %(allowed)s (%(terms)s); recorded as such, "
                "not as %(declared)s"
            )
            % {
                "platform": platform.name,
                "allowed": _extraction(platform.extraction_allowed, quote=False),
                "terms": terms_text(platform.terms_reference),
                "declared": _extraction(str(source.extraction_allowed)),
            }
        )
        source.extraction_allowed = platform.extraction_allowed
    source.terms_reference = source.terms_reference or platform.terms_reference
    return tuple(warnings)


def _extraction(code: str, *, quote: bool = True) -> str:
    """An answer to "terms allow extraction?": the code `--extraction-allowed` takes where the
    command line and the API run (English), its label, quoted, in the pages of other languages."""
    if (get_language() or "en").startswith("en"):
        return repr(code) if quote else code
    return quoted(ExtractionAllowed(code).label)


@transaction.atomic
def do_assess_source(
    actor: Any,
    source: Source,
    interest: str,
    expectations: str,
    safeguards: str,
    *,
    necessity: str,
    conclusion: str,
    conclusion_text: str = "",
    activity: ProcessingActivity | None = None,
    review_on: date | None = None,
) -> BalancingTest:
    """RULES C4: record a written balancing test (interest, necessity, reasonable expectations,
    safeguards, conclusion), with what weighs against it; reviewed one year later by default."""
    texts = {
        "interest": interest,
        "necessity": necessity,
        "expectations": expectations,
        "safeguards": safeguards,
    }
    errors = {
        name: "this part of the balancing test must be written"
        for name, text in texts.items()
        if not text.strip()
    }
    if conclusion not in Conclusion.values:
        errors["conclusion"] = f"expected {' or '.join(Conclusion.values)}, not {conclusion!r}"
    if activity is not None and activity.legal_basis != LegalBasis.LEGITIMATE_INTEREST:
        errors["activity"] = (
            f"activity {activity.name!r} rests on {activity.legal_basis}, not on legitimate interest"
        )
    now = timezone.now()
    if review_on is not None and review_on <= timezone.localdate(now):
        errors["review_date"] = "the review date must come after the test"
    if errors:
        raise ValidationError(errors)
    test = BalancingTest.objects.create(
        source=source,
        activity=activity,
        **{k: v.strip() for k, v in texts.items()},
        conclusion=conclusion,
        conclusion_text=conclusion_text.strip(),
        concerns=list(balancing_concerns(source.extraction_allowed, source.terms_reference)),
        assessed_by=actor if getattr(actor, "pk", None) else None,
        assessed_at=now,
        review_on=review_on or review_date_after(timezone.localdate(now)),
    )
    record(
        actor,
        "source.assessed",
        source,
        balancing_test=test.pk,
        concerns=len(test.concerns),
        conclusion=conclusion,
        activity=activity.pk if activity else None,
    )
    return test


def source_facts(source: Source) -> SourceFacts:
    latest = source.balancing_tests.order_by("-assessed_at", "-pk").first()
    return SourceFacts(
        name=source.name,
        method=source.method,
        extraction_allowed=source.extraction_allowed,
        visibility=source.visibility,
        terms_reference=source.terms_reference,
        has_balancing_test=latest is not None,
        # RULES C4: a test that concludes against the interest allows no legitimate-interest import.
        balancing_unfavourable=latest is not None and latest.conclusion == Conclusion.UNFAVOURABLE,
        url=source.url,
        notes=source.notes,
    )
