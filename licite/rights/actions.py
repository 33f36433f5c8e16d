"""The suppression list ("liste repoussoir"), what the person does from a message (object,
withdraw or give consent), the one erasure action every way in goes through, and the rights
requests (RULES G1-G5): received, moved, extended, refused, fulfilled."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext

from licite.accounts.models import Organisation
from licite.audit.actions import record
from licite.campaigns.actions import _record_prospect_contact
from licite.campaigns.models import ContactKind, OutboundMessage
from licite.core import deadlines
from licite.core.clocks import suppression_keep_until
from licite.core.emails import InvalidEmail, normalize_email
from licite.core.suppression import suppression_hash
from licite.lib.refusals import extension_refusal
from licite.prospects.models import LegalBasis, Prospect, ProspectStatus
from licite.rights.models import (
    ERASING_KINDS,
    OPEN_STATES,
    ConsentRecord,
    IntakeAttempt,
    RequestChannel,
    RequestKind,
    RequestState,
    RightsRequest,
    SuppressionEntry,
    SuppressionReason,
)

ERASE_BATCH = 500  # keyed hashes per statement: well under every database's parameter limit


@dataclass(frozen=True)
class Erasure:
    added: int  # new suppression entries
    renewed: int  # entries already there, their keeping period restarted
    erased_prospects: int
    cancelled_messages: int
    fulfilled_requests: int = 0  # the person's open erasure, objection, withdrawal requests
    forgotten_requests: int = 0  # requests that kept an address or a note and keep neither now


@dataclass(frozen=True)
class Suppression:
    entry: SuppressionEntry
    created: bool
    erased_prospects: int


def key_hash(address: str) -> str:
    """The keyed hash of an address (RULES F4); raises InvalidEmail for an invalid address."""
    return suppression_hash(address, settings.SUPPRESSION_KEY)


def is_suppressed(address: str) -> bool:
    return SuppressionEntry.objects.filter(key_hash=key_hash(address)).exists()


def do_check_suppression(actor: Any, addresses: list[str]) -> list[bool | None]:
    """RULES F4, G3: whether each address is suppressed, in order; None for an invalid one. The
    list answers yes or no and nothing else; the audit entry counts, never an address."""
    digests: list[str | None] = []
    for address in addresses:
        try:
            digests.append(key_hash(address))
        except InvalidEmail:
            digests.append(None)
    wanted = sorted({digest for digest in digests if digest is not None})
    found: set[str] = set()
    for start in range(0, len(wanted), ERASE_BATCH):
        batch = wanted[start : start + ERASE_BATCH]
        found.update(SuppressionEntry.objects.filter(key_hash__in=batch).values_list("key_hash", flat=True))
    answers = [None if digest is None else digest in found for digest in digests]
    record(
        actor, "suppression.checked", None,
        addresses=len(addresses), suppressed=answers.count(True), invalid=answers.count(None),
    )  # fmt: skip
    return answers


def do_suppress(actor: Any, address: str, reason: str, channel: str = "staff") -> Suppression:
    """RULES G3, G4, F3: stop at once and for good, erase the person, keep only the keyed hash."""
    return do_suppress_hash(actor, key_hash(address), reason, channel=channel)


def do_suppress_hash(actor: Any, digest: str, reason: str, channel: str = "staff") -> Suppression:
    """The same, from the keyed hash alone (a link in a message, after the address is gone)."""
    erasure = do_erase(actor, [digest], reason, channel)
    entry = SuppressionEntry.objects.get(key_hash=digest)
    return Suppression(entry, erasure.added == 1, erasure.erased_prospects)


# --- What the person does from a message: object, withdraw consent, consent (RULES G3, G5) -----


@transaction.atomic
def do_object(message: OutboundMessage, channel: str) -> Erasure:
    """RULES G3, G4, E3, F3: an objection through a message (the one-click link, its page, the
    mailto of List-Unsubscribe, a reply quoting it) takes effect at once, for good."""
    return do_object_hash(message.key_hash, channel)


@transaction.atomic
def do_object_hash(digest: str, channel: str) -> Erasure:
    """The same from the keyed hash alone (a mail from the person's address): a prospect whose
    basis is consent withdraws it (RULES G5), any other objects (RULES G3); known or not, the
    hash keeps them from any future import. The one erasure, with their requests (do_erase)."""
    prospect = Prospect.objects.filter(key_hash=digest).first()
    withdrawal = prospect is not None and prospect.legal_basis == LegalBasis.CONSENT
    reason = SuppressionReason.WITHDRAWAL if withdrawal else SuppressionReason.OBJECTION
    return do_erase(None, [digest], reason, channel=channel)


@transaction.atomic
def do_give_consent(message: OutboundMessage, evidence: dict[str, str], now: datetime | None = None) -> bool:
    """RULES G5, C1: record consent with its proof; the prospect may then receive prospecting."""
    now = now or timezone.now()
    if message.prospect_id is None or message.kind != OutboundMessage.Kind.CONSENT_REQUEST:
        return False
    consent = (
        ConsentRecord.objects.filter(
            prospect_id=message.prospect_id, given_at__isnull=True, refused_at__isnull=True
        )
        .order_by("-requested_at")
        .first()
    )
    if consent is None:
        return False
    consent.given_at, consent.evidence = now, evidence
    consent.save(update_fields=["given_at", "evidence"])
    Prospect.objects.filter(pk=message.prospect_id).update(
        status=ProspectStatus.ACTIVE, legal_basis=LegalBasis.CONSENT
    )
    # RULES F1: the click that consents is a contact the prospect initiated.
    _record_prospect_contact(message.prospect_id, ContactKind.CLICK, now, message)
    record(None, "consent.given", consent, wording_version=consent.wording_version)
    return True


# --- The one erasure (RULES G4, F3, F4) -------------------------------------------------------


@transaction.atomic
def do_erase(
    actor: Any,
    digests: Iterable[str],
    reason: str,
    channel: str,
    action: str = "",
    answering: RightsRequest | None = None,
    **detail: Any,
) -> Erasure:
    """RULES G4, F3, F4: the one erasure. The keyed hash goes on (or stays on) the suppression list,
    so that no import brings the person back; their prospect records go (with provenance, consent
    records and contact events); their queued messages are cancelled; the outbox keeps no address
    and no body for them; their rights requests are settled (_settle_requests). One audit entry,
    of ids and counts only.

    `action` names that entry after its cause (default: suppression.added or .renewed);
    `answering` is the request this erasure fulfils, if any (its caller closes it)."""
    hashes = sorted(set(digests))
    now = timezone.now()
    added = renewed = erased = cancelled = fulfilled = forgotten = 0
    for start in range(0, len(hashes), ERASE_BATCH):
        batch = hashes[start : start + ERASE_BATCH]
        batch_added, batch_renewed = _suppress(batch, reason, now)
        added, renewed = added + batch_added, renewed + batch_renewed
        erased += _delete_prospects(batch)
        cancelled += _clear_outbox(batch)
        batch_fulfilled, batch_forgotten = _settle_requests(actor, batch, channel, answering, now)
        fulfilled, forgotten = fulfilled + batch_fulfilled, forgotten + batch_forgotten
    target = SuppressionEntry.objects.get(key_hash=hashes[0]) if len(hashes) == 1 else None
    if len(hashes) != 1:
        detail["entries"] = len(hashes)
    if answering is not None:
        detail["request"] = answering.pk
    if fulfilled:
        detail["fulfilled_requests"] = fulfilled
    transaction.on_commit(scrub_files)
    record(
        actor,
        action or ("suppression.added" if added else "suppression.renewed"),
        target,
        reason=reason,
        channel=channel,
        erased_prospects=erased,
        cancelled_messages=cancelled,
        **detail,
    )
    return Erasure(added, renewed, erased, cancelled, fulfilled, forgotten)


def _settle_requests(
    actor: Any, hashes: list[str], channel: str, answering: RightsRequest | None, now: datetime
) -> tuple[int, int]:
    """The person's rights requests, whichever way the erasure came (a request, the one-click
    link, the mailto, provider feedback, staff, the purge), as a DPO would settle them:

    - an open erasure, objection or consent withdrawal request is fulfilled by this erasure: what
      it asked for is done (RULES G3, G4), and the person is told so (GDPR art. 12.3, 19) with the
      answer `licite rights fulfil` sends, queued before the address is forgotten; a request the
      person never confirmed gets none (its address may be a stranger's);
    - every closed request keeps the keyed hash, never the address nor the note (RULES G4);
    - any other open request (access, portability, rectification, restriction, other) keeps its
      address until it is answered: the person is still owed that answer within the month
      (RULES G1, G2: an access request is answered "we keep a coded fingerprint of your address");
      closing it then forgets the address (forget_if_erased).

    Returns (requests fulfilled, requests that kept an address or a note and no longer do)."""
    requests = RightsRequest.objects.select_for_update().filter(key_hash__in=hashes, state__in=OPEN_STATES)
    answered = requests.filter(kind__in=ERASING_KINDS)
    if answering is not None:
        answered = answered.exclude(pk=answering.pk)
    settled = list(answered.order_by("pk"))
    RightsRequest.objects.filter(pk__in=[r.pk for r in settled]).update(
        state=RequestState.FULFILLED, closed_at=now
    )
    for request in settled:
        told = _tell_erased(request)
        detail = {"message": told.pk} if told is not None else {}
        record(actor, "rights.fulfilled", request, kind=request.kind, by_erasure=channel, **detail)
    closed = ~models.Q(state__in=OPEN_STATES)
    if answering is not None:
        closed |= models.Q(pk=answering.pk)
    holding = ~models.Q(email="") | ~models.Q(note="")
    forgotten = RightsRequest.objects.filter(closed, holding, key_hash__in=hashes).update(email="", note="")
    return len(settled), forgotten


def _suppress(hashes: list[str], reason: str, now: Any) -> tuple[int, int]:
    keep_until = suppression_keep_until(now)
    known = set(SuppressionEntry.objects.filter(key_hash__in=hashes).values_list("key_hash", flat=True))
    SuppressionEntry.objects.bulk_create(
        SuppressionEntry(key_hash=digest, reason=reason, created_at=now, keep_until=keep_until)
        for digest in hashes
        if digest not in known
    )
    # RULES F4: a renewed objection restarts the minimum keeping period; the first reason stays.
    SuppressionEntry.objects.filter(key_hash__in=known, keep_until__lt=keep_until).update(
        keep_until=keep_until
    )
    return len(hashes) - len(known), len(known)


def _delete_prospects(hashes: list[str]) -> int:
    ids = list(Prospect.objects.filter(key_hash__in=hashes).values_list("pk", flat=True))
    return delete_prospect_rows(ids)


def delete_prospect_rows(ids: list[int]) -> int:
    """Delete these prospects and every row that depends on them, set-based: one statement per
    related table (provenance, consent records, contact events...), whatever apps add later, and
    none loads a record. Messages keep their row (campaign counts) without the prospect."""
    if not ids:
        return 0
    for relation in Prospect._meta.related_objects:
        model = cast(type[models.Model], relation.related_model)
        column = relation.field.column
        if relation.on_delete is models.SET_NULL:
            rows_where(f"UPDATE {{table}} SET {_quoted(column)} = NULL", model, column, ids)  # noqa: S608
        elif relation.on_delete is models.CASCADE and not model._meta.related_objects:
            rows_where("DELETE FROM {table}", model, column, ids)
        elif relation.on_delete is models.CASCADE:  # rows of their own depend on them: Django's way
            model._base_manager.filter(**{f"{relation.field.name}__in": ids}).delete()
        else:
            raise TypeError(f"{model.__name__}.{relation.field.name}: unexpected on_delete")
    return rows_where("DELETE FROM {table}", Prospect, "id", ids)


def rows_where(statement: str, model: type[models.Model], column: str, ids: list[int], also: str = "") -> int:
    """Run `statement` ("DELETE FROM {table}", "UPDATE {table} SET ...") on the rows of `model`
    whose `column` is one of `ids` (and that meet `also`, a condition); return how many. Raw SQL:
    Django would prepare each id of each list one by one, half of a large purge's time."""
    table = _quoted(model._meta.db_table)
    marks = ", ".join(["%s"] * len(ids))
    condition = f"{also} AND " if also else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"{statement.format(table=table)} WHERE {condition}{_quoted(column)} IN ({marks})",
            ids,
        )
        return int(cursor.rowcount)


def _quoted(name: str) -> str:
    return str(connection.ops.quote_name(name))


def scrub_files() -> None:
    """RULES G4: erased means gone from the files too. On SQLite, deleted rows are overwritten
    (PRAGMA secure_delete, licite.conf) in the database file, and the write-ahead log, which
    still holds the pages as they were, is checkpointed and truncated now. A reader in the
    middle of a long query may hold the checkpoint back: it is not waited for, and the next
    checkpoint truncates the log (journal_size_limit=0). On PostgreSQL, see docs/retention.md."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        (timeout,) = cursor.fetchone()
        cursor.execute("PRAGMA busy_timeout = 0")
        try:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            cursor.execute(f"PRAGMA busy_timeout = {int(timeout)}")


def _clear_outbox(hashes: list[str]) -> int:
    messages = OutboundMessage.objects.filter(key_hash__in=hashes)
    cancelled = messages.filter(status=OutboundMessage.Status.QUEUED).update(
        status=OutboundMessage.Status.CANCELLED, status_reason="suppressed"
    )
    messages.update(to_address="", body_text="", body_html="")
    return cancelled


# --- Rights requests (RULES G1-G5) ----------------------------------------------------------

# Rectification (art. 16) applies to these fields only: the address is the person's identity
# (a new address is a new request), and the legal state changes only through its own actions.
RECTIFIABLE = (
    "first_name",
    "last_name",
    "job_title",
    "company",
    "company_domain",
    "phone",
    "country",
    "language",
)
ACCESS_LINK_HOURS = 48
ACCESS_SALT = "licite.rights.access"
# The suppression reason recorded when a request that erases the person is fulfilled.
ERASURE_REASONS = {
    RequestKind.ERASURE: SuppressionReason.ERASURE,
    RequestKind.OBJECTION: SuppressionReason.OBJECTION,
    RequestKind.CONSENT_WITHDRAWAL: SuppressionReason.WITHDRAWAL,
}
MOVABLE_STATES = (RequestState.AWAITING_IDENTITY, RequestState.IN_PROGRESS, RequestState.AWAITING_PRECISION)


class RightsError(ValueError):
    """A request or a step the rules refuse; the message says why, in one line, without the address.

    `code` names the refusal (stable: the API answers with it) and `field` the input at fault,
    empty when the request's own state refuses the step."""

    def __init__(self, message: str, code: str = "refused", field: str = "") -> None:
        super().__init__(message)
        self.code, self.field = code, field


def _today() -> date:
    return timezone.localdate()


@transaction.atomic
def do_receive_request(
    actor: Any,
    address: str,
    kind: str,
    channel: str,
    *,
    note: str = "",
    identity_check: str = "",
    language: str = "",
    received_at: datetime | None = None,
) -> RightsRequest:
    """RULES G1: record a request received by any channel (web, letter, phone, email), due one
    calendar month after receipt. Identity is recorded as how it was checked, never a document.

    Raises InvalidEmail for an address that is not one, RightsError for an unknown kind or channel."""
    if kind not in RequestKind.values:
        raise RightsError(
            gettext("unknown kind %(kind)s: one of %(kinds)s")
            % {"kind": repr(kind), "kinds": ", ".join(RequestKind.values)},
            "unknown_kind",
            "kind",
        )
    if channel not in RequestChannel.values:
        raise RightsError(
            gettext("unknown channel %(channel)s: one of %(channels)s")
            % {"channel": repr(channel), "channels": ", ".join(RequestChannel.values)},
            "unknown_channel",
            "channel",
        )
    email = normalize_email(address)
    received_at = received_at or timezone.now()
    request = RightsRequest.objects.create(
        kind=kind, channel=channel, email=email, key_hash=key_hash(email),
        language=_language(email, language), received_at=received_at,
        due_on=deadlines.due_date(timezone.localdate(received_at)), note=note.strip(),
        identity_check=identity_check.strip(), received_by=actor if getattr(actor, "pk", None) else None,
    )  # fmt: skip
    record(
        actor, "rights.received", request, kind=kind, channel=channel,
        due_on=request.due_on.isoformat(), identity_checked=bool(request.identity_check),
    )  # fmt: skip
    return request


def _language(email: str, asked: str) -> str:
    """RULES D4: the language asked, else the person's, else the organisation's."""
    if asked in ("fr", "en"):
        return asked
    known = Prospect.objects.filter(email=email).values_list("language", flat=True).first()
    if known in ("fr", "en"):
        return known
    organisation = Organisation.current()
    return organisation.default_language if organisation else "fr"


def _require_open(request: RightsRequest) -> None:
    if not request.is_open:
        raise RightsError(
            gettext("request %(pk)s is closed (%(state)s): nothing changes")
            % {"pk": request.pk, "state": request.state},
            "request_closed",
        )


def _locked(request: RightsRequest) -> RightsRequest:
    return RightsRequest.objects.select_for_update().get(pk=request.pk)


@transaction.atomic
def do_move_request(actor: Any, request: RightsRequest, state: str) -> RightsRequest:
    """An open request waits for the person (identity, precision) or is in progress. The deadline
    keeps running from receipt: licite takes the stricter reading and never pauses it."""
    if state not in MOVABLE_STATES:
        raise RightsError(
            gettext("a request moves to %(states)s; fulfil or refuse it to close it")
            % {"states": ", ".join(MOVABLE_STATES)},
            "state_not_movable",
            "state",
        )
    request = _locked(request)
    _require_open(request)
    before, request.state = request.state, state
    request.save(update_fields=["state"])
    record(actor, "rights.state_changed", request, before=before, after=state)
    return request


@transaction.atomic
def do_extend_request(
    actor: Any, request: RightsRequest, months: int, reason: str, today: date | None = None
) -> RightsRequest:
    """RULES G1: two more months at most, for complexity or volume, decided within the first
    month; the person is told why and the new date."""
    request = _locked(request)
    _require_open(request)
    if not reason.strip():
        raise RightsError(
            gettext("an extension needs its reason, which the person is told"), "reason_missing", "reason"
        )
    received_on = timezone.localdate(request.received_at)
    try:
        due = deadlines.check_extension(received_on, today or _today(), request.extension_months, months)
    except deadlines.ExtensionRefused as exc:
        raise RightsError(extension_refusal(exc), "extension_refused", "months") from None
    request.extension_months += months
    request.extension_reason = reason.strip()
    request.due_on = due
    request.save(update_fields=["extension_months", "extension_reason", "due_on"])
    message = _queue_answer(request, "extension", reason=request.extension_reason)
    record(actor, "rights.extended", request, months=months, due_on=due.isoformat(), message=message.pk)
    return request


@transaction.atomic
def do_refuse_request(actor: Any, request: RightsRequest, reason: str) -> RightsRequest:
    """RULES G1 (art. 12.4): a refusal states its reason and the right to complain to the CNIL,
    both told to the person."""
    request = _locked(request)
    _require_open(request)
    if not reason.strip():
        raise RightsError(
            gettext("a refusal needs its reason, which the person is told"), "reason_missing", "reason"
        )
    request.state, request.refusal_reason = RequestState.REFUSED, reason.strip()
    request.closed_at = timezone.now()
    request.save(update_fields=["state", "refusal_reason", "closed_at"])
    message = _queue_answer(request, "refusal", reason=request.refusal_reason)
    forget_if_erased(request)
    record(actor, "rights.refused", request, kind=request.kind, message=message.pk)
    return request


@transaction.atomic
def do_fulfil_request(
    actor: Any, request: RightsRequest, changes: dict[str, str] | None = None
) -> RightsRequest:
    """Answer the request as its kind asks, then close it (RULES G2-G5):
    access and portability send the person a signed link to their data (48 hours);
    erasure, objection and consent withdrawal are the one erasure (do_erase); rectification
    applies `changes`; restriction excludes the person from every campaign until lifted."""
    request = _locked(request)
    _require_open(request)
    detail = _FULFIL[RequestKind(request.kind)](actor, request, changes or {})
    request.state, request.closed_at = RequestState.FULFILLED, timezone.now()
    request.save(update_fields=["state", "closed_at"])
    forget_if_erased(request)
    record(actor, "rights.fulfilled", request, kind=request.kind, **detail)
    return request


def _fulfil_access(actor: Any, request: RightsRequest, changes: dict[str, str]) -> dict[str, Any]:
    _no_changes(request, changes)
    message = _queue_answer(request, "access_link", access_url=access_url(request))
    return {"message": message.pk}


def _fulfil_erasure(actor: Any, request: RightsRequest, changes: dict[str, str]) -> dict[str, Any]:
    _no_changes(request, changes)
    reason = ERASURE_REASONS[RequestKind(request.kind)]
    erasure = do_erase(actor, [request.key_hash], reason, request.channel, action="rights.erased",
                       answering=request)  # fmt: skip
    told = _tell_erased(request)  # after the erasure, which cancels what the outbox holds for them
    request.email, request.note = "", ""
    return {"erased_prospects": erasure.erased_prospects, **({"message": told.pk} if told else {})}


def _tell_erased(request: RightsRequest) -> OutboundMessage | None:
    """GDPR art. 12.3, 19: the person who asked is told what was done, through the outbox, which
    keeps the address until the answer leaves. Only a request the person confirmed is answered:
    one still awaiting its identity confirmation may carry a stranger's address."""
    if not request.email or request.state == RequestState.AWAITING_IDENTITY:
        return None
    return _queue_answer(request, "fulfilled")


def forget_if_erased(request: RightsRequest) -> None:
    """RULES G4: a request of a person erased since, once answered, keeps the keyed hash, never
    the address (nor a note, which might name them): kind, channel, dates and state prove the
    answer. The answer itself is already in the outbox."""
    erased = SuppressionEntry.objects.filter(key_hash=request.key_hash).exists()
    if (request.email or request.note) and erased:
        RightsRequest.objects.filter(pk=request.pk).update(email="", note="")
        request.email, request.note = "", ""


def _fulfil_rectification(actor: Any, request: RightsRequest, changes: dict[str, str]) -> dict[str, Any]:
    """RULES B5: the changes applied; the audit names the fields changed, never their values."""
    if not changes:
        raise RightsError(
            gettext("a rectification names its changes: --set FIELD=VALUE (%(fields)s)")
            % {"fields": ", ".join(RECTIFIABLE)},
            "changes_missing",
            "changes",
        )
    unknown = sorted(set(changes) - set(RECTIFIABLE))
    if unknown:
        raise RightsError(
            gettext("cannot rectify %(unknown)s: only %(fields)s")
            % {"unknown": ", ".join(unknown), "fields": ", ".join(RECTIFIABLE)},
            "changes_unknown",
            "changes",
        )
    prospects = _prospects_of(request)
    for prospect in prospects:
        for name, value in changes.items():
            setattr(prospect, name, value.strip())
        try:
            prospect.full_clean(exclude=[f.name for f in Prospect._meta.fields if f.name not in changes])
        except ValidationError as exc:
            fields = ", ".join(sorted(exc.message_dict)) if hasattr(exc, "error_dict") else "a field"
            raise RightsError(
                gettext("rectification refused: %(fields)s not valid") % {"fields": fields},
                "changes_invalid",
                "changes",
            ) from None
        prospect.save(update_fields=[*changes, "updated_at"])
    return {"fields": sorted(changes), "prospects": len(prospects)}


def _fulfil_restriction(actor: Any, request: RightsRequest, changes: dict[str, str]) -> dict[str, Any]:
    """GDPR art. 18: the prospect is excluded from every campaign (status restricted) until lifted."""
    _no_changes(request, changes)
    prospects = _prospects_of(request)
    request.status_before_restriction = prospects[0].status
    request.save(update_fields=["status_before_restriction"])
    Prospect.objects.filter(pk__in=[p.pk for p in prospects]).update(
        status=ProspectStatus.RESTRICTED, updated_at=timezone.now()
    )
    return {"prospects": len(prospects)}


def _fulfil_other(actor: Any, request: RightsRequest, changes: dict[str, str]) -> dict[str, Any]:
    _no_changes(request, changes)
    return {}


_FULFIL = {
    RequestKind.ACCESS: _fulfil_access,
    RequestKind.PORTABILITY: _fulfil_access,
    RequestKind.ERASURE: _fulfil_erasure,
    RequestKind.OBJECTION: _fulfil_erasure,
    RequestKind.CONSENT_WITHDRAWAL: _fulfil_erasure,
    RequestKind.RECTIFICATION: _fulfil_rectification,
    RequestKind.RESTRICTION: _fulfil_restriction,
    RequestKind.OTHER: _fulfil_other,
}


def _no_changes(request: RightsRequest, changes: dict[str, str]) -> None:
    if changes:
        raise RightsError(
            gettext("changes apply to a rectification, not to a request of kind %(kind)s")
            % {"kind": request.kind},
            "changes_not_applicable",
            "changes",
        )


def _prospects_of(request: RightsRequest) -> list[Prospect]:
    prospects = list(Prospect.objects.select_for_update().filter(key_hash=request.key_hash).order_by("pk"))
    if not prospects:
        raise RightsError(
            gettext(
                "no prospect with the address of request %(pk)s: nothing to %(kind)s; "
                "refuse it with the reason (we hold no data about this address)"
            )
            % {"pk": request.pk, "kind": request.kind},
            "no_prospect",
        )
    return prospects


@transaction.atomic
def do_lift_restriction(actor: Any, request: RightsRequest) -> int:
    """GDPR art. 18.3: the restriction ends; the prospects get back the status they had."""
    request = _locked(request)
    if request.kind != RequestKind.RESTRICTION or request.state != RequestState.FULFILLED:
        raise RightsError(
            gettext("request %(pk)s is not a restriction in force") % {"pk": request.pk}, "not_restricted"
        )
    if request.restriction_lifted_at is not None:
        raise RightsError(
            gettext("the restriction of request %(pk)s was already lifted") % {"pk": request.pk},
            "already_lifted",
        )
    lifted = Prospect.objects.filter(key_hash=request.key_hash, status=ProspectStatus.RESTRICTED).update(
        status=request.status_before_restriction or ProspectStatus.ACTIVE, updated_at=timezone.now()
    )
    request.restriction_lifted_at = timezone.now()
    request.save(update_fields=["restriction_lifted_at"])
    record(actor, "rights.restriction_lifted", request, prospects=lifted)
    return lifted


@transaction.atomic
def do_restrict_prospect(actor: Any, prospect: Prospect, channel: str, note: str = "") -> RightsRequest:
    """GDPR art. 18, asked of staff (the detail page's button, the API): recorded as the person's
    restriction request and fulfilled at once, so that the rights queue shows it and lifting it
    gives back the former status. Restricting twice is refused: the status to give back would be
    lost."""
    prospect = Prospect.objects.select_for_update().get(pk=prospect.pk)
    if prospect.status == ProspectStatus.RESTRICTED:
        raise RightsError(
            gettext("The processing of this prospect is already restricted."), "already_restricted"
        )
    asked = do_receive_request(
        actor, prospect.email, RequestKind.RESTRICTION, channel, note=note, language=prospect.language
    )
    return do_fulfil_request(actor, asked)


def overdue_requests(today: date | None = None) -> Any:
    """Open requests past their due day (RULES G1)."""
    return RightsRequest.objects.filter(state__in=OPEN_STATES, due_on__lt=today or _today())


def requests_due_soon(today: date | None = None) -> Any:
    """Open requests due today or within the next 7 days."""
    today = today or _today()
    until = today + timedelta(days=deadlines.DUE_SOON_DAYS)
    return RightsRequest.objects.filter(state__in=OPEN_STATES, due_on__gte=today, due_on__lte=until)


def requests_in_queue(state: str = "", kind: str = "", due: str = "", today: date | None = None) -> Any:
    """The DPO's queue (RULES G1), as the web page and the API filter it: `state` is open (the
    default), closed, all or one state; `kind` one kind or all; `due` overdue, due_soon or any."""
    today = today or _today()
    requests = RightsRequest.objects.all()
    state = state or "open"
    if state == "open":
        requests = requests.filter(state__in=OPEN_STATES)
    elif state == "closed":
        requests = requests.exclude(state__in=OPEN_STATES)
    elif state != "all":
        requests = requests.filter(state=state)
    if kind:
        requests = requests.filter(kind=kind)
    if due == "overdue":
        requests = requests.filter(state__in=OPEN_STATES, due_on__lt=today)
    elif due == "due_soon":
        requests = requests.filter(pk__in=requests_due_soon(today).values("pk"))
    return requests


# --- The access export's link and the messages to the person ----------------------------------


def access_url(request: RightsRequest) -> str:
    """A signed link to the person's data, valid ACCESS_LINK_HOURS (django.core.signing)."""
    token = signing.TimestampSigner(salt=ACCESS_SALT).sign(str(request.pk))
    return f"{settings.LICITE_BASE_URL}{reverse('rights_access', args=[token])}"


class AccessLinkExpired(Exception):
    """The link was genuine but is older than ACCESS_LINK_HOURS; `language` is the person's."""

    def __init__(self, language: str) -> None:
        super().__init__(language)
        self.language = language


def request_for_access_token(token: str) -> RightsRequest | None:
    """The request a link was signed for; None for a link never signed or for a person erased
    since it was sent (a person erased before it was sent is told what survives: the keyed
    hash); AccessLinkExpired."""
    signer = signing.TimestampSigner(salt=ACCESS_SALT)
    try:
        pk = signer.unsign(token, max_age=timedelta(hours=ACCESS_LINK_HOURS))
    except signing.SignatureExpired:
        expired = RightsRequest.objects.filter(pk=signer.unsign(token)).first()
        raise AccessLinkExpired(expired.language if expired else "fr") from None
    except signing.BadSignature:
        return None
    kinds = (RequestKind.ACCESS, RequestKind.PORTABILITY)
    request = RightsRequest.objects.filter(pk=pk, kind__in=kinds).first()
    if request is None or request.closed_at is None:
        return request
    erased = SuppressionEntry.objects.filter(key_hash=request.key_hash, created_at__gt=request.closed_at)
    return None if erased.exists() else request


@transaction.atomic
def do_download_access(request: RightsRequest, fmt: str) -> str:
    """Each download of the access export is an audit entry (the person, through the link)."""
    from licite.rights.access import as_html, as_json, report_for_hash

    # By the keyed hash: the address is forgotten once the person is erased (forget_if_erased).
    report = report_for_hash(request.key_hash, request.language)
    record(None, "rights.access_downloaded", request, format=fmt, held=report["held"])
    return as_json(report) if fmt == "json" else as_html(report)


def do_export_access(actor: Any, address: str, fmt: str, language: str = "") -> tuple[str, str]:
    """Staff export what is held about an address (RULES G2); audited without the address.
    Returns the document and what is held ("records", "suppression_only", "nothing")."""
    from licite.rights.access import access_report, as_html, as_json

    email = normalize_email(address)
    report = access_report(email, _language(email, language))
    record(actor, "rights.access_exported", None, format=fmt, held=report["held"],
           records=len(report["records"]))  # fmt: skip
    return (as_json(report) if fmt == "json" else as_html(report)), report["held"]


def _queue_answer(request: RightsRequest, template: str, **context: Any) -> OutboundMessage:
    """A message to the person about their request, through the outbox (sent on commit)."""
    from licite.campaigns.actions import enqueue_sending
    from licite.campaigns.rendering import new_token

    if not request.email:
        raise RightsError(
            gettext("request %(pk)s keeps no address any more: nobody to tell") % {"pk": request.pk},
            "address_erased",
        )
    subject, text, html = render_answer(request, template, context)
    message = OutboundMessage.objects.create(
        kind=OutboundMessage.Kind.RIGHTS, key_hash=request.key_hash, to_address=request.email,
        to_domain=request.email.rpartition("@")[2], language=request.language, subject=subject,
        body_text=text, body_html=html, token=new_token(), queued_at=timezone.now(),
    )  # fmt: skip
    transaction.on_commit(lambda: enqueue_sending([message.pk]))
    return message


def render_answer(request: RightsRequest, template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """The subject, text and HTML of an answer, in the person's language (RULES D4)."""
    organisation = Organisation.current()
    with translation.override(request.language):
        values = {
            "organisation": organisation, "request": request, "kind": request.get_kind_display(),
            "received_on": formats.date_format(timezone.localtime(request.received_at), "DATE_FORMAT"),
            "due_on": formats.date_format(request.due_on, "DATE_FORMAT"),
            "cnil_url": "https://www.cnil.fr/fr/plaintes", "hours": ACCESS_LINK_HOURS, **context,
        }  # fmt: skip
        subject = str(_subject(template)) % {"name": organisation.legal_name if organisation else ""}
        text = render_to_string(f"rights/email/{template}.txt", values)
        html = render_to_string(f"rights/email/{template}.html", values)
    return subject, text, html


def _subject(template: str) -> str:
    subjects = {
        "extension": gettext("%(name)s: we need more time for your request"),
        "refusal": gettext("%(name)s: our answer to your request"),
        "access_link": gettext("%(name)s: the data we hold about you"),
        "confirm": gettext("%(name)s: confirm your request"),
        "fulfilled": gettext("%(name)s: your request is done"),
    }
    return subjects[template]


# --- The public page: a request confirmed through a signed link (RULES G1) -------------------

log = logging.getLogger(__name__)

CONFIRM_LINK_HOURS = 48
CONFIRM_SALT = "licite.rights.confirm"
# At most this many confirmation links an hour to one address and from one network, so that
# nobody floods a mailbox or the outbox through the page (each link sent is counted).
INTAKE_LIMITS: dict[str, int] = {IntakeAttempt.Scope.ADDRESS: 3, IntakeAttempt.Scope.NETWORK: 10}
INTAKE_WINDOW = timedelta(hours=1)
# RULES G3, G5, E3: once confirmed, an objection and a consent withdrawal take effect at once;
# they need nothing but the person's word. The other kinds go to the DPO.
AT_ONCE_KINDS = frozenset({RequestKind.OBJECTION, RequestKind.CONSENT_WITHDRAWAL})


class ConfirmLinkExpired(Exception):
    """The link was genuine but is older than CONFIRM_LINK_HOURS; `language` is the person's."""

    def __init__(self, language: str) -> None:
        super().__init__(language)
        self.language = language


@transaction.atomic
def do_submit_public_request(address: str, kind: str, language: str, network: str) -> bool:
    """RULES G1: a request made on the public page. It is received now, and its month runs from
    now (the stricter reading: confirming identity is part of handling a request, not a
    condition of its receipt); it awaits the identity confirmation, a signed link valid
    CONFIRM_LINK_HOURS sent to the address, which only its click confirms. A known address and
    an unknown one are treated alike (no enumeration). Over a rate limit (per address, per
    `network`: a truncated IP address) nothing is recorded or sent, and False is returned.

    Raises InvalidEmail for an address that is not one, RightsError for an unknown kind."""
    if kind not in RequestKind.values:
        raise RightsError(
            gettext("unknown kind %(kind)s: one of %(kinds)s")
            % {"kind": repr(kind), "kinds": ", ".join(RequestKind.values)},
            "unknown_kind",
            "kind",
        )
    email, now = normalize_email(address), timezone.now()
    keys: dict[str, str] = {
        IntakeAttempt.Scope.ADDRESS: _intake_key("address", key_hash(email)),
        IntakeAttempt.Scope.NETWORK: _intake_key("network", network),
    }
    if _over_a_limit(keys, now):
        return False
    do_forget_unconfirmed_requests(None, now)
    request = _awaiting_request(email, kind, language) or _new_public_request(email, kind, language, now)
    IntakeAttempt.objects.bulk_create(
        IntakeAttempt(scope=scope, key=key, at=now) for scope, key in keys.items()
    )
    message = _queue_answer(request, "confirm", confirm_url=confirm_url(request), hours=CONFIRM_LINK_HOURS)
    record(None, "rights.confirmation_sent", request, message=message.pk)
    return True


def _intake_key(scope: str, value: str) -> str:
    """A keyed hash, so that the rate-limit table holds neither an address nor an IP address."""
    return salted_hmac(f"licite.rights.intake.{scope}", value, algorithm="sha256").hexdigest()


def _over_a_limit(keys: dict[str, str], now: datetime) -> bool:
    IntakeAttempt.objects.filter(at__lt=now - INTAKE_WINDOW).delete()
    for scope, key in keys.items():
        sent = IntakeAttempt.objects.filter(scope=scope, key=key, at__gte=now - INTAKE_WINDOW).count()
        if sent >= INTAKE_LIMITS[scope]:
            # A count, never the address nor the IP address.
            log.warning("public rights request not sent: %d links this hour for one %s", sent, scope)
            return True
    return False


def _awaiting_request(email: str, kind: str, language: str) -> RightsRequest | None:
    """The same request asked again before its confirmation: the link is sent again, and the
    month still runs from the first asking."""
    request = (
        RightsRequest.objects.select_for_update()
        .filter(channel=RequestChannel.WEB, email=email, kind=kind, state=RequestState.AWAITING_IDENTITY,
                identity_check="")
        .first()
    )  # fmt: skip
    if request is not None and request.language != language:
        request.language = language
        request.save(update_fields=["language"])
    return request


def _new_public_request(email: str, kind: str, language: str, now: datetime) -> RightsRequest:
    request = do_receive_request(None, email, kind, RequestChannel.WEB, language=language, received_at=now)
    return do_move_request(None, request, RequestState.AWAITING_IDENTITY)


def confirm_url(request: RightsRequest) -> str:
    """The signed link that confirms a request from the public page; it keeps the language."""
    token = signing.TimestampSigner(salt=CONFIRM_SALT).sign(f"{request.pk}.{request.language}")
    return f"{settings.LICITE_BASE_URL}{reverse('rights_confirm', args=[token])}"


def request_for_confirm_token(token: str) -> tuple[RightsRequest | None, str]:
    """The request a link was signed for and the person's language; (None, "") for a link never
    signed or a request forgotten since; raises ConfirmLinkExpired after CONFIRM_LINK_HOURS."""
    signer = signing.TimestampSigner(salt=CONFIRM_SALT)
    try:
        value = signer.unsign(token, max_age=timedelta(hours=CONFIRM_LINK_HOURS))
    except signing.SignatureExpired:
        raise ConfirmLinkExpired(signer.unsign(token).partition(".")[2]) from None
    except signing.BadSignature:
        return None, ""
    pk, _, language = value.partition(".")
    return RightsRequest.objects.filter(pk=pk, channel=RequestChannel.WEB).first(), language


@transaction.atomic
def do_confirm_public_request(request: RightsRequest) -> RightsRequest:
    """RULES G1: the click on the link sent to the address confirms the request (the CNIL
    accepts any means; control of the mailbox is the one the page can check). An objection or a
    consent withdrawal then takes effect at once. A second click changes nothing."""
    request = _locked(request)
    if request.state != RequestState.AWAITING_IDENTITY or request.identity_check:
        return request
    request.state, request.identity_check = RequestState.RECEIVED, _confirmed_by_link()
    request.save(update_fields=["state", "identity_check"])
    record(None, "rights.identity_confirmed", request, before=RequestState.AWAITING_IDENTITY,
           after=RequestState.RECEIVED)  # fmt: skip
    if request.kind in AT_ONCE_KINDS:
        return do_fulfil_request(None, request)
    return request


def _confirmed_by_link() -> str:
    """In words, in the staff's language: how identity was checked (never a document)."""
    organisation = Organisation.current()
    with translation.override(organisation.default_language if organisation else "fr"):
        return gettext("Confirmed by a click on the link sent to the address (public page).")


@transaction.atomic
def do_forget_unconfirmed_requests(actor: Any, now: datetime | None = None) -> int:
    """RULES B6: a request from the public page whose link was never clicked is nobody's proven
    request, and its address may be a stranger's: once the link has expired, it is deleted.
    One audit entry with the count (the purge may call this too)."""
    cutoff = (now or timezone.now()) - timedelta(hours=CONFIRM_LINK_HOURS)
    stale = RightsRequest.objects.filter(
        channel=RequestChannel.WEB, state=RequestState.AWAITING_IDENTITY, identity_check="",
        received_at__lt=cutoff,
    )  # fmt: skip
    ids = sorted(stale.values_list("pk", flat=True))
    if not ids:
        return 0
    RightsRequest.objects.filter(pk__in=ids).delete()
    record(actor, "rights.unconfirmed_forgotten", None, ids=ids, count=len(ids))
    return len(ids)
