"""Country names as prospect files write them, to ISO 3166-1 alpha-2 codes.

Every country of ISO 3166-1 comes from `pycountry`: its alpha-2 and alpha-3 codes, its names in
English (short, official, common) and their French translations, which pycountry ships as
gettext catalogues. licite adds the variants that files write and ISO does not ("UK",
"Angleterre", "Holland") and a few names in the country's own language ("Deutschland").
The table is built once, the first time a name is looked up, from the installed package.
"""

from __future__ import annotations

import functools
import gettext
import unicodedata
from collections import defaultdict

import pycountry

# licite's own variants: names files use that ISO 3166 does not give in English or French.
_VARIANTS = {
    "FR": ("republique francaise",),
    "BE": ("belgie",),
    "CH": ("schweiz", "svizzera"),
    "DE": ("deutschland",),
    "ES": ("espana",),
    "IT": ("italia",),
    "NL": ("pays bas", "the netherlands", "holland", "nederland"),
    "GB": ("royaume uni", "uk", "great britain", "grande-bretagne", "angleterre", "england"),
    "AT": ("osterreich",),
    "PL": ("polska",),
    "CZ": ("tchequie", "czech republic"),
    "US": ("etats unis", "usa"),
    "CI": ("cote divoire", "ivory coast"),
    # Short English names that ISO 3166 (and so pycountry) no longer gives.
    "RU": ("russia",),
    "TR": ("turkey",),
    "CV": ("cape verde",),
}


def _fold(text: str) -> str:
    """Lower case, without accents, a typographic apostrophe made a plain one: "Côte d'Ivoire"."""
    text = text.replace("’", "'")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().strip()


@functools.cache
def _by_name() -> dict[str, str]:
    """Every folded name or code of every country, to its alpha-2 code."""
    french = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
    names: dict[str, str] = {}
    # The part before a comma ("Russia" of "Russian Federation" has none; "Corée" of "Corée,
    # République de"), kept only where it names one country: "Korea" names two.
    heads: defaultdict[str, set[str]] = defaultdict(set)
    for country in pycountry.countries:
        code = country.alpha_2
        english = [getattr(country, field, "") for field in ("name", "official_name", "common_name")]
        for name in filter(None, english + [french.gettext(name) for name in english if name]):
            names[_fold(name)] = code
            if "," in name:
                heads[_fold(name.split(",", 1)[0])].add(code)
        names[country.alpha_3.lower()] = code
    for head, codes in heads.items():
        if len(codes) == 1 and head not in names:
            names[head] = codes.pop()
    for code, variants in _VARIANTS.items():
        names.update(dict.fromkeys(variants, code))
    return names


@functools.cache
def _codes() -> frozenset[str]:
    return frozenset(country.alpha_2 for country in pycountry.countries)


@functools.lru_cache(maxsize=4096)
def country_code(value: str) -> str | None:
    """The alpha-2 code for a country name or code ("France", "fr", "Royaume-Uni",
    "Allemagne", "DEU"), else None."""
    text = value.strip()
    if not text:
        return None
    if len(text) == 2 and text.upper() in _codes():
        return text.upper()
    return _by_name().get(_fold(text))
