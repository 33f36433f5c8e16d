"""Which job titles a campaign's functions concern, as a French or English speaker reads them (RULES C3).

RULES C3 (NESTOR, 2020): a professional may receive an offer only if it relates to their job. A
campaign names the functions it concerns: a key of the table below ("purchasing") or a free word
("achat"). A free word matches the titles sharing its stem; if it is one of the table's titles,
it stands for its whole function, so "achat" also reaches "Acheteuse" and "Head of Sourcing".

Words are compared by their Snowball stems (French and English), on lower-case, unaccented
words whose French feminine endings are folded first ("acheteuse" reads "acheteur", "directrice"
"directeur", "chargée" "chargé"): two words match when their stems agree in either language
and neither is much longer than the other, since stemming also joins words of other meanings
("market" and "marketing", "commune" and "communication", "account" and "accountant"). The
table lists the derived titles a function needs, and the organisation may add its own.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "TABLE",
    "FunctionTable",
    "JobFunction",
    "Relevance",
    "normalize_words",
    "parse_additions",
    "relevance",
]


@dataclass(frozen=True, slots=True)
class JobFunction:
    """A function of a company and the usual words of its job titles, in French and in English."""

    key: str
    fr: tuple[str, ...]
    en: tuple[str, ...]
    added: tuple[str, ...] = ()  # the organisation's own titles (Organisation.job_functions)

    @property
    def titles(self) -> tuple[str, ...]:
        return (*self.fr, *self.en, *self.added)

    def sample(self) -> str:
        """ "purchasing (achat, acheteur, buyer...)": how a reason names the function."""
        shown = list(dict.fromkeys([*self.fr[:2], *self.en[:2], *self.added[:3]]))[:3]
        return f"{self.key} ({', '.join(shown)}...)" if shown else self.key


# Each title is a word or a phrase whose every word must appear in the job title. Seniority words
# (directeur, responsable, manager, head, chief) belong to no function: they say the level, not the job.
_FUNCTIONS = (
    JobFunction(
        "purchasing",
        fr=("achat", "acheteur", "approvisionnement", "approvisionneur", "sourcing"),
        en=("buyer", "purchasing", "purchaser", "procurement", "sourcing", "category manager"),
    ),
    JobFunction(
        "sales",
        fr=(
            "commercial",
            "vente",
            "vendeur",
            "business developer",
            "chargé d'affaires",
            "ingénieur d'affaires",
        ),
        en=("sales", "seller", "salesperson", "account executive", "business development", "key account"),
    ),
    JobFunction(
        "marketing",
        fr=("marketing", "mercatique", "chef de produit", "growth"),
        en=("marketing", "marketer", "brand manager", "product marketing", "growth"),
    ),
    JobFunction(
        "communication",
        fr=("communication", "relations presse", "attaché de presse", "chargé de communication"),
        en=("communications", "public relations", "PR", "press officer", "community manager"),
    ),
    JobFunction(
        "hr",
        fr=("ressources humaines", "RH", "DRH", "recrutement", "recruteur", "paie", "talents"),
        en=("human resources", "HR", "HRBP", "recruiter", "recruitment", "talent", "payroll", "benefits"),
    ),
    JobFunction(
        "finance",
        fr=("finance", "financier", "DAF", "contrôleur de gestion", "contrôle de gestion"),
        en=("finance", "financial", "CFO", "financial controller", "FP&A"),
    ),
    JobFunction(
        "accounting",
        fr=("comptable", "comptabilité", "expert-comptable"),
        en=("accountant", "accounting", "bookkeeper"),
    ),
    JobFunction(
        "treasury",
        fr=("trésorier", "trésorerie"),
        en=("treasurer", "treasury", "cash management"),
    ),
    JobFunction(
        "it",
        fr=(
            "informatique",
            "informaticien",
            "DSI",
            "développeur",
            "système d'information",
            "réseaux",
            "administrateur système",
        ),
        en=("IT", "CIO", "CTO", "developer", "software engineer", "devops", "information technology"),
    ),
    JobFunction(
        "legal",
        fr=("juridique", "juriste", "avocat", "conformité", "DPO"),
        en=("legal", "lawyer", "counsel", "attorney", "compliance", "paralegal"),
    ),
    JobFunction(
        "management",
        fr=("directeur général", "DG", "PDG", "gérant", "président", "dirigeant", "fondateur"),
        en=("CEO", "COO", "managing director", "general manager", "founder", "chief executive"),
    ),
    JobFunction(
        "logistics",
        fr=("logistique", "logisticien", "supply chain", "transport", "entrepôt", "magasinier"),
        en=("logistics", "supply chain", "warehouse", "shipping", "fleet"),
    ),
    JobFunction(
        "production",
        fr=("production", "fabrication", "usine", "atelier", "industrialisation", "méthodes"),
        en=("manufacturing", "plant manager", "production manager", "operations manager"),
    ),
    JobFunction(
        "quality",
        fr=("qualité", "QSE", "QHSE", "HSE", "sécurité environnement"),
        en=("quality", "QA", "EHS", "health and safety"),
    ),
    JobFunction(
        "research",
        fr=("R&D", "recherche", "chercheur", "innovation", "bureau d'études"),
        en=("research", "researcher", "R&D", "scientist", "innovation"),
    ),
    JobFunction(
        "customer-service",
        fr=("service client", "relation client", "support client", "SAV", "conseiller clientèle"),
        en=("customer service", "customer success", "customer support", "customer care", "helpdesk"),
    ),
)

# Function words that a function's phrase may carry but a title need not ("responsable des achats").
_STOPWORDS = frozenset(
    {"de", "des", "du", "la", "le", "les", "et", "en", "au", "aux", "pour", "par", "sur", "chez"}
    | {"of", "the", "and", "for", "in", "an", "to", "at", "on", "with"}
)
# French feminine (and past-participle) endings folded to the masculine before stemming, so that
# "acheteuse" meets "acheteur", "directrice" "directeur", "chargée" "chargé"; longest first.
_FEMININE = (
    ("trices", "teur"), ("trice", "teur"), ("euses", "eur"), ("euse", "eur"), ("ieres", "ier"),
    ("iere", "ier"), ("iennes", "ien"), ("ienne", "ien"), ("ives", "if"), ("ive", "if"),
    ("ees", "e"), ("ee", "e"),
)  # fmt: skip
_STEM_LENGTH = 3  # a feminine ending is folded only after 3 letters or more ("fee" stays "fee")
_WORD = re.compile(r"[^\W_]+")


def normalize_words(text: str) -> tuple[str, ...]:
    """ "Directrice des Achats / R&D" gives ("directrice", "des", "achats", "r", "d")."""
    return tuple(_WORD.findall(_fold(_fold(text).casefold())))


def _fold(text: str) -> str:
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@functools.cache
def _stemmers() -> tuple[Any, Any]:
    """The French and English Snowball stemmers, loaded when a title is first matched (not by
    every command that starts)."""
    import snowballstemmer  # type: ignore[import-untyped]

    return snowballstemmer.stemmer("french"), snowballstemmer.stemmer("english")


@functools.lru_cache(maxsize=65536)
def word_stems(word: str) -> frozenset[str]:
    """The stems of a normalized word in French and in English, tagged by language."""
    masculine = _masculine(word)
    french, english = _stemmers()
    return frozenset({f"fr:{french.stemWord(masculine)}", f"en:{english.stemWord(masculine)}"})


def _masculine(word: str) -> str:
    for ending, replacement in _FEMININE:
        if word.endswith(ending) and len(word) - len(ending) >= _STEM_LENGTH:
            return word[: -len(ending)] + replacement
    return word


@dataclass(frozen=True, slots=True)
class Word:
    """A word as matched: its stems, and the length of its masculine form."""

    stems: frozenset[str]
    length: int


# Stemmers join words of different meanings that share a beginning: "market" and "marketing",
# "commune" and "communication", "product" and "production". Two words match only when they
# share a stem AND neither is much longer than the other (plurals, genders, "purchase" and
# "purchasing" stay within it); the table's titles carry the derived words a function needs.
_LENGTH_RATIO = 0.8


@functools.lru_cache(maxsize=65536)
def _word(word: str) -> Word:
    return Word(word_stems(word), len(_masculine(word)))


def _alike(one: Word, other: Word) -> bool:
    short, long = sorted((one.length, other.length))
    return short >= _LENGTH_RATIO * long and not one.stems.isdisjoint(other.stems)


# A phrase as matched: its significant words, each to be found in the title.
Phrase = tuple[Word, ...]


def phrase(text: str) -> Phrase:
    words = normalize_words(text)
    significant = [word for word in words if word not in _STOPWORDS] or list(words)
    return tuple(_word(word) for word in significant)


@functools.lru_cache(maxsize=65536)  # titles repeat: "Comptable" a thousand times in a file
def _title_words(title: str) -> tuple[Word, ...]:
    return tuple(_word(word) for word in normalize_words(title))


def _within(wanted: Phrase, title: tuple[Word, ...]) -> bool:
    # A phrase of no words (blank, punctuation only) must not match every title.
    return bool(wanted) and all(any(_alike(word, seen) for seen in title) for word in wanted)


def _same(one: Phrase, other: Phrase) -> bool:
    return len(one) == len(other) and all(_alike(a, b) for a, b in zip(one, other, strict=True))


@dataclass(frozen=True)
class FunctionTable:
    """licite's table of functions, with the organisation's own additions."""

    functions: tuple[JobFunction, ...]

    def with_additions(self, additions: Mapping[str, Sequence[str]]) -> FunctionTable:
        """The table with the organisation's titles added to its functions, or as new functions."""
        by_key = {function.key: function for function in self.functions}
        for key, titles in additions.items():
            known = by_key.get(key) or JobFunction(key, (), ())
            by_key[key] = JobFunction(key, known.fr, known.en, known.added + tuple(titles))
        return FunctionTable(tuple(by_key.values()))

    def functions_of(self, word: str) -> tuple[JobFunction, ...]:
        """The functions a campaign's word stands for: the one it names, or those it is a title of."""
        key = normalize_words(word)
        wanted = phrase(word)
        return tuple(
            function
            for function in self.functions
            if key == normalize_words(function.key) or any(_same(wanted, phrase(t)) for t in function.titles)
        )


TABLE = FunctionTable(_FUNCTIONS)


@dataclass(frozen=True)
class _Wanted:
    function: str  # as the campaign wrote it
    own: Phrase  # its own words ("" when it is a function's key)
    through: tuple[JobFunction, ...]  # the table's functions it stands for
    words: tuple[Word, ...]  # their one-word titles: one alike word of the title is a match
    phrases: tuple[Phrase, ...]  # their titles of several words, each word to be found


_Match = tuple[str, tuple[JobFunction, ...]] | None
_SEEN_TITLES = 100_000


@dataclass(frozen=True)
class Relevance:
    """A campaign's functions, ready to be matched against many job titles."""

    wanted: tuple[_Wanted, ...] = field(default=())
    _seen: dict[str, _Match] = field(default_factory=dict, compare=False, repr=False)  # titles repeat

    def match(self, job_title: str) -> _Match:
        """The campaign's function the title relates to, and the table's functions it went through."""
        if job_title not in self._seen:
            if len(self._seen) >= _SEEN_TITLES:
                self._seen.clear()
            self._seen[job_title] = self._match(job_title)
        return self._seen[job_title]

    def _match(self, job_title: str) -> _Match:
        title = _title_words(job_title)
        for wanted in self.wanted:
            if _within(wanted.own, title):
                return wanted.function, ()
            if any(_alike(word, seen) for word in wanted.words for seen in title) or any(
                _within(one, title) for one in wanted.phrases
            ):
                return wanted.function, wanted.through
        return None

    def describe(self) -> str:
        """ "purchasing (achat, acheteur, buyer...), 'widgets'": the functions, as a reason names them."""
        names: list[str] = []
        for wanted in self.wanted:
            for name in [f.sample() for f in wanted.through] or [repr(wanted.function)]:
                if name not in names:
                    names.append(name)
        return ", ".join(names)


_COMPILED: dict[tuple[tuple[str, ...], int], tuple[FunctionTable, Relevance]] = {}


def relevance(functions: tuple[str, ...], table: FunctionTable = TABLE) -> Relevance:
    """Compile a campaign's functions once for the many titles of a preview or a send."""
    # Keyed by the table's identity: hashing a whole table for each title would cost more than
    # the match. The table is kept with its entry, so its id cannot be reused while it is cached.
    key = (functions, id(table))
    cached = _COMPILED.get(key)
    if cached is None or cached[0] is not table:
        if len(_COMPILED) >= 64:
            _COMPILED.clear()
        cached = _COMPILED[key] = (table, Relevance(tuple(_compile(f, table) for f in functions)))
    return cached[1]


def _compile(function: str, table: FunctionTable) -> _Wanted:
    through = table.functions_of(function)
    phrases = [phrase(title) for job_function in through for title in job_function.titles]
    words = tuple(dict.fromkeys(one[0] for one in phrases if len(one) == 1))
    # A function's key ("management") names it; as a word of a title it would say too much ("manager").
    named = any(normalize_words(function) == normalize_words(f.key) for f in through)
    own = () if named else phrase(function)
    return _Wanted(function, own, through, words, tuple(one for one in phrases if len(one) > 1))


def parse_additions(value: Any) -> dict[str, tuple[str, ...]]:
    """The organisation's additions, {"purchasing": ["category buyer"], "events": ["événementiel"]},
    checked: a function name maps to a list of job titles; raises ValueError naming the problem."""
    if value in (None, ""):
        return {}
    if not isinstance(value, Mapping):
        raise ValueError('expected an object such as {"purchasing": ["category buyer"]}')
    additions: dict[str, tuple[str, ...]] = {}
    for key, titles in value.items():
        name = str(key).strip().casefold()
        if not normalize_words(name):
            raise ValueError(f"{key!r} is not a function name")
        if isinstance(titles, str) or not isinstance(titles, Iterable):
            raise ValueError(f"the titles of {name!r} must be a list of job titles")
        listed = tuple(str(title).strip() for title in titles)
        if not listed or not all(normalize_words(title) for title in listed):
            raise ValueError(f"the titles of {name!r} must be a list of job titles, none of them blank")
        additions[name] = listed
    return additions
