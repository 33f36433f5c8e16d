"""Country names as prospect files write them, to ISO 3166-1 alpha-2 codes."""

from __future__ import annotations

import functools
import unicodedata

_NAMES = {
    "FR": ("france", "republique francaise"),
    "BE": ("belgique", "belgium", "belgie"),
    "CH": ("suisse", "switzerland", "schweiz", "svizzera"),
    "LU": ("luxembourg",),
    "DE": ("allemagne", "germany", "deutschland"),
    "ES": ("espagne", "spain", "espana"),
    "IT": ("italie", "italy", "italia"),
    "PT": ("portugal",),
    "NL": ("pays-bas", "pays bas", "netherlands", "the netherlands", "holland", "nederland"),
    "IE": ("irlande", "ireland"),
    "GB": ("royaume-uni", "royaume uni", "united kingdom", "uk", "great britain", "angleterre", "england"),
    "AT": ("autriche", "austria", "osterreich"),
    "DK": ("danemark", "denmark"),
    "SE": ("suede", "sweden"),
    "FI": ("finlande", "finland"),
    "NO": ("norvege", "norway"),
    "PL": ("pologne", "poland", "polska"),
    "CZ": ("republique tcheque", "tchequie", "czech republic", "czechia"),
    "GR": ("grece", "greece"),
    "RO": ("roumanie", "romania"),
    "MC": ("monaco",),
    "US": ("etats-unis", "etats unis", "usa", "united states", "united states of america"),
    "CA": ("canada",),
    "MA": ("maroc", "morocco"),
    "TN": ("tunisie", "tunisia"),
    "DZ": ("algerie", "algeria"),
    "SN": ("senegal",),
    "CI": ("cote d'ivoire", "cote divoire", "ivory coast"),
}
_BY_NAME = {name: code for code, names in _NAMES.items() for name in names}
_CODES = frozenset(_NAMES) | frozenset(
    [
        "AD",
        "AE",
        "AL",
        "AM",
        "AR",
        "AU",
        "AZ",
        "BA",
        "BG",
        "BR",
        "BY",
        "CL",
        "CN",
        "CO",
        "CY",
        "EE",
        "EG",
        "GE",
        "HK",
        "HR",
        "HU",
        "ID",
        "IL",
        "IN",
        "IS",
        "JP",
        "KR",
        "KZ",
        "LB",
        "LI",
        "LT",
        "LV",
        "MD",
        "ME",
        "MK",
        "MT",
        "MX",
        "MY",
        "NG",
        "NZ",
        "PE",
        "PH",
        "PK",
        "QA",
        "RS",
        "RU",
        "SA",
        "SG",
        "SI",
        "SK",
        "TH",
        "TR",
        "TW",
        "UA",
        "UY",
        "VN",
        "ZA",
    ]
)


@functools.lru_cache(maxsize=4096)
def country_code(value: str) -> str | None:
    """The alpha-2 code for a country name or code ("France", "fr", "Royaume-Uni"), else None."""
    text = value.strip()
    if not text:
        return None
    if len(text) == 2 and text.upper() in _CODES:
        return text.upper()
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().strip()
    return _BY_NAME.get(plain.replace("’", "'"))
