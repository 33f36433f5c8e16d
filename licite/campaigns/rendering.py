"""Rendering the messages of the outbox: the campaign's text, the sender, the notice, the links."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import translation

from licite.accounts.models import Organisation
from licite.campaigns.models import Campaign
from licite.campaigns.notices import Sender, compose_for, notice_language, public_url
from licite.prospects.models import Prospect


@dataclass(frozen=True)
class Rendered:
    language: str
    subject: str
    text: str
    html: str


def new_token() -> str:
    """256 random bits: a link token nobody can guess or enumerate."""
    return secrets.token_urlsafe(32)


def render_campaign_message(
    prospect: Prospect, campaign: Campaign, token: str, include_notice: bool, sender: Sender | None = None
) -> Rendered:
    """RULES E1: the sender identified, the offer, a visible way to object; the notice if first (D2)."""
    sender = sender or Sender.load()
    organisation = sender.organisation
    notice = compose_for(prospect, token, sender=sender) if include_notice else None
    language = notice.language if notice else notice_language(prospect, organisation)
    context = {
        "organisation": organisation, "prospect": prospect, "campaign": campaign, "notice": notice,
        "body": campaign.body_fr if language == "fr" else campaign.body_en,
        "offer_url": public_url("click", token) if campaign.link_url else "",
        "unsubscribe_url": public_url("unsubscribe", token),
        "notice_text": notice.text() if notice else "", "notice_html": notice.html() if notice else "",
    }  # fmt: skip
    subject = campaign.subject_fr if language == "fr" else campaign.subject_en
    return _render("campaign", language, subject, context)


def render_consent_request(prospect: Prospect, token: str, purpose: str) -> Rendered:
    """RULES C2: who we are, where the data came from, what we would send, and a confirmation link."""
    notice = compose_for(prospect, token)
    organisation = Organisation.current()
    context = {
        "organisation": organisation, "prospect": prospect, "purpose": purpose,
        "confirm_url": public_url("consent", token), "unsubscribe_url": public_url("unsubscribe", token),
        "notice_text": notice.text(), "notice_html": notice.html(),
    }  # fmt: skip
    with translation.override(notice.language):
        subject = str(_consent_subject(organisation.legal_name if organisation else ""))
    return _render("consent_request", notice.language, subject, context)


def _consent_subject(name: str) -> str:
    from django.utils.translation import gettext

    return gettext("%(name)s asks for your consent before writing to you") % {"name": name}


def _render(template: str, language: str, subject: str, context: Mapping[str, object]) -> Rendered:
    with translation.override(language):
        text = render_to_string(f"campaigns/email/{template}.txt", context)
        html = render_to_string(f"campaigns/email/{template}.html", context)
    return Rendered(language, subject, text, html)
