"""Sources and their balancing tests (RULES B2-B4, C4), as the sources pages and `licite sources`.

The request is checked by the web's own forms (licite.prospects.forms: the same choices, URL,
name and text checks), then handed to the same actions (do_save_source, do_assess_source), which
apply a known platform's terms (RULES B4) and audit the change. A source holds no personal data:
reading one needs the permission to see the prospects list, as the pages do.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from licite.api.auth import require
from licite.api.errors import ERRORS, not_found
from licite.api.paging import PageQuery, keyset
from licite.core.permissions import Perm
from licite.core.sources import may_collect_from
from licite.prospects import balancing
from licite.prospects.actions import SOURCE_FIELDS, do_assess_source, do_save_source, source_facts
from licite.prospects.forms import AssessForm, SourceForm
from licite.prospects.models import (
    BalancingTest,
    CollectionMethod,
    Conclusion,
    ExtractionAllowed,
    ImportBatch,
    Source,
    SourceKind,
    Visibility,
)

router = Router(tags=["sources"])
# do_assess_source names the review date as the command line does; the API, as the form does.
ASSESS_FIELDS = {"review_date": "review_on"}
BATCHES_SHOWN = 50  # the imports a source's detail lists; /batches pages through the rest


def form_invalid(form: forms.BaseForm) -> ValidationError:
    """The web form's errors as a ValidationError naming each field (a 422 through
    licite.api.errors); an error on no one field is put on `body`."""
    errors = form.errors.as_data()
    return ValidationError({("body" if name == NON_FIELD_ERRORS else name): e for name, e in errors.items()})


def renamed(exc: ValidationError, names: dict[str, str]) -> ValidationError:
    """The action's error with its field names as the API calls them."""
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({names.get(name, name): errors for name, errors in exc.error_dict.items()})


# --- schemas -----------------------------------------------------------------------------------


class SourceIn(Schema):
    """A source to declare: the fields of the web form and of `licite sources add` (RULES B3)."""

    name: str = Field(max_length=200, description="Unique; named in every Art. 14 notice (RULES B3)")
    kind: SourceKind
    url: str = Field("", max_length=500, description="Where the data is found (https assumed)")
    method: CollectionMethod = Field(description="How it is collected; a platform's terms may refuse one")
    extraction_allowed: ExtractionAllowed = Field(
        description="Whether the source's terms allow automated extraction (RULES B4)"
    )
    visibility: Visibility = Field(
        Visibility.PUBLIC, description="restricted: data the persons restricted to their network (RULES B4)"
    )
    terms_reference: str = Field("", max_length=300, description="The clause of the terms about extraction")
    notes: str = Field("", max_length=5000, description="About the source, never about people")


class SourceChangeIn(Schema):
    """The fields to change; those left out (or null) keep their value. The name cannot change: it
    is what the notices already sent named."""

    kind: SourceKind | None = None
    url: str | None = Field(None, max_length=500)
    method: CollectionMethod | None = None
    extraction_allowed: ExtractionAllowed | None = None
    visibility: Visibility | None = None
    terms_reference: str | None = Field(None, max_length=300)
    notes: str | None = Field(None, max_length=5000)


class BalancingTestIn(Schema):
    """RULES C4: the parts of a written balancing test, as the web form and `licite sources assess`."""

    interest: str = Field(max_length=10000, description="The legitimate interest pursued")
    necessity: str = Field(max_length=10000, description="Why the processing is needed, and no less")
    expectations: str = Field(max_length=10000, description="Why the persons can expect this use")
    safeguards: str = Field(max_length=10000, description="What protects them (information, objection)")
    conclusion: Conclusion = Field(description="favourable: the interest prevails")
    conclusion_text: str = Field("", max_length=10000, description="The reasoning of the conclusion")
    activity: int | None = Field(
        None, ge=1, le=2**31 - 1, description="Id of the register's legitimate-interest activity it is for"
    )
    review_on: date | None = Field(None, description="When to review it; default: one year on")


class BalancingTestOut(Schema):
    id: int
    activity: int | None
    activity_name: str | None
    interest: str
    necessity: str
    expectations: str
    safeguards: str
    conclusion: str
    conclusion_text: str
    weighs_against: list[str] = Field(description="What weighs against the interest (RULES C4)")
    assessed_by: str | None
    assessed_at: datetime
    review_on: date


class SourceOut(Schema):
    id: int
    name: str
    kind: str
    url: str
    method: str
    extraction_allowed: str
    visibility: str
    terms_reference: str
    notes: str
    created_at: datetime
    updated_at: datetime
    may_feed_legitimate_interest: bool = Field(
        description="Whether a legitimate-interest import may take prospects from it (RULES B4, C4)"
    )
    reasons: list[str] = Field(description="Why not, when it may not")
    latest_test: BalancingTestOut | None


class SavedSourceOut(SourceOut):
    warnings: list[str] = Field(description="What a known platform's terms changed in the declaration")


class BatchOut(Schema):
    id: int
    filename: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    rows_read: int | None
    created: int | None
    updated: int | None
    rejected: int | None


class SourceDetailOut(SourceOut):
    balancing_tests: list[BalancingTestOut] = Field(description="Newest first")
    batches: list[BatchOut] = Field(description=f"The {BATCHES_SHOWN} latest imports it fed")
    batches_next: int | None = Field(description="`after` for GET /sources/{id}/batches: the older ones")


class SourcePage(Schema):
    items: list[SourceOut]
    next: int | None


class BatchPage(Schema):
    items: list[BatchOut]
    next: int | None


# --- answers -----------------------------------------------------------------------------------


def _test(test: BalancingTest) -> dict[str, Any]:
    return {
        "id": test.pk, "activity": test.activity_id,
        "activity_name": test.activity.name if test.activity else None,
        "interest": test.interest, "necessity": test.necessity, "expectations": test.expectations,
        "safeguards": test.safeguards, "conclusion": test.conclusion, "conclusion_text": test.conclusion_text,
        "weighs_against": list(balancing.concern_texts(test)),
        "assessed_by": test.assessed_by.get_username() if test.assessed_by else None,
        "assessed_at": test.assessed_at, "review_on": test.review_on,
    }  # fmt: skip


def _source(source: Source) -> dict[str, Any]:
    decision = may_collect_from(source_facts(source), legitimate_interest=True)
    latest = balancing.latest_test(source)
    return {
        "id": source.pk,
        "name": source.name,
        **{name: getattr(source, name) for name in SOURCE_FIELDS},
        "created_at": source.created_at,
        "updated_at": source.updated_at,
        "may_feed_legitimate_interest": decision.allowed,
        "reasons": list(decision.reasons),
        "latest_test": _test(latest) if latest else None,
    }


def _batch(batch: ImportBatch) -> dict[str, Any]:
    report = batch.report if isinstance(batch.report, dict) else {}
    counts = {name: _count(report.get(name)) for name in ("rows_read", "created", "updated", "rejected")}
    return {
        "id": batch.pk, "filename": batch.filename, "status": batch.status,
        "started_at": batch.started_at, "finished_at": batch.finished_at, **counts,
    }  # fmt: skip


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _get(source_id: int) -> Source:
    source = Source.objects.filter(pk=source_id).first()
    if source is None:
        raise not_found("source")
    return source


# --- operations --------------------------------------------------------------------------------


@router.get("", response={200: SourcePage, **ERRORS}, url_name="sources_list", summary="List the sources")
def list_sources(request: HttpRequest, page: Query[PageQuery]) -> dict[str, Any]:
    """Every declared source, newest first, with its latest balancing test and whether it may feed
    a legitimate-interest import (RULES B4, C4), as the sources page and `licite sources list`."""
    require(request, Perm.VIEW_PROSPECTS)
    rows, next_key = keyset(Source.objects.all(), page)
    return {"items": [_source(source) for source in rows], "next": next_key}


@router.get(
    "/{source_id}",
    response={200: SourceDetailOut, **ERRORS},
    url_name="sources_detail",
    summary="Read one source, its balancing tests and the imports it fed",
)
def read_source(request: HttpRequest, source_id: int) -> dict[str, Any]:
    """A source's terms, every balancing test (RULES C4) and its latest imports with their counts,
    as the source's page and `licite sources show`."""
    require(request, Perm.VIEW_PROSPECTS)
    source = _get(source_id)
    tests = source.balancing_tests.select_related("activity", "assessed_by", "source")
    batches, next_key = keyset(
        ImportBatch.objects.filter(source=source), PageQuery(after=None, limit=BATCHES_SHOWN)
    )
    return {
        **_source(source),
        "balancing_tests": [_test(test) for test in tests],
        "batches": [_batch(batch) for batch in batches],
        "batches_next": next_key,
    }


@router.get(
    "/{source_id}/batches",
    response={200: BatchPage, **ERRORS},
    url_name="sources_batches",
    summary="Page through the imports a source fed",
)
def source_batches(request: HttpRequest, source_id: int, page: Query[PageQuery]) -> dict[str, Any]:
    """The imports from this source, newest first, with their counts."""
    require(request, Perm.VIEW_PROSPECTS)
    rows, next_key = keyset(ImportBatch.objects.filter(source=_get(source_id)), page)
    return {"items": [_batch(batch) for batch in rows], "next": next_key}


@router.post(
    "",
    response={201: SavedSourceOut, **ERRORS},
    url_name="sources_create",
    summary="Declare a source",
)
def create_source(request: HttpRequest, body: SourceIn) -> Status[dict[str, Any]]:
    """RULES B3, B4: declare a source as the web form and `licite sources add` do. A method a known
    platform's terms refuse is a 422 naming `method`; terms stricter than declared are applied
    and said in `warnings`. A name already declared is a 422 naming `name`."""
    user = require(request, Perm.DECLARE_SOURCES)
    form = SourceForm(body.dict())
    if not form.is_valid():
        raise form_invalid(form)
    values = {name: value for name, value in form.cleaned_data.items() if name != "name"}
    change = do_save_source(user, form.cleaned_data["name"], new=True, **values)
    return Status(201, {**_source(change.source), "warnings": list(change.warnings)})


@router.patch(
    "/{source_id}",
    response={200: SavedSourceOut, **ERRORS},
    url_name="sources_update",
    summary="Change a source's declaration",
)
def update_source(request: HttpRequest, source_id: int, body: SourceChangeIn) -> dict[str, Any]:
    """RULES B4: change the fields given, checked as when declared; a known platform's terms still
    only ever tighten what is declared (`warnings` says so)."""
    user = require(request, Perm.DECLARE_SOURCES)
    source = _get(source_id)
    given = body.dict(exclude_none=True)
    form = SourceForm({**{name: getattr(source, name) for name in SOURCE_FIELDS}, **given})
    del form.fields["name"]  # not changed here: the form's check that it is new does not apply
    if not form.is_valid():
        raise form_invalid(form)
    change = do_save_source(user, source.name, **{name: form.cleaned_data[name] for name in given})
    return {**_source(change.source), "warnings": list(change.warnings)}


@router.post(
    "/{source_id}/balancing-tests",
    response={201: BalancingTestOut, **ERRORS},
    url_name="sources_assess",
    summary="Record a balancing test for a source",
)
def assess_source(request: HttpRequest, source_id: int, body: BalancingTestIn) -> Status[dict[str, Any]]:
    """RULES C4: a written balancing test (interest, necessity, expectations, safeguards,
    conclusion), as the web form and `licite sources assess`; `weighs_against` says what the
    source's terms put against the interest."""
    user = require(request, Perm.DECLARE_SOURCES)
    source = _get(source_id)
    form = AssessForm({**body.dict(), "review_on": body.review_on.isoformat() if body.review_on else ""})
    if not form.is_valid():
        raise form_invalid(form)
    data = form.cleaned_data
    try:
        test = do_assess_source(
            user, source, data["interest"], data["expectations"], data["safeguards"],
            necessity=data["necessity"], conclusion=data["conclusion"],
            conclusion_text=data["conclusion_text"], activity=data["activity"], review_on=data["review_on"],
        )  # fmt: skip
    except ValidationError as exc:
        raise renamed(exc, ASSESS_FIELDS) from None
    return Status(201, _test(test))
