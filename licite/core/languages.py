"""The language a prospect is written to (RULES D4: the person's language; licite writes fr and en).

Decided at import, from the best sign available: a language the file states, else the country,
else the country code that ends the company's domain. A prospect left without one ("") is
written to in the organisation's default language when a message is composed.
"""

from __future__ import annotations

import re
import unicodedata

from licite.core.domains import country_code_tlds

FRENCH, ENGLISH = "fr", "en"
# Where French is the language of business, or one of them: written to in French.
FRENCH_SPEAKING = ("FR", "BE", "CH", "LU", "MC")
FRENCH_TLDS = frozenset(code.lower() for code in FRENCH_SPEAKING)
# Two-letter top-level domains sold to anyone, whatever their country (".io", ".co"), and the
# European Union's: they say nothing of a language, like ".com".
GENERIC_TLDS = frozenset({"ai", "cc", "co", "eu", "fm", "io", "me", "tv", "ws"})
_COUNTRY_TLD = re.compile("[a-z]{2}")
_NAMES = {
    "fr": FRENCH, "francais": FRENCH, "french": FRENCH,
    "en": ENGLISH, "anglais": ENGLISH, "english": ENGLISH,
}  # fmt: skip
_TAG = re.compile(r"(fr|en)(?:[-_][a-z]{2,3})?")  # "fr-BE", "en_GB"


def language_code(value: str) -> str | None:
    """ "fr" or "en" for a language a file names ("Français", "english", "fr-BE"), "" for an
    empty value, None for any other."""
    text = unicodedata.normalize("NFKD", value.strip()).encode("ascii", "ignore").decode().lower()
    if not text:
        return ""
    tag = _TAG.fullmatch(text)
    return tag.group(1) if tag else _NAMES.get(text)


def domain_language(domain: str) -> str:
    """RULES D4: the language a company domain's country code points to: "fr" for .fr, .be,
    .ch, .lu, .mc; "en" for any other country code (.co.uk, .de); "" for a generic one (.com,
    .org, .io, .eu...), which says nothing, and for a top-level domain the Public Suffix List
    does not know (.example, .zz)."""
    if "." not in domain:
        return ""
    tld = domain.rsplit(".", 1)[1]
    if not _COUNTRY_TLD.fullmatch(tld) or tld in GENERIC_TLDS or tld not in country_code_tlds():
        return ""
    return FRENCH if tld in FRENCH_TLDS else ENGLISH


def country_language(country: str) -> str:
    """ "fr" for a French-speaking country's code, "en" for any other, "" for none."""
    if not country:
        return ""
    return FRENCH if country in FRENCH_SPEAKING else ENGLISH


def prospect_language(stated: str, country: str, company_domain: str) -> str:
    """RULES D4: the language stated by the file, else the country's (its alpha-2 code), else
    the company domain's country code; "" (the organisation's default) when none says.

    A free mail domain (gmail.com, orange.fr) is not a company's: the caller leaves it out.
    """
    return stated or country_language(country) or domain_language(company_domain)
