"""A realistic, generated, French/English demo data set. Every person and company is fictitious:
company domains end in the reserved `.example` top-level domain, and the few private mailboxes
carry a `licitedemo` marker in their local part.

Demo data is marked as such: every demo prospect comes from a demo import batch (its report holds
`DEMO_MARK`), and the outbox never sends a demo prospect a message through a backend that reaches
a real server, whatever the address (licite.campaigns.actions). The demo shows a lawful state:
its activities are written in French and English (RULES D4), its sources have the balancing test
their legitimate-interest prospects need (RULES C4), every notice past its deadline was sent
(RULES D2), the consumers asked long ago consented (RULES C2) and its one breach was notified in
time (RULES H1b): a fresh demo passes the compliance check, with a few warnings a DPO can fix."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from licite.accounts.models import User
from licite.audit.actions import record
from licite.campaigns.models import Channel, ContactEvent, ContactKind
from licite.compliance.actions import do_notify_breach, do_record_breach
from licite.compliance.models import BreachRisk
from licite.core import clocks
from licite.core.emails import classify_email
from licite.core.suppression import identity_hasher, suppression_hasher
from licite.lib.fictitious import (
    FREE_DOMAINS,
    PURCHASING_TITLES,
    ROLE_LOCALS,
    Company,
    Fictitious,
    ascii_slug,
)
from licite.processors.actions import do_save_processor
from licite.processors.models import Processor
from licite.prospects.actions import do_assess_source
from licite.prospects.models import (
    Audience,
    CollectionMethod,
    ExtractionAllowed,
    ImportBatch,
    LegalBasis,
    Prospect,
    ProspectStatus,
    Provenance,
    Source,
    SourceKind,
    Visibility,
)
from licite.register.models import ProcessingActivity
from licite.register.presets import B2B, B2C, do_write_presets
from licite.rights.models import ConsentChannel, ConsentRecord, SuppressionEntry, SuppressionReason

# A share of the demo's people come from a recent import (the last RECENT_DAYS days), so that some
# notices are still to send before their deadline, as in a live installation (RULES D2).
RECENT_SHARE = 0.15
RECENT_DAYS = 25
# Of those, the share already sent their notice (the others get it with their first message).
NOTICE_SENT_SHARE = 0.4

# The countries of the demo's companies, one company each: mostly French, some English-speaking.
COMPANY_COUNTRIES = ("FR",) * 9 + ("GB", "GB", "CH", "IE", "BE")
# The share of the demo's people who work in purchasing, whom its sample campaign reaches.
PURCHASING_SHARE = 0.25
ROLE_SLOTS = frozenset({4, 14})
PRIVATE_SLOTS = frozenset({1, 8, 17})


# The report of a demo import batch holds this key, set to true: the mark of demo data.
DEMO_MARK = "demo"

# RULES C4: the balancing test of each demo source, in the words of its reasoning.
BALANCING = {
    "LinkedIn": (
        "Offering our consulting services to professionals whose public profile shows a related job.",
        "Only what the person made public on their profile, read by hand; the offer relates to their job.",
        "Notice in the first message, one-click objection, no scraping tool, nothing restricted "
        "to a network.",
    ),
    "Salon Industrie Lyon 2026 – exposants": (
        "Offering our services to exhibitors of an industry fair.",
        "Exhibitors publish their contacts so that partners and suppliers reach them.",
        "Notice in the first message, one-click objection, offer related to the exhibitor's trade.",
    ),
    "Annuaire des artisans du Grand Est": (
        "Offering our services to craftsmen listed in a professional directory.",
        "The directory lists businesses to be contacted; its terms permit the export.",
        "Notice in the first message, one-click objection, role and work addresses only.",
    ),
    "Company websites – team pages": (
        "Offering our services to staff presented on their company's own website.",
        "A team page presents staff to clients and partners; the offer relates to their job.",
        "Notice in the first message, one-click objection, only name, job and work address kept.",
    ),
    "Contact form on our website": (
        "Answering and following up people who wrote to us through our contact form.",
        "A person who writes to us expects an answer and a follow-up about what they asked.",
        "Notice at collection, one-click objection in every message.",
    ),
}


# RULES C4: what every demo test says of necessity and of its conclusion.
NECESSITY = (
    "Only the name, job, company and work address are kept: what a message about the person's "
    "job needs, and nothing more (RULES B6)."
)
CONCLUSION = "The offer relates to the persons' jobs and they can object at once: the interest prevails."

# RULES B7: the demo sends through an email provider established and hosting in the EU.
EMAIL_PROCESSOR = {
    "name": "Brevo",
    "service": "Sending the prospecting emails",
    "country": "FR",
    "transfer_mechanism": "none",
    "contract_date": "2026-01-15",
    "contract_reference": "Brevo data processing agreement, accepted 2026-01-15",
    "email_backend": "brevo",
}


@dataclass(frozen=True)
class DemoSummary:
    sources: int
    prospects: int
    contacts: int
    consents: int
    suppressed: int


def _sources() -> list[Source]:
    return [
        Source(
            name="LinkedIn",
            kind=SourceKind.SOCIAL_NETWORK,
            url="https://www.linkedin.com/",
            method=CollectionMethod.MANUAL,
            extraction_allowed=ExtractionAllowed.NO,
            terms_reference="LinkedIn User Agreement, section 8.2",
            visibility=Visibility.PUBLIC,
            notes="Public profile pages read by hand; no scraping tool.",
        ),
        Source(
            name="Salon Industrie Lyon 2026 – exposants",
            kind=SourceKind.EVENT,
            url="https://salon-industrie-lyon.example/exposants",
            method=CollectionMethod.MANUAL,
            extraction_allowed=ExtractionAllowed.UNKNOWN,
            visibility=Visibility.PUBLIC,
        ),
        Source(
            name="Annuaire des artisans du Grand Est",
            kind=SourceKind.DIRECTORY,
            url="https://annuaire-artisans.example/",
            method=CollectionMethod.EXPORT,
            extraction_allowed=ExtractionAllowed.YES,
            terms_reference="CGU article 6: export permitted",
            visibility=Visibility.PUBLIC,
        ),
        Source(
            name="Company websites – team pages",
            kind=SourceKind.WEBSITE,
            method=CollectionMethod.MANUAL,
            extraction_allowed=ExtractionAllowed.UNKNOWN,
            visibility=Visibility.PUBLIC,
        ),
        Source(
            name="Contact form on our website",
            kind=SourceKind.FORM,
            url="https://demo-conseil.example/contact",
            method=CollectionMethod.FORM,
            extraction_allowed=ExtractionAllowed.YES,
            visibility=Visibility.PUBLIC,
        ),
    ]


def _companies(fictitious: Fictitious) -> list[Company]:
    """One fictitious company for each of COMPANY_COUNTRIES, each on its own `.example` domain."""
    companies: dict[str, Company] = {}
    for country in COMPANY_COUNTRIES:
        language = "fr" if country in ("FR", "BE", "CH") else "en"
        company = fictitious.company(country, language)
        while company.domain in companies:
            company = fictitious.company(country, language)
        companies[company.domain] = company
    return list(companies.values())


def _person(rng: random.Random, fake: Fictitious, companies: list[Company], index: int) -> dict[str, str]:
    company = rng.choice(companies)
    first, last = fake.person(company.language)
    domain = company.domain
    # The mix is set by position, not drawn, so that even a small demo shows every case: one
    # person in ten at a role address, three in twenty at a private mailbox.
    slot = index % 20
    if slot in ROLE_SLOTS:
        local = f"{rng.choice(ROLE_LOCALS)}{index}"
    elif slot in PRIVATE_SLOTS:
        local, domain = (
            f"{ascii_slug(first, '.')}.{ascii_slug(last, '.')}.licitedemo{index}",
            rng.choice(FREE_DOMAINS),
        )
    else:
        local = f"{ascii_slug(first, '.')}.{ascii_slug(last, '.')}{index}"
    if rng.random() < PURCHASING_SHARE:
        title = rng.choice(PURCHASING_TITLES[company.language])
    else:
        title = fake.job_title(company.language)
    return {
        "email": f"{local}@{domain}",
        "first_name": first,
        "last_name": last,
        "company": company.name,
        "company_domain": company.domain,
        "job_title": title,
        "country": company.country,
        "language": company.language,
    }


@transaction.atomic
def generate(count: int, seed: int, now: datetime, collector: User | None) -> DemoSummary:
    """Fill an empty database; the caller checks that it is empty."""
    rng, fictitious = random.Random(seed), Fictitious(seed)
    companies = _companies(fictitious)
    sources = [Source.objects.filter(name=s.name).first() or _saved(s) for s in _sources()]
    do_write_presets(collector)  # the register's presets, as `licite init` writes them
    for activity in ProcessingActivity.objects.filter(preset__in=(B2B, B2C)):
        activity.sources.add(*sources)  # RULES H1: the register names the real sources
    _assess(sources, collector)
    _declare_email_processor(collector)
    batches = {source.pk: _demo_batch(source, now, collector) for source in sources}
    prospects, links = [], []
    seen: set[str] = set()
    hash_identity = identity_hasher(settings.SUPPRESSION_KEY)
    for index in range(count):
        person = _person(rng, fictitious, companies, index)
        verdict = classify_email(person["email"])
        if verdict.normalized is None or verdict.normalized in seen:
            continue
        seen.add(verdict.normalized)
        days = rng.randint(0, RECENT_DAYS) if rng.random() < RECENT_SHARE else rng.randint(0, 900)
        collected = now - timedelta(days=days, minutes=rng.randint(0, 1440))
        private = verdict.kind == "private"
        informed = min(now, collected + timedelta(days=rng.randint(1, 20)))  # never in the future
        # RULES D2: a notice goes out before its deadline, as the real flow sends it (the purge
        # erases whoever was never informed); only the notices not yet due may still be waiting.
        due = clocks.notice_due_at(collected)
        sent = rng.random() < NOTICE_SENT_SHARE or due <= now
        prospects.append(
            Prospect(
                **{**person, "email": verdict.normalized},
                key_hash=hash_identity(verdict.normalized),
                email_kind=str(verdict.kind),
                audience=Audience.B2C if private else Audience.B2B,
                legal_basis=LegalBasis.CONSENT if private else LegalBasis.LEGITIMATE_INTEREST,
                status=ProspectStatus.CONSENT_PENDING if private else ProspectStatus.ACTIVE,
                collected_at=collected,
                collected_by=collector,
                notice_due_at=due,
                notice_sent_at=informed if sent else None,
                retain_until=clocks.retain_until(collected),
            )
        )
    prospects = Prospect.objects.bulk_create(prospects)
    for line, prospect in enumerate(prospects, start=2):
        source = sources[1] if line % 3 == 0 else rng.choice(sources)
        links.append(
            Provenance(
                prospect=prospect,
                source=source,
                batch=batches[source.pk],
                line_number=line if source == sources[1] else None,
                page_url=source.url,
                collected_at=prospect.collected_at,
                collected_by=collector,
            )
        )
    Provenance.objects.bulk_create(links)
    contacts, consents = _contacts_and_consents(rng, prospects, now)
    suppressed = _suppression_entries(rng, now)
    _documented_breach(now, collector)
    record(collector, "demo.generated", None, prospects=len(prospects), seed=seed)
    return DemoSummary(len(sources), len(prospects), contacts, consents, suppressed)


def _contacts_and_consents(rng: random.Random, prospects: list[Prospect], now: datetime) -> tuple[int, int]:
    events, consents, replied = [], [], []
    for prospect in prospects:
        if prospect.notice_sent_at:
            kind = ContactKind.CONSENT_REQUEST if prospect.audience == Audience.B2C else ContactKind.NOTICE
            events.append(ContactEvent(prospect=prospect, kind=kind, occurred_at=prospect.notice_sent_at))
        if prospect.audience == Audience.B2C and prospect.notice_sent_at:
            # RULES C2: no answer within the delay means erasure, so the requests left unanswered
            # are the recent ones; the older consumers are those who consented.
            expired = prospect.notice_sent_at < now - timedelta(days=settings.LICITE_CONSENT_DELAY_DAYS)
            answered = rng.random() < 0.5 or expired
            given = min(now, prospect.notice_sent_at + timedelta(days=2)) if answered else None
            consents.append(
                ConsentRecord(
                    prospect=prospect,
                    purpose="Newsletter and offers by email",
                    wording_version="2026-01",
                    channel=ConsentChannel.EMAIL_LINK,
                    requested_at=prospect.notice_sent_at,
                    given_at=given,
                    evidence={"ip_prefix": "192.0.2.0/24"} if given else {},
                )
            )
            if given:
                prospect.status = ProspectStatus.ACTIVE
        elif prospect.notice_sent_at and rng.random() < 0.15:
            reply_at = min(now, prospect.notice_sent_at + timedelta(days=rng.randint(1, 30)))
            events.append(
                ContactEvent(
                    prospect=prospect,
                    kind=ContactKind.REPLY,
                    channel=Channel.EMAIL,
                    initiated_by_prospect=True,
                    occurred_at=reply_at,
                )
            )
            prospect.last_contact_by_prospect_at = reply_at
            prospect.retain_until = clocks.retain_until(prospect.collected_at, reply_at)
            replied.append(prospect)
    ContactEvent.objects.bulk_create(events)
    ConsentRecord.objects.bulk_create(consents)
    Prospect.objects.bulk_update(prospects, ["status", "last_contact_by_prospect_at", "retain_until"])
    return len(events), len(consents)


def _suppression_entries(rng: random.Random, now: datetime) -> int:
    hasher = suppression_hasher(settings.SUPPRESSION_KEY)
    entries = []
    for index in range(12):
        at = now - timedelta(days=rng.randint(1, 700))
        entries.append(
            SuppressionEntry(
                key_hash=hasher(f"opposed.person{index}@ancien-client.example"),
                reason=rng.choice(list(SuppressionReason)),
                created_at=at,
                keep_until=clocks.suppression_keep_until(at),
            )
        )
    SuppressionEntry.objects.bulk_create(entries, ignore_conflicts=True)
    return len(entries)


def _documented_breach(now: datetime, collector: User | None) -> None:
    """RULES H1b: one breach of the past, documented and notified to the CNIL within 72 hours, so
    that the breach log shows what a lawful entry looks like."""
    found_at = now - timedelta(days=120, hours=5)
    breach = do_record_breach(
        collector, now=now, found_at=found_at, nature=["confidentiality"],
        data_concerned="Work emails, names and job titles of prospects (one exported file)",
        persons_count=37, records_count=37,
        consequences="Unwanted messages from a third party; a risk of targeted phishing",
        measures="Sharing link revoked within the hour, file deleted, exports limited to the DPO",
        risk=BreachRisk.RISK,
    )  # fmt: skip
    do_notify_breach(collector, breach, at=found_at + timedelta(hours=30), now=now)


def _b2b_activity() -> ProcessingActivity | None:
    """The register's B2B prospecting activity (licite.register.presets), unless deleted."""
    return ProcessingActivity.objects.filter(preset=B2B).first()


def _assess(sources: list[Source], collector: User | None) -> None:
    """RULES C4: each demo source gets its balancing test, so that the demo shows a lawful state."""
    activity = _b2b_activity()
    for source in sources:
        if source.name in BALANCING and not source.balancing_tests.exists():
            interest, expectations, safeguards = BALANCING[source.name]
            do_assess_source(
                collector, source, interest, expectations, safeguards,
                necessity=NECESSITY, conclusion="favourable", conclusion_text=CONCLUSION, activity=activity,
            )  # fmt: skip


def _declare_email_processor(collector: User | None) -> None:
    """RULES B7: the demo's email provider is a processor under an Art. 28 contract, in the EU."""
    if not Processor.objects.filter(name=EMAIL_PROCESSOR["name"]).exists():
        activity = _b2b_activity()
        do_save_processor(collector, activities=[activity.name] if activity else [], **EMAIL_PROCESSOR)


def _demo_batch(source: Source, now: datetime, collector: User | None) -> ImportBatch:
    """The batch every demo prospect of this source comes from: the mark of demo data."""
    return ImportBatch.objects.create(
        source=source,
        filename="exposants-2026.csv" if source.kind == SourceKind.EVENT else "licite-demo",
        file_sha256="0" * 64,
        status=ImportBatch.Status.DONE,
        imported_by=collector,
        started_at=now,
        finished_at=now,
        report={DEMO_MARK: True},
    )


def _saved(source: Source) -> Source:
    source.save()
    return source
