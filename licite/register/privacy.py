"""The prospecting section of the controller's website privacy policy (RULES D5), from live data.

Written from the organisation's profile, the register's activities, the declared sources (named
by kind, with the known platforms actually declared: licite.core.sources), the processors and the
retention settings: what is done, on which basis, for how long, the suppression list, the rights
and how to exercise them (the public /rights/ page), the complaint to the CNIL. A DPO pastes it
into the website's policy (`licite privacy-policy`); licite serves it at /privacy/ too.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from licite.accounts.models import Organisation
from licite.core.clocks import RETENTION_YEARS, SUPPRESSION_YEARS
from licite.core.sources import platform_for
from licite.core.transfers import in_eea
from licite.lib.documents import Bullets, Document, Fields, Paragraph, Section
from licite.processors.models import Processor
from licite.prospects.models import Source, SourceKind
from licite.register.models import ProcessingActivity

LEGITIMATE_INTEREST = "legitimate_interest"
CONSENT = "consent"
CNIL_COMPLAINTS = "https://www.cnil.fr/fr/plaintes"
_NONE_WORDS = frozenset({"", "none", "no", "n/a", "-", "non", "aucun", "aucune", "néant"})

# The CNIL's categories of data (licite.register.models.DataCategory), in the words of a policy:
# used only for a row the register describes in neither language.
_CATEGORIES = {
    "identity": gettext_lazy("identity"),
    "professional_life": gettext_lazy("professional life"),
    "personal_life": gettext_lazy("personal life"),
    "economic": gettext_lazy("economic and financial information"),
    "connection": gettext_lazy("connection data"),
    "location": gettext_lazy("location data"),
    "internet": gettext_lazy("internet data"),
    "other": gettext_lazy("other data"),
}


class NoOrganisation(Exception):
    """The policy names the controller: the organisation's profile must be set first."""


def privacy_document(language: str) -> Document:
    """The prospecting section of the privacy policy, in French or English (RULES D4, D5)."""
    organisation = Organisation.current()
    if organisation is None:
        raise NoOrganisation("the organisation's profile is not set: run `licite init` first")
    with translation.override(language):
        activities = list(ProcessingActivity.objects.order_by("pk"))
        return Document(
            title=_("Commercial prospecting: how we use your data"),
            language=language,
            subtitle=_("Prospecting section of the privacy policy of %(name)s")
            % {"name": organisation.legal_name},
            generated_at=timezone.now(),
            sections=(
                _controller(organisation),
                _purposes(activities, language, organisation.default_language),
                _sources(list(Source.objects.order_by("name"))),
                _recipients(activities, language, _serving(activities)),
                _retention(),
                _suppression(),
                _rights(organisation),
                _complaint(),
            ),
        )


def _controller(organisation: Organisation) -> Section:
    rows = [
        (_("Controller"), organisation.legal_name),
        (_("SIREN"), organisation.siren),
        (_("Address"), organisation.address),
        (_("Contact"), organisation.contact_email),
    ]
    if organisation.dpo_email:
        dpo = ", ".join(filter(None, (organisation.dpo_name, organisation.dpo_email)))
        rows.append((_("Data protection officer"), dpo))
    text = _(
        "We look for professionals whose job our offers concern, and write to them by email. This "
        "section says what we do with their data; it applies to the persons we contact."
    )
    return Section(_("Who we are"), (Paragraph(text), Fields(tuple(rows))))


def _purposes(activities: list[ProcessingActivity], language: str, named_in: str) -> Section:
    if not activities:
        return Section(
            _("What we do and on which basis"), (Paragraph(_("No processing activity is declared yet.")),)
        )
    return Section(
        _("What we do and on which basis"),
        (Paragraph(_("Each purpose, its legal basis and the data it uses:")),),
        tuple(_activity(activity, language, named_in) for activity in activities),
    )


def _activity(activity: ProcessingActivity, language: str, named_in: str) -> Section:
    """One activity; its heading is its name, written in the organisation's language (the
    register keeps one name), else its purpose, which is written in both."""
    purpose = getattr(activity, f"purpose_{language}").strip()
    heading = activity.name if language == named_in or not purpose else purpose
    rows = [(_("Purpose"), purpose)] if heading != purpose else []
    rows.append((_("Legal basis"), _basis(activity, language)))
    interest = getattr(activity, f"interest_pursued_{language}").strip()
    if activity.legal_basis == LEGITIMATE_INTEREST and interest:
        rows.append((_("Our legitimate interest"), interest))
    categories = _categories(activity, language)
    if categories:
        rows.append((_("Data"), categories))
    retention = getattr(activity, f"retention_{language}").strip()
    rows.append((_("Retention"), retention or _standard_retention()))
    decisions = getattr(activity, f"automated_decisions_{language}").strip()
    if not _says_none(decisions):
        rows.append((_("Automated decisions"), decisions))
    return Section(heading, (Fields(tuple(rows)),))


def _basis(activity: ProcessingActivity, language: str) -> str:
    """RULES C1-C3: what legitimate interest and consent mean for the person; another basis (the
    objection list's legal obligation) is named with the register's justification of it."""
    basis = activity.legal_basis
    if basis == LEGITIMATE_INTEREST:
        return _(
            "our legitimate interest (GDPR art. 6.1.f): we write to professionals at their work address "
            "only about offers related to their function, and they can object at any time."
        )
    if basis == CONSENT:
        return _(
            "your consent (GDPR art. 6.1.a). When we find the address of a private person in a public "
            "source, we write once to introduce ourselves and ask for consent; without it within "
            "%(days)d days, we erase the data."
        ) % {"days": settings.LICITE_CONSENT_DELAY_DAYS}
    justification = getattr(activity, f"legal_basis_justification_{language}", "").strip()
    label = str(activity.get_legal_basis_display())
    colon = "\u00a0:" if language == "fr" else ":"
    return f"{label}{colon} {justification}" if justification else label


def _categories(activity: ProcessingActivity, language: str) -> str:
    """What the register says each category holds, in the policy's language (else the other):
    the suppression list's "identity" is a keyed hash, not a name (RULES D5, F4)."""
    other = "en" if language == "fr" else "fr"
    texts = []
    for row in activity.rows("data_categories"):
        text = (row.get(f"description_{language}") or row.get(f"description_{other}") or "").strip()
        key = row["category"]
        texts.append(text.rstrip(".") or str(_CATEGORIES.get(key, key.replace("_", " "))))
    return (" ; " if language == "fr" else "; ").join(texts)


def _sources(sources: list[Source]) -> Section:
    """RULES B2-B4, D5: the kinds of sources, naming the known platforms declared."""
    heading = _("Where the data comes from")
    if not sources:
        return Section(heading, (Paragraph(_("No source of prospects is declared yet.")),))
    kinds = dict(SourceKind.choices)
    items = []
    for kind in dict.fromkeys(source.kind for source in sources):
        platforms = _platforms(source for source in sources if source.kind == kind)
        label = str(kinds.get(kind, kind))
        named = {"kind": label, "platforms": ", ".join(platforms)}
        items.append(_("%(kind)s: %(platforms)s") % named if platforms else label)
    intro = _(
        "We do not get this data from the persons themselves. We collect it from these kinds of sources:"
    )
    reuse = _(
        "Data that is publicly accessible is not free to reuse: we collect only what prospecting "
        "needs (name, job title, company, work email address), we respect each source's terms, and "
        "each record keeps its source and the date of its collection. The first message we send "
        "tells the person where their data comes from, within one month of its collection at the "
        "latest."
    )
    blocks: list[Paragraph | Bullets] = [Paragraph(intro), Bullets(tuple(items)), Paragraph(reuse)]
    if any(_platforms([source]) for source in sources):
        manual = _(
            "On platforms whose terms forbid automated extraction (such as LinkedIn), nothing is "
            "collected by software, robot or browser plug-in: a person reads a page and notes only "
            "what it publicly shows. Contact details a member restricts to their network are never "
            "collected."
        )
        blocks.append(Paragraph(manual))
    return Section(heading, tuple(blocks))


def _platforms(sources: Iterable[Source]) -> list[str]:
    names = (platform_for(source.name, source.url, source.notes) for source in sources)
    return list(dict.fromkeys(platform.name for platform in names if platform is not None))


def _serving(activities: list[ProcessingActivity]) -> list[Processor]:
    """The processors that serve the activities shown (RULES B7), each once."""
    return list(Processor.objects.filter(activities__in=activities).distinct().order_by("name"))


def _recipients(activities: list[ProcessingActivity], language: str, processors: list[Processor]) -> Section:
    blocks: list[Paragraph | Bullets] = []
    internal = _texts(activities, f"recipients_internal_{language}")
    if internal:
        blocks += [Paragraph(_("Within our organisation:")), Bullets(tuple(internal))]
    external = _texts(activities, f"recipients_external_{language}")
    if external:
        blocks += [Paragraph(_("Outside it:")), Bullets(tuple(external))]
    if processors:
        blocks.append(Paragraph(_("Our processors, bound by a contract (GDPR art. 28):")))
        blocks.append(Bullets(tuple(_processor(processor) for processor in processors)))
    outside = [processor for processor in processors if not in_eea(processor.country)]
    transfers = _texts(activities, f"transfers_outside_eu_{language}")
    if any(processor.transfer_flag for processor in outside):  # RULES B7: claim no safeguard
        blocks.append(Paragraph(_(
            "Some of the data is processed outside the European Economic Area; the safeguard of each "
            "transfer, where there is one, is named above (GDPR art. 44 to 49)."
        ) + ("\n" + "\n".join(transfers) if transfers else "")))  # fmt: skip
    elif outside or transfers:
        blocks.append(Paragraph(_(
            "Some of the data is processed outside the European Economic Area; each transfer rests on "
            "the safeguard named above (GDPR art. 44 to 49)."
        ) + ("\n" + "\n".join(transfers) if transfers else "")))  # fmt: skip
    else:
        blocks.append(Paragraph(_("The data does not leave the European Economic Area.")))
    blocks.append(Paragraph(_("We do not sell the data of the persons we contact.")))
    return Section(_("Who receives the data"), tuple(blocks))


def _texts(activities: list[ProcessingActivity], field: str) -> list[str]:
    """The activities' texts of this field, each once; "None" (no transfer) is no text."""
    texts = (getattr(activity, field).strip() for activity in activities)
    return list(dict.fromkeys(text for text in texts if not _says_none(text)))


def _says_none(text: str) -> bool:
    """Like the notice (licite.core.notice): "None", "Aucun", "-"... say there is nothing."""
    return text.strip().rstrip(".").lower() in _NONE_WORDS


def _processor(processor: Processor) -> str:
    values = {"name": processor.name, "country": processor.country, "service": processor.service}
    text = _("%(name)s (%(country)s): %(service)s") % values
    if in_eea(processor.country):
        return text
    # RULES B7: a mechanism that is none, or not valid for the country, is no safeguard.
    mechanism = (
        _("none declared") if processor.transfer_flag else str(processor.get_transfer_mechanism_display())
    )
    return f"{text}; " + _("transfer outside the EEA: %(mechanism)s") % {"mechanism": mechanism}


def _standard_retention() -> str:
    return _(
        "%(years)d years from collection or from the last contact that came from the person (a reply, "
        "a click on a link; opening a message is not one), then erased."
    ) % {"years": RETENTION_YEARS}


def _retention() -> Section:
    """RULES F1-F4, C2, D2: how long, from the live settings."""
    items = [_standard_retention()]
    if settings.LICITE_LAST_CHANCE_DAYS:
        items.append(_(
            "%(days)d days before that date, we may ask once whether the person wishes to stay in touch; "
            "without a clear yes, we erase the data."
        ) % {"days": settings.LICITE_LAST_CHANCE_DAYS})  # fmt: skip
    items.append(_(
        "A private person we asked for consent: erased after %(days)d days without consent."
    ) % {"days": settings.LICITE_CONSENT_DELAY_DAYS})  # fmt: skip
    items.append(_(
        "A person we could not inform within one month of collection: erased."
    ))  # fmt: skip
    items.append(
        _("A person who objects or withdraws consent: erased at once, except the fingerprint below.")
    )
    return Section(_("How long we keep the data"), (Bullets(tuple(items)),))


def _suppression() -> Section:
    """RULES F4, G4: what stays after an objection, and for how long."""
    keep = settings.LICITE_SUPPRESSION_KEEP_YEARS
    how_long = (
        _("It is kept %(years)d years after the latest objection.") % {"years": keep}
        if keep
        else _("It is kept as long as we prospect, and at least %(years)d years.")
        % {"years": SUPPRESSION_YEARS}
    )
    text = _(
        "When a person objects or withdraws consent, we keep only a coded fingerprint of their email "
        "address (a keyed hash, from which the address cannot be read back), the reason and the date. "
        "It serves one purpose: never contacting them again, even if their address is in a list we "
        "import later."
    )
    return Section(_("The objection list"), (Paragraph(f"{text} {how_long}"),))


def _rights(organisation: Organisation) -> Section:
    """RULES G1-G5, D3: the rights, and the ways to exercise them."""
    rights = (
        _("access your data and obtain a copy of it (GDPR art. 15);"),
        _("have it rectified (art. 16) or erased (art. 17);"),
        _("have its processing restricted (art. 18) and receive it in a portable format (art. 20);"),
        _(
            "object to its processing (art. 21): to prospecting, at any time, free of charge and without "
            "giving a reason; we then stop at once;"
        ),
        _("withdraw your consent at any time, as easily as you gave it (art. 7)."),
    )
    url = f"{settings.LICITE_BASE_URL}{reverse('rights_public')}"
    how = _(
        "To exercise them: on our page %(url)s (a link sent to your address confirms the request), "
        "through the link at the end of each of our messages (one click is enough to object), or by "
        "writing to %(email)s."
    ) % {"url": url, "email": organisation.dpo_email or organisation.contact_email}
    when = _(
        "It is free. We answer within one month, and tell you within that month if we need two more "
        "months for a complex request. We ask for proof of identity only when we have a reasonable "
        "doubt, and never require a copy of an identity document."
    )
    return Section(_("Your rights"), (Paragraph(_("You have the right to:")), Bullets(rights),
                                      Paragraph(how), Paragraph(when)))  # fmt: skip


def _complaint() -> Section:
    text = _(
        "If you think your rights are not respected, you may lodge a complaint with the CNIL "
        "(Commission nationale de l'informatique et des libertés), 3 place de Fontenoy, TSA 80715, "
        "75334 Paris Cedex 07, %(url)s."
    ) % {"url": CNIL_COMPLAINTS}
    return Section(_("Complaints"), (Paragraph(text),))
