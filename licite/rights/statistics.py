"""Figures an inspection asks for (RULES H): the suppression list, the consent proofs and the
rights requests, counted in the database (set-based), never a hash in full nor an address.

Used by the inspection pack (licite.compliance.pack) and the register's live figures
(licite.register.figures): one definition of each figure for both. Counts and ids only, so that
what leaves the database to show accountability does not itself carry personal data (RULES F4):
not even a part of a keyed hash, which is pseudonymous data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from licite.rights.models import OPEN_STATES, ConsentRecord, RightsRequest, SuppressionEntry

# RULES G1: how a request stands against its deadline.
MET, MISSED, OPEN, OVERDUE = "met", "missed", "open", "overdue"


def suppression_by_reason() -> list[tuple[str, int]]:
    """RULES F4: suppression entries counted by reason, the largest first."""
    rows = SuppressionEntry.objects.values("reason").annotate(count=Count("pk")).order_by("-count", "reason")
    return [(row["reason"], row["count"]) for row in rows]


def suppression_by_month() -> list[tuple[str, int]]:
    """RULES F4: suppression entries counted by the month they were added ("2026-03"), in order."""
    rows = (
        SuppressionEntry.objects.annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(count=Count("pk"))
        .order_by("month")
    )
    return [(f"{row['month']:%Y-%m}", row["count"]) for row in rows]


@dataclass(frozen=True)
class ConsentCounts:
    """RULES G5: consent records by state; `wording` is the same, by purpose and wording version."""

    requested: int
    given: int
    refused: int
    withdrawn: int
    pending: int


_CONSENT_STATES = {
    "requested": Count("pk"),
    # Given and not withdrawn: the consent that proves a message lawful today.
    "given": Count("pk", filter=Q(given_at__isnull=False, withdrawn_at__isnull=True)),
    "refused": Count("pk", filter=Q(refused_at__isnull=False)),
    "withdrawn": Count("pk", filter=Q(withdrawn_at__isnull=False)),
    "pending": Count(
        "pk", filter=Q(given_at__isnull=True, refused_at__isnull=True, withdrawn_at__isnull=True)
    ),
}


def consent_counts() -> ConsentCounts:
    """RULES G5: every consent record by its state, in one query."""
    return ConsentCounts(**ConsentRecord.objects.aggregate(**_CONSENT_STATES))


def consent_by_wording() -> list[tuple[str, str, ConsentCounts]]:
    """RULES G5: (purpose, wording version, counts), so that each proof names the words asked."""
    rows = (
        ConsentRecord.objects.values("purpose", "wording_version")
        .annotate(**_CONSENT_STATES)
        .order_by("purpose", "wording_version")
    )
    names = tuple(_CONSENT_STATES)
    return [
        (row["purpose"], row["wording_version"], ConsentCounts(**{name: row[name] for name in names}))
        for row in rows
    ]


@dataclass(frozen=True)
class RequestLine:
    """One rights request as the log shows it: its id, never the address nor its hash."""

    id: int
    kind: str
    channel: str
    received_at: datetime
    due_on: date
    extension_months: int
    closed_at: datetime | None
    state: str
    outcome: str  # MET, MISSED, OPEN or OVERDUE


def _with_outcome(requests: QuerySet[RightsRequest], today: date) -> Any:
    """RULES G1: met when closed (fulfilled or refused) by its due day; missed when closed later;
    overdue when still open past it; open otherwise. Computed by the database."""
    closed_on = TruncDate("closed_at")
    return requests.annotate(
        outcome=Case(
            When(Q(state__in=OPEN_STATES) & Q(due_on__lt=today), then=Value(OVERDUE)),
            When(state__in=OPEN_STATES, then=Value(OPEN)),
            When(closed_at__isnull=False, due_on__lt=closed_on, then=Value(MISSED)),
            default=Value(MET),
        )
    )


def rights_log(since: datetime | None = None, today: date | None = None) -> list[RequestLine]:
    """RULES G1: the requests received since `since` (all by default), oldest first."""
    today = today or timezone.localdate()
    requests = RightsRequest.objects.all()
    if since is not None:
        requests = requests.filter(received_at__gte=since)
    rows = _with_outcome(requests, today).order_by("received_at", "pk")
    fields = ("pk", "kind", "channel", "received_at", "due_on", "extension_months",
              "closed_at", "state", "outcome")  # fmt: skip
    return [RequestLine(*row) for row in rows.values_list(*fields).iterator()]


def rights_totals(since: datetime | None = None, today: date | None = None) -> dict[str, int]:
    """RULES G1: how many requests met or missed their deadline, are open, or overdue."""
    requests = RightsRequest.objects.all()
    if since is not None:
        requests = requests.filter(received_at__gte=since)
    rows = _with_outcome(requests, today or timezone.localdate()).order_by().values("outcome")
    totals = dict.fromkeys((MET, MISSED, OPEN, OVERDUE), 0)
    totals.update({row["outcome"]: row["count"] for row in rows.annotate(count=Count("pk"))})
    return totals
