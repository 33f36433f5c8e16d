"""The dashboard's figures: counts only, each in one set-based query (issue 22, RULES F5).

Nothing here returns a person's data: keys (a status, a basis, a source id) and counts. Labels
are put on in the view, in the reader's language, so that one cached result serves both.

Caching: the compliance check runs every check against the whole database (1,000,000
prospects: about 1.2 s); the prospect figures, each on an index, still read some of them
whole (1M: about 150 ms of CPU, the sources' index and the unsent notices' most). Both results
are kept in Django's cache (COMPLIANCE_SECONDS, FIGURES_SECONDS) under a key made of the last
audit entry (its sequence number and hash). Every change of legal state goes through an action
that writes an audit entry, so any such change makes a new key and the next dashboard counts
again; the time limit covers what changes with the clock alone (a deadline passing, counted in
days: five minutes late is no harm, and a minute made every server worker count again each
minute, the slowest dashboards of bench/web_bench.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone

from licite.audit.models import AuditEvent
from licite.compliance.checks import REGISTRY, Check, run_checks
from licite.core.clocks import add_months
from licite.core.compliance import OK
from licite.core.deadlines import DUE_SOON_DAYS
from licite.prospects.models import LegalBasis, Prospect, ProspectStatus, Provenance, Source, notice_overdue
from licite.rights.models import OPEN_STATES, ConsentRecord, RightsRequest, SuppressionEntry
from licite.web.navigation import url_of

COMPLIANCE_SECONDS = 300
FIGURES_SECONDS = 300
T = TypeVar("T")
NOTICE_SOON_DAYS = 7  # RULES D2: a notice due within a week is urgent
MONTHS_AHEAD = 12


def prospect_total() -> int:
    return Prospect.objects.count()


def by_legal_basis(total: int | None = None) -> dict[str, int]:
    """Prospects counted by legal basis (RULES C1-C3), every basis present. Like the statuses: the
    rarer bases are counted on their partial index (prospect_basis_consent), legitimate interest
    is what remains of the total (`total` when the caller has it), so no query reads every row."""
    rare = [basis for basis in LegalBasis.values if basis != LegalBasis.LEGITIMATE_INTEREST]
    counts = {basis: Prospect.objects.filter(legal_basis=basis).count() for basis in rare}
    total = prospect_total() if total is None else total
    return {LegalBasis.LEGITIMATE_INTEREST: total - sum(counts.values()), **counts}


def by_status() -> dict[str, int]:
    """Prospects by status. Only the rare statuses are indexed (partial index prospect_status):
    they are counted on it, and active is what remains of the total, so no query scans the table."""
    rare = [status for status in ProspectStatus.values if status != ProspectStatus.ACTIVE]
    counts = {status: Prospect.objects.filter(status=status).count() for status in rare}
    total = prospect_total()
    return {ProspectStatus.ACTIVE: total - sum(counts.values()), **counts}


def by_source() -> list[tuple[int, str, int]]:
    """(source id, source name, prospects it fed), the largest first. A prospect found in two
    sources counts in each (RULES B3: each record keeps every source it came from)."""
    rows = dict(
        Provenance.objects.order_by().values_list("source_id").annotate(n=Count("prospect_id", distinct=True))
    )
    names = dict(Source.objects.values_list("pk", "name"))
    return sorted(((pk, names[pk], n) for pk, n in rows.items()), key=lambda row: (-row[2], row[1]))


@dataclass(frozen=True)
class Notices:
    """RULES D2: the Art. 14 notices not yet sent, against their deadline."""

    overdue: int
    due_soon: int
    due_later: int


def notices(now: datetime) -> Notices:
    """Three counts of ranges of the partial index of unsent notices (prospect_notice_due): one
    aggregate with filters would read every row instead (1M unsent: 100 ms against 600 ms)."""
    soon = now + timedelta(days=NOTICE_SOON_DAYS)
    unsent = Prospect.objects.filter(notice_sent_at__isnull=True)
    return Notices(
        overdue=Prospect.objects.filter(notice_overdue(now)).count(),
        due_soon=unsent.filter(notice_due_at__gte=now, notice_due_at__lte=soon).count(),
        due_later=unsent.filter(notice_due_at__gt=soon).count(),
    )


@dataclass(frozen=True)
class ConsentFunnel:
    """RULES C2, G5: consent asked, given (and not withdrawn), refused or withdrawn, and expired
    (no answer within LICITE_CONSENT_DELAY_DAYS: the person is then to be erased)."""

    asked: int
    given: int
    refused: int
    expired: int


def consent_funnel(now: datetime) -> ConsentFunnel:
    cutoff = now - timedelta(days=settings.LICITE_CONSENT_DELAY_DAYS)
    unanswered = Q(given_at__isnull=True, refused_at__isnull=True, withdrawn_at__isnull=True)
    counts = ConsentRecord.objects.aggregate(
        asked=Count("pk"),
        given=Count("pk", filter=Q(given_at__isnull=False, withdrawn_at__isnull=True)),
        refused=Count("pk", filter=Q(refused_at__isnull=False) | Q(withdrawn_at__isnull=False)),
        expired=Count("pk", filter=unanswered & Q(requested_at__lt=cutoff)),
    )
    return ConsentFunnel(**counts)


@dataclass(frozen=True)
class RightsDue:
    """RULES G1: the open requests against their due day."""

    overdue: int
    due_soon: int
    due_later: int


def rights_due(today: date) -> RightsDue:
    """Counted on the due_on index; the open states only."""
    soon = today + timedelta(days=DUE_SOON_DAYS)
    counts = RightsRequest.objects.filter(state__in=OPEN_STATES).aggregate(
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        due_soon=Count("pk", filter=Q(due_on__gte=today, due_on__lte=soon)),
        due_later=Count("pk", filter=Q(due_on__gt=soon)),
    )
    return RightsDue(**counts)


def month_starts(now: datetime, months: int = MONTHS_AHEAD) -> list[datetime]:
    """`now`, then the first instant of each of the next `months` months (local time): the
    bounds of the monthly columns, the first column being what is left of this month."""
    first = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return [now] + [add_months(first, index) for index in range(1, months + 1)]


def retention_by_month(now: datetime) -> list[tuple[datetime, int]]:
    """RULES F1: prospects whose retention ends in each of the next 12 months (this one first),
    counted in one query over a range of the retain_until index."""
    bounds = month_starts(now)
    ranges = list(pairwise(bounds))
    counts = Prospect.objects.filter(retain_until__gte=bounds[0], retain_until__lt=bounds[-1]).aggregate(
        **{f"m{index}": Count("pk", filter=Q(retain_until__gte=start, retain_until__lt=end))
           for index, (start, end) in enumerate(ranges)}
    )  # fmt: skip
    return [(start, counts[f"m{index}"]) for index, (start, _end) in enumerate(ranges)]


@dataclass(frozen=True)
class Finding:
    """One check that is not ok: its code (to find its title and fix), status and count."""

    code: str
    status: str
    count: int


def compliance(now: datetime) -> list[Finding]:
    """The compliance check's failures and warnings, cached (see the module's docstring)."""
    return cached(
        "compliance",
        lambda: [Finding(r.code, r.status, r.count) for r in run_checks(now) if r.status != OK],
        COMPLIANCE_SECONDS,
    )


@dataclass(frozen=True)
class ProspectFigures:
    """Every prospect figure of the dashboard (RULES F5: for the roles that may see prospects)."""

    total: int
    statuses: dict[str, int]
    bases: dict[str, int]
    sources: list[tuple[int, str, int]]
    source_count: int
    suppressed: int
    notices: Notices
    consent: ConsentFunnel
    retention: list[tuple[datetime, int]]


def prospect_figures(now: datetime) -> ProspectFigures:
    """The prospect figures, cached like the compliance check for FIGURES_SECONDS (see the
    module's docstring)."""

    def compute() -> ProspectFigures:
        statuses = by_status()
        total = sum(statuses.values())
        return ProspectFigures(
            total=total, statuses=statuses, bases=by_legal_basis(total), sources=by_source(),
            source_count=Source.objects.count(), suppressed=SuppressionEntry.objects.count(),
            notices=notices(now), consent=consent_funnel(now),
            retention=retention_by_month(timezone.localtime(now)),
        )  # fmt: skip

    return cached("prospects", compute, FIGURES_SECONDS)


def cached(name: str, compute: Callable[[], T], seconds: int) -> T:
    """`compute()`, kept in Django's cache under the last audit entry; not kept while the trail
    is empty (a new database), whose key would not tell one database from another."""
    last = last_audit_entry()
    if last is None:
        return compute()
    key = f"licite:dashboard:{name}:{last}"
    value: T | None = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


# Entries that change nothing a cached figure counts: a read, a list, an export, a login. They
# do not make a new key, so that opening a prospect (audited) does not make the next page count
# again. An entry missing here costs a count, never a stale figure.
READ_SUFFIXES = (".viewed", ".listed", ".exported", ".downloaded")
READ_PREFIXES = ("login.", "logout")


def last_audit_entry() -> str | None:
    """The last audit entry that may change a figure: its sequence number and hash, a new one at
    every action, and never the same in two databases (the hash covers the entry's time). Found
    on the sequence index from the end, past the reads that follow it."""
    reads = Q()
    for suffix in READ_SUFFIXES:
        reads |= Q(action__endswith=suffix)
    for prefix in READ_PREFIXES:
        reads |= Q(action__startswith=prefix)
    last = AuditEvent.objects.exclude(reads).order_by("-sequence").values_list("sequence", "hash").first()
    return "{}-{}".format(*last) if last else None


# The page that fixes what each compliance check finds: the URL names it may have (the likeliest
# first) and the filter or anchor that shows the problem there. One table for the dashboard and
# the compliance page; a check links to its page once that page exists, and otherwise its text
# names the command that fixes it.
@dataclass(frozen=True)
class Fix:
    names: tuple[str, ...]
    query: str = ""  # "notice=overdue", or "#key-backup" for a part of the page


FIXED_ON: dict[str, Fix] = {
    "consumers_without_consent": Fix(("prospect_list",), "audience=b2c"),
    "forbidden_sources_used": Fix(("source_list", "sources")),
    "campaigns_without_functions": Fix(("campaign_list", "campaigns")),
    "balancing_tests_missing": Fix(("source_list", "sources")),
    "balancing_tests_unfavourable": Fix(("source_list", "sources")),
    "spam_complaints": Fix(("campaign_list", "campaigns")),
    "bases_without_activity": Fix(("register", "register_index", "register_list")),
    "phones_without_purpose": Fix(("register", "register_index", "register_list")),
    "past_retention": Fix(("purge", "purge_history")),
    "purge_not_run": Fix(("purge", "purge_history")),
    "access_without_need": Fix(("user_list", "users")),
    "notices_overdue": Fix(("prospect_list",), "notice=overdue"),
    "no_dpo_contact": Fix(("register", "register_index", "register_list")),
    "rights_overdue": Fix(("rights_queue", "rights_list", "rights_requests")),
    "audit_chain_broken": Fix(("audit_trail", "audit", "audit_list")),
    "suppression_key_not_backed_up": Fix(("compliance",), "#key-backup"),
    "breach_not_notified": Fix(("breach_list",)),
    "breach_persons_not_told": Fix(("breach_list",)),
    "breach_undocumented": Fix(("breach_list",)),
    "processors_transfer_unsafe": Fix(("processor_list", "processors")),
    "processors_without_contract": Fix(("processor_list", "processors")),
    "processors_adequacy_limited": Fix(("processor_list", "processors")),
}


def fix_url(code: str) -> str | None:
    """The address of the page that fixes what the check `code` finds, or None while that page
    does not exist (suppression_key_missing has none: the key is a file, not a page)."""
    fix = FIXED_ON.get(code)
    path = url_of(fix.names) if fix else None
    if path is None or fix is None or not fix.query:
        return path
    return path + fix.query if fix.query.startswith("#") else f"{path}?{fix.query}"


def check_details() -> dict[str, Check]:
    """The registered checks by code: their rule, title and what to do (lazy translations)."""
    return {item.code: item for item in REGISTRY}
