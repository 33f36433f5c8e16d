"""The Art. 14 notice: what a person is told about the data held on them (RULES D1-D5).

It is composed from the organisation (the controller), the processing activity and the person's
own provenance, in French or English (RULES D4). `validate_notice` refuses a notice that lacks an
applicable item of GDPR art. 14.1 and 14.2 (RULES D1), or whose right to object is not stated
apart, with its link (RULES D3). The register's free texts are written in both languages, and
`compose_notice` refuses a notice that would quote one of them in the other language, or leave
out what the other language says (RULES D4).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from html import escape
from urllib.parse import urlsplit

from licite.core.clocks import RETENTION_YEARS

__all__ = [
    "CONSENT",
    "LEGITIMATE_INTEREST",
    "Activity",
    "Controller",
    "Notice",
    "NoticeContext",
    "NoticeInvalid",
    "NoticeItem",
    "NoticeUntranslated",
    "Provenance",
    "Translated",
    "applicable_items",
    "compose_notice",
    "untranslated",
    "validate_notice",
]

LEGITIMATE_INTEREST = "legitimate_interest"
CONSENT = "consent"


@dataclass(frozen=True, slots=True)
class Controller:
    """The organisation that decides why and how the data is processed."""

    legal_name: str
    address: str
    siren: str
    contact_email: str
    dpo_name: str  # "" when no DPO is appointed
    dpo_email: str  # "" when no DPO is appointed
    privacy_policy_url: str  # "" when none


LANGUAGES = ("fr", "en")
LANGUAGE_NAMES = {"fr": "French", "en": "English"}


@dataclass(frozen=True, slots=True)
class Translated:
    """A free text of the register, written by the DPO in French and in English (RULES D4)."""

    fr: str = ""
    en: str = ""

    def in_language(self, language: str) -> str:
        _wording(language)
        return str(getattr(self, language))


@dataclass(frozen=True, slots=True)
class Activity:
    """The processing activity of the register (RULES H1) the person's data belongs to."""

    purpose: Translated  # shown as written, in the notice's language
    legal_basis: str  # "legitimate_interest" | "consent"
    interest_pursued: Translated  # required under legitimate interest
    data_categories: tuple[str, ...]  # CNIL category keys: "identity", "professional life"...
    recipients_internal: Translated
    recipients_external: Translated  # the notice needs one of the two
    transfers_outside_eu: Translated  # "" or "None": no transfer
    retention: Translated  # "": licite's standard retention (RULES F1)
    automated_decisions: Translated  # "": none
    name: str = ""  # the register's name of the activity, to say which one to complete


@dataclass(frozen=True, slots=True)
class Provenance:
    """One source of the person's data (RULES B3); a person may have several."""

    source_name: str
    source_kind: str  # website|social_network|directory|event|form|crm_export|purchased_list|manual
    url: str  # the page the data was read on, "" if none
    collected_at: datetime  # aware
    publicly_accessible: bool


@dataclass(frozen=True, slots=True)
class NoticeContext:
    """Everything a notice says, for one person."""

    controller: Controller
    activity: Activity
    provenance: tuple[Provenance, ...]
    data_held: tuple[str, ...]  # field names held for this person: "email", "first_name"...
    language: str  # "fr" | "en"
    objection_url: str  # the one-click objection link
    consent_withdrawal_url: str = ""  # required under consent
    access_request_url: str = ""


class NoticeItem(enum.StrEnum):
    """The items of GDPR art. 14.1 and 14.2 (RULES D1), and the right to object (RULES D3)."""

    CONTROLLER = "controller"
    DPO = "dpo"
    PURPOSES_AND_BASIS = "purposes_and_basis"
    CATEGORIES = "categories"
    RECIPIENTS = "recipients"
    TRANSFERS = "transfers"
    RETENTION = "retention"
    LEGITIMATE_INTEREST = "legitimate_interest"
    RIGHTS = "rights"
    WITHDRAW_CONSENT = "withdraw_consent"
    COMPLAINT = "complaint"
    SOURCE = "source"
    AUTOMATED_DECISIONS = "automated_decisions"
    OBJECTION = "objection"


_ARTICLE = {
    NoticeItem.CONTROLLER: "art. 14.1.a",
    NoticeItem.DPO: "art. 14.1.b",
    NoticeItem.PURPOSES_AND_BASIS: "art. 14.1.c",
    NoticeItem.CATEGORIES: "art. 14.1.d",
    NoticeItem.RECIPIENTS: "art. 14.1.e",
    NoticeItem.TRANSFERS: "art. 14.1.f",
    NoticeItem.RETENTION: "art. 14.2.a",
    NoticeItem.LEGITIMATE_INTEREST: "art. 14.2.b",
    NoticeItem.RIGHTS: "art. 14.2.c",
    NoticeItem.WITHDRAW_CONSENT: "art. 14.2.d",
    NoticeItem.COMPLAINT: "art. 14.2.e",
    NoticeItem.SOURCE: "art. 14.2.f",
    NoticeItem.AUTOMATED_DECISIONS: "art. 14.2.g",
    NoticeItem.OBJECTION: "art. 21.4",
}

# The order a reader meets the items in: who, from where, what, why, then what they can do.
_DISPLAY_ORDER = (
    NoticeItem.CONTROLLER,
    NoticeItem.DPO,
    NoticeItem.SOURCE,
    NoticeItem.CATEGORIES,
    NoticeItem.PURPOSES_AND_BASIS,
    NoticeItem.LEGITIMATE_INTEREST,
    NoticeItem.RECIPIENTS,
    NoticeItem.TRANSFERS,
    NoticeItem.RETENTION,
    NoticeItem.AUTOMATED_DECISIONS,
    NoticeItem.RIGHTS,
    NoticeItem.WITHDRAW_CONSENT,
    NoticeItem.COMPLAINT,
)


class NoticeInvalid(ValueError):
    """A notice that lacks an applicable item (RULES D1) or a right to object with its link (RULES D3)."""

    def __init__(self, missing: Iterable[NoticeItem]) -> None:
        absent = set(missing)
        self.missing = tuple(item for item in NoticeItem if item in absent)
        # Each item and its article, for a page to word in the reader's language.
        self.articles = tuple((str(item), _ARTICLE[item]) for item in self.missing)
        listed = ", ".join(f"{item} (GDPR {_ARTICLE[item]})" for item in self.missing)
        super().__init__(f"the notice lacks: {listed} (RULES D1, D3)")


# The free texts of an activity that a notice quotes: the item each feeds, and its name in words.
QUOTED_TEXTS = {
    "purpose": (NoticeItem.PURPOSES_AND_BASIS, "purpose"),
    "interest_pursued": (NoticeItem.LEGITIMATE_INTEREST, "legitimate interest pursued"),
    "recipients_internal": (NoticeItem.RECIPIENTS, "internal recipients"),
    "recipients_external": (NoticeItem.RECIPIENTS, "external recipients"),
    "transfers_outside_eu": (NoticeItem.TRANSFERS, "transfers outside the EU"),
    "retention": (NoticeItem.RETENTION, "retention"),
    "automated_decisions": (NoticeItem.AUTOMATED_DECISIONS, "automated decision-making"),
}
# Texts where a "none" in one language says the same as an empty field in the other.
_NONE_MEANS_EMPTY = frozenset({"transfers_outside_eu", "automated_decisions"})


class NoticeUntranslated(NoticeInvalid):
    """A notice that would quote a text of the register in the wrong language, or leave out what
    the other language's text says (RULES D4): the activity must be completed first."""

    def __init__(self, activity: str, language: str, fields: Iterable[str]) -> None:
        names = tuple(fields)
        self.activity, self.language = activity, language
        self.fields = tuple(f"{name}_{language}" for name in names)
        self.missing = tuple(dict.fromkeys(QUOTED_TEXTS[name][0] for name in names))
        self.articles = tuple((str(item), _ARTICLE[item]) for item in self.missing)
        named = [f"{QUOTED_TEXTS[name][1]} ({name}_{language})" for name in names]
        which = f"the processing activity {activity!r}" if activity else "the processing activity"
        listed = named[0] if len(named) == 1 else f"text for: {', '.join(named)}"
        ValueError.__init__(
            self,
            f"{which} has no {LANGUAGE_NAMES[language]} {listed}: write {_it(named)} in the register of "
            "processing activities before a notice in that language can be sent (RULES D4)",
        )


def _it(items: list[str]) -> str:
    return "it" if len(items) == 1 else "them"


def untranslated(activity: Activity, language: str) -> tuple[str, ...]:
    """RULES D4: the quoted texts written in another language but not in this one."""
    _wording(language)
    missing = []
    for name in QUOTED_TEXTS:
        value: Translated = getattr(activity, name)
        if _text(value.in_language(language)):
            continue
        others = [_text(value.in_language(other)) for other in LANGUAGES if other != language]
        if any(text and not (name in _NONE_MEANS_EMPTY and _says_none(text)) for text in others):
            missing.append(name)
    return tuple(missing)


@dataclass(frozen=True, slots=True)
class Notice:
    """A composed notice: the items in display order, and the right to object apart (RULES D3)."""

    language: str
    sections: tuple[tuple[NoticeItem, str, str], ...]  # (item, heading, body)
    objection: str

    def text(self) -> str:
        """Plain text, the right to object framed first so that it stands apart (RULES D3)."""
        words = _wording(self.language)
        rule = "-" * 72
        blocks = [f"{words.title}\n{'=' * len(words.title)}"]
        blocks.append(f"{rule}\n{words.headings[NoticeItem.OBJECTION]}\n{self.objection}\n{rule}")
        blocks += [f"{heading}\n{body}" for _item, heading, body in self.sections]
        return "\n\n".join(blocks) + "\n"

    def html(self) -> str:
        """Minimal HTML, every text escaped, the right to object in its own framed block (RULES D3)."""
        words = _wording(self.language)
        parts = [f'<div class="licite-notice" lang="{escape(self.language)}">']
        parts.append(f"<h2>{escape(words.title)}</h2>")
        parts.append(f'<div class="licite-objection" style="{_OBJECTION_STYLE}">')
        parts.append(f"<h3>{escape(words.headings[NoticeItem.OBJECTION])}</h3>")
        parts += _html_paragraphs(self.objection)
        parts.append("</div>")
        for _item, heading, body in self.sections:
            parts.append(f"<h3>{escape(heading)}</h3>")
            parts += _html_paragraphs(body)
        parts.append("</div>")
        return "\n".join(parts) + "\n"


def applicable_items(legal_basis: str) -> frozenset[NoticeItem]:
    """RULES D1: every item, but the legitimate interest only under art. 6.1.f and the right to
    withdraw consent only under art. 6.1.a. OBJECTION is checked on `Notice.objection`."""
    if legal_basis == LEGITIMATE_INTEREST:
        return frozenset(NoticeItem) - {NoticeItem.WITHDRAW_CONSENT}
    if legal_basis == CONSENT:
        return frozenset(NoticeItem) - {NoticeItem.LEGITIMATE_INTEREST}
    raise ValueError(
        f"no notice for legal basis {legal_basis!r}: licite knows {LEGITIMATE_INTEREST!r}, {CONSENT!r}"
    )


def validate_notice(notice: Notice, legal_basis: str) -> None:
    """Raise NoticeInvalid unless every applicable item has a heading and a body (RULES D1) and the
    right to object stands apart with its link (RULES D3)."""
    _wording(notice.language)
    present = {item for item, heading, body in notice.sections if heading.strip() and body.strip()}
    missing = applicable_items(legal_basis) - present - {NoticeItem.OBJECTION}
    if not any(_is_web_url(_trim_url(m.group())) for m in _URL.finditer(notice.objection)):
        missing |= {NoticeItem.OBJECTION}
    if missing:
        raise NoticeInvalid(missing)


def compose_notice(ctx: NoticeContext) -> Notice:
    """The notice for one person, in their language; NoticeInvalid if an input an item needs is
    missing, NoticeUntranslated if a text of the register is missing in their language (D4)."""
    words = _wording(ctx.language)
    missing = untranslated(ctx.activity, ctx.language)
    if missing:
        raise NoticeUntranslated(ctx.activity.name, ctx.language, missing)
    basis = ctx.activity.legal_basis
    applicable = applicable_items(basis)
    bodies = _bodies(ctx, words)
    sections = tuple(
        (item, words.headings[item], bodies[item]) for item in _DISPLAY_ORDER if item in applicable
    )
    objection = words.objection.format(url=ctx.objection_url) if _is_web_url(ctx.objection_url) else ""
    notice = Notice(ctx.language, sections, objection)
    validate_notice(notice, basis)
    return notice


def _bodies(ctx: NoticeContext, words: _Wording) -> dict[NoticeItem, str]:
    controller, activity, language = ctx.controller, ctx.activity, ctx.language
    return {
        NoticeItem.CONTROLLER: _controller(controller, words),
        NoticeItem.DPO: _dpo(controller, words),
        NoticeItem.SOURCE: _source(ctx.provenance, words),
        NoticeItem.CATEGORIES: _categories(ctx.data_held, activity.data_categories, words),
        NoticeItem.PURPOSES_AND_BASIS: _purpose(activity, language, words),
        NoticeItem.LEGITIMATE_INTEREST: _text(activity.interest_pursued.in_language(language)),
        NoticeItem.RECIPIENTS: _recipients(activity, language),
        NoticeItem.TRANSFERS: _transfers(activity.transfers_outside_eu.in_language(language), words),
        NoticeItem.RETENTION: _text(activity.retention.in_language(language)) or words.standard_retention,
        NoticeItem.AUTOMATED_DECISIONS: _automated(activity.automated_decisions.in_language(language), words),
        NoticeItem.RIGHTS: _rights(ctx, words),
        NoticeItem.WITHDRAW_CONSENT: _withdraw(ctx.consent_withdrawal_url, words),
        NoticeItem.COMPLAINT: words.complaint,
    }


def _controller(controller: Controller, words: _Wording) -> str:
    name, email = _line(controller.legal_name), _line(controller.contact_email)
    address = ", ".join(_line(part) for part in controller.address.splitlines() if part.strip())
    if not (name and address and email):
        return ""
    siren = _line(controller.siren)
    lines = [
        words.controller.format(
            name=name, siren=f" (SIREN {siren})" if siren else "", address=address, email=email
        )
    ]
    if _line(controller.privacy_policy_url):
        lines.append(words.privacy_policy.format(url=_line(controller.privacy_policy_url)))
    return "\n".join(lines)


def _dpo(controller: Controller, words: _Wording) -> str:
    name, email = _line(controller.dpo_name), _line(controller.dpo_email)
    contact = _line(controller.contact_email)
    if name and (email or contact):
        return words.dpo_named.format(name=name, email=email or contact)
    if email:
        return words.dpo_unnamed.format(email=email)
    # RULES D1: without a DPO, the person must still know whom to ask about their data.
    return words.no_dpo.format(email=contact) if contact else ""


def _source(provenance: tuple[Provenance, ...], words: _Wording) -> str:
    # RULES B3 (KASPR): name each specific source; "public sources" is too vague.
    if not provenance or any(not _line(p.source_name) for p in provenance):
        return ""
    ordered = sorted(provenance, key=lambda p: p.collected_at)
    phrases = list(dict.fromkeys(_provenance_phrase(p, words) for p in ordered))
    if len(phrases) == 1:
        return words.source_one.format(phrase=phrases[0])
    return "\n".join([words.source_many, *(f"- {phrase}" for phrase in phrases)])


def _provenance_phrase(provenance: Provenance, words: _Wording) -> str:
    if provenance.collected_at.tzinfo is None:
        raise ValueError("a provenance date must be aware (never a naive datetime)")
    article, noun = words.source_nouns.get(provenance.source_kind, words.source_nouns["manual"])
    access = words.public if provenance.publicly_accessible else words.not_public
    opening, closing = words.quotes
    url = _line(provenance.url)
    return words.provenance.format(
        date=_date(provenance.collected_at, words),
        name=f"{opening}{_line(provenance.source_name)}{closing}",
        url=f", {url}" if url else "",
        access=access.format(article=article, noun=noun),
    )


def _categories(data_held: tuple[str, ...], categories: tuple[str, ...], words: _Wording) -> str:
    fields = [_line(field) for field in data_held if _line(field)]
    if not fields:
        return ""
    named = dict.fromkeys(words.fields.get(field, field.replace("_", " ")) for field in fields)
    lines = [words.held.format(fields=_join(list(named), words))]
    keys = [" ".join(c.replace("_", " ").split()).lower() for c in categories if c.strip()]
    if keys:
        lines.append(
            words.categories.format(categories=", ".join(words.category_names.get(k, k) for k in keys))
        )
    return "\n".join(lines)


def _purpose(activity: Activity, language: str, words: _Wording) -> str:
    purpose = _text(activity.purpose.in_language(language))
    return f"{purpose}\n{words.basis[activity.legal_basis]}" if purpose else ""


def _recipients(activity: Activity, language: str) -> str:
    parts = (activity.recipients_internal, activity.recipients_external)
    return " ; ".join(text for part in parts if (text := _text(part.in_language(language))))


def _transfers(transfers: str, words: _Wording) -> str:
    text = _text(transfers)
    return words.transfer.format(text=text) if not _says_none(text) else words.no_transfer


def _automated(decisions: str, words: _Wording) -> str:
    text = _text(decisions)
    return text if not _says_none(text) else words.no_automated_decision


def _rights(ctx: NoticeContext, words: _Wording) -> str:
    email = _line(ctx.controller.dpo_email) or _line(ctx.controller.contact_email)
    url = _line(ctx.access_request_url)
    if url and email:
        return f"{words.rights}\n{words.rights_by_link.format(url=url, email=email)}"
    if email:
        return f"{words.rights}\n{words.rights_by_email.format(email=email)}"
    return f"{words.rights}\n{words.rights_by_link_only.format(url=url)}" if url else ""


def _withdraw(url: str, words: _Wording) -> str:
    return words.withdraw_consent.format(url=url) if _is_web_url(url) else ""


# Free text that says "no transfer" / "no automated decision".
_NONE_WORDS = frozenset({"", "none", "no", "n/a", "-", "non", "aucun", "aucune", "néant"})


def _says_none(text: str) -> bool:
    return text.strip().rstrip(".").strip().lower() in _NONE_WORDS


def _line(value: str) -> str:
    """A one-line value with its whitespace tidied, so that it cannot break the layout."""
    return " ".join(value.split())


def _text(value: str) -> str:
    """Free text: each line tidied, blank lines dropped."""
    return "\n".join(_line(line) for line in value.splitlines() if line.strip())


def _join(items: list[str], words: _Wording) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])}{words.and_}{items[-1]}"


def _date(moment: datetime, words: _Wording) -> str:
    """The date written out in the notice's language, in the time zone of `moment`."""
    day = words.first_day if moment.day == 1 and words.first_day else str(moment.day)
    return f"{day} {words.months[moment.month - 1]} {moment.year}"


# -- links --------------------------------------------------------------------------------------

_URL = re.compile(r"https?://[^\s<>\"'`]+")


def _is_web_url(url: str) -> bool:
    """An absolute http(s) URL with a host and nothing that could escape an attribute."""
    return bool(_URL.fullmatch(url)) and bool(urlsplit(url).hostname)


def _trim_url(url: str) -> str:
    """Drop the sentence's punctuation after a URL, and a closing parenthesis it did not open."""
    while url and (url[-1] in ".,;:!?" or (url[-1] == ")" and url.count(")") > url.count("("))):
        url = url[:-1]
    return url


def _linkify(text: str) -> str:
    """Escaped text where each http(s) URL becomes a link."""
    parts: list[str] = []
    last = 0
    for match in _URL.finditer(text):
        url = _trim_url(match.group())
        if not _is_web_url(url):
            continue
        parts += [escape(text[last : match.start()]), f'<a href="{escape(url)}">{escape(url)}</a>']
        last = match.start() + len(url)
    parts.append(escape(text[last:]))
    return "".join(parts)


_OBJECTION_STYLE = "border:2px solid #1d4f91;padding:0.5em 1em;margin:1em 0"


def _html_paragraphs(body: str) -> list[str]:
    """One <p> per line; consecutive "- " lines make a list."""
    parts: list[str] = []
    items: list[str] = []
    for line in body.splitlines():
        if line.startswith("- "):
            items.append(f"<li>{_linkify(line[2:])}</li>")
            continue
        if items:
            parts += ["<ul>", *items, "</ul>"]
            items = []
        if line.strip():
            parts.append(f"<p>{_linkify(line)}</p>")
    if items:
        parts += ["<ul>", *items, "</ul>"]
    return parts


# -- wording (RULES D4: clear and plain words, in French and English) ---------------------------


@dataclass(frozen=True, slots=True)
class _Wording:
    title: str
    headings: Mapping[NoticeItem, str]
    months: tuple[str, ...]
    first_day: str
    and_: str
    quotes: tuple[str, str]
    controller: str
    privacy_policy: str
    dpo_named: str
    dpo_unnamed: str
    no_dpo: str
    source_one: str
    source_many: str
    provenance: str
    public: str
    not_public: str
    source_nouns: Mapping[str, tuple[str, str]]  # kind -> (article, noun)
    held: str
    fields: Mapping[str, str]
    categories: str
    category_names: Mapping[str, str]
    basis: Mapping[str, str]
    transfer: str
    no_transfer: str
    standard_retention: str
    no_automated_decision: str
    rights: str
    rights_by_link: str
    rights_by_email: str
    rights_by_link_only: str
    withdraw_consent: str
    complaint: str
    objection: str


# fmt: off
_MONTHS_EN = ("January", "February", "March", "April", "May", "June",
              "July", "August", "September", "October", "November", "December")
# French month names written by hand: the locale module depends on the host's locales.
_MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin",
              "juillet", "août", "septembre", "octobre", "novembre", "décembre")
# fmt: on

_CNIL = (
    "CNIL (Commission nationale de l'informatique et des libertés), 3 Place de Fontenoy, TSA 80715, "
    "75334 Paris Cedex 07, https://www.cnil.fr"
)

_EN = _Wording(
    title="Information about your personal data",
    headings={
        NoticeItem.CONTROLLER: "Who we are",
        NoticeItem.DPO: "Data protection officer",
        NoticeItem.SOURCE: "Where your data comes from",
        NoticeItem.CATEGORIES: "The data we hold about you",
        NoticeItem.PURPOSES_AND_BASIS: "Why we use it",
        NoticeItem.LEGITIMATE_INTEREST: "Our legitimate interest",
        NoticeItem.RECIPIENTS: "Who receives it",
        NoticeItem.TRANSFERS: "Transfers outside the European Union",
        NoticeItem.RETENTION: "How long we keep it",
        NoticeItem.AUTOMATED_DECISIONS: "Automated decisions",
        NoticeItem.RIGHTS: "Your rights",
        NoticeItem.WITHDRAW_CONSENT: "Withdrawing your consent",
        NoticeItem.COMPLAINT: "Complaints",
        NoticeItem.OBJECTION: "Your right to object",
    },
    months=_MONTHS_EN,
    first_day="",
    and_=" and ",
    quotes=("“", "”"),
    controller="{name}{siren}, {address}. Contact: {email}.",
    privacy_policy="Our privacy policy: {url}",
    dpo_named="Our data protection officer is {name}; write to {email}.",
    dpo_unnamed="You can reach our data protection officer at {email}.",
    no_dpo=(
        "We have not appointed a data protection officer. For any question about your data, write to {email}."
    ),
    source_one="We did not get your data from you. It was collected {phrase}.",
    source_many="We did not get your data from you. It was collected:",
    provenance="on {date} from {name}{url}, {access}",
    public="a publicly accessible {noun}",
    not_public="{article} {noun} that is not publicly accessible",
    source_nouns={
        "website": ("a", "page"),
        "social_network": ("a", "social network page"),
        "directory": ("a", "directory"),
        "event": ("an", "event page"),
        "form": ("a", "form"),
        "crm_export": ("a", "customer file export"),
        "purchased_list": ("a", "purchased list"),
        "manual": ("a", "source"),
    },
    held="We hold your {fields}.",
    fields={
        "email": "email address",
        "first_name": "first name",
        "last_name": "last name",
        "job_title": "job title",
        "company": "company",
        "company_domain": "company domain",
        "phone": "professional phone",
        "professional_phone": "professional phone",
        "country": "country",
        "language": "language",
    },
    categories="Categories: {categories}.",
    category_names={
        "identity": "identity",
        "personal life": "personal life",
        "professional life": "professional life",
        "economic": "economic and financial information",
        "connection": "connection data",
        "location": "location data",
        "internet": "internet data",
        "other": "other",
        "sensitive": "sensitive data",
    },
    basis={
        LEGITIMATE_INTEREST: "Legal basis: our legitimate interest (GDPR art. 6.1.f).",
        CONSENT: "Legal basis: your consent (GDPR art. 6.1.a).",
    },
    transfer="Your data is transferred outside the European Union: {text}",
    no_transfer="Your data is not transferred outside the European Union.",
    standard_retention=(
        f"We keep your data {RETENTION_YEARS} years from its collection or from the last time you "
        "contacted us (a reply, a click on a link). Then we may ask you once whether you wish to stay "
        "in touch; without a clear yes, we erase it."
    ),
    no_automated_decision="We make no decision about you by automated means alone (GDPR art. 22).",
    rights=(
        "You may at any time ask for access to your data, its rectification, its erasure, the restriction "
        "of its processing or its portability, and object to its processing (GDPR art. 15 to 21). It is "
        "free of charge, and we answer within one month."
    ),
    rights_by_link="To exercise your rights: {url} or write to {email}.",
    rights_by_email="To exercise your rights, write to {email}.",
    rights_by_link_only="To exercise your rights: {url}",
    withdraw_consent=(
        "You may withdraw your consent at any time, as easily as you gave it: one click on {url} is "
        "enough. Withdrawal does not affect what was done before it."
    ),
    complaint=f"You may lodge a complaint with the {_CNIL}.",
    objection=(
        "You may object at any time, free of charge and without giving a reason, to receiving our "
        "commercial messages: one click on {url} is enough, and we will then erase your data, keeping "
        "only a coded fingerprint of your address so that we never contact you again."
    ),
)

_FR = _Wording(
    title="Informations sur vos données personnelles",
    headings={
        NoticeItem.CONTROLLER: "Qui sommes-nous",
        NoticeItem.DPO: "Délégué à la protection des données",
        NoticeItem.SOURCE: "D'où viennent vos données",
        NoticeItem.CATEGORIES: "Les données que nous détenons sur vous",
        NoticeItem.PURPOSES_AND_BASIS: "Pourquoi nous les utilisons",
        NoticeItem.LEGITIMATE_INTEREST: "Notre intérêt légitime",
        NoticeItem.RECIPIENTS: "Qui les reçoit",
        NoticeItem.TRANSFERS: "Transferts hors de l'Union européenne",
        NoticeItem.RETENTION: "Combien de temps nous les gardons",
        NoticeItem.AUTOMATED_DECISIONS: "Décisions automatisées",
        NoticeItem.RIGHTS: "Vos droits",
        NoticeItem.WITHDRAW_CONSENT: "Retirer votre consentement",
        NoticeItem.COMPLAINT: "Réclamation",
        NoticeItem.OBJECTION: "Votre droit d'opposition",
    },
    months=_MONTHS_FR,
    first_day="1er",
    and_=" et ",
    quotes=("« ", " »"),
    controller="{name}{siren}, {address}. Contact : {email}.",
    privacy_policy="Notre politique de confidentialité : {url}",
    dpo_named="Notre délégué à la protection des données est {name} ; écrivez à {email}.",
    dpo_unnamed="Vous pouvez joindre notre délégué à la protection des données à {email}.",
    no_dpo=(
        "Nous n'avons pas désigné de délégué à la protection des données. Pour toute question sur vos "
        "données, écrivez à {email}."
    ),
    source_one="Nous n'avons pas obtenu vos données auprès de vous. Elles ont été collectées {phrase}.",
    source_many="Nous n'avons pas obtenu vos données auprès de vous. Elles ont été collectées :",
    provenance="le {date} depuis {name}{url}, {access}",
    public="{article} {noun} accessible au public",
    not_public="{article} {noun} non accessible au public",
    source_nouns={
        "website": ("une", "page"),
        "social_network": ("une", "page de réseau social"),
        "directory": ("un", "annuaire"),
        "event": ("une", "page d'événement"),
        "form": ("un", "formulaire"),
        "crm_export": ("un", "export de fichier clients"),
        "purchased_list": ("une", "liste achetée"),
        "manual": ("une", "source"),
    },
    held="Nous détenons vos données suivantes : {fields}.",
    fields={
        "email": "adresse électronique",
        "first_name": "prénom",
        "last_name": "nom",
        "job_title": "fonction",
        "company": "entreprise",
        "company_domain": "domaine internet de l'entreprise",
        "phone": "téléphone professionnel",
        "professional_phone": "téléphone professionnel",
        "country": "pays",
        "language": "langue",
    },
    categories="Catégories : {categories}.",
    category_names={
        "identity": "état civil et identité",
        "personal life": "vie personnelle",
        "professional life": "vie professionnelle",
        "economic": "informations d'ordre économique et financier",
        "connection": "données de connexion",
        "location": "données de localisation",
        "internet": "données internet",
        "other": "autres",
        "sensitive": "données sensibles",
    },
    basis={
        LEGITIMATE_INTEREST: "Base légale : notre intérêt légitime (article 6.1.f du RGPD).",
        CONSENT: "Base légale : votre consentement (article 6.1.a du RGPD).",
    },
    transfer="Vos données sont transférées hors de l'Union européenne : {text}",
    no_transfer="Vos données ne sont pas transférées hors de l'Union européenne.",
    standard_retention=(
        f"Nous gardons vos données {RETENTION_YEARS} ans à compter de leur collecte ou du dernier contact "
        "venu de vous (une réponse, un clic sur un lien). Nous pouvons alors vous demander une fois si vous "
        "souhaitez rester en contact ; sans accord clair de votre part, nous les effaçons."
    ),
    no_automated_decision=(
        "Nous ne prenons aucune décision vous concernant sur le seul fondement d'un traitement automatisé "
        "(article 22 du RGPD)."
    ),
    rights=(
        "Vous pouvez à tout moment demander l'accès à vos données, leur rectification, leur effacement, la "
        "limitation de leur traitement ou leur portabilité, et vous opposer à leur traitement (articles 15 "
        "à 21 du RGPD). C'est gratuit, et nous répondons dans un délai d'un mois."
    ),
    rights_by_link="Pour exercer vos droits : {url} ou écrivez à {email}.",
    rights_by_email="Pour exercer vos droits, écrivez à {email}.",
    rights_by_link_only="Pour exercer vos droits : {url}",
    withdraw_consent=(
        "Vous pouvez retirer votre consentement à tout moment, aussi simplement que vous l'avez donné : "
        "un clic sur {url} suffit. Le retrait ne remet pas en cause ce qui a été fait avant."
    ),
    complaint=f"Vous pouvez adresser une réclamation à la {_CNIL}.",
    objection=(
        "Vous pouvez vous opposer à tout moment, gratuitement et sans avoir à vous justifier, à recevoir "
        "nos messages commerciaux : un clic sur {url} suffit. Nous effacerons alors vos données et ne "
        "garderons qu'une empreinte codée de votre adresse, pour ne plus jamais vous contacter."
    ),
)

_WORDINGS = {"en": _EN, "fr": _FR}


def _wording(language: str) -> _Wording:
    try:
        return _WORDINGS[language]
    except KeyError:
        raise ValueError(
            f"no notice wording for language {language!r}: licite writes 'fr' and 'en' (RULES D4)"
        ) from None
