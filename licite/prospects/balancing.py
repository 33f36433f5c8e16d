"""Balancing tests (RULES C4): their parts, which sources need one, and the document that shows them.

The texts of a test are the DPO's, in the one language they wrote them in; the labels around them
follow the document's language.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from licite.audit.actions import record
from licite.core.sources import TERMS_FORBID_EXTRACTION, TERMS_NOT_CHECKED, concern_code
from licite.lib.documents import Bullets, Document, Fields, Notice, Paragraph, Section, render
from licite.lib.refusals import terms_text
from licite.prospects.models import BalancingTest, LegalBasis, Provenance, Source


def test_parts(test: BalancingTest) -> tuple[tuple[str, str], ...]:
    """Every part of the test with its label in the active language; "-" where a part is empty."""
    author = test.assessed_by.get_username() if test.assessed_by else "-"
    return (
        (_("Purpose (processing activity)"), test.activity.name if test.activity else "-"),
        (_("Legitimate interest pursued"), test.interest),
        (_("Necessity"), test.necessity or "-"),
        (_("Reasonable expectations of the persons"), test.expectations),
        (_("Source's terms"), terms_text(test.source.terms_reference) or "-"),
        (_("Safeguards"), test.safeguards),
        (_("Conclusion"), str(test.get_conclusion_display())),
        (_("Reasoning of the conclusion"), test.conclusion_text or "-"),
        (_("Author"), author),
        (_("Date"), timezone.localdate(test.assessed_at).isoformat()),
        (_("Review date"), test.review_on.isoformat()),
    )


def concern_texts(test: BalancingTest) -> tuple[str, ...]:
    """RULES C4: what weighs against the interest, in the active language. Concerns are stored as
    codes (licite.core.sources.CONCERNS); an older test's English sentence is read as its code,
    and one licite does not know is shown as stored."""
    texts = []
    for stored in test.concerns:
        code = concern_code(stored)
        if code == TERMS_FORBID_EXTRACTION:
            clause = terms_text(test.source.terms_reference) or _("its terms")
            texts.append(_(
                "the source's terms forbid extraction (%(clause)s): this weighs against the legitimate "
                "interest; the persons do not expect their data to be reused for prospecting"
            ) % {"clause": clause})  # fmt: skip
        elif code == TERMS_NOT_CHECKED:
            texts.append(
                _("the source's terms were not checked: read them and record whether they allow reuse")
            )
        else:
            texts.append(str(stored))
    return tuple(texts)


def legitimate_interest_sources() -> Any:
    """The sources that rest on legitimate interest: they hold a prospect on that basis, or they
    were assessed for it."""
    on_interest = Provenance.objects.filter(
        source=OuterRef("pk"), prospect__legal_basis=LegalBasis.LEGITIMATE_INTEREST
    )
    return Source.objects.filter(Q(Exists(on_interest)) | Q(balancing_tests__isnull=False)).distinct()


def latest_test(source: Source) -> BalancingTest | None:
    return source.balancing_tests.order_by("-assessed_at", "-pk").first()


def stale_tests(now: datetime) -> list[tuple[Source, BalancingTest | None]]:
    """RULES C4: the legitimate-interest sources whose latest balancing test is missing, more than a
    year old, or past its review date, with that test (None when there is none)."""
    today = timezone.localdate(now)
    stale = []
    for source in legitimate_interest_sources().order_by("name"):
        test = latest_test(source)
        if test is None or test.review_on < today or _more_than_a_year_old(test, today):
            stale.append((source, test))
    return stale


def _more_than_a_year_old(test: BalancingTest, today: date) -> bool:
    from licite.prospects.models import review_date_after

    return review_date_after(timezone.localdate(test.assessed_at)) < today


def balancing_document(language: str, sources: Iterable[Source] | None = None) -> Document:
    """Every balancing test of `sources` (default: every source that has one or needs one)."""
    with translation.override(language):
        chosen = list(sources) if sources is not None else _sources_to_show()
        return Document(
            title=_("Balancing tests (legitimate interest)"),
            language=language,
            subtitle=_("GDPR art. 6.1.f; RULES C4. The texts are written by the DPO, in their language."),
            generated_at=timezone.now(),
            sections=tuple(_source_section(source) for source in chosen)
            or (Section(_("Sources"), (Paragraph(_("No source rests on legitimate interest.")),)),),
        )


def _sources_to_show() -> list[Source]:
    return list(legitimate_interest_sources().order_by("name"))


def _source_section(source: Source) -> Section:
    tests = list(source.balancing_tests.select_related("activity", "assessed_by", "source"))
    if not tests:
        blocks: tuple[Any, ...] = (
            Notice(
                _("No balancing test: a legitimate-interest import from this source is refused."), "failure"
            ),
        )
        return Section(source.name, blocks)
    return Section(source.name, sections=tuple(_test_section(test) for test in tests))


def _test_section(test: BalancingTest) -> Section:
    heading = _("Test of %(date)s") % {"date": timezone.localdate(test.assessed_at).isoformat()}
    blocks: list[Any] = [Fields(test_parts(test))]
    if test.concerns:
        blocks += [Paragraph(_("What weighs against the interest:")), Bullets(concern_texts(test))]
    if test.review_on < timezone.localdate():
        blocks.append(Notice(_("Past its review date: review it and record a new test."), "warning"))
    return Section(heading, tuple(blocks))


@transaction.atomic
def do_export_balancing(actor: Any, language: str, fmt: str, sources: list[Source] | None = None) -> bytes:
    """The balancing tests as a document in `fmt`; every export is an audit entry."""
    data = render(balancing_document(language, sources), fmt)
    tests = BalancingTest.objects.filter(source__in=sources) if sources is not None else BalancingTest.objects
    record(
        actor,
        "balancing.exported",
        None,
        tests=tests.count(),
        format=fmt,
        language=language,
        sources=[source.pk for source in sources] if sources is not None else "all",
    )
    return data
