"""Processors and transfers outside the EU/EEA (RULES B7; GDPR art. 28, 44-46).

A processor in a country of the EU or the EEA needs an Art. 28 contract, nothing more. Outside,
the transfer needs a ground: an adequacy decision of the European Commission for that country
(art. 45), or safeguards such as standard contractual clauses or binding corporate rules (art.
46-47). Countries are ISO 3166-1 alpha-2 codes (licite.core.countries).
"""

from __future__ import annotations

# The 27 member states of the European Union.
EU = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)
# The European Economic Area: the EU and Iceland, Liechtenstein, Norway.
EEA = EU | {"IS", "LI", "NO"}

# RULES B7: the countries with an adequacy decision of the European Commission (GDPR art. 45), as
# the Commission lists them on 2026-12-01 ("Adequacy decisions", commission.europa.eu): Andorra,
# Argentina, Canada (commercial organisations), Faroe Islands, Guernsey, Israel, Isle of Man,
# Japan, Jersey, New Zealand, Republic of Korea, Switzerland, United Kingdom, Uruguay, United
# States (organisations certified under the EU-US Data Privacy Framework only). The decision on
# the European Patent Organisation covers an international organisation, not a country.
ADEQUACY_LIST_DATE = "2026-12-01"
ADEQUACY = frozenset(
    {"AD", "AR", "CA", "FO", "GG", "IL", "IM", "JP", "JE", "NZ", "KR", "CH", "GB", "UY", "US"}
)
# Where the decision covers only part of the recipients: the mechanism holds for those only.
ADEQUACY_LIMITS = {
    "CA": "commercial organisations subject to PIPEDA only",
    "US": "organisations certified under the EU-US Data Privacy Framework only",
}

MECHANISMS = ("adequacy", "scc", "bcr", "none")


def in_eea(country: str) -> bool:
    """Whether the country (alpha-2 code) is in the EU or the EEA: no transfer to speak of."""
    return country.upper() in EEA


def has_adequacy_decision(country: str) -> bool:
    """Whether the Commission found the country's protection adequate (list of ADEQUACY_LIST_DATE)."""
    return country.upper() in ADEQUACY


# The two ways a transfer goes wrong, for the layers that word them in the reader's language.
NO_MECHANISM = "no_mechanism"
NO_ADEQUACY = "no_adequacy"
# A transfer that holds for some recipients only (ADEQUACY_LIMITS): a warning, not a failure.
LIMITED_ADEQUACY = "limited_adequacy"


def transfer_problem_kind(country: str, mechanism: str) -> str | None:
    """NO_MECHANISM, NO_ADEQUACY or None: what is wrong with a transfer to `country` (RULES B7).

    Outside the EU/EEA, a transfer needs an adequacy decision or safeguards (SCC, BCR)."""
    code = country.upper()
    if in_eea(code):
        return None
    if mechanism == "none":
        return NO_MECHANISM
    if mechanism == "adequacy" and not has_adequacy_decision(code):
        return NO_ADEQUACY
    return None


def adequacy_limit(country: str, mechanism: str) -> str | None:
    """LIMITED_ADEQUACY when the transfer rests on a decision that covers only some recipients
    (ADEQUACY_LIMITS: the US for DPF-certified organisations, Canada under PIPEDA), else None.

    RULES B7: licite cannot know the processor is one of them; the controller checks it."""
    if mechanism == "adequacy" and country.upper() in ADEQUACY_LIMITS:
        return LIMITED_ADEQUACY
    return None
