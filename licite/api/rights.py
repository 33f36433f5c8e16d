"""Rights requests (RULES G1-G5), as the DPO's pages and `licite rights`: record one received by
letter, phone or email, list the queue with its deadlines, read one with its history, and act on
it (move, extend, refuse, fulfil, lift a restriction, export what is held).

The request is checked by the DPO pages' own forms (licite.rights.forms), then handed to the same
actions, which audit each step. An action's refusal (RightsError) answers with its stable code:
a 422 naming the field at fault, or a 409 when the request's own state refuses the step (closed,
no prospect to act on). Messages are in English, as the command line's.
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from licite.api.auth import require
from licite.api.errors import ERRORS, ApiError, not_found
from licite.api.paging import PageQuery, keyset
from licite.audit.models import AuditEvent
from licite.core import deadlines
from licite.core.emails import InvalidEmail
from licite.core.permissions import Perm, allowed
from licite.lib.refusals import refusal
from licite.prospects.models import Prospect
from licite.rights.actions import (
    MOVABLE_STATES,
    RightsError,
    do_export_access,
    do_extend_request,
    do_fulfil_request,
    do_lift_restriction,
    do_move_request,
    do_receive_request,
    do_refuse_request,
    requests_in_queue,
)
from licite.rights.forms import ExtendForm, FulfilForm, MoveForm, ReceiveRequestForm, RefuseForm
from licite.rights.models import RequestKind, RequestState, RightsRequest
from licite.rights.staff_views import ACTION_LABELS

router = Router(tags=["rights requests"])
# The rule each refusal applies, for the error's `rule`.
RULES_OF = {"extension_refused": "G1", "reason_missing": "G1", "changes_invalid": "B5"}
EXPORT_TYPES = {"html": "text/html", "json": "application/json"}


# --- schemas -----------------------------------------------------------------------------------


class StaffChannel(StrEnum):
    """The web channel is the person's own page (with its confirmation link); staff record the rest."""

    LETTER = "letter"
    PHONE = "phone"
    EMAIL = "email"


class ReceiveIn(Schema):
    """RULES G1: a request received by letter, phone or email, as the DPO's form and `licite rights
    request`."""

    email: str = Field(max_length=254, description="The person's address")
    kind: RequestKind
    channel: StaffChannel = Field(description="How it was received")
    received_on: date | None = Field(
        None, description="The day it arrived (not in the future); default today"
    )
    identity_check: str = Field(
        "", max_length=500, description="How identity was checked, in words; never a copy of an ID"
    )
    language: str = Field("", pattern="^(fr|en)?$", description="fr or en; default theirs if known")
    note: str = Field("", max_length=1000, description="About the request, never about the person")


class MoveIn(Schema):
    state: str = Field(
        pattern="^(" + "|".join(MOVABLE_STATES) + ")$",
        description="The deadline keeps running from receipt: " + ", ".join(MOVABLE_STATES),
    )


class ExtendIn(Schema):
    months: int = Field(ge=1, le=2, description="1 or 2 more months (two in all at most)")
    reason: str = Field(max_length=2000, description="Complexity or volume: the person is told it")


class RefuseIn(Schema):
    reason: str = Field(
        max_length=2000, description="Told to the person with their right to complain to the CNIL"
    )


class Rectification(Schema):
    """The fields to change; those left out are kept."""

    first_name: str | None = Field(None, max_length=254)
    last_name: str | None = Field(None, max_length=254)
    job_title: str | None = Field(None, max_length=254)
    company: str | None = Field(None, max_length=254)
    company_domain: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=254)
    country: str | None = Field(None, max_length=254)
    language: str | None = Field(None, max_length=254)


class FulfilIn(Schema):
    confirm: bool = Field(
        False, description="Required true for an erasure, objection or consent withdrawal: deleted for good"
    )
    changes: Rectification | None = Field(None, description="A rectification's changes; only for one")


class ExportQuery(Schema):
    format: str = Field("html", pattern="^(html|json)$", description="html to read, json for portability")


class QueueState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    ALL = "all"
    RECEIVED = RequestState.RECEIVED.value
    AWAITING_IDENTITY = RequestState.AWAITING_IDENTITY.value
    IN_PROGRESS = RequestState.IN_PROGRESS.value
    AWAITING_PRECISION = RequestState.AWAITING_PRECISION.value
    FULFILLED = RequestState.FULFILLED.value
    REFUSED = RequestState.REFUSED.value


class QueueFilters(Schema):
    state: QueueState = Field(QueueState.OPEN, description="open (default), closed, all, or one state")
    kind: RequestKind | None = None
    overdue: bool = Field(False, description="Only the open requests past their due day")
    due_soon: bool = Field(False, description=f"Only the open ones due within {deadlines.DUE_SOON_DAYS} days")


class RequestOut(Schema):
    id: int
    kind: str
    state: str
    channel: str
    email: str | None = Field(description="The person's address; null once erased (keyed hash only)")
    language: str
    received_at: datetime
    due_on: date = Field(description="RULES G1: a calendar month after receipt, plus any extension")
    days_left: int | None = Field(description="Days to the due day while open; negative when overdue")
    overdue: bool


class HistoryEntry(Schema):
    at: datetime
    action: str
    label: str
    actor: str
    via: str
    detail: dict[str, Any] = Field(description="Ids and counts, never personal data")


class ProspectConcerned(Schema):
    id: int = Field(description="GET /api/prospects/{id} for the record")
    status: str
    retain_until: datetime


class RequestDetailOut(RequestOut):
    extension_months: int
    extension_reason: str
    identity_check: str
    note: str
    refusal_reason: str
    received_by: str | None
    closed_at: datetime | None
    restriction_lifted_at: datetime | None
    may_extend: bool = Field(description="Open, within its first month, and less than 2 months added")
    history: list[HistoryEntry] = Field(description="Its audit entries, oldest first")
    prospects: list[ProspectConcerned] = Field(description="The prospects with the request's address")


class RequestPage(Schema):
    items: list[RequestOut]
    next: int | None


# --- answers -----------------------------------------------------------------------------------


def _summary(rights: RightsRequest, user: Any, today: date) -> dict[str, Any]:
    """The request as listed; its address only for a role that may see a person's data (RULES F5)."""
    days_left = (rights.due_on - today).days if rights.is_open else None
    shown = rights.email and allowed(user.role, Perm.VIEW_PROSPECT_DETAIL)
    return {
        "id": rights.pk, "kind": rights.kind, "state": rights.state, "channel": rights.channel,
        "email": rights.email if shown else None, "language": rights.language,
        "received_at": rights.received_at, "due_on": rights.due_on, "days_left": days_left,
        "overdue": days_left is not None and days_left < 0,
    }  # fmt: skip


def _detail(rights: RightsRequest, user: Any) -> dict[str, Any]:
    """The request as its page shows it: deadline, history and the prospects it concerns."""
    today = timezone.localdate()
    first_month = deadlines.due_date(timezone.localdate(rights.received_at))
    events = AuditEvent.objects.filter(object_type=rights._meta.label_lower, object_id=str(rights.pk))
    prospects = Prospect.objects.filter(key_hash=rights.key_hash).order_by("pk")
    return {
        **_summary(rights, user, today),
        "extension_months": rights.extension_months, "extension_reason": rights.extension_reason,
        "identity_check": rights.identity_check, "note": rights.note, "refusal_reason": rights.refusal_reason,
        "received_by": rights.received_by.get_username() if rights.received_by else None,
        "closed_at": rights.closed_at, "restriction_lifted_at": rights.restriction_lifted_at,
        "may_extend": rights.is_open and today <= first_month and rights.extension_months < 2,
        "history": [_entry(event) for event in events.order_by("at", "pk")],
        "prospects": [{"id": p.pk, "status": p.status, "retain_until": p.retain_until} for p in prospects],
    }  # fmt: skip


def _entry(event: AuditEvent) -> dict[str, Any]:
    label = str(ACTION_LABELS.get(event.action, event.action))
    return {
        "at": event.at, "action": event.action, "label": label,
        "actor": event.actor_label, "via": event.via,
        "detail": event.detail if isinstance(event.detail, dict) else {},
    }  # fmt: skip


def _get(request_id: int) -> RightsRequest:
    rights = RightsRequest.objects.select_related("received_by").filter(pk=request_id).first()
    if rights is None:
        raise not_found("rights request")
    return rights


def _checked(form: forms.BaseForm, names: dict[str, str] | None = None) -> dict[str, Any]:
    """The DPO form's cleaned data, or a 422 naming each field (as the API calls it)."""
    if form.is_valid():
        return form.cleaned_data
    names = names or {}
    # Said now, in the language active here: a lazy message would be said later, in another.
    errors = {names.get(name, "body" if name == NON_FIELD_ERRORS else name): [str(m) for m in messages]
              for name, messages in form.errors.items()}  # fmt: skip
    raise ValidationError(errors)


def _refused(exc: RightsError) -> ApiError:
    """RULES G1-G5: the action's refusal, with its code; the field at fault, or a 409 when the
    request's state refuses the step."""
    message = refusal(exc)
    rule = RULES_OF.get(exc.code)
    if exc.field:
        errors = [{"field": exc.field, "message": message}]
        return ApiError(422, exc.code, f"{exc.field}: {message}", rule=rule, errors=errors)
    return ApiError(409, exc.code, message, rule=rule)


def _acted(user: Any, request_id: int, act: Any) -> dict[str, Any]:
    """One step on a request, its refusal as an ApiError (in English, as every API answer: see
    licite.api.middleware); the request as it is after."""
    rights = _get(request_id)
    try:
        act(user, rights)
    except RightsError as exc:
        raise _refused(exc) from None
    return _detail(_get(request_id), user)


# --- operations --------------------------------------------------------------------------------


@router.post(
    "",
    response={201: RequestDetailOut, **ERRORS},
    url_name="rights_requests_create",
    summary="Record a rights request received by letter, phone or email",
)
def create_request(request: HttpRequest, body: ReceiveIn) -> Status[dict[str, Any]]:
    """RULES G1: recorded as `licite rights request` and the DPO's form do; due one calendar month
    after receipt (31 January: the last day of February), `due_on` in the answer. Identity is how
    it was checked, in words, never a document."""
    user = require(request, Perm.HANDLE_RIGHTS)
    data = _checked(ReceiveRequestForm({**body.dict(), "received_on": body.received_on or ""}))
    received_at = None
    if data["received_on"]:
        received_at = timezone.make_aware(datetime.combine(data["received_on"], time(12)))
    try:
        rights = do_receive_request(
            user, data["email"], data["kind"], data["channel"], note=data["note"],
            identity_check=data["identity_check"], language=data["language"], received_at=received_at,
        )  # fmt: skip
    except InvalidEmail as exc:
        raise ValidationError({"email": refusal(exc)}) from None
    except RightsError as exc:
        raise _refused(exc) from None
    return Status(201, _detail(_get(rights.pk), user))  # read back: its times as stored, in UTC


@router.get(
    "",
    response={200: RequestPage, **ERRORS},
    url_name="rights_requests_list",
    summary="List the rights requests with their deadlines",
)
def list_requests(
    request: HttpRequest, filters: Query[QueueFilters], page: Query[PageQuery]
) -> dict[str, Any]:
    """RULES G1: the DPO's queue, newest first: open requests by default, each with its due day and
    the days left; `overdue` or `due_soon` keep the open ones late or due within a week."""
    user = require(request, Perm.HANDLE_RIGHTS)
    if filters.overdue and filters.due_soon:
        raise ValidationError({"due_soon": "choose overdue or due_soon, not both"})
    due = "overdue" if filters.overdue else "due_soon" if filters.due_soon else ""
    today = timezone.localdate()
    queue = requests_in_queue(filters.state.value, filters.kind.value if filters.kind else "", due, today)
    rows, next_key = keyset(queue, page)
    return {"items": [_summary(rights, user, today) for rights in rows], "next": next_key}


@router.get(
    "/{request_id}",
    response={200: RequestDetailOut, **ERRORS},
    url_name="rights_requests_detail",
    summary="Read one rights request with its history",
)
def read_request(request: HttpRequest, request_id: int) -> dict[str, Any]:
    """The request, its deadline, its history (the audit entries about it) and the prospects with
    its address, as the request's page and `licite rights show`."""
    user = require(request, Perm.HANDLE_RIGHTS)
    return _detail(_get(request_id), user)


@router.post(
    "/{request_id}/state",
    response={200: RequestDetailOut, **ERRORS},
    url_name="rights_requests_move",
    summary="Move an open request: awaiting identity, in progress, awaiting precision",
)
def move_request(request: HttpRequest, request_id: int, body: MoveIn) -> dict[str, Any]:
    """The deadline keeps running from receipt: licite never pauses it. A closed request is a 409."""
    user = require(request, Perm.HANDLE_RIGHTS)
    data = _checked(MoveForm(body.dict()))
    return _acted(user, request_id, lambda user, rights: do_move_request(user, rights, data["state"]))


@router.post(
    "/{request_id}/extend",
    response={200: RequestDetailOut, **ERRORS},
    url_name="rights_requests_extend",
    summary="Extend a request's deadline with its reason",
)
def extend_request(request: HttpRequest, request_id: int, body: ExtendIn) -> dict[str, Any]:
    """RULES G1 (art. 12.3): one or two more months, two in all, decided within the first month;
    the person is told the reason and the new date. Past the first month: 422 `extension_refused`."""
    user = require(request, Perm.HANDLE_RIGHTS)
    data = _checked(ExtendForm(body.dict()))
    return _acted(
        user, request_id,
        lambda user, rights: do_extend_request(user, rights, data["months"], data["reason"]),
    )  # fmt: skip


@router.post(
    "/{request_id}/refuse",
    response={200: RequestDetailOut, **ERRORS},
    url_name="rights_requests_refuse",
    summary="Refuse a request with its reason",
)
def refuse_request(request: HttpRequest, request_id: int, body: RefuseIn) -> dict[str, Any]:
    """RULES G1 (art. 12.4): the person is told the reason and their right to complain to the CNIL."""
    user = require(request, Perm.HANDLE_RIGHTS)
    data = _checked(RefuseForm(body.dict()))
    return _acted(user, request_id, lambda user, rights: do_refuse_request(user, rights, data["reason"]))


@router.post(
    "/{request_id}/fulfil",
    response={200: RequestDetailOut, **ERRORS},
    url_name="rights_requests_fulfil",
    summary="Fulfil a request as its kind asks, and close it",
)
def fulfil_request(request: HttpRequest, request_id: int, body: FulfilIn) -> dict[str, Any]:
    """RULES G2-G5: access and portability send the person a signed link to their data (48 hours);
    erasure, objection and consent withdrawal erase the person, keeping only the keyed hash, and
    need `confirm: true`; a rectification applies `changes`; a restriction leaves the person out
    of every campaign until lifted. No prospect with the address: 409 `no_prospect`."""
    user = require(request, Perm.HANDLE_RIGHTS)
    rights = _get(request_id)
    changes = body.changes.dict(exclude_none=True) if body.changes else {}
    form = FulfilForm({**changes, "confirm": body.confirm}, kind=rights.kind)
    _checked(form, {**{name: f"changes.{name}" for name in changes}, NON_FIELD_ERRORS: "changes"})
    if rights.kind == RequestKind.RECTIFICATION:
        changes = form.changes()  # trimmed, the empty ones left out; other kinds' are refused
    return _acted(user, request_id, lambda user, rights: do_fulfil_request(user, rights, changes))


@router.post(
    "/{request_id}/lift",
    response={200: RequestDetailOut, **ERRORS},
    url_name="rights_requests_lift",
    summary="Lift a restriction in force",
)
def lift_restriction(request: HttpRequest, request_id: int) -> dict[str, Any]:
    """GDPR art. 18.3: the restriction ends; the prospects get back the status they had. Not a
    restriction in force: 409 `not_restricted` (or `already_lifted`)."""
    user = require(request, Perm.HANDLE_RIGHTS)
    return _acted(user, request_id, do_lift_restriction)


@router.post(
    "/{request_id}/export",
    response=ERRORS,
    url_name="rights_requests_export",
    summary="Export what is held about the request's address",
    openapi_extra={
        "responses": {
            200: {
                "description": "The document, to send to the person by another channel",
                "content": {
                    "text/html": {"schema": {"type": "string"}},
                    "application/json": {"schema": {"type": "object"}},
                },
            }
        }
    },
)
def export_request(request: HttpRequest, request_id: int, query: Query[ExportQuery]) -> HttpResponse:
    """RULES G2: what is held about the address of an access or portability request, as `licite
    rights access` writes it (HTML, or JSON for portability); audited without the address."""
    user = require(request, Perm.HANDLE_RIGHTS)
    rights = _get(request_id)
    if rights.kind not in (RequestKind.ACCESS, RequestKind.PORTABILITY):
        raise ApiError(409, "not_exportable", "only an access or portability request has an export")
    if not rights.email:
        raise ApiError(409, "address_erased", "this request keeps no address any more: nothing to export")
    document, _held = do_export_access(user, rights.email, query.format, rights.language)
    response = HttpResponse(document, content_type=EXPORT_TYPES[query.format])
    response["Content-Disposition"] = f'attachment; filename="request-{rights.pk}-data.{query.format}"'
    return response
