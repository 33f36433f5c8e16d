"""The compliance check: every rule of RULES.md that the live data can show broken (issue 21).

A registry of check functions, grouped under the six good practices of prospecting from public
data (lawful basis, purpose limitation, minimization, retention, access, information) and the
rules outside them (rights, accountability). Each counts, set-based, what breaks its rule; the
thresholds and statuses are decided in licite.core.compliance. `licite compliance` prints them,
the inspection pack keeps them (licite.compliance.report).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from licite.core import compliance as rules
from licite.core.compliance import FAILURE, WARNING

Finding = tuple[int, str]  # what a check found: a count and its status


@dataclass(frozen=True)
class CheckResult:
    code: str
    status: str
    count: int
    rule: str
    title: Promise | str
    what_to_do: Promise | str
    practice: str = rules.ACCOUNTABILITY

    def as_dict(self) -> dict[str, Any]:
        """The result in English words, for JSON."""
        return {
            "code": self.code, "practice": self.practice, "status": self.status, "count": self.count,
            "rule": self.rule, "title": str(self.title), "what_to_do": str(self.what_to_do),
        }  # fmt: skip


@dataclass(frozen=True)
class Check:
    code: str
    practice: str
    rule: str
    title: Promise
    what_to_do: Promise
    count: Callable[[datetime], Finding]


PRACTICE_TITLES: dict[str, Promise] = {
    rules.LAWFUL_BASIS: _("Lawful basis"),
    rules.PURPOSE: _("Purpose limitation"),
    rules.MINIMIZATION: _("Minimization"),
    rules.RETENTION: _("Retention"),
    rules.ACCESS: _("Access limited to those who need it"),
    rules.INFORMATION: _("Information of the persons"),
    rules.RIGHTS: _("Rights of the persons"),
    rules.ACCOUNTABILITY: _("Accountability and security"),
}

REGISTRY: list[Check] = []


def check(code: str, practice: str, rule: str, title: Promise, what_to_do: Promise) -> Callable[..., Any]:
    """Register a check: a function of `now` returning (count, status)."""

    def register(function: Callable[[datetime], Finding]) -> Callable[[datetime], Finding]:
        REGISTRY.append(Check(code, practice, rule, title, what_to_do, function))
        return function

    return register


def run_checks(now: datetime) -> list[CheckResult]:
    """Every check against the live database, in the order of the practices."""
    order = {practice: index for index, practice in enumerate(rules.PRACTICES)}
    results = []
    for item in sorted(REGISTRY, key=lambda item: order[item.practice]):
        count, status = item.count(now)
        results.append(
            CheckResult(item.code, status, count, item.rule, item.title, item.what_to_do, item.practice)
        )
    return results


def failures(count: int) -> Finding:
    return count, rules.status_of(count, FAILURE)


def warnings(count: int) -> Finding:
    return count, rules.status_of(count, WARNING)


# --- Lawful basis ----------------------------------------------------------------------------


@check(
    "consumers_without_consent", rules.LAWFUL_BASIS, "C1, G5",
    _("Consumers sent a prospecting message without proved consent"),
    _(
        "Stop the campaign; run `licite consent request` and write only to those who consent (`licite "
        "erase EMAIL` for the others)."
    ),
)  # fmt: skip
def consumers_without_consent(now: datetime) -> Finding:
    """RULES C1, A4, G5: a consumer, or a private mailbox, received a campaign message without a
    consent given (and not withdrawn) before it was sent."""
    from licite.campaigns.models import OutboundMessage
    from licite.prospects.models import Prospect
    from licite.rights.models import ConsentRecord

    consented = ConsentRecord.objects.filter(
        prospect=OuterRef("prospect"), given_at__lte=OuterRef("sent_at")
    ).filter(Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=OuterRef("sent_at")))
    consumers = Prospect.objects.filter(Q(audience="b2c") | Q(email_kind="private"))
    sent = OutboundMessage.objects.filter(
        kind=OutboundMessage.Kind.CAMPAIGN, status=OutboundMessage.Status.SENT, prospect__in=consumers
    ).exclude(Exists(consented))
    return failures(sent.values("prospect").distinct().count())


@check(
    "forbidden_sources_used", rules.LAWFUL_BASIS, "B4",
    _(
        "Sources whose terms forbid automated extraction, or restricted to the persons' network, "
        "feeding prospects"
    ),
    _(
        "Run `licite sources show NAME`; erase what came from them (`licite erase EMAIL`) and declare "
        "the method actually used."
    ),
)  # fmt: skip
def forbidden_sources_used(now: datetime) -> Finding:
    """RULES B4 (KASPR): an automated collection from terms that forbid it, a known platform's
    terms refusing the method, or data restricted to a network, behind prospects still held."""
    from licite.core.sources import platform_refusal
    from licite.prospects.models import Provenance, Source

    used = Source.objects.filter(Exists(Provenance.objects.filter(source=OuterRef("pk"))))
    declared = used.filter(Q(method="automated", extraction_allowed="no") | Q(visibility="restricted"))
    unlawful = set(declared.values_list("pk", flat=True))
    for source in used.exclude(pk__in=unlawful).only("name", "url", "method", "notes"):
        if platform_refusal(source.name, source.url, source.method, source.notes) is not None:
            unlawful.add(source.pk)
    return failures(len(unlawful))


@check(
    "campaigns_without_functions", rules.LAWFUL_BASIS, "C3",
    _("B2B campaigns sent without the functions their offer concerns"),
    _(
        "Declare the functions of each new campaign (`licite campaign create --functions ...`): the "
        "offer must relate to the recipients' jobs."
    ),
)  # fmt: skip
def campaigns_without_functions(now: datetime) -> Finding:
    """RULES C3 (NESTOR): legitimate interest holds only if the message relates to the person's job."""
    from licite.campaigns.models import Campaign

    sent = Campaign.objects.filter(audience="b2b").exclude(status=Campaign.Status.DRAFT)
    return failures(sum(1 for functions in sent.values_list("functions", flat=True) if not functions))


@check(
    "balancing_tests_missing", rules.LAWFUL_BASIS, "C4",
    _("Legitimate-interest sources without a balancing test, or with one more than a year old"),
    _(
        "Run `licite sources assess NAME --interest TEXT --expectations TEXT --safeguards TEXT` for "
        "each (`licite sources list` names them)."
    ),
)  # fmt: skip
def balancing_tests_missing(now: datetime) -> Finding:
    """RULES C4: a written balancing test per legitimate-interest source, reviewed yearly
    (licite.prospects.balancing.stale_tests). None at all is a failure; one to review a warning."""
    from licite.prospects.balancing import stale_tests

    stale = stale_tests(now)
    missing = sum(1 for _source, test in stale if test is None)
    return rules.split_status(missing, len(stale) - missing)


@check(
    "balancing_tests_unfavourable", rules.LAWFUL_BASIS, "C4",
    _("Sources whose latest balancing test is unfavourable still feeding legitimate-interest prospects"),
    _(
        "Stop prospecting them: erase what came from the source (`licite erase EMAIL`), ask for their "
        "consent (`licite consent request`), or reassess it (`licite sources assess NAME`)."
    ),
)  # fmt: skip
def balancing_tests_unfavourable(now: datetime) -> Finding:
    """RULES C4: when the persons' rights prevail, legitimate interest is no basis: prospects held
    on it from a source whose latest balancing test concludes so are held unlawfully."""
    from licite.prospects.balancing import latest_test, legitimate_interest_sources
    from licite.prospects.models import Conclusion, LegalBasis, Provenance

    unfavourable = 0
    for source in legitimate_interest_sources():
        test = latest_test(source)
        held = Provenance.objects.filter(source=source, prospect__legal_basis=LegalBasis.LEGITIMATE_INTEREST)
        if test is not None and test.conclusion == Conclusion.UNFAVOURABLE and held.exists():
            unfavourable += 1
    return failures(unfavourable)


@check(
    "spam_complaints", rules.LAWFUL_BASIS, "C3, E4",
    _("Spam complaints at or above 0.3 % of the messages sent in the last 30 days"),
    _(
        "Narrow the campaigns to the functions they concern (`licite campaign preview NAME`) and "
        "check the opt-outs work."
    ),
)  # fmt: skip
def spam_complaints(now: datetime) -> Finding:
    """RULES E4, C3: the large mailbox providers refuse senders at 0.3 % complaints; a sign that
    messages reach people they do not concern, whose interest then prevails over the sender's."""
    from licite.campaigns.models import OutboundMessage
    from licite.rights.models import SuppressionEntry

    since = now - timedelta(days=rules.COMPLAINT_WINDOW_DAYS)
    sent = OutboundMessage.objects.filter(kind=OutboundMessage.Kind.CAMPAIGN, sent_at__gte=since).count()
    complaints = SuppressionEntry.objects.filter(reason="complaint", created_at__gte=since).count()
    return warnings(complaints if rules.complaint_rate_too_high(complaints, sent) else 0)


# --- Purpose limitation ----------------------------------------------------------------------


@check(
    "bases_without_activity", rules.PURPOSE, "C5, H1",
    _("Legal bases of prospects held that no activity of the register declares"),
    _(
        "Declare the processing activity in the register (admin: Register of processing), or run "
        "`licite init`."
    ),
)  # fmt: skip
def bases_without_activity(now: datetime) -> Finding:
    """RULES C5, H1: data is processed only for the purposes the register declares."""
    from licite.prospects.models import Prospect
    from licite.register.models import ProcessingActivity

    held = set(Prospect.objects.order_by().values_list("legal_basis", flat=True).distinct())
    declared = set(ProcessingActivity.objects.values_list("legal_basis", flat=True))
    return failures(len(held - declared))


# --- Minimization ----------------------------------------------------------------------------


@check(
    "phones_without_purpose", rules.MINIMIZATION, "B6",
    _("Prospects holding a professional phone while no activity of the register declares one"),
    _(
        "Declare the phone in the activity that needs it (admin: Register of processing, \"keeps a "
        "professional phone\"), or take the phones out of the records."
    ),
)  # fmt: skip
def phones_without_purpose(now: datetime) -> Finding:
    """RULES B6: keep only what the purpose needs; a phone only when an activity declares it
    (the import drops it otherwise; this finds those kept before, or entered by hand)."""
    from licite.prospects.models import Prospect
    from licite.register.models import ProcessingActivity

    if ProcessingActivity.objects.filter(keeps_professional_phone=True).exists():
        return 0, rules.OK
    return failures(Prospect.objects.exclude(phone="").count())


# --- Retention -------------------------------------------------------------------------------


@check(
    "past_retention", rules.RETENTION, "F1, F4, C2, D2",
    _("Records past their retention, not yet purged"),
    _("Run `licite purge` (and keep `licite worker` running: it purges daily)."),
)  # fmt: skip
def past_retention(now: datetime) -> Finding:
    """RULES F1-F4, C2, D2: what the purge would erase now; a failure when it was due two days
    ago already (the daily purge should have taken it), a warning when it is due since today."""
    from licite.rights import purge

    def due(moment: datetime) -> int:
        finders = (
            purge.retention_ended,
            purge.no_consent,
            purge.notice_never_sent,
            purge.suppression_expired,
        )
        return sum(finder(moment).count() for finder in finders)

    total, long_due = due(now), due(now - timedelta(days=rules.PURGE_MAX_DAYS))
    return rules.split_status(long_due, total - long_due)


@check(
    "purge_not_run", rules.RETENTION, "F1-F4",
    _("The purge has not run for more than 2 days"),
    _("Run `licite purge`, and keep `licite worker` running: it runs the purge every day."),
)  # fmt: skip
def purge_not_run(now: datetime) -> Finding:
    """RULES F1-F4: the purge that erases on time runs daily; each run leaves "purge.*" entries."""
    from licite.audit.models import AuditEvent
    from licite.prospects.models import Prospect

    last = (
        AuditEvent.objects.filter(action__startswith="purge.")
        .order_by("-sequence")
        .values_list("at", flat=True)
        .first()
    )
    if last is None and not Prospect.objects.exists():
        return 0, rules.OK  # nothing held yet, nothing to purge
    return warnings(int(rules.purge_stale(last, now)))


# --- Access ----------------------------------------------------------------------------------


@check(
    "access_without_need", rules.ACCESS, "F5",
    _("Users whose role needs no prospects but who hold rights on them"),
    _(
        "In the admin page Users, give them the role their job needs, or take away superuser status "
        "and the permissions on prospects."
    ),
)  # fmt: skip
def access_without_need(now: datetime) -> Finding:
    """RULES F5: a role of "other" (HR, finance) sees no prospect; a superuser status or a
    permission on personal data given to such a user contradicts the role (licite refuses them
    the pages today, and one role change would open them)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    from licite.accounts.models import PROSPECT_ROLES

    personal = Permission.objects.filter(content_type__app_label__in=("prospects", "campaigns", "rights"))
    users = get_user_model().objects.filter(is_active=True).exclude(role__in=PROSPECT_ROLES)
    granted = users.filter(
        Q(is_superuser=True) | Q(user_permissions__in=personal) | Q(groups__permissions__in=personal)
    )
    return warnings(granted.values("pk").distinct().count())


# --- Information -----------------------------------------------------------------------------


@check(
    "notices_overdue", rules.INFORMATION, "D2",
    _("Art. 14 notices overdue"),
    _(
        "Run `licite notice due --days 0` and send them their notice (their first message carries "
        "it); `licite purge` erases those never informed."
    ),
)  # fmt: skip
def notices_overdue(now: datetime) -> Finding:
    """RULES D2: the notice is due one month after collection at the latest."""
    from licite.prospects.models import Prospect, notice_overdue

    return failures(Prospect.objects.filter(notice_overdue(now)).count())


@check(
    "no_dpo_contact", rules.INFORMATION, "D1, H1",
    _("No organisation profile, or no DPO contact in it"),
    _("Run `licite init --dpo-name NAME --dpo-email EMAIL` (or edit the organisation in the admin)."),
)  # fmt: skip
def no_dpo_contact(now: datetime) -> Finding:
    """RULES D1, H1: the notice and the register give the controller's and the DPO's contacts.
    No profile at all is a failure (no notice can name the controller); no DPO a warning (not
    every organisation must appoint one, but the persons need a contact for their data)."""
    from licite.accounts.models import Organisation

    organisation = Organisation.current()
    if organisation is None:
        return 1, FAILURE
    return warnings(0 if organisation.has_dpo else 1)


# --- Rights ----------------------------------------------------------------------------------


@check(
    "rights_overdue", rules.RIGHTS, "G1",
    _("Rights requests past their due day"),
    _("Run `licite rights list --overdue` and answer them now (`licite rights fulfil ID`)."),
)  # fmt: skip
def rights_overdue(now: datetime) -> Finding:
    """RULES G1: within one calendar month of receipt (or its extension)."""
    from django.utils import timezone

    from licite.rights.actions import overdue_requests

    return failures(overdue_requests(timezone.localdate(now)).count())


# --- Accountability and security -------------------------------------------------------------


@check(
    "audit_chain_broken", rules.ACCOUNTABILITY, "H1",
    _("The audit trail's hash chain does not verify"),
    _(
        "Run `licite audit verify` for the first broken entry, and restore the database or the audit "
        "head from a backup (docs/audit.md)."
    ),
)  # fmt: skip
def audit_chain_broken(now: datetime) -> Finding:
    """GDPR art. 5.2: the trail that proves compliance must prove itself (licite.audit.chain)."""
    from licite.audit.actions import verify
    from licite.audit.chain import ChainError

    try:
        verify()
    except ChainError:
        return 1, FAILURE
    return 0, rules.OK


@check(
    "suppression_key_missing", rules.ACCOUNTABILITY, "F4",
    _("The suppression key is missing, or is not the key that hashed the records"),
    _(
        "Put the backed-up key back (LICITE_SUPPRESSION_KEY or the file suppression_key under "
        "LICITE_HOME), then run `licite key fingerprint`."
    ),
)  # fmt: skip
def suppression_key_missing(now: datetime) -> Finding:
    """RULES F4: without its key no suppressed address is recognised again. The key is missing
    when its file went away, and wrong when the stored hashes of prospects were made by another."""
    from licite.core.suppression import suppression_hash
    from licite.prospects.models import Prospect

    file = Path(settings.LICITE_HOME) / "suppression_key"
    if not _key_from_environment() and not file.exists():
        return 1, FAILURE
    sample = Prospect.objects.order_by("pk").values_list("email", "key_hash")[:20]
    wrong = sum(1 for email, stored in sample if suppression_hash(email, settings.SUPPRESSION_KEY) != stored)
    return failures(1 if wrong else 0)


def _key_from_environment() -> bool:
    import os

    return bool(os.environ.get("LICITE_SUPPRESSION_KEY", "").strip())


@check(
    "suppression_key_not_backed_up", rules.ACCOUNTABILITY, "F4",
    _("No one has acknowledged a backup of the suppression key in use"),
    _("Back up the key, then run `licite key fingerprint` and `licite key acknowledge FINGERPRINT`."),
)  # fmt: skip
def suppression_key_not_backed_up(now: datetime) -> Finding:
    """RULES F4: the key's fingerprint, typed back by whoever backed it up."""
    from licite.compliance.actions import key_acknowledged

    return warnings(0 if key_acknowledged() else 1)


@check(
    "breach_not_notified", rules.ACCOUNTABILITY, "H1b",
    _("Breaches with a risk not notified to the CNIL within 72 hours"),
    _(
        "Notify the CNIL (notifications.cnil.fr), then run `licite breach notify ID --at DATE`; "
        "`licite breach list` shows the clock."
    ),
)  # fmt: skip
def breach_not_notified(now: datetime) -> Finding:
    """RULES H1b (art. 33.1): a failure past 72 hours; a warning while the clock runs."""
    from licite.compliance.models import Breach

    open_ = Breach.objects.exclude(risk="none").filter(cnil_notified_at__isnull=True)
    overdue = open_.filter(found_at__lt=now - timedelta(hours=rules.BREACH_NOTIFY_HOURS)).count()
    return rules.split_status(overdue, open_.count() - overdue)


@check(
    "breach_persons_not_told", rules.ACCOUNTABILITY, "H1b",
    _("High-risk breaches whose persons were not told"),
    _(
        "Tell the persons concerned, then run `licite breach tell ID --at DATE` (or `licite breach "
        "not-told ID --reason TEXT`, GDPR art. 34.3)."
    ),
)  # fmt: skip
def breach_persons_not_told(now: datetime) -> Finding:
    """RULES H1b (art. 34): a high risk obliges telling the persons without undue delay."""
    from licite.compliance.models import Breach

    untold = Breach.objects.filter(risk="high", persons_told_at__isnull=True, persons_not_told_reason="")
    return failures(untold.count())


@check(
    "breach_undocumented", rules.ACCOUNTABILITY, "H1b",
    _("Breaches left unnotified as riskless without the reason written"),
    _("Run `licite breach waive ID --reason TEXT`: why the breach is unlikely to result in a risk."),
)  # fmt: skip
def breach_undocumented(now: datetime) -> Finding:
    """RULES H1b (art. 33.5): the reason not to notify is part of the documentation."""
    from licite.compliance.models import Breach

    silent = Breach.objects.filter(risk="none", cnil_notified_at__isnull=True, no_notification_reason="")
    return warnings(silent.count())


@check(
    "processors_transfer_unsafe", rules.ACCOUNTABILITY, "B7",
    _("Processors outside the EU/EEA without a valid transfer mechanism"),
    _(
        "Sign standard contractual clauses with them, then run `licite processors edit NAME "
        "--mechanism scc` (or change processor)."
    ),
)  # fmt: skip
def processors_transfer_unsafe(now: datetime) -> Finding:
    """RULES B7: outside the EU/EEA, an adequacy decision that covers the country, or safeguards
    (licite.core.transfers.transfer_problem_kind decides)."""
    from licite.core.transfers import transfer_problem_kind
    from licite.processors.models import Processor

    declared = Processor.objects.values_list("country", "transfer_mechanism")
    return failures(sum(1 for country, mechanism in declared if transfer_problem_kind(country, mechanism)))


@check(
    "processors_without_contract", rules.ACCOUNTABILITY, "B7",
    _("Processors without an Art. 28 contract recorded, or an email provider not declared as one"),
    _(
        "Record the contract: `licite processors edit NAME --contract-date DATE`; declare the email "
        "provider `licite check` names."
    ),
)  # fmt: skip
def processors_without_contract(now: datetime) -> Finding:
    """RULES B7 (art. 28.3): each processor works under a contract, which the GDPR makes mandatory: a
    processor without one recorded fails. The email provider that carries every message is one
    (licite.processors.checks); not declared, it warns, as `licite check` does."""
    from licite.processors.checks import undeclared_email_provider
    from licite.processors.models import Processor

    missing = Processor.objects.filter(contract_date__isnull=True).count()
    return rules.split_status(missing, 1 if undeclared_email_provider() else 0)


@check(
    "processors_adequacy_limited", rules.ACCOUNTABILITY, "B7",
    _(
        "Processors in the United States or Canada on an adequacy decision that covers some "
        "organisations only"
    ),
    _(
        "Check the processor is covered (US: certified under the Data Privacy Framework, "
        "dataprivacyframework.gov; Canada: subject to PIPEDA), or sign standard contractual clauses "
        "and run `licite processors edit NAME --mechanism scc`."
    ),
)  # fmt: skip
def processors_adequacy_limited(now: datetime) -> Finding:
    """RULES B7 (art. 45): the US decision covers DPF-certified organisations only, the Canadian one
    commercial organisations under PIPEDA: licite cannot tell, the controller checks (a warning)."""
    from licite.core.transfers import adequacy_limit
    from licite.processors.models import Processor

    declared = Processor.objects.values_list("country", "transfer_mechanism")
    return warnings(sum(1 for country, mechanism in declared if adequacy_limit(country, mechanism)))
