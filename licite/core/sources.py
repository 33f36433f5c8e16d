"""Whether a source may feed a collection (RULES B2-B4, C4), and the terms of known platforms.

A source is recognised as a known platform by its name (case, accents and punctuation aside:
"linkedin-sales-navigator", "LinkedIn SalesNav" and "Sales Nav" are LinkedIn), by the host of
its URL (subdomains and short-link domains included) and by the web addresses in its notes. A
tool whose business is copying a platform (Kaspr, Lusha, Phantombuster...) is recognised the
same way, also by name in the notes: its data is that platform's data. The terms below were read
on TERMS_CHECKED_ON; docs/sources.md records what each says, where, and what could not be read.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from licite.core.lookalike import as_read

KASPR = (
    "CNIL sanction KASPR, deliberation SAN-2024-020 of 5 December 2024: 240,000 EUR for collecting "
    "LinkedIn contact details"
)
TERMS_CHECKED_ON = "2026-12-04"
MANUAL = "manual"
"""The one method that is a person reading a page and typing what it shows."""


@dataclass(frozen=True, slots=True)
class PlatformTerms:
    """What a known platform's own terms say about extracting its data."""

    name: str
    domains: frozenset[str]
    """Hosts (subdomains included), or host/path prefixes such as "google.com/maps"."""
    extraction_allowed: str  # "yes" | "no" | "unknown"
    terms_reference: str
    aliases: tuple[str, ...] = ()
    terms_url: str = ""
    allowed_methods: frozenset[str] | None = None
    """The only collection methods its terms leave open; None: the general rules decide."""


@dataclass(frozen=True, slots=True)
class CopyingTool:
    """A tool whose business is copying a platform's data: what it yields is that platform's."""

    name: str
    aliases: tuple[str, ...]
    domains: frozenset[str]
    copies: str


_MANUAL_ONLY = frozenset({MANUAL})
_LINKEDIN_TERMS = (
    "LinkedIn User Agreement, section 8.2: no scraping or copying of profiles and other data by "
    "any means (bots, crawlers, scrapers, browser plug-ins and add-ons), no bots to add or download "
    "contacts or send messages; LinkedIn API Terms of Use: no use of API data for advertising or "
    "mass messaging"
)
_NOT_VERIFIED = f"clause not verified on {TERMS_CHECKED_ON}"

# RULES B4: platforms first whose terms forbid extraction; the first match wins.
# fmt: off
KNOWN_PLATFORMS = (
    PlatformTerms(
        "LinkedIn",
        frozenset({"linkedin.com", "linkedin.fr", "linkedin.cn", "lnkd.in", "licdn.com"}),
        "no", _LINKEDIN_TERMS,
        ("LinkedIn", "Linked In", "LinkedIn Sales Navigator", "Sales Navigator", "Sales Nav",
         "SalesNav", "LinkedIn Recruiter", "Recruiter Lite", "Talent Insights", "LinkedIn Premium"),
        "https://www.linkedin.com/legal/user-agreement", _MANUAL_ONLY,
    ),
    PlatformTerms(
        "Facebook",
        frozenset({"facebook.com", "fb.com", "fb.me", "fb.watch", "m.me", "messenger.com"}),
        "no",
        "Meta Terms of Service, section 3.2.3: no access to or collection of data from Meta's "
        "products by automated means without prior permission",
        ("Facebook", "FB", "Messenger"), "https://www.facebook.com/terms.php", _MANUAL_ONLY,
    ),
    PlatformTerms(
        "Instagram",
        frozenset({"instagram.com", "instagr.am", "ig.me"}),
        "no",
        "Instagram Terms of Use, \"What you can't do\": no collecting of information in an automated "
        "way without express permission",
        ("Instagram", "Insta"), "https://help.instagram.com/581066165581870", _MANUAL_ONLY,
    ),
    PlatformTerms(
        "X (Twitter)",
        frozenset({"x.com", "twitter.com", "t.co"}),
        "no",
        "X Terms of Service, section 4 (Misuse of the Services): crawling or scraping in any form, "
        "for any purpose, without prior written consent is expressly prohibited",
        ("Twitter", "X.com", "X Twitter"), "https://x.com/en/tos", _MANUAL_ONLY,
    ),
    PlatformTerms(
        "Google Maps",
        frozenset({"maps.google.com", "maps.app.goo.gl", "goo.gl/maps", "g.page", "g.co/kgs",
                   "business.google.com", "google.com/maps", "google.fr/maps"}),
        "no",
        "Google Maps Platform Terms of Service, section 3.2.3(a): no export, extraction or scraping "
        "of Google Maps Content, including business names, addresses and reviews",
        ("Google Maps", "Google My Business", "Google Business Profile", "Google Business",
         "Fiche Google", "Fiches Google"),
        "https://cloud.google.com/maps-platform/terms", _MANUAL_ONLY,
    ),
    PlatformTerms(
        "Malt",
        frozenset({"malt.fr", "malt.com", "malt.es", "malt.de", "malt.uk", "malt.be", "malt.nl",
                   "malt.ch"}),
        "no",
        f"Malt Terms and Conditions of Use and Sale ({_NOT_VERIFIED}): a marketplace that puts "
        "clients in touch with freelancers, read as forbidding the extraction of their profiles",
        ("Malt",), "https://www.malt.fr/about/terms", _MANUAL_ONLY,
    ),
    PlatformTerms(
        "Welcome to the Jungle",
        frozenset({"welcometothejungle.com", "wttj.co"}),
        "no",
        f"Welcome to the Jungle Terms of Use of 19 December 2023 ({_NOT_VERIFIED}): read as "
        "forbidding the extraction of its members' and employees' profiles",
        ("Welcome to the Jungle", "WTTJ"), "https://www.welcometothejungle.com/fr/pages/terms",
        _MANUAL_ONLY,
    ),
    PlatformTerms(
        "Viadeo",
        frozenset({"viadeo.com", "viadeo.journaldunet.com"}),
        "no",
        f"Viadeo terms of use ({_NOT_VERIFIED}): a professional social network, read like "
        "LinkedIn's",
        ("Viadeo",), "https://viadeo.journaldunet.com/", _MANUAL_ONLY,
    ),
    PlatformTerms(
        "Kompass",
        frozenset({"kompass.com", "kompass.fr"}),
        "no",
        "Kompass General Terms and Conditions: access, export and extraction of its databases only "
        "through a subscription (Prospecting services, export credits)",
        ("Kompass",), "https://fr.kompass.com/e/fr/conditions-generales/",
        frozenset({MANUAL, "export", "purchase", "api"}),
    ),
    PlatformTerms(
        "PagesJaunes",
        frozenset({"pagesjaunes.fr", "pagesblanches.fr", "solocal.com"}),
        "no",
        f"PagesJaunes terms of use ({_NOT_VERIFIED}); a directory is a database whose substantial "
        "extraction its producer may forbid (Code de la propriété intellectuelle, art. L342-1)",
        ("Pages Jaunes", "PagesJaunes", "Pages Blanches", "Solocal"),
        "https://www.pagesjaunes.fr/infoslegales",
    ),
    PlatformTerms(
        "Annuaire des entreprises / Sirene",
        frozenset({"annuaire-entreprises.data.gouv.fr", "recherche-entreprises.api.gouv.fr",
                   "sirene.fr", "api.insee.fr", "data.gouv.fr/datasets/base-sirene",
                   "data.gouv.fr/fr/datasets/base-sirene"}),
        "yes",
        "Licence Ouverte / Open Licence 2.0 (Etalab); the persons under partial diffusion "
        "(code de commerce, art. R123-232-1) may not be used for prospecting",
        ("Annuaire des entreprises", "Sirene", "Base Sirene", "API Sirene", "Recherche entreprises"),
        "https://www.data.gouv.fr/dataservices/api-sirene-open-data",
    ),
    PlatformTerms(
        "Pappers",
        frozenset({"pappers.fr", "pappers.in"}),
        "unknown", f"Pappers terms of use ({_NOT_VERIFIED}): read them before any extraction",
        ("Pappers",), "https://www.pappers.fr/conditions-generales",
    ),
    PlatformTerms(
        "Societe.com",
        frozenset({"societe.com"}),
        "unknown", f"Societe.com terms of use ({_NOT_VERIFIED}): read them before any extraction",
        ("Societe.com", "Societe com"), "https://www.societe.com/cgu.html",
    ),
    PlatformTerms(
        "Infogreffe",
        frozenset({"infogreffe.fr", "infogreffe.com"}),
        "unknown", f"Infogreffe terms of use ({_NOT_VERIFIED}): read them before any extraction",
        ("Infogreffe",), "https://www.infogreffe.fr/cgu",
    ),
)

# Tools whose business is copying LinkedIn: a source from one of them is LinkedIn's data,
# gathered by the tool against section 8.2 (the KASPR case). Dropcontact is not listed: its
# service enriches a name and a company without a copy of LinkedIn; a source declared as its
# LinkedIn extension names LinkedIn, and is recognised by that.
COPYING_TOOLS = tuple(
    CopyingTool(name, aliases, frozenset(domains), "LinkedIn")
    for name, aliases, domains in (
        ("Kaspr", ("Kaspr",), ("kaspr.io",)),
        ("Lusha", ("Lusha",), ("lusha.com", "lusha.co")),
        ("Phantombuster", ("Phantombuster", "Phantom Buster"), ("phantombuster.com",)),
        ("Waalaxy", ("Waalaxy", "ProspectIn"), ("waalaxy.com", "prospectin.fr", "prospectin.io")),
        ("Apollo.io", ("Apollo.io", "Apollo extension", "Apollo Chrome"), ("apollo.io",)),
        ("Evaboot", ("Evaboot",), ("evaboot.com",)),
        ("Captain Data", ("Captain Data", "CaptainData"), ("captaindata.com", "captaindata.co")),
        ("La Growth Machine", ("La Growth Machine", "LaGrowthMachine", "LGM"),
         ("lagrowthmachine.com",)),
        ("lemlist", ("lemlist",), ("lemlist.com",)),
        ("Dux-Soup", ("Dux-Soup", "DuxSoup"), ("dux-soup.com",)),
        ("Expandi", ("Expandi",), ("expandi.io",)),
        ("Linked Helper", ("Linked Helper", "LinkedHelper"), ("linkedhelper.com",)),
        ("Wiza", ("Wiza",), ("wiza.co",)),
        ("ContactOut", ("ContactOut",), ("contactout.com",)),
        ("SignalHire", ("SignalHire",), ("signalhire.com",)),
        ("Skrapp", ("Skrapp",), ("skrapp.io",)),
        ("Snov.io", ("Snov.io", "Snovio"), ("snov.io",)),
        ("Dripify", ("Dripify",), ("dripify.io",)),
        ("HeyReach", ("HeyReach",), ("heyreach.io",)),
        ("Surfe", ("Surfe", "Leadjet"), ("surfe.com", "leadjet.io")),
        ("Derrick", ("Derrick App", "Derrick-app"), ("derrick-app.com",)),
        ("Prospeo", ("Prospeo",), ("prospeo.io",)),
        ("RocketReach", ("RocketReach",), ("rocketreach.co",)),
        ("FullEnrich", ("FullEnrich",), ("fullenrich.com",)),
        ("Kanbox", ("Kanbox",), ("kanbox.io",)),
        ("Lobstr.io", ("Lobstr", "Lobstr.io"), ("lobstr.io",)),
    )
)
# fmt: on


@dataclass(frozen=True, slots=True)
class Recognised:
    """The known platform a source is on, and the copying tool it came through, if any."""

    platform: PlatformTerms
    tool: CopyingTool | None
    by: str  # "name" | "URL" | "notes"

    @property
    def label(self) -> str:
        if self.tool is None:
            return self.platform.name
        return f"{self.tool.name}, a tool that copies {self.platform.name}"


_WINDOW = 5  # the longest alias, in words
_ADDRESS_IN_TEXT = re.compile(r"(?:https?://)?(?:[a-z0-9-]+\.)+[a-z]{2,}(?:/\S*)?", re.IGNORECASE)


def _words(text: str) -> list[str]:
    # A look-alike letter reads as the Latin one (LinkedIn with a Cyrillic "i", U+0456, is LinkedIn).
    plain = unicodedata.normalize("NFKD", as_read(text)).casefold()
    return re.findall(r"[a-z0-9]+", "".join(ch for ch in plain if ch.isascii()))


def _named(words: list[str], aliases: tuple[str, ...]) -> bool:
    """Whether consecutive words, glued together, spell an alias: "Sales Nav" is "salesnav"."""
    keys = {"".join(_words(alias)) for alias in aliases}
    return any(
        "".join(words[start : start + size]) in keys
        for start in range(len(words))
        for size in range(1, min(_WINDOW, len(words) - start) + 1)
    )


def _addresses(*texts: str) -> list[tuple[str, str]]:
    """(host, path) of every web address written in `texts`."""
    found = []
    for text in texts:
        for match in _ADDRESS_IN_TEXT.finditer(text):
            written = match.group(0)
            parts = urlsplit(written if "//" in written else f"//{written}")
            host = (parts.hostname or "").rstrip(".")
            if host:
                found.append((host, parts.path.lstrip("/").lower()))
    return found


def _on(addresses: list[tuple[str, str]], domains: frozenset[str]) -> bool:
    """Whether an address is on one of `domains` (subdomains included; "host/path" prefixes)."""
    for host, path in addresses:
        for domain in domains:
            site, _, prefix = domain.partition("/")
            if (host == site or host.endswith("." + site)) and path.startswith(prefix):
                return True
    return False


def recognise(name: str, url: str, notes: str = "") -> Recognised | None:
    """The known platform a source is on, by its name, its URL or its notes; None if unknown.

    A copying tool is looked for first: its data is its platform's, whatever else is declared.
    """
    seen = {"name": _words(name), "notes": _words(notes)}
    at = {"URL": _addresses(url), "notes": _addresses(notes)}
    for tool in COPYING_TOOLS:
        by = _found_by(tool.aliases, tool.domains, seen, at)
        if by:
            return Recognised(_platform_named(tool.copies), tool, by)
    for platform in KNOWN_PLATFORMS:
        # A platform's name in the notes may be a denial ("not from LinkedIn"): only its addresses count.
        by = _found_by((platform.name, *platform.aliases), platform.domains, {"name": seen["name"]}, at)
        if by:
            return Recognised(platform, None, by)
    return None


def _found_by(
    aliases: tuple[str, ...],
    domains: frozenset[str],
    seen: dict[str, list[str]],
    at: dict[str, list[tuple[str, str]]],
) -> str:
    for where, words in seen.items():
        if _named(words, aliases):
            return where
    for where, addresses in at.items():
        if _on(addresses, domains):
            return where
    return ""


def _platform_named(name: str) -> PlatformTerms:
    return next(platform for platform in KNOWN_PLATFORMS if platform.name == name)


def platform_for(name: str, url: str, notes: str = "") -> PlatformTerms | None:
    """The known platform a source is on (a copying tool counts as its platform), or None."""
    found = recognise(name, url, notes)
    return found.platform if found else None


def platform_refusal(name: str, url: str, method: str, notes: str = "") -> PlatformRefusal | None:
    """RULES B4: the refusal of this collection method by a known platform's terms, if any.

    On a platform whose terms forbid extraction, only a person reading a page and typing what it
    shows may pass. A copying tool's data was extracted by the tool: nothing from it passes.
    """
    found = recognise(name, url, notes)
    if found is None:
        return None
    allowed = found.platform.allowed_methods
    if found.tool is None and (allowed is None or method in allowed):
        return None
    return PlatformRefusal(name, method, found)


@dataclass(frozen=True, slots=True)
class PlatformRefusal:
    """Why a platform's terms refuse a collection: the clause and the decision to name."""

    source: str
    method: str
    found: Recognised

    @property
    def manual_only(self) -> bool:
        return self.found.tool is None and self.found.platform.allowed_methods == _MANUAL_ONLY

    @property
    def allowed(self) -> str:
        return ", ".join(sorted(self.found.platform.allowed_methods or ()))

    @property
    def decision(self) -> str:
        """The sanction to name: KASPR, for the platforms that only a person may read."""
        return KASPR if self.found.tool is not None or self.manual_only else ""

    @property
    def code(self) -> str:
        """Which of the three refusals this is, so that a page can say it in the reader's language."""
        if self.found.tool is not None:
            return "copying_tool"
        return "manual_only" if self.manual_only else "methods_only"

    @property
    def params(self) -> dict[str, str]:
        """The values of the refusal's sentence, as `__str__` writes them."""
        return {
            "source": repr(self.source),
            "platform": self.found.platform.name,
            "tool": self.found.tool.name if self.found.tool else "",
            "by": self.found.by,
            "method": self.method,
            "manual": MANUAL,
            "allowed": self.allowed,
            "clause": self.found.platform.terms_reference,
            "decision": self.decision,
        }

    def __str__(self) -> str:
        platform, by = self.found.platform, self.found.by
        decision = f"; {self.decision}" if self.decision else ""
        if self.found.tool is not None:
            return (
                f"source {self.source!r} is {self.found.label} (recognised by its {by}): its data was "
                f"extracted from {platform.name} against its terms and may not be collected by any "
                f"method ({platform.terms_reference}{decision})"
            )
        only = (
            "only a person reading a page and typing what it shows (method 'manual')"
            if self.manual_only
            else f"only {self.allowed}"
        )
        return (
            f"source {self.source!r} is {platform.name} (recognised by its {by}): its terms allow no "
            f"collection by method {self.method!r}, {only} ({platform.terms_reference}{decision})"
        )


@dataclass(frozen=True, slots=True)
class SourceFacts:
    """What licite knows of a source when a collection from it is attempted."""

    name: str
    method: str
    extraction_allowed: str
    visibility: str
    terms_reference: str
    has_balancing_test: bool
    url: str = ""
    notes: str = ""
    # RULES C4: the latest balancing test concludes that the persons' rights prevail.
    balancing_unfavourable: bool = False


@dataclass(frozen=True, slots=True)
class SourceDecision:
    allowed: bool
    reasons: tuple[str, ...]
    hint: str = ""
    # Each reason's stable code and values, in the order of `reasons`, so that a page can say it
    # in the reader's language (licite.lib.refusals.SOURCE_REFUSALS).
    codes: tuple[tuple[str, dict[str, str]], ...] = ()


def may_collect_from(source: SourceFacts, *, legitimate_interest: bool) -> SourceDecision:
    """Decide whether a collection from `source` is lawful, with the reasons when it is not."""
    reasons: list[str] = []
    codes: list[tuple[str, dict[str, str]]] = []
    hint = ""
    # RULES B4: a known platform's terms, and the tools that copy it, whatever was declared.
    refusal = platform_refusal(source.name, source.url, source.method, source.notes)
    if refusal is not None:
        reasons.append(str(refusal))
        codes.append((refusal.code, refusal.params))
    # RULES B4: terms that forbid automated extraction cannot feed an automated collection.
    elif source.method == "automated" and source.extraction_allowed == "no":
        clause = source.terms_reference or "the source's terms"
        reasons.append(
            f"source {source.name!r} forbids automated extraction ({clause}); an automated "
            f"collection from it is unlawful ({KASPR})"
        )
        codes.append(
            ("forbids_automated", {"source": repr(source.name), "clause": clause, "decision": KASPR})
        )
    # RULES B4: data the person restricted to their own network may not be collected at all.
    if source.visibility == "restricted":
        reasons.append(
            f"source {source.name!r} holds data the persons restricted to their own network; it may "
            f"not be collected at all ({KASPR})"
        )
        codes.append(("restricted", {"source": repr(source.name), "decision": KASPR}))
    # RULES C4: legitimate interest needs a written balancing test.
    if legitimate_interest and not source.has_balancing_test and not reasons:
        reasons.append(f"no balancing test is recorded for source {source.name!r} (RULES C4)")
        codes.append(("no_balancing_test", {"source": repr(source.name)}))
        hint = (
            f'licite sources assess "{source.name}" --interest TEXT --necessity TEXT --expectations TEXT '
            "--safeguards TEXT --conclusion favourable|unfavourable"
        )
    elif legitimate_interest and source.balancing_unfavourable and not reasons:
        reasons.append(
            f"the latest balancing test of source {source.name!r} concludes that the persons' rights "
            "prevail: legitimate interest cannot be relied on (RULES C4)"
        )
        codes.append(("balancing_unfavourable", {"source": repr(source.name)}))
    return SourceDecision(not reasons, tuple(reasons), hint, tuple(codes))


# RULES C4: what weighs against legitimate interest, stored as codes and worded by the reader's
# language when shown (licite.prospects.balancing.concern_texts).
TERMS_FORBID_EXTRACTION = "terms_forbid_extraction"
TERMS_NOT_CHECKED = "terms_not_checked"
CONCERNS = (TERMS_FORBID_EXTRACTION, TERMS_NOT_CHECKED)
# Tests recorded before the codes hold these English sentences: each is read as its code.
_SENTENCES = {
    "the source's terms forbid extraction": TERMS_FORBID_EXTRACTION,
    "the source's terms were not checked": TERMS_NOT_CHECKED,
}


def balancing_concerns(extraction_allowed: str, terms_reference: str) -> tuple[str, ...]:
    """RULES C4: what weighs against legitimate interest for this source, as codes (`CONCERNS`);
    the source's terms reference is quoted when they are shown."""
    if extraction_allowed == "no":
        return (TERMS_FORBID_EXTRACTION,)
    if extraction_allowed == "unknown":
        return (TERMS_NOT_CHECKED,)
    return ()


def concern_code(stored: str) -> str | None:
    """The code of a stored concern: a code, or a sentence of an older test; None if neither."""
    if stored in CONCERNS:
        return stored
    return next((code for start, code in _SENTENCES.items() if stored.startswith(start)), None)
