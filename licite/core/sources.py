"""Whether a source may feed a collection (RULES B2-B4, C4), and the terms of known platforms."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

KASPR = "CNIL sanction KASPR, 2024: 240,000 EUR for collecting LinkedIn contact details"


@dataclass(frozen=True, slots=True)
class PlatformTerms:
    """What a known platform's own terms say about automated extraction."""

    name: str
    domains: frozenset[str]
    extraction_allowed: str  # "yes" | "no" | "unknown"
    terms_reference: str


# RULES B4: these platforms forbid automated extraction in their terms.
KNOWN_PLATFORMS = (
    PlatformTerms(
        "LinkedIn",
        frozenset({"linkedin.com"}),
        "no",
        "LinkedIn User Agreement, section 8.2: no scraping software, robots or plug-ins, "
        "no bots to add contacts or send messages",
    ),
    PlatformTerms(
        "Facebook",
        frozenset({"facebook.com", "fb.com"}),
        "no",
        "Meta Terms of Service, section 3.2.3: no access to or collection of data by automated means",
    ),
    PlatformTerms(
        "Instagram",
        frozenset({"instagram.com"}),
        "no",
        "Instagram Terms of Use: no collection of information in an automated way",
    ),
    PlatformTerms(
        "X (Twitter)",
        frozenset({"x.com", "twitter.com"}),
        "no",
        "X Terms of Service, section 4: crawling or scraping without prior written consent is prohibited",
    ),
    PlatformTerms(
        "Malt",
        frozenset({"malt.fr", "malt.com"}),
        "no",
        "Malt Terms of Use: no extraction of the freelancers' data",
    ),
)


def platform_for(name: str, url: str) -> PlatformTerms | None:
    """The known platform a source is on, by the host of its URL or by its name."""
    host = (urlsplit(url).hostname or "").lower() if url else ""
    for platform in KNOWN_PLATFORMS:
        if any(host == d or host.endswith("." + d) for d in platform.domains):
            return platform
        if name.strip().lower() == platform.name.lower():
            return platform
    return None


@dataclass(frozen=True, slots=True)
class SourceFacts:
    """What licite knows of a source when a collection from it is attempted."""

    name: str
    method: str
    extraction_allowed: str
    visibility: str
    terms_reference: str
    has_balancing_test: bool


@dataclass(frozen=True, slots=True)
class SourceDecision:
    allowed: bool
    reasons: tuple[str, ...]
    hint: str = ""


def may_collect_from(source: SourceFacts, *, legitimate_interest: bool) -> SourceDecision:
    """Decide whether a collection from `source` is lawful, with the reasons when it is not."""
    reasons: list[str] = []
    hint = ""
    # RULES B4: terms that forbid automated extraction cannot feed an automated collection.
    if source.method == "automated" and source.extraction_allowed == "no":
        clause = source.terms_reference or "the source's terms"
        reasons.append(
            f"source {source.name!r} forbids automated extraction ({clause}); an automated "
            f"collection from it is unlawful ({KASPR})"
        )
    # RULES B4: data the person restricted to their own network may not be collected at all.
    if source.visibility == "restricted":
        reasons.append(
            f"source {source.name!r} holds data the persons restricted to their own network; it may "
            f"not be collected at all ({KASPR})"
        )
    # RULES C4: legitimate interest needs a written balancing test.
    if legitimate_interest and not source.has_balancing_test and not reasons:
        reasons.append(f"no balancing test is recorded for source {source.name!r} (RULES C4)")
        hint = f'licite sources assess "{source.name}" --interest TEXT --expectations TEXT --safeguards TEXT'
    return SourceDecision(not reasons, tuple(reasons), hint)


def balancing_concerns(extraction_allowed: str, terms_reference: str) -> tuple[str, ...]:
    """RULES C4: what weighs against legitimate interest for this source."""
    if extraction_allowed == "no":
        clause = terms_reference or "its terms"
        return (
            f"the source's terms forbid extraction ({clause}): this weighs against the legitimate "
            "interest; the persons do not expect their data to be reused for prospecting",
        )
    if extraction_allowed == "unknown":
        return ("the source's terms were not checked: read them and record whether they allow reuse",)
    return ()
