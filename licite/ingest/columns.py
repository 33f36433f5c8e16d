"""Map a file's headers to licite's fields, from their French or English names.

Headers are compared once reduced to lower-case ASCII letters and digits ("E-mail",
"e mail" and "EMAIL" are the same), against a table of the names that spreadsheets, CRMs and
directories use. Each name has a rank: a rank-0 name ("Téléphone") beats a rank-1 name
("Mobile") for the same field, two rank-0 names for one field are an ambiguity the user settles
with `--map`. A column that maps to no field is dropped, and reported as dropped.

`--map COLUMN=FIELD` overrides the automatic choice for that column and for that field;
`--map COLUMN=drop` drops a column that would otherwise be mapped.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from licite.ingest.errors import MappingError, column_letter, safe_value

__all__ = [
    "DROP",
    "FIELDS",
    "MOBILE_WARNING",
    "NO_EMAIL_COLUMN",
    "ColumnMapping",
    "map_headers",
    "normalize_header",
    "parse_map_option",
    "reads_as_comment",
]

FIELDS = (
    "email",
    "first_name",
    "last_name",
    "full_name",
    "job_title",
    "company",
    "company_domain",
    "phone",
    "country",
    "language",
)
"""The fields a file can feed. `full_name` is split into first and last name later."""

DROP = "drop"
"""The `--map` target that drops a column."""

NO_EMAIL_COLUMN = "no email column found; the headers are: %(headers)s. Name it with --map COLUMN=email"
"""Why a file without an email column cannot be imported (licite.prospects.importing)."""

MOBILE_WARNING = (
    "column '%(header)s' is mapped to phone, but a mobile number is often personal: "
    "keep it only if it is a professional line"
)

# For each field, (rank, warning, names); names are written as people write them and normalized
# when the table is built. Rank-1 names are weaker or ambiguous: they yield to a rank-0 name.
# fmt: off
_NAMES: dict[str, list[tuple[int, str | None, list[str]]]] = {
    "email": [
        (0, None, ["E-mail", "Email", "Courriel", "Mail", "Mél", "Adresse e-mail", "Adresse mail",
                   "Adresse électronique", "Adresse de courriel", "Email address", "Work email",
                   "Business email", "Email professionnel", "Email pro", "Mail pro",
                   "Courriel professionnel"]),
    ],
    "first_name": [(0, None, ["Prénom", "First name", "Given name", "Forename"])],
    "last_name": [
        (0, None, ["Nom", "Nom de famille", "Last name", "Surname", "Family name"]),
        (1, None, ["Nom d'usage"]),
    ],
    "full_name": [
        (0, None, ["Nom complet", "Full name", "Name", "Nom et prénom", "Prénom et nom",
                   "Prénom nom", "Nom prénom", "Contact name", "Nom du contact", "Display name"]),
        (1, None, ["Contact", "Interlocuteur"]),
    ],
    "job_title": [
        (0, None, ["Fonction", "Job title", "Job", "Intitulé de poste", "Intitulé du poste"]),
        (1, None, ["Poste", "Titre", "Title", "Position", "Rôle", "Métier"]),
    ],
    "company": [
        (0, None, ["Société", "Entreprise", "Organisation", "Organization", "Company",
                   "Company name", "Employer", "Employeur", "Raison sociale",
                   "Nom de l'entreprise", "Nom de la société", "Account name"]),
        (1, None, ["Structure", "Établissement", "Organisme", "Compte"]),
    ],
    "company_domain": [
        (0, None, ["Domaine", "Domain", "Company domain", "Domaine de l'entreprise",
                   "Nom de domaine"]),
        (1, None, ["Site web", "Website", "Site internet", "Web", "URL", "Company website"]),
    ],
    "phone": [
        (0, None, ["Téléphone", "Tél", "Phone", "Phone number", "Téléphone professionnel",
                   "Tél pro", "Téléphone fixe", "Tél fixe", "Numéro de téléphone",
                   "Business phone", "Work phone", "Office phone", "Ligne directe"]),
        (1, None, ["Standard", "Téléphone standard"]),
        (1, MOBILE_WARNING, ["Mobile", "Portable", "Téléphone mobile", "Téléphone portable",
                              "Tél mobile", "Tél portable", "Mobile phone", "Cell", "Cell phone",
                              "GSM"]),
    ],
    "country": [(0, None, ["Pays", "Country", "Country/Region", "Pays/Région"])],
    # RULES D4: the language the person is written to in (fr or en).
    "language": [(0, None, ["Langue", "Language", "Lang"])],
}
# fmt: on


# Letters that Unicode does not decompose into their ASCII spelling.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d"})


def normalize_header(header: str) -> str:
    """Reduce a header to lower-case ASCII letters and digits: "Prénom " -> "prenom"."""
    decomposed = unicodedata.normalize("NFKD", header.casefold().translate(_LIGATURES))
    return "".join(char for char in decomposed if char.isascii() and char.isalnum())


def _build_table() -> dict[str, tuple[str, int, str | None]]:
    table: dict[str, tuple[str, int, str | None]] = {}
    for field_name, groups in _NAMES.items():
        for rank, warning, names in groups:
            for name in names:
                key = normalize_header(name)
                # Spelling variants ("E-mail", "Email") reduce to one key; conflicts may not.
                assert table.get(key, (field_name, rank, warning)) == (field_name, rank, warning), name
                table[key] = (field_name, rank, warning)
    return table


_KNOWN = _build_table()


@dataclass(frozen=True)
class ColumnMapping:
    """Which column feeds which field, and which columns are dropped."""

    headers: list[str]
    field_index: dict[str, int]
    """Field name -> 0-based column index, for the mapped fields only."""
    dropped: list[tuple[int, str]]
    """(column index, header) of every column that feeds no field, in file order."""
    warnings: list[str] = field(default_factory=list)
    """Things the user should know about the mapping (a mobile number mapped to phone)."""

    def header_of(self, field_name: str) -> str:
        return self.headers[self.field_index[field_name]]

    def column_label(self, index: int) -> str:
        """A column as a report names it: 'Société' (column E), or column F when unnamed."""
        return _label(self.headers, index)


def parse_map_option(items: list[str]) -> dict[str, str]:
    """Parse `--map` values ("COLUMN=FIELD") into {column: field}; fields are checked later."""
    overrides: dict[str, str] = {}
    for item in items:
        column, equals, target = item.rpartition("=")
        column, target = column.strip(), target.strip()
        if not equals or not column or not target:
            raise MappingError(
                "--map expects COLUMN=FIELD, got '%(item)s'", params={"item": safe_value(item, 80)}
            )
        if column in overrides:
            raise MappingError(
                "--map names column '%(column)s' twice", params={"column": safe_value(column, 60)}
            )
        overrides[column] = _field_name(target)
    return overrides


def _field_name(target: str) -> str:
    return target.strip().lower().replace("-", "_").replace(" ", "_")


def map_headers(
    headers: list[str],
    overrides: Mapping[str, str] | None = None,
    *,
    file: str | None = None,
) -> ColumnMapping:
    """Map headers to fields: `overrides` ({column: field or "drop"}) first, then known names.

    Raises MappingError for an unknown column or field in `overrides`, two columns given the
    same field, or two equally good automatic candidates for one field.
    """
    chosen: dict[int, str] = {}  # column index -> field or DROP
    taken: dict[str, int] = {}  # field -> column index, from overrides
    for column, raw_target in (overrides or {}).items():
        target = _field_name(raw_target)
        index = _find_column(headers, column, file)
        if target != DROP and target not in FIELDS:
            raise MappingError(
                "--map %(column)s=%(target)s: unknown field '%(target)s'; "
                "valid fields: %(fields)s, or %(drop)s to drop the column",
                params={
                    "column": safe_value(column, 60),
                    "target": safe_value(target, 60),
                    "fields": ", ".join(FIELDS),
                    "drop": DROP,
                },
                file=file,
            )
        if target != DROP and reads_as_comment(headers[index]):
            # RULES B6: free text about people is never kept, whatever field it is given.
            raise MappingError(
                "--map %(column)s=%(target)s: column %(label)s reads as a "
                "comment or free text; it is never stored under a kept field (RULES B6: minimization; "
                "free-text comments about people were a ground of the CNIL FUTURA INTERNATIONALE "
                'sanction, 2019): leave it unmapped, or --map "%(column)s=%(drop)s"',
                params={
                    "column": safe_value(column, 60),
                    "target": target,
                    "label": _label(headers, index),
                    "drop": DROP,
                },
                file=file,
            )
        if target in taken:
            first = taken[target]
            raise MappingError(
                "--map gives field '%(field)s' to two columns: %(first)s and %(second)s",
                params={"field": target, "first": _label(headers, first), "second": _label(headers, index)},
                file=file,
            )
        chosen[index] = target
        if target != DROP:
            taken[target] = index

    field_index = dict(taken)
    warnings: list[str] = []
    for field_name, index, warning in _automatic(headers, chosen, taken, file):
        field_index[field_name] = index
        if warning:
            warnings.append(warning % {"header": headers[index]})
    if "full_name" not in taken and ("first_name" in field_index or "last_name" in field_index):
        # A full name is only a fallback for files without separate name columns.
        field_index.pop("full_name", None)

    kept = set(field_index.values())
    dropped = [(index, header) for index, header in enumerate(headers) if index not in kept]
    ordered = {name: field_index[name] for name in FIELDS if name in field_index}
    return ColumnMapping(list(headers), ordered, dropped, warnings)


def _automatic(
    headers: list[str], chosen: dict[int, str], taken: dict[str, int], file: str | None
) -> list[tuple[str, int, str | None]]:
    """The best automatic candidate for every field not set by an override."""
    candidates: dict[str, list[tuple[int, int, str | None]]] = {}  # field -> (rank, index, warning)
    for index, header in enumerate(headers):
        known = _KNOWN.get(normalize_header(header))
        if known is None or index in chosen or known[0] in taken:
            continue
        field_name, rank, warning = known
        candidates.setdefault(field_name, []).append((rank, index, warning))
    picked = []
    for field_name, found in candidates.items():
        best = min(rank for rank, _, _ in found)
        (first, *others) = [(index, warning) for rank, index, warning in found if rank == best]
        if others:
            raise MappingError(
                "columns %(first)s and %(second)s could both be the %(field)s: "
                'choose one with --map "COLUMN=%(field)s" (or --map "COLUMN=%(drop)s" for the other)',
                params={
                    "first": _label(headers, first[0]),
                    "second": _label(headers, others[0][0]),
                    "field": field_name,
                    "drop": DROP,
                },
                file=file,
            )
        picked.append((field_name, *first))
    return picked


def _find_column(headers: list[str], column: str, file: str | None) -> int:
    """Find a --map column by its exact header, then ignoring case and accents, then its letter."""
    for match in (
        lambda header: header == column,
        lambda header: header.casefold() == column.casefold(),
        lambda header: normalize_header(header) == normalize_header(column) != "",
    ):
        found = [index for index, header in enumerate(headers) if match(header)]
        if len(found) == 1:
            return found[0]
    letters = [column_letter(index) for index in range(len(headers))]
    if column.upper() in letters:
        return letters.index(column.upper())
    listed = ", ".join(f"'{safe_value(header, 60)}'" for header in headers if header)
    raise MappingError(
        "--map: no column '%(column)s' in the file; its columns are %(listed)s",
        params={"column": safe_value(column, 60), "listed": listed},
        file=file,
    )


# Headers of free text about people (RULES B6): a header holding one of these, anywhere
# ("Mes commentaires", "Personal notes", "Appréciation client"), reads as one.
_COMMENT_STEMS = tuple(
    normalize_header(stem)
    for stem in (
        "Comment", "Commentaire", "Remarque", "Remark", "Observation", "Note", "Mémo", "Memo",
        "Annotation", "Texte libre", "Free text", "Freetext", "Appréciation", "Bloc-notes",
        "Informations complémentaires", "Infos complémentaires", "Complément d'information",
        "Internal note", "Additional information", "Avis", "Historique", "Suivi",
    )
)  # fmt: skip


def reads_as_comment(header: str) -> bool:
    """Whether a header names free text: "Commentaire(s)", "Notes internes", "Remarks", "Memo"..."""
    normalized = normalize_header(header)
    return any(stem in normalized for stem in _COMMENT_STEMS)


def _label(headers: list[str], index: int) -> str:
    header = headers[index]
    letter = column_letter(index)
    return f"'{safe_value(header, 60)}' (column {letter})" if header else f"column {letter}"
