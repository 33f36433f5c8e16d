"""Finding prospects: the search and filters of the prospects list, shared by the web page
(licite.prospects.forms.ProspectFilterForm) and the API (licite.api.prospects), so that the two
cannot drift apart.

Every condition keeps the list's query an index walk of the primary key that stops after one
page of matches: no condition starts with a wildcard, and nothing counts the table.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Lower
from django.db.models.lookups import GreaterThanOrEqual, LessThan
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from licite.prospects.models import Prospect, Provenance, notice_overdue
from licite.rights.actions import key_hash


class SearchIn:
    ADDRESS = "address"
    NAME = "name"
    COMPANY = "company"
    CHOICES = ((ADDRESS, _("Address")), (NAME, _("Last name")), (COMPANY, _("Company")))


class NoticeState:
    SENT = "sent"
    DUE = "due"
    OVERDUE = "overdue"
    CHOICES = ((SENT, _("Sent")), (DUE, _("Not sent, not yet due")), (OVERDUE, _("Overdue")))


@dataclass(frozen=True)
class ProspectFilters:
    """What the list is asked for; "" (or None) leaves a filter out. The values are checked by
    the caller (the form's choices, the API's schema); `source` is a source's id."""

    q: str = ""
    field: str = SearchIn.ADDRESS
    source: int | None = None
    basis: str = ""
    status: str = ""
    audience: str = ""
    notice: str = ""


def whole_address(filters: ProspectFilters) -> bool:
    """Whether the search is for one whole address (found by its keyed hash, RULES F4): then it
    must be a valid one, and `matching` raises InvalidEmail for one that is not."""
    return bool(filters.q.strip()) and filters.field in ("", SearchIn.ADDRESS) and "@" in filters.q


def matching(filters: ProspectFilters) -> QuerySet[Prospect]:
    """The prospects that match; the caller pages them (licite.web.paging.keyset_page)."""
    prospects = Prospect.objects.filter(_search(filters))
    for value, column in (
        (filters.basis, "legal_basis"),
        (filters.status, "status"),
        (filters.audience, "audience"),
    ):
        if value:
            prospects = prospects.filter(**{column: value})
    if filters.source is not None:
        # One index lookup per prospect read, through the unique (prospect, batch) constraint.
        # `source_id + 0` keeps SQLite from taking the source's index instead, which made
        # it read all of a source's provenance for every prospect (100k rows: 546 ms to 2 ms).
        links = Provenance.objects.alias(source_key=F("source_id") + 0).filter(
            prospect=OuterRef("pk"), source_key=filters.source
        )
        prospects = prospects.filter(Exists(links))
    if filters.notice:
        prospects = prospects.filter(_notice_state(filters.notice))
    return prospects


def _search(filters: ProspectFilters) -> Q:
    """A whole address is found through its keyed hash (an exact index lookup); the beginning of
    an address, a last name or a company by its beginning (ignoring case for the names), through
    `_starts_with`."""
    query = filters.q.strip()
    if not query:
        return Q()
    field = filters.field or SearchIn.ADDRESS
    if field in (SearchIn.NAME, SearchIn.COMPANY):
        column = "last_name" if field == SearchIn.NAME else "company"
        lowered, start = Lower(column), Lower(Value(query))
        end = Lower(Value(query + "\U0010ffff"))
        indexed = Q(GreaterThanOrEqual(lowered, start)) & Q(LessThan(lowered, end))
        return _starts_with(indexed, Q(**{f"{column}__istartswith": query}))
    if whole_address(filters):
        return Q(key_hash=key_hash(query))
    beginning = query.lower()
    return _starts_with(
        Q(email__gte=beginning, email__lt=beginning + "\U0010ffff"), Q(email__startswith=beginning)
    )


def _starts_with(indexed: Q, walked: Q) -> Q:
    """The rows whose column starts with the query, two ways (issue 22: 150 ms p95 at 1M rows).
    `indexed` is a range of an index (the address index; prospect_last_name_lower and
    prospect_company_lower, on the lowered column, which both SQLite and PostgreSQL answer from
    the index where LIKE would scan); `walked` is the same test as LIKE, which no index serves.
    A rare beginning (a company's whole name) is taken from the index, then sorted (10,000 rows
    at most: 1M prospects, 1 ms against 800 ms for the walk); a common one (a frequent last name)
    by the walk down the primary key, which stops at the first page of matches, where sorting
    all of them would read every one."""
    if _is_few(indexed):
        return Q(pk__in=Prospect.objects.filter(indexed).values("pk"))
    return walked


def _notice_state(state: str) -> Q:
    """RULES D2: a notice not sent by its deadline is overdue."""
    now = timezone.now()
    if state == NoticeState.SENT:
        return Q(notice_sent_at__isnull=False)
    if state == NoticeState.OVERDUE:
        overdue = notice_overdue(now)
        return Q(pk__in=Prospect.objects.filter(overdue).values("pk")) if _is_few(overdue) else overdue
    return Q(notice_sent_at__isnull=True, notice_due_at__gte=now)


# Overdue notices are a breach, so usually few, and the oldest rows: a walk down the primary key
# would read nearly the whole table to find them (1M rows, none overdue: 400 ms). Up to this
# many, they are taken from the partial index prospect_notice_due and then sorted (1 ms); past
# it, sorting them all costs more than the walk, which stops at the first page of them.
FEW = 10_000


def _is_few(condition: Q) -> bool:
    """Counted through the partial index, and no further than FEW + 1."""
    return Prospect.objects.filter(condition).order_by().values("pk")[: FEW + 1].count() <= FEW
