"""What licite holds about one person (RULES G2, GDPR art. 15 and 20), as JSON and as a page.

Everything that can be found from the person's address, including what survives an erasure:
the keyed hash on the suppression list, the outbox's record of messages sent, their own
requests. An address only on the suppression list is told so: that fingerprint is data held
too. An unknown address is told that nothing is held.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from licite.accounts.models import Organisation
from licite.campaigns.models import ContactEvent, OutboundMessage
from licite.campaigns.notices import HELD_FIELDS
from licite.core.suppression import suppression_hash
from licite.prospects.models import LegalBasis, Prospect, Visibility
from licite.register.models import ProcessingActivity
from licite.rights.models import ConsentRecord, RightsRequest, SuppressionEntry

CNIL_COMPLAINT_URL = "https://www.cnil.fr/fr/plaintes"
HELD_ALSO = ("language",)


def access_report(address: str, language: str, now: datetime | None = None) -> dict[str, Any]:
    """Everything held about the person with this address, in `language` (RULES G2, D4).

    Raises licite.core.emails.InvalidEmail for an address that is not one."""
    return report_for_hash(suppression_hash(address, settings.SUPPRESSION_KEY), language, now)


def report_for_hash(digest: str, language: str, now: datetime | None = None) -> dict[str, Any]:
    """The same from the keyed hash of the address (a request whose address is forgotten)."""
    prospects = list(
        Prospect.objects.filter(key_hash=digest).prefetch_related("provenance__source", "consents")
    )
    entry = SuppressionEntry.objects.filter(key_hash=digest).first()
    requests = list(RightsRequest.objects.filter(key_hash=digest).order_by("received_at"))
    with translation.override(language):
        held = "records" if prospects else ("suppression_only" if entry else "nothing")
        return {
            "language": language,
            "generated_at": timezone.localtime(now or timezone.now()),
            "controller": _controller(),
            "held": held,
            "summary": _summary(held, entry, language),
            "records": [_record(prospect) for prospect in prospects],
            "messages": _messages(digest, [p.pk for p in prospects]),
            "contacts": _contacts(prospects),
            "suppression": _suppression(entry),
            "requests": [_request(request) for request in requests],
            "rights": _rights(any(p.legal_basis == LegalBasis.CONSENT for p in prospects)),
            "complaint": _complaint(),
        }


def as_json(report: dict[str, Any]) -> str:
    return json.dumps(report, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def as_html(report: dict[str, Any]) -> str:
    """A plain page, printable, in the person's language."""
    with translation.override(report["language"]):
        return render_to_string("rights/access.html", {"report": report})


def _day(moment: datetime, language: str) -> str:
    with translation.override(language):
        return str(formats.date_format(timezone.localtime(moment), "DATE_FORMAT"))


def _summary(held: str, entry: SuppressionEntry | None, language: str) -> str:
    if held == "nothing":
        return _("We hold no data about this address.")
    if held == "suppression_only":
        assert entry is not None
        return _(
            "We keep a coded fingerprint of your address since %(date)s so that we never contact you. "
            "We hold nothing else about you."
        ) % {"date": _day(entry.created_at, language)}
    return _("Here is everything we hold about you, where it comes from and what we do with it.")


def _controller() -> dict[str, str]:
    organisation = Organisation.current()
    if organisation is None:
        return {}
    return {
        "name": organisation.legal_name,
        "address": organisation.address,
        "contact_email": organisation.contact_email,
        "dpo_name": organisation.dpo_name,
        "dpo_email": organisation.dpo_email,
        "privacy_policy_url": organisation.privacy_policy_url,
    }


def _record(prospect: Prospect) -> dict[str, Any]:
    fields = [*HELD_FIELDS, *HELD_ALSO]
    return {
        "data": [
            {"field": name, "label": _label(name), "value": getattr(prospect, name)}
            for name in fields
            if getattr(prospect, name)
        ],
        "collected_at": timezone.localtime(prospect.collected_at),
        "sources": [_source(link) for link in prospect.provenance.all()],
        "processing": _processing(prospect.legal_basis),
        "status": prospect.get_status_display(),
        "retain_until": timezone.localtime(prospect.retain_until),
        "retention_rule": _(
            "Three years from the collection of your data or from the last contact you initiated "
            "(a reply, a click on a link); opening an email does not count."
        ),
        "consents": [_consent(consent) for consent in prospect.consents.all()],
    }  # fmt: skip


def _label(name: str) -> str:
    return str(getattr(Prospect._meta.get_field(name), "verbose_name", name))


def _source(link: Any) -> dict[str, Any]:
    source = link.source
    return {
        "name": source.name,
        "kind": source.get_kind_display(),
        "url": link.page_url or source.url,
        "collected_at": timezone.localtime(link.collected_at),
        "publicly_accessible": source.visibility == Visibility.PUBLIC,
    }


def _processing(legal_basis: str) -> dict[str, str]:
    """The purpose, basis, interest, recipients and retention as the register states them."""
    activity = ProcessingActivity.objects.filter(legal_basis=legal_basis).order_by("pk").first()
    english = translation.get_language() == "en"

    def text(name: str) -> str:
        return str(getattr(activity, f"{name}_{'en' if english else 'fr'}", "")) if activity else ""

    recipients = [value for value in (text("recipients_internal"), text("recipients_external")) if value]
    return {
        "purpose": text("purpose"),
        "legal_basis": str(LegalBasis(legal_basis).label),
        "interest_pursued": text("interest_pursued") if legal_basis == LegalBasis.LEGITIMATE_INTEREST else "",
        "recipients": "; ".join(recipients),
        "transfers_outside_eu": text("transfers_outside_eu"),
        "retention": text("retention"),
    }


def _consent(consent: ConsentRecord) -> dict[str, Any]:
    return {
        "purpose": consent.purpose,
        "wording_version": consent.wording_version,
        "channel": consent.get_channel_display(),
        "requested_at": timezone.localtime(consent.requested_at),
        "given_at": _local(consent.given_at),
        "refused_at": _local(consent.refused_at),
        "withdrawn_at": _local(consent.withdrawn_at),
    }


def _local(moment: datetime | None) -> datetime | None:
    return timezone.localtime(moment) if moment else None


def _messages(digest: str, prospect_ids: list[int]) -> list[dict[str, Any]]:
    """Messages sent to the person: those of their records and those kept by hash after erasure."""
    # Looked up by the person's keys alone, the status checked here: with a condition on the
    # status too, SQLite (which keeps no statistics) walks the status index, every message ever
    # sent, instead of the keyed hash's: 160 ms instead of 1 at a million (docs/performance.md).
    found = (
        OutboundMessage.objects.filter(Q(key_hash=digest) | Q(prospect__in=prospect_ids))
        .select_related("campaign")
        .order_by("sent_at")
    )
    sent = [message for message in found if message.status == OutboundMessage.Status.SENT]
    return [
        {
            "sent_at": _local(message.sent_at),
            "kind": message.get_kind_display(),
            "campaign": message.campaign.name if message.campaign else "",
            "subject": message.subject,
        }
        for message in sent
    ]


def _contacts(prospects: list[Prospect]) -> list[dict[str, Any]]:
    """RULES F1: the contacts the person initiated (replies, clicks, calls)."""
    events = ContactEvent.objects.filter(prospect__in=prospects, initiated_by_prospect=True).order_by(
        "occurred_at"
    )
    return [
        {
            "occurred_at": timezone.localtime(event.occurred_at),
            "kind": event.get_kind_display(),
            "channel": event.get_channel_display(),
        }
        for event in events
    ]


def _suppression(entry: SuppressionEntry | None) -> dict[str, Any] | None:
    if entry is None:
        return None
    return {
        "since": timezone.localtime(entry.created_at),
        "reason": entry.get_reason_display(),
        "kept_until": timezone.localtime(entry.keep_until),
        "what": _("A keyed hash (HMAC-SHA256) of your address, which cannot be turned back into it."),
    }


def _request(request: RightsRequest) -> dict[str, Any]:
    return {
        "id": request.pk,
        "kind": request.get_kind_display(),
        "channel": request.get_channel_display(),
        "received_at": timezone.localtime(request.received_at),
        "due_on": request.due_on,
        "state": request.get_state_display(),
    }


def _rights(consent: bool) -> list[str]:
    rights = [
        _("Access: you may obtain a copy of this information at any time, free of charge."),
        _("Rectification: you may have inaccurate data corrected."),
        _("Erasure: you may have your data erased."),
        _("Restriction: you may ask us to stop using your data while a question is settled."),
        _(
            "Objection: you may object to prospecting at any time, without giving a reason; "
            "we then stop at once."
        ),
        _("Portability: you may receive your data in a structured, machine-readable format (JSON)."),
    ]
    if consent:
        rights.append(_("Consent: you may withdraw your consent at any time, as easily as you gave it."))
    return rights


def _complaint() -> str:
    return _(
        "You may lodge a complaint with the CNIL (Commission nationale de l'informatique et des "
        "libertés), 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07: %(url)s"
    ) % {"url": CNIL_COMPLAINT_URL}
