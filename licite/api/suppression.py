"""The suppression list ("liste repoussoir") through the API: check an address before contacting
it, and honour an objection received by another channel (RULES E3, F4, G3, G4).

The list answers yes or no, never more: there is no listing, and a keyed hash never leaves
licite (RULES F4). Who may use it: every prospecting role (VIEW_PROSPECTS: admin, DPO,
marketing, sales, communication), not staff with no prospecting job (RULES F5). Whoever may
contact a prospect must be able to check first, and honouring an objection must never be harder
than recording it (RULES G3): the salesperson who takes the call adds it then and there.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from licite.api.auth import require
from licite.api.errors import ERRORS, invalid
from licite.core.emails import InvalidEmail
from licite.core.permissions import Perm, perm_to_suppress
from licite.rights.actions import do_check_suppression, do_suppress, key_hash
from licite.rights.models import SuppressionReason

router = Router(tags=["suppression"])
BULK_MAX = 1000
REASONS = ", ".join(SuppressionReason.values)


class CheckIn(Schema):
    email: str = Field(description="the address to check")


class CheckOut(Schema):
    suppressed: bool = Field(description="true: never contact nor import this address")


class BulkCheckIn(Schema):
    emails: list[str] = Field(min_length=1, max_length=BULK_MAX, description=f"1 to {BULK_MAX} addresses")


class BulkItem(Schema):
    email: str = Field(description="the address as sent")
    suppressed: bool | None = Field(description="null when the address is invalid: it could not be checked")
    error: str | None = Field(None, description="why the address could not be checked")


class BulkCheckOut(Schema):
    results: list[BulkItem] = Field(description="one per address, in the order sent")


class SuppressIn(Schema):
    email: str = Field(description="the person's address")
    reason: str = Field(SuppressionReason.OBJECTION.value, description=f"one of {REASONS}")


class SuppressOut(Schema):
    suppressed: bool
    created: bool = Field(description="false when the address was already on the list (its keeping renewed)")
    reason: str = Field(description="the entry's reason: the first one recorded stays")
    erased_prospects: int = Field(description="prospect records erased (RULES G4)")


@router.post(
    "/check",
    response={200: CheckOut, **ERRORS},
    url_name="suppression_check",
    summary="Is this address suppressed?",
)
def check(request: HttpRequest, payload: CheckIn) -> dict[str, bool]:
    """RULES F4, G3: before a call or a message, whether the address is on the suppression list.
    The answer is yes or no, nothing else; the audit entry counts the check, never the address."""
    user = require(request, Perm.VIEW_PROSPECTS)
    _valid(payload.email, "email")
    [suppressed] = do_check_suppression(user, [payload.email])
    return {"suppressed": bool(suppressed)}


@router.post(
    "/check-bulk",
    response={200: BulkCheckOut, **ERRORS},
    url_name="suppression_check_bulk",
    summary=f"Which of up to {BULK_MAX} addresses are suppressed?",
)
def check_bulk(request: HttpRequest, payload: BulkCheckIn) -> dict[str, Any]:
    """The same check for a list (a CRM's segment before a campaign), answered in the order sent.
    An invalid address does not fail the call: its item has `suppressed: null` and its `error`,
    so that the valid ones are answered and the caller sees which one to fix."""
    user = require(request, Perm.VIEW_PROSPECTS)
    answers = do_check_suppression(user, payload.emails)
    return {"results": [_item(email, answer) for email, answer in zip(payload.emails, answers, strict=True)]}


@router.post(
    "",
    response={200: SuppressOut, 201: SuppressOut, **ERRORS},
    url_name="suppression_add",
    summary="Add an objection received by another channel",
)
def add(request: HttpRequest, payload: SuppressIn) -> Status[dict[str, Any]]:
    """RULES G3, G4, E3, F3: an objection by phone, letter or a CRM, honoured at once and for good,
    through the same action as `licite suppress add`: the keyed hash goes on the list, the
    person's prospect records are erased, their queued messages cancelled, and no import brings
    them back. 201 when added, 200 when the address was already on the list. Any role that
    prospects may record one (RULES G3, F5, as on a prospect's page and with `licite suppress
    add`); the reason `erasure`, an Art. 17 request, needs the permission to handle rights."""
    require(request, Perm.RECORD_OBJECTION)
    if payload.reason not in SuppressionReason.values:
        raise invalid("reason", f"unknown reason {payload.reason!r}: one of {REASONS}")
    user = require(request, perm_to_suppress(payload.reason))
    _valid(payload.email, "email")
    result = do_suppress(user, payload.email, payload.reason, channel="api")
    body = {
        "suppressed": True,
        "created": result.created,
        "reason": result.entry.reason,
        "erased_prospects": result.erased_prospects,
    }
    return Status(201 if result.created else 200, body)


def _valid(address: str, field: str) -> None:
    """A 422 naming the field for an address that is none."""
    if (why := _invalid(address)) is not None:
        raise invalid(field, why)


def _invalid(address: str) -> str | None:
    """Why an address is not one, or None."""
    try:
        key_hash(address)
    except InvalidEmail as exc:
        return f"not a valid email address: {exc.reason}"
    return None


def _item(email: str, answer: bool | None) -> dict[str, Any]:
    if answer is None:
        return {"email": email, "suppressed": None, "error": _invalid(email) or "not a valid email address"}
    return {"email": email, "suppressed": answer, "error": None}
