"""Rendering the messages of the outbox: the campaign's text, the sender, the notice, the links."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape

from django.template.loader import render_to_string
from django.utils import translation

from licite.accounts.models import Organisation
from licite.campaigns.models import Campaign
from licite.campaigns.notices import Sender, compose_for, notice_context, notice_language, public_url
from licite.core.notice import compose_notice
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


# Slots in frames rendered once and filled per message: no value a person can write holds a NUL
# byte (the reader refuses them), and the token slot is a valid token, so links reverse as usual.
TOKEN_SLOT = "licite0token0slot"  # noqa: S105  (a placeholder, not a secret)
FIRST_NAME_SLOT = "\x00first name\x00"
NOTICE_TEXT_SLOT = "\x00notice text\x00"
NOTICE_HTML_SLOT = "\x00notice html\x00"


def render_campaign_message(
    prospect: Prospect, campaign: Campaign, token: str, include_notice: bool, sender: Sender | None = None
) -> Rendered:
    """RULES E1: the sender identified, the offer, a visible way to object; the notice if first (D2).

    A campaign's messages differ only by the name, the links' token and the notice, so the
    templates are rendered once per language and the notices once per distinct provenance.
    """
    sender = sender or Sender.load()
    notice = _notice_frame(prospect, sender) if include_notice else None
    language = notice[0] if notice else notice_language(prospect, sender.organisation)
    key = ("campaign", campaign.pk, language, bool(prospect.first_name), include_notice)
    if key not in sender.frames:
        sender.frames[key] = _campaign_frame(
            campaign, sender, language, bool(prospect.first_name), include_notice
        )
    frame: Rendered = sender.frames[key]
    text, html = frame.text, frame.html
    if notice is not None:
        text, html = text.replace(NOTICE_TEXT_SLOT, notice[1]), html.replace(NOTICE_HTML_SLOT, notice[2])
    text, html = text.replace(TOKEN_SLOT, token), html.replace(TOKEN_SLOT, token)
    first_name = prospect.first_name
    return Rendered(
        language, frame.subject, text.replace(FIRST_NAME_SLOT, first_name),
        html.replace(FIRST_NAME_SLOT, escape(first_name)),
    )  # fmt: skip


def _notice_frame(prospect: Prospect, sender: Sender) -> tuple[str, str, str]:
    context = notice_context(prospect, TOKEN_SLOT, None, sender)
    if context not in sender.frames:
        notice = compose_notice(context)
        sender.frames[context] = (notice.language, notice.text(), notice.html())
    frame: tuple[str, str, str] = sender.frames[context]
    return frame


def _campaign_frame(
    campaign: Campaign, sender: Sender, language: str, has_first_name: bool, include_notice: bool
) -> Rendered:
    context = {
        "organisation": sender.organisation, "campaign": campaign, "notice": include_notice,
        "prospect": {"first_name": FIRST_NAME_SLOT if has_first_name else ""},
        "body": campaign.body_fr if language == "fr" else campaign.body_en,
        "offer_url": public_url("click", TOKEN_SLOT) if campaign.link_url else "",
        "unsubscribe_url": public_url("unsubscribe", TOKEN_SLOT),
        "notice_text": NOTICE_TEXT_SLOT if include_notice else "",
        "notice_html": NOTICE_HTML_SLOT if include_notice else "",
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
