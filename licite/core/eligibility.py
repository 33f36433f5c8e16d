"""Whether one campaign message may go to one prospect, and why not (RULES B5, C1-C3, D1-D3, F1, F4, G3, G5).

Decided per message when a campaign is previewed, and again at send time inside the sending
transaction: the caller reads the facts from the database, the decision itself is pure. The
first rule that fails is the reason; where the law leaves room, the stricter reading holds,
because a wrongly allowed message is the dangerous error.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from licite.core.functions import TABLE, FunctionTable, normalize_words, relevance

__all__ = [
    "PROSPECT_ERASED",
    "CampaignFacts",
    "Decision",
    "Exclusion",
    "ProspectFacts",
    "decide",
    "explain_unrelated",
    "job_relates",
    "normalize_words",
    "notice_overdue",
    "summarize",
]

AUDIENCES = ("b2b", "b2c")
EMAIL_KINDS = ("nominative", "generic", "private")


class Exclusion(enum.StrEnum):
    """Why a message may not be sent, in the order `decide` checks them."""

    SUPPRESSED = "suppressed"  # RULES F4, G3: the address's keyed hash is on the suppression list
    ERASED = "erased"  # the prospect record no longer exists (send-time re-check: PROSPECT_ERASED)
    HARD_BOUNCE = "hard_bounce"  # RULES B5
    INVALID_ADDRESS = "invalid_address"  # RULES B5: an address of no known kind cannot be trusted
    RETENTION_EXPIRED = "retention_expired"  # RULES F1: now >= retain_until
    RESTRICTED = "restricted"  # GDPR art. 18: processing restricted while a request is handled
    AUDIENCE_MISMATCH = "audience_mismatch"  # the campaign targets b2b only or b2c only
    CONSENT_WITHDRAWN = "consent_withdrawn"  # RULES F3, G5
    NO_CONSENT = "no_consent"  # RULES C1, C2: consent not proved, or still pending
    NO_JOB_TITLE = "no_job_title"  # RULES C3: without a title, relevance cannot be shown
    JOB_UNRELATED = "job_unrelated"  # RULES C3 (NESTOR)
    NOTICE_OVERDUE = "notice_overdue"  # RULES D2: reports only (notice_overdue); never returned by decide


@dataclass(frozen=True, slots=True)
class ProspectFacts:
    """What the database knows of a prospect when a message to them is considered."""

    audience: str  # "b2b" | "b2c"
    email_kind: str  # "nominative" | "generic" | "private"
    status: str  # "active" | "consent_pending" | "restricted"
    job_title: str
    retain_until: datetime
    notice_sent_at: datetime | None
    notice_due_at: datetime
    suppressed: bool
    consent_given: bool  # a ConsentRecord with given_at and no withdrawn_at exists
    consent_withdrawn: bool  # the latest consent was withdrawn
    hard_bounced: bool


@dataclass(frozen=True, slots=True)
class CampaignFacts:
    audience: str  # "b2b" | "b2c"
    functions: tuple[str, ...]  # professions, functions or keywords the offer concerns: ("achat", "DAF")
    table: FunctionTable = field(
        default=TABLE
    )  # licite's functions and their titles, with the organisation's


@dataclass(frozen=True, slots=True)
class Decision:
    eligible: bool
    reason: Exclusion | None
    detail: str
    include_notice: bool  # RULES D1-D3: the notice was never sent, so this message must carry it

    def __post_init__(self) -> None:
        if self.eligible != (self.reason is None):
            raise ValueError("a decision has a reason exactly when it is not eligible")


# The outbox re-checks each message at send time; when the prospect's row is gone, this is the answer.
PROSPECT_ERASED = Decision(False, Exclusion.ERASED, "the prospect's data was erased", False)

_Outcome = tuple[Exclusion | None, str]


def decide(prospect: ProspectFacts, campaign: CampaignFacts, now: datetime) -> Decision:
    """Whether the campaign's message may go to the prospect at `now`; the first failed rule is the reason."""
    _require_aware(now, "now")
    _require_aware(prospect.retain_until, "retain_until")
    reason, detail = (
        _address(prospect)
        or _retention(prospect, now)
        or _status(prospect)
        or _audience(prospect, campaign)
        or _consent(prospect)
        or _relevance(prospect, campaign)
    )
    return Decision(reason is None, reason, detail, prospect.notice_sent_at is None)


def notice_overdue(prospect: ProspectFacts, now: datetime) -> bool:
    """RULES D2: the notice was not sent and its deadline has passed (for reports, not for sending)."""
    _require_aware(now, "now")
    _require_aware(prospect.notice_due_at, "notice_due_at")
    return prospect.notice_sent_at is None and now > prospect.notice_due_at


def summarize(decisions: Iterable[Decision]) -> dict[str, int]:
    """Counts of eligible messages and of each exclusion, every key present, in the order of the checks."""
    counts = dict.fromkeys(["eligible", *(exclusion.value for exclusion in Exclusion)], 0)
    for decision in decisions:
        counts["eligible" if decision.reason is None else decision.reason.value] += 1
    return counts


def job_relates(job_title: str, functions: Sequence[str], table: FunctionTable = TABLE) -> bool:
    """RULES C3: whether one of the offer's functions relates to the job title.

    A function matches when each of its words shares its stem with a word of the title, in French
    or English, feminine or plural ("achat" matches "Achats"); a function that is a title of the
    table, or its key, stands for every title of its function ("achat" matches "Acheteuse",
    "Head of Sourcing"). See `licite.core.functions`.
    """
    return relevance(tuple(functions), table).match(job_title) is not None


def explain_unrelated(functions: Sequence[str], table: FunctionTable = TABLE) -> str:
    """Why a title was refused: "matches none of the functions purchasing (achat, acheteur, buyer...)"."""
    return f"matches none of the functions {relevance(tuple(functions), table).describe()}"


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime (never a naive one)")


def _address(prospect: ProspectFacts) -> _Outcome | None:
    # RULES F4, G3: an objection is absolute and stops every future message at once.
    if prospect.suppressed:
        return Exclusion.SUPPRESSED, "the address is on the suppression list (RULES F4, G3)"
    # RULES B5: a hard bounce proves the address inaccurate.
    if prospect.hard_bounced:
        return Exclusion.HARD_BOUNCE, "the address hard-bounced: it is inaccurate (RULES B5)"
    if prospect.email_kind not in EMAIL_KINDS:
        return Exclusion.INVALID_ADDRESS, f"the address is of no known kind ({prospect.email_kind!r})"
    return None


def _retention(prospect: ProspectFacts, now: datetime) -> _Outcome | None:
    # RULES F1: at the end of retention the data must go; no campaign message may use it.
    if now >= prospect.retain_until:
        return Exclusion.RETENTION_EXPIRED, "the retention period has ended (RULES F1)"
    return None


def _status(prospect: ProspectFacts) -> _Outcome | None:
    if prospect.status == "restricted":
        return Exclusion.RESTRICTED, "processing is restricted while a request is handled (GDPR art. 18)"
    if prospect.status not in ("active", "consent_pending"):
        return Exclusion.RESTRICTED, f"the status {prospect.status!r} does not allow sending"
    return None


def _audience(prospect: ProspectFacts, campaign: CampaignFacts) -> _Outcome | None:
    if campaign.audience not in AUDIENCES:
        return Exclusion.AUDIENCE_MISMATCH, f"the campaign's audience {campaign.audience!r} is unknown"
    if prospect.audience != campaign.audience:
        return (
            Exclusion.AUDIENCE_MISMATCH,
            f"the campaign targets {campaign.audience} only; the prospect is {prospect.audience!r}",
        )
    return None


def _consent(prospect: ProspectFacts) -> _Outcome | None:
    # RULES F3, G5: a withdrawal ends prospecting, whatever the audience.
    if prospect.consent_withdrawn:
        return Exclusion.CONSENT_WITHDRAWN, "the prospect withdrew their consent (RULES F3, G5)"
    # RULES C2: while consent is pending only the consent request may go out, never a campaign.
    if prospect.status == "consent_pending":
        return Exclusion.NO_CONSENT, "consent is pending: only the consent request may go (RULES C2)"
    # RULES C1, A4: a consumer, or any private mailbox, needs proved consent.
    if (prospect.audience == "b2c" or prospect.email_kind == "private") and not prospect.consent_given:
        return Exclusion.NO_CONSENT, "a consumer needs proved, unwithdrawn consent (RULES C1, C2, G5)"
    return None


def _relevance(prospect: ProspectFacts, campaign: CampaignFacts) -> _Outcome:
    if prospect.audience == "b2c":
        return None, "consent is proved and not withdrawn (RULES C1, G5)"
    # RULES A2: a role address of a company is not a person; there is no job to relate to.
    if prospect.email_kind == "generic":
        return None, "a role address is a company contact, not a person: no job to relate to (RULES A2)"
    # RULES C3: the offer must be shown to relate to the person's job (NESTOR, 2020).
    if not campaign.functions:
        return Exclusion.JOB_UNRELATED, "the campaign declares no functions"
    if not normalize_words(prospect.job_title):
        return Exclusion.NO_JOB_TITLE, "no job title: the offer cannot be shown to relate to a job (RULES C3)"
    title = prospect.job_title.strip()
    match = relevance(tuple(campaign.functions), campaign.table).match(title)
    if match is None:
        why = explain_unrelated(campaign.functions, campaign.table)
        return Exclusion.JOB_UNRELATED, f"the job title {title!r} {why} (RULES C3)"
    function, through = match
    via = f", as a title of {', '.join(f.key for f in through)}" if through else ""
    return None, f"the job title {title!r} relates to {function!r}{via} (RULES C3)"
