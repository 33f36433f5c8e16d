"""Fictitious people and companies for demo data and benchmarks: no real person is named here.

The demo's names, companies and job titles come from Faker's French (fr_FR) and English (en_GB)
locales, seeded so that one seed always gives the same people (`Fictitious`). Company addresses
use the reserved `.example` top-level domain (RFC 2606).

The fixed tuples below feed the import benchmark (bench/generate.py), which must generate the
same file from one version of licite to the next so that its figures compare; and
`PURCHASING_TITLES` gives the demo the buyers its sample campaign is written for.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from faker import Faker

# The demo's two languages (RULES D4) and the Faker locale each one's people come from.
LOCALES = {"fr": "fr_FR", "en": "en_GB"}

# Titles of the purchasing function, which the README's sample campaign ("achat, procurement")
# reaches: Faker's job lists hold a handful in hundreds.
PURCHASING_TITLES = {
    "fr": ("Directeur des achats", "Responsable achats", "Acheteuse", "Acheteur industriel"),
    "en": ("Head of Procurement", "Purchasing Manager", "Buyer", "Procurement Officer"),
}


@dataclass(frozen=True, slots=True)
class Company:
    """A fictitious company, on a reserved `.example` domain."""

    name: str
    domain: str
    country: str
    language: str


class Fictitious:
    """Fictitious people, companies and job titles in French and English, repeatable by seed."""

    def __init__(self, seed: int) -> None:
        from faker import Faker  # here, not at import: only the demo needs it

        self._faker: Faker = Faker(list(LOCALES.values()))
        self._faker.seed_instance(seed)

    def company(self, country: str, language: str) -> Company:
        """A company of `country` whose name is written in `language`."""
        name = self._locale(language).company()
        return Company(name, ascii_slug(name) + ".example", country, language)

    def person(self, language: str) -> tuple[str, str]:
        """A first and a last name."""
        locale = self._locale(language)
        return locale.first_name(), locale.last_name()

    def job_title(self, language: str) -> str:
        """A job title, capitalized as a business card writes it."""
        title = str(self._locale(language).job())
        return title[:1].upper() + title[1:]

    def _locale(self, language: str) -> Faker:
        return self._faker[LOCALES[language]]


def ascii_slug(text: str, separator: str = "-") -> str:
    """ "Boulangerie Fournil d'Or" gives "boulangerie-fournil-d-or"."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = "".join(ch if ch.isalnum() else " " for ch in plain).split()
    return separator.join(words)


# The import benchmark's fixed sample (bench/generate.py).
FIRST_NAMES = (
    "Camille",
    "Léa",
    "Manon",
    "Chloé",
    "Inès",
    "Sarah",
    "Élodie",
    "Hélène",
    "Zoé",
    "Anaïs",
    "Lucas",
    "Hugo",
    "Théo",
    "Nathan",
    "Jérôme",
    "François",
    "Mathis",
    "Noé",
    "Rémi",
    "Loïc",
    "Emily",
    "Olivia",
    "Grace",
    "James",
    "Oliver",
    "Harry",
    "Amelia",
    "Jack",
    "Amélie",
    "Gaëlle",
)
LAST_NAMES = (
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "Fontaine",
    "Chevalier",
    "Rousseau",
    "Girard",
    "Bonnet",
    "Smith",
    "Taylor",
    "Brown",
    "Wilson",
    "Evans",
    "Müller",
)
JOB_TITLES = (
    "Directrice commerciale",
    "Directeur des achats",
    "Responsable logistique",
    "DSI",
    "Responsable marketing",
    "Office manager",
    "Directeur administratif et financier",
    "Head of Procurement",
    "Chief Technology Officer",
    "Operations Manager",
    "Gérant",
    "Responsable RH",
    "Acheteuse",
    "Sales Director",
    "CTO",
)
FREE_DOMAINS = (
    "gmail.com",
    "orange.fr",
    "free.fr",
    "laposte.net",
    "hotmail.fr",
    "yahoo.fr",
    "wanadoo.fr",
    "sfr.fr",
)
ROLE_LOCALS = (
    "contact",
    "info",
    "commandes",
    "accueil",
    "sales",
    "support",
    "bonjour",
)
