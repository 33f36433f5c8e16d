"""Rendering the messages of the outbox: the campaign's text, the sender, the notice, the links."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from html import escape

from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from licite.campaigns.models import Campaign
from licite.campaigns.notices import (
    NoticeUnavailable,
    Sender,
    notice_context,
    notice_language,
    public_url,
)
from licite.core.notice import Notice, NoticeContext, NoticeInvalid, compose_notice
from licite.lib.refusals import refusal
from licite.prospects.models import LegalBasis, Prospect


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
JOB_TITLE_SLOT = "\x00job title\x00"
CONSENT_DATE_SLOT = "\x00consent date\x00"


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
    reason, consented_at = _reason(prospect)
    key = ("campaign", campaign.pk, language, bool(prospect.first_name), include_notice, reason)
    if key not in sender.frames:
        sender.frames[key] = _campaign_frame(
            campaign, sender, language, bool(prospect.first_name), include_notice, reason
        )
    frame: Rendered = sender.frames[key]
    text, html = frame.text, frame.html
    if notice is not None:
        text, html = text.replace(NOTICE_TEXT_SLOT, notice[1]), html.replace(NOTICE_HTML_SLOT, notice[2])
    text, html = text.replace(TOKEN_SLOT, token), html.replace(TOKEN_SLOT, token)
    if consented_at is not None:
        day = _day(consented_at, language)
        text, html = text.replace(CONSENT_DATE_SLOT, day), html.replace(CONSENT_DATE_SLOT, escape(day))
    job, first_name = prospect.job_title, prospect.first_name
    text, html = text.replace(JOB_TITLE_SLOT, job), html.replace(JOB_TITLE_SLOT, escape(job))
    return Rendered(
        language, frame.subject, text.replace(FIRST_NAME_SLOT, first_name),
        html.replace(FIRST_NAME_SLOT, escape(first_name)),
    )  # fmt: skip


def _reason(prospect: Prospect) -> tuple[str, datetime | None]:
    """Why this person receives the message, by the legal basis of their data: the consent they
    gave and when (RULES G5), or their job, under legitimate interest (RULES C3)."""
    if prospect.legal_basis == LegalBasis.CONSENT:
        given = [c.given_at for c in prospect.consents.all() if c.given_at and not c.withdrawn_at]
        return ("consent_on", max(given)) if given else ("consent", None)
    return ("job_as", None) if prospect.job_title else ("job", None)


def _day(moment: datetime, language: str) -> str:
    with translation.override(language):
        return str(formats.date_format(timezone.localtime(moment), "DATE_FORMAT"))


def _notice_frame(prospect: Prospect, sender: Sender) -> tuple[str, str, str]:
    context = notice_context(prospect, TOKEN_SLOT, None, sender)
    if context not in sender.frames:
        notice = _composed(context, prospect)
        sender.frames[context] = (notice.language, notice.text(), notice.html())
    frame: tuple[str, str, str] = sender.frames[context]
    return frame


def _composed(context: NoticeContext, prospect: Prospect) -> Notice:
    """The notice, or NoticeUnavailable saying what to fix: a message whose notice is incomplete
    or in a mix of languages is neither rendered nor queued (RULES D1, D4)."""
    try:
        return compose_notice(context)
    except NoticeInvalid as exc:
        raise NoticeUnavailable(
            gettext("the notice of prospect %(pk)s cannot be sent: %(reason)s")
            % {"pk": prospect.pk, "reason": refusal(exc)}
        ) from None


def _campaign_frame(
    campaign: Campaign, sender: Sender, language: str, has_first_name: bool, include_notice: bool, reason: str
) -> Rendered:
    context = {
        "organisation": sender.organisation, "campaign": campaign, "notice": include_notice,
        "reason": reason, "job_title": JOB_TITLE_SLOT, "consent_date": CONSENT_DATE_SLOT,
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
    sender = Sender.load()
    notice = _composed(notice_context(prospect, token, None, sender), prospect)
    organisation = sender.organisation
    context = {
        "organisation": organisation, "prospect": prospect, "purpose": purpose,
        "confirm_url": public_url("consent", token), "unsubscribe_url": public_url("unsubscribe", token),
        "notice_text": notice.text(), "notice_html": notice.html(),
    }  # fmt: skip
    with translation.override(notice.language):
        subject = str(_consent_subject(organisation.legal_name))
    return _render("consent_request", notice.language, subject, context)


def _consent_subject(name: str) -> str:
    return gettext("%(name)s asks for your consent before writing to you") % {"name": name}


def _render(template: str, language: str, subject: str, context: Mapping[str, object]) -> Rendered:
    with translation.override(language):
        text = render_to_string(f"campaigns/email/{template}.txt", context)
        html = render_to_string(f"campaigns/email/{template}.html", context)
    return Rendered(language, subject, text, html)


def render_last_chance(prospect: Prospect, token: str, erase_on: datetime) -> Rendered:
    """RULES F1: one message before retention ends, asking whether the person wishes to stay in
    touch; silence means erasure on `erase_on`. It carries the way to object, like every message."""
    sender = Sender.load()
    organisation = sender.organisation
    language = notice_language(prospect, organisation)
    context = {
        "organisation": organisation, "prospect": prospect, "erase_on": _day(erase_on, language),
        "stay_url": public_url("stay", token), "unsubscribe_url": public_url("unsubscribe", token),
    }  # fmt: skip
    with translation.override(language):
        subject = str(_last_chance_subject(organisation.legal_name))
    return _render("last_chance", language, subject, context)


def _last_chance_subject(name: str) -> str:
    return gettext("%(name)s: shall we stay in touch?") % {"name": name}
