"""Prospects through the API: push one through the gate of a file import, search them, read one,
restrict or erase one (issue 23). Each operation calls what the web and the command line call,
under the permission of the web page of the same use case (RULES F5):

- push: licite.prospects.push.do_push_prospect, which imports the record as a one-row file
  (IMPORT, as the import pages);
- search: licite.prospects.search.matching, the prospects list's own filters (VIEW_PROSPECTS);
- detail: the detail page's read, audited as it is (VIEW_PROSPECT_DETAIL);
- restrict and erase: the detail page's buttons, licite.rights.actions (HANDLE_RIGHTS).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Path as PathParam
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from licite.api.auth import require
from licite.api.errors import ERRORS, ApiError, Error, invalid, not_found
from licite.api.paging import PageQuery, keyset
from licite.audit.actions import record
from licite.core.emails import InvalidEmail
from licite.core.permissions import Perm
from licite.prospects.models import Audience, LegalBasis, Prospect, ProspectStatus, Provenance, Source
from licite.prospects.push import PUSH_FIELDS, PushRefused, do_push_prospect
from licite.prospects.search import ProspectFilters, matching, whole_address
from licite.prospects.staging import StagingFailed
from licite.rights.actions import RightsError, do_erase, do_restrict_prospect
from licite.web.paging import PAGE_KEY_MAX

router = Router(tags=["prospects"])


TEXT = 1000  # longer than any kept field: the gate cuts a longer value and says so
STAGING_RETRY_SECONDS = 60  # a full disk or a missing TMPDIR is for someone to fix: not at once


# --- push ----------------------------------------------------------------------------------------


class PushIn(Schema):
    """One record, as one row of an import file, and where it comes from (RULES B3)."""

    model_config = ConfigDict(extra="forbid")  # RULES B6: a field the purpose does not need is refused

    email: str = Field(
        max_length=TEXT, description="the address as collected: the gate normalizes and classifies it"
    )
    first_name: str | None = Field(None, max_length=TEXT)
    last_name: str | None = Field(None, max_length=TEXT)
    job_title: str | None = Field(None, max_length=TEXT)
    company: str | None = Field(None, max_length=TEXT)
    phone: str | None = Field(
        None,
        max_length=TEXT,
        description="kept only when a processing activity declares a professional phone",
    )
    country: str | None = Field(None, max_length=TEXT, description="a name or a 2-letter code")
    language: str | None = Field(None, max_length=TEXT, description="fr or en (RULES D4)")
    source: str = Field(max_length=200, description="the name of a declared source (`licite sources list`)")
    collected_on: date | None = Field(
        None,
        description="when the record was collected, if before today, as `licite import --collected-on`: "
        "the notice deadline and the retention run from it",
    )
    dry_run: bool = Field(False, description="answer as the push would, and store nothing")


class PushOut(Schema):
    id: int | None = Field(description="the prospect's id; null for a dry run that would create it")
    outcome: Literal["created", "updated", "unchanged"]
    dry_run: bool
    email_kind: str = Field(description="nominative, generic (a role address) or private (RULES A2-A4)")
    audience: str
    legal_basis: str
    status: str
    language: str
    collected_at: datetime
    notice_due_at: datetime = Field(description="the Art. 14 notice is due by then (RULES D2)")
    retain_until: datetime = Field(
        description="kept until then, unless the prospect gets in touch (RULES F1)"
    )
    source: str
    batch: int | None = Field(description="the import batch that holds its provenance; null for a dry run")
    warnings: list[str]


@router.post(
    "",
    response={200: PushOut, 201: PushOut, 503: Error, **ERRORS},
    url_name="prospects_push",
    summary="Push one prospect through the gate of a file import",
)
def push(request: HttpRequest, body: PushIn) -> Status[dict[str, Any]]:
    """Creates the prospect (201) or updates it, or leaves it unchanged (200), exactly as an import
    of the same row from the same source would: classification, minimization, legal basis,
    suppression list, the source's lawfulness, retention (RULES A-C, F1, F4). A record the gate
    refuses answers 422 with a stable `code` (refused, suppressed, expired, source_refused), the
    `rule` and the field at fault, and stores nothing. A record the server cannot stage (its disk
    full, its temporary folder gone) answers 503 `staging_failed` with Retry-After, and stores
    nothing: the record was not at fault, send it again later."""
    user = require(request, Perm.IMPORT)
    source = Source.objects.filter(name=body.source).first()
    if source is None:
        raise invalid("source", "no source of that name: declare it first (`licite sources add`)")
    fields = body.dict(include=set(PUSH_FIELDS))
    try:
        pushed = do_push_prospect(
            user, source, fields, collected_at=_noon(body.collected_on), dry_run=body.dry_run
        )
    except PushRefused as exc:
        errors = [{"field": exc.field, "message": exc.reason}]
        raise ApiError(422, exc.code, exc.reason, rule=exc.rule or None, errors=errors) from None
    except StagingFailed as exc:  # the machine's fault (a full disk, TMPDIR gone), not the record's
        raise ApiError(503, "staging_failed", str(exc), retry_after=STAGING_RETRY_SECONDS) from None
    prospect = pushed.prospect
    answer = {
        "id": prospect.pk, "outcome": pushed.outcome, "dry_run": pushed.dry_run,
        "email_kind": prospect.email_kind, "audience": prospect.audience,
        "legal_basis": prospect.legal_basis, "status": prospect.status, "language": prospect.language,
        "collected_at": prospect.collected_at, "notice_due_at": prospect.notice_due_at,
        "retain_until": prospect.retain_until, "source": source.name, "batch": pushed.batch,
        "warnings": list(pushed.warnings),
    }  # fmt: skip
    return Status(201 if pushed.created else 200, answer)


def _noon(day: date | None) -> datetime | None:
    """A collection day as `licite import --collected-on` takes it: its noon, local time."""
    return timezone.make_aware(datetime.combine(day, time(12))) if day is not None else None


# --- search ----------------------------------------------------------------------------------------


class ProspectQuery(Schema):
    q: str = Field(
        "",
        max_length=254,
        description="a whole address, or the beginning of an address, a last name or a company",
    )
    field: Literal["address", "name", "company"] = Field("address", description="where `q` is looked for")
    source: int | None = Field(None, ge=1, le=10**18 - 1, description="a source's id: its prospects only")
    basis: LegalBasis | None = None
    status: ProspectStatus | None = None
    audience: Audience | None = None
    notice: Literal["sent", "due", "overdue"] | None = Field(
        None, description="the Art. 14 notice: sent, not sent and not yet due, overdue (RULES D2)"
    )


class ProspectRow(Schema):
    id: int
    email: str
    first_name: str
    last_name: str
    company: str
    legal_basis: str
    status: str
    audience: str
    collected_at: datetime


class ProspectPage(Schema):
    items: list[ProspectRow]
    next: int | None = Field(description="the `after` key of the next page; null on the last")


LIST_COLUMNS = (
    "email",
    "first_name",
    "last_name",
    "company",
    "legal_basis",
    "status",
    "audience",
    "collected_at",
)


@router.get(
    "", response={200: ProspectPage, **ERRORS}, url_name="prospects_list", summary="Search the prospects"
)
def search(request: HttpRequest, filters: Query[ProspectQuery], page: Query[PageQuery]) -> dict[str, Any]:
    """The prospects list's own search and filters (RULES F5), newest first, by keyset pages:
    a whole address is found through its keyed hash, a beginning through an index."""
    require(request, Perm.VIEW_PROSPECTS)
    wanted = ProspectFilters(
        q=filters.q.strip(), field=filters.field, source=filters.source,
        basis=filters.basis or "", status=filters.status or "", audience=filters.audience or "",
        notice=filters.notice or "",
    )  # fmt: skip
    try:
        rows, after = keyset(matching(wanted).only(*LIST_COLUMNS), page)
    except InvalidEmail:
        if not whole_address(wanted):
            raise
        raise invalid("q", "enter a whole valid address, or its beginning without the @") from None
    return {"items": rows, "next": after}


# --- one prospect ------------------------------------------------------------------------------------


class ProvenanceOut(Schema):
    source: str
    source_id: int
    collected_at: datetime
    page_url: str
    batch: int | None
    file: str | None = Field(description="the file (or api-push.csv) of the batch")
    line: int | None


class ConsentOut(Schema):
    purpose: str
    wording_version: str
    channel: str
    requested_at: datetime
    given_at: datetime | None
    refused_at: datetime | None
    withdrawn_at: datetime | None


class ContactOut(Schema):
    kind: str
    channel: str
    initiated_by_prospect: bool
    occurred_at: datetime


class ProspectDetail(Schema):
    id: int
    email: str
    email_kind: str
    first_name: str
    last_name: str
    job_title: str
    company: str
    company_domain: str
    phone: str
    country: str
    language: str
    audience: str
    legal_basis: str
    status: str
    collected_at: datetime
    notice_due_at: datetime
    notice_sent_at: datetime | None
    last_contact_by_prospect_at: datetime | None
    retain_until: datetime
    provenance: list[ProvenanceOut] = Field(description="every source, date, page and batch (RULES B3)")
    consents: list[ConsentOut]
    contacts: list[ContactOut]


# A prospect's id: a whole number a BIGINT holds, else a 422 naming it (never a database error).
ProspectId = Annotated[int, PathParam(ge=1, le=PAGE_KEY_MAX, description="the prospect's id")]


def _prospect(prospect_id: int) -> Prospect:
    prospect = Prospect.objects.filter(pk=prospect_id).first()
    if prospect is None:
        raise not_found("prospect")
    return prospect


@router.get(
    "/{prospect_id}",
    response={200: ProspectDetail, **ERRORS},
    url_name="prospects_detail",
    summary="One prospect, with its provenance, consents and contacts",
)
def detail(request: HttpRequest, prospect_id: ProspectId) -> dict[str, Any]:
    """The whole record and its history (RULES B3); every read is an audit entry, as the detail
    page's is."""
    user = require(request, Perm.VIEW_PROSPECT_DETAIL)
    prospect = _prospect(prospect_id)
    record(user, "prospect.viewed", prospect, page="detail")
    provenance = prospect.provenance.select_related("source", "batch").order_by("collected_at", "pk")
    return {
        **{name: getattr(prospect, name) for name in ProspectDetail.model_fields if hasattr(prospect, name)},
        "id": prospect.pk,
        "provenance": [_provenance(found) for found in provenance],
        "consents": list(prospect.consents.order_by("requested_at", "pk")),
        "contacts": list(prospect.contacts.order_by("-occurred_at", "-pk")),
    }


def _provenance(found: Provenance) -> dict[str, Any]:
    batch = found.batch
    return {
        "source": found.source.name, "source_id": found.source_id, "collected_at": found.collected_at,
        "page_url": found.page_url, "batch": found.batch_id, "line": found.line_number,
        "file": batch.filename if batch is not None else None,
    }  # fmt: skip


# --- restrict, erase ---------------------------------------------------------------------------------


class RestrictIn(Schema):
    channel: Literal["letter", "phone", "email"] = Field(description="how the person asked (GDPR art. 18)")
    note: str = Field("", max_length=500, description="about the request, never about the person")


class Restricted(Schema):
    id: int
    status: str
    request: int = Field(description="the restriction request, recorded and fulfilled")


@router.post(
    "/{prospect_id}/restrict",
    response={200: Restricted, **ERRORS},
    url_name="prospects_restrict",
    summary="Restrict the processing of one prospect (GDPR art. 18)",
)
def restrict(request: HttpRequest, prospect_id: ProspectId, body: RestrictIn) -> dict[str, Any]:
    """Recorded as the person's restriction request and fulfilled at once, as the detail page's
    button does: the prospect is left out of every campaign until the restriction is lifted.
    409 `already_restricted` when it is."""
    user = require(request, Perm.HANDLE_RIGHTS)
    prospect = _prospect(prospect_id)
    try:
        asked = do_restrict_prospect(user, prospect, body.channel, body.note)
    except RightsError as exc:
        status = 409 if exc.code == "already_restricted" else 422
        errors = [{"field": exc.field, "message": str(exc)}] if exc.field else None
        raise ApiError(status, exc.code, str(exc), errors=errors) from None
    return {"id": prospect.pk, "status": ProspectStatus.RESTRICTED, "request": asked.pk}


class EraseIn(Schema):
    reason: Literal["erasure", "objection", "withdrawal"] = Field(
        description="why: an erasure request, an objection, a consent withdrawal (RULES G3, G4)"
    )


class Erased(Schema):
    erased_prospects: int
    cancelled_messages: int


@router.post(
    "/{prospect_id}/erase",
    response={200: Erased, **ERRORS},
    url_name="prospects_erase",
    summary="Erase one prospect for good, keeping only its keyed hash (RULES G4)",
)
def erase(request: HttpRequest, prospect_id: ProspectId, body: EraseIn) -> dict[str, Any]:
    """The one erasure, as the detail page's: the records go, the keyed hash goes on the
    suppression list so that no import brings the person back (RULES G4, F4)."""
    user = require(request, Perm.HANDLE_RIGHTS)
    prospect = _prospect(prospect_id)
    erasure = do_erase(user, [prospect.key_hash], body.reason, channel="staff")
    return {"erased_prospects": erasure.erased_prospects, "cancelled_messages": erasure.cancelled_messages}
