"""The compliance gate for one row of a prospect file (RULES A1-A5, B6, C1-C3, D4, F1).

Pure and fast: an import runs every row of a file through `RowGate.admit`. The row is
classified, given its legal basis, and reduced to the fields the purpose needs; what the
database must then check in bulk (the suppression list, existing prospects) happens later, in
set-based SQL, on the rows admitted here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from licite.core.basis import decide_basis
from licite.core.countries import country_code
from licite.core.domains import registered_domain
from licite.core.emails import EmailKind, InvalidEmail, email_domain, kind_of_address
from licite.core.languages import language_code, prospect_language

# RULES B6: for email prospecting, the purpose needs these fields and nothing more. A
# professional phone is kept only when the processing activity declares it.
PURPOSE_FIELDS = ("first_name", "last_name", "job_title", "company", "company_domain", "country")
MAX_LENGTHS = {
    "first_name": 100, "last_name": 100, "job_title": 200, "company": 200, "company_domain": 253,
    "phone": 32, "country": 100,  # a country name, before it becomes its 2-letter code
}  # fmt: skip


class Admitted(NamedTuple):
    """A row that passed the gate: its normalized address, legal basis and kept fields.

    A named tuple rather than a dataclass: a million of them are built per million rows.
    """

    line: int
    email: str
    kind: str
    audience: str
    legal_basis: str
    status: str
    first_name: str
    last_name: str
    job_title: str
    company: str
    company_domain: str
    phone: str
    country: str
    language: str  # "fr", "en", or "" for the organisation's default (RULES D4)


@dataclass(frozen=True, slots=True)
class Rejected:
    line: int
    field: str
    value: str
    reason: str


@dataclass(frozen=True, slots=True)
class Expired:
    """A valid row whose retention had ended before it was imported: not kept (RULES F1)."""

    line: int


@dataclass
class GateNotes:
    """What the gate changed or refused to keep, counted for the report."""

    truncated: int = 0
    unknown_countries: int = 0
    invalid_phones: int = 0
    unknown_languages: int = 0

    def add(self, other: GateNotes) -> None:
        self.truncated += other.truncated
        self.unknown_countries += other.unknown_countries
        self.invalid_phones += other.invalid_phones
        self.unknown_languages += other.unknown_languages


class RowGate:
    """Admits the rows of one file whose columns are mapped by `field_index`.

    `expired`: the rows' retention ended before the import (`clocks.retention_ended` of their
    collection date): each valid row is then an `Expired`, never kept (RULES F1).
    """

    def __init__(
        self,
        field_index: Mapping[str, int],
        *,
        keep_phone: bool,
        phone_normalizer: Callable[[str, str], str | None] | None = None,
        expired: bool = False,
    ) -> None:
        if "email" not in field_index:
            raise ValueError("a file without an email column cannot be imported")
        self.email_index = field_index["email"]
        self.kept = [
            (name, field_index[name], MAX_LENGTHS[name]) for name in PURPOSE_FIELDS if name in field_index
        ]
        self.full_name_index = field_index.get("full_name")
        self.phone_index = field_index.get("phone") if keep_phone else None
        self.phone_normalizer = phone_normalizer
        self.language_index = field_index.get("language")
        self.expired = expired
        self.notes = GateNotes()

    def admit(self, line: int, values: Sequence[str]) -> Admitted | Rejected | Expired:
        raw = values[self.email_index]
        verdict = kind_of_address(raw)
        if isinstance(verdict, InvalidEmail):
            return rejected_address(line, raw, verdict)
        if self.expired:  # RULES F1: past its retention already, it is not even stored
            return Expired(line)
        normalized, kind = verdict
        basis = decide_basis(kind)
        cleaned = self._descriptive(values)
        if not cleaned.get("company_domain") and kind is not EmailKind.PRIVATE:
            cleaned["company_domain"] = registered_domain(email_domain(normalized))
        country = cleaned.get("country", "")
        return Admitted(
            line, normalized, kind.value, basis.audience, basis.legal_basis, basis.status,
            cleaned.get("first_name", ""), cleaned.get("last_name", ""), cleaned.get("job_title", ""),
            cleaned.get("company", ""), cleaned.get("company_domain", ""),
            self._phone(values, country), country,
            prospect_language(self._language(values), country, cleaned.get("company_domain", "")),
        )  # fmt: skip

    def _descriptive(self, values: Sequence[str]) -> dict[str, str]:
        cleaned: dict[str, str] = {}
        for name, index, limit in self.kept:
            value = " ".join(values[index].split())
            if len(value) > limit:
                self.notes.truncated += 1
                value = value[:limit]
            cleaned[name] = value
        if "country" in cleaned:
            cleaned["country"] = self._country(cleaned["country"])
        if "company_domain" in cleaned:
            cleaned["company_domain"] = company_domain(cleaned["company_domain"])
        if self.full_name_index is not None:
            first, last = split_full_name(values[self.full_name_index])
            cleaned.setdefault("first_name", first[:100])
            cleaned.setdefault("last_name", last[:100])
        return cleaned

    def _country(self, value: str) -> str:
        if not value:
            return ""
        code = country_code(value)
        if code is None:
            self.notes.unknown_countries += 1
        return code or ""

    def _language(self, values: Sequence[str]) -> str:
        """The language the file states, "" (and counted) when it names none licite writes."""
        if self.language_index is None:
            return ""
        return self.language(values[self.language_index])

    def language(self, value: str) -> str:
        """The code of a stated language; "" when empty or not one licite writes (counted)."""
        code = language_code(value)
        if code is None:
            self.notes.unknown_languages += 1
        return code or ""

    def _phone(self, values: Sequence[str], country: str) -> str:
        if self.phone_index is None:
            return ""
        return self.phone(values[self.phone_index], country)

    def phone(self, raw: str, country: str) -> str:
        """The kept form of a phone number, "" when empty or invalid (counted in the notes)."""
        if not raw.strip():
            return ""
        normalizer = self.phone_normalizer or (lambda raw, region: raw.strip()[:32])
        phone = normalizer(raw, country or "FR")
        if phone is None:
            self.notes.invalid_phones += 1
        return phone or ""


def rejected_address(line: int, raw: str, error: InvalidEmail) -> Rejected:
    """The rejection of a row whose address is invalid, with the reason the report shows."""
    reason = "no email address" if not raw.strip() else f"invalid address: {error.reason}"
    return Rejected(line, "email", raw, reason)


def split_full_name(value: str) -> tuple[str, str]:
    """ "Jeanne Dupont" gives ("Jeanne", "Dupont"); a single word is a last name."""
    words = value.split()
    if len(words) < 2:
        return "", " ".join(words)
    return words[0], " ".join(words[1:])


def company_domain(value: str) -> str:
    """ "https://www.Acme.fr/contact" gives "acme.fr"."""
    text = value.strip().lower()
    for prefix in ("https://", "http://"):
        text = text.removeprefix(prefix)
    text = text.split("/", 1)[0].split("?", 1)[0].removeprefix("www.")
    return text[:253]
