"""The register's live figures (RULES H1): what licite actually holds, beside what the register
declares, computed from the database when the register is exported.

Each figure is an aggregate query, never a loop over records, so that the register of a base of
millions of prospects is exported in the time of a few queries. Which figures go with which
activity:
- a prospecting activity (consent or legitimate interest): the prospects of its legal basis
  (and of its declared sources, when it names any): records by source, oldest record, notices
  due and overdue (RULES D2);
- the suppression list (preset `suppression_list`): its entries, by reason (RULES F4);
- rights requests handling (preset `rights_requests`): requests received, answered within their
  deadline, answered late, open past it (RULES G1);
  both counted by licite.rights.statistics, as the inspection pack counts them: one definition;
- the whole register: records by legal basis, and the last purge (licite.rights.purge, from
  its audit entries: each batch it erases writes one, `purge.<step>`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Exists, IntegerField, Max, Min, OuterRef, Q, QuerySet, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from licite.audit.models import AuditEvent
from licite.prospects.models import Prospect, Provenance, notice_overdue
from licite.register.models import ProcessingActivity, RegisterBasis
from licite.register.presets import RIGHTS, SUPPRESSION
from licite.rights import statistics

PROSPECTING_BASES = (RegisterBasis.CONSENT, RegisterBasis.LEGITIMATE_INTEREST)
PURGE_WINDOW = timedelta(days=365)


@dataclass(frozen=True)
class ProspectFigures:
    records: int
    by_source: tuple[tuple[str, int], ...]
    oldest: datetime | None  # the earliest collection date of a record held
    notices_due: int  # not sent yet, still within their deadline
    notices_overdue: int  # not sent, past their deadline (RULES D2)


@dataclass(frozen=True)
class SuppressionFigures:
    entries: int
    by_reason: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class RequestFigures:
    received: int
    answered_in_time: int
    answered_late: int
    open_overdue: int


@dataclass(frozen=True)
class PurgeFigures:
    last_at: datetime | None
    erased_last_year: int


@dataclass(frozen=True)
class RegisterFigures:
    """Everything the register quotes, as of `now`."""

    now: datetime
    records: int
    by_basis: tuple[tuple[str, int], ...]
    prospects: dict[int, ProspectFigures]  # by activity id, for the prospecting activities
    suppression: SuppressionFigures
    requests: RequestFigures
    purge: PurgeFigures

    def for_activity(
        self, activity: ProcessingActivity
    ) -> ProspectFigures | SuppressionFigures | RequestFigures | None:
        if activity.preset == SUPPRESSION:
            return self.suppression
        if activity.preset == RIGHTS:
            return self.requests
        return self.prospects.get(activity.pk)


def live_figures(activities: list[ProcessingActivity], now: datetime) -> RegisterFigures:
    """The figures of the register of `activities` (their `sources` prefetched or not)."""
    by_basis = tuple(
        (row["legal_basis"], row["n"])
        for row in Prospect.objects.values("legal_basis").annotate(n=Count("pk")).order_by("legal_basis")
    )
    return RegisterFigures(
        now=now,
        records=sum(count for _, count in by_basis),
        by_basis=by_basis,
        prospects={
            activity.pk: prospect_figures(activity, now)
            for activity in activities
            if activity.legal_basis in PROSPECTING_BASES and activity.preset not in (SUPPRESSION, RIGHTS)
        },
        suppression=suppression_figures(),
        requests=request_figures(now),
        purge=purge_figures(now),
    )


def activity_prospects(activity: ProcessingActivity) -> QuerySet[Prospect]:
    """The records of a prospecting activity: its legal basis, and its sources if it names any."""
    prospects = Prospect.objects.filter(legal_basis=activity.legal_basis)
    source_ids = [source.pk for source in activity.sources.all()]
    if source_ids:
        from_sources = Provenance.objects.filter(prospect=OuterRef("pk"), source_id__in=source_ids)
        prospects = prospects.filter(Exists(from_sources))
    return prospects


def prospect_figures(activity: ProcessingActivity, now: datetime) -> ProspectFigures:
    prospects = activity_prospects(activity)
    unsent = Q(notice_sent_at__isnull=True)
    totals = prospects.aggregate(
        records=Count("pk"),
        oldest=Min("collected_at"),
        # RULES D2: overdue once its deadline has passed, as `licite compliance` counts it.
        due=Count("pk", filter=unsent & Q(notice_due_at__gte=now)),
        overdue=Count("pk", filter=notice_overdue(now)),
    )
    links = Provenance.objects.filter(prospect__in=prospects.values("pk"))
    by_source = (
        links.values("source__name").annotate(n=Count("prospect", distinct=True)).order_by("source__name")
    )
    return ProspectFigures(
        records=totals["records"],
        by_source=tuple((row["source__name"], row["n"]) for row in by_source),
        oldest=totals["oldest"],
        notices_due=totals["due"],
        notices_overdue=totals["overdue"],
    )


def suppression_figures() -> SuppressionFigures:
    """RULES F4: the entries by reason, as licite.rights.statistics counts them for the pack."""
    by_reason = tuple(statistics.suppression_by_reason())
    return SuppressionFigures(entries=sum(n for _, n in by_reason), by_reason=by_reason)


def request_figures(now: datetime) -> RequestFigures:
    """RULES G1: the requests against their deadline, as licite.rights.statistics defines it (a
    request refused in time is answered in time)."""
    totals = statistics.rights_totals(today=timezone.localdate(now))
    return RequestFigures(
        received=sum(totals.values()),
        answered_in_time=totals[statistics.MET],
        answered_late=totals[statistics.MISSED],
        open_overdue=totals[statistics.OVERDUE],
    )


def purge_figures(now: datetime) -> PurgeFigures:
    """The last purge entry of the audit trail, and the records erased over the last year."""
    purges = AuditEvent.objects.filter(action__startswith="purge.")
    erased = Cast(KT("detail__erased_prospects"), IntegerField())
    totals = purges.aggregate(
        last_at=Max("at"),
        erased=Coalesce(Sum(erased, filter=Q(at__gt=now - PURGE_WINDOW)), 0),
    )
    return PurgeFigures(last_at=totals["last_at"], erased_last_year=totals["erased"])
