"""The compliance gate run column by column on a polars DataFrame: `ChunkGate`, vectorized.

`ChunkGate` calls `RowGate.admit` once per row, about 10 µs of Python each. `FrameGate` gives
exactly the same `ChunkResult` for the same rows (a property test holds it to that) and keeps
the rules in `licite.core`, where a lawyer can read them:

- what polars does is string plumbing the rules define exactly: trimming, lower-casing, the
  ASCII dot-atom shape of `emails._FAST_ADDRESS`, the LDH shape of a domain, white space
  collapsed as `str.split()` does, set lookups in the very sets `licite.core.domains` holds;
- every address off that well-trodden path (non-ASCII, punycode, malformed, too long) goes
  through `emails.kind_of_address` itself, row by row, and so do the role-word candidates
  (`emails._is_role`), the countries (`countries.country_code`), the company domains and the
  full names, each called once per distinct value.

Columns are named "c0", "c1"... after their position in the file, beside "line" (see
`licite.ingest.frames.read_frame`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

import polars as pl
import polars_hash  # noqa: F401  (registers the .chash namespace)

from licite.core import emails
from licite.core.basis import BASIS_BY_KIND
from licite.core.countries import country_code
from licite.core.domains import FREE_MAIL_FAMILIES, PRIVATE_MAIL_DOMAINS, country_code_tlds, registered_domain
from licite.core.emails import EmailKind, InvalidEmail, kind_of_address
from licite.core.gate import RowGate, company_domain, rejected_address, split_full_name
from licite.core.languages import ENGLISH, FRENCH, FRENCH_SPEAKING, FRENCH_TLDS, GENERIC_TLDS, language_code
from licite.core.suppression import OTHER_IDENTITY_MARKS, check_key, suppression_identity
from licite.ingest.gating import STAGED_SCHEMA, ChunkResult

__all__ = ["FrameGate", "column"]

# White space exactly as str.split() and str.strip() see it (Rust's \s lacks \x1c-\x1f): every
# character whose str.isspace() is true, written out (finding them costs 90 ms at each start; a
# test checks the list against this Python's Unicode database).
PYTHON_SPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def _one_of(chars: str) -> str:
    """A regex class of exactly these characters."""
    return "[" + "".join(f"\\x{{{ord(char):x}}}" for char in chars) + "]"


_SPACE_RUN = _one_of(PYTHON_SPACE) + "+"
# What collapsing changes: white space other than a plain space, or a run of two or more.
_UNCOLLAPSED = _one_of(PYTHON_SPACE.replace(" ", "")) + "|" + _one_of(PYTHON_SPACE) + "{2,}"
_ASCII_SPACE = "".join(char for char in PYTHON_SPACE if char.isascii())

# emails._FAST_ADDRESS, every punctuation mark escaped for Rust's regex syntax.
_ATEXT = "a-z0-9" + "".join(f"\\{char}" for char in "!#$%&'*+/=?^_`{|}~-")
_FAST_ADDRESS = rf"^(?P<local>[{_ATEXT}]+(?:\.[{_ATEXT}]+)*)@(?P<domain>[a-z0-9.-]+)$"
# emails._check_ascii_domain's rules: two labels or more, each LDH and at most 63 octets.
_LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_VALID_DOMAIN = rf"^(?:{_LABEL}\.)+{_LABEL}$"
_ROLE_CANDIDATES = pl.Series(sorted(emails._ROLE_FIRST_WORDS), dtype=pl.String).implode()
_SECOND_LABELS = {domain.split(".")[-2] for domain in PRIVATE_MAIL_DOMAINS}
_MAYBE_FREE = pl.Series(sorted(_SECOND_LABELS | FREE_MAIL_FAMILIES), dtype=pl.String).implode()

_PRIVATE, _GENERIC, _NOMINATIVE = EmailKind.PRIVATE.value, EmailKind.GENERIC.value, EmailKind.NOMINATIVE.value
# languages.domain_language: the two letters after a domain's last dot, if that is all there is.
_COUNTRY_TLD = r"\.([a-z]{2})$"
_UNKNOWN_LANGUAGE = "?"  # a stated language licite does not write, until counted


def column(index: int) -> str:
    """The name of a file's column in a frame."""
    return f"c{index}"


class FrameGate:
    """Gates a whole DataFrame of rows: the same ChunkResult as ChunkGate, column by column."""

    def __init__(self, gate: RowGate, key: bytes, dropped: Sequence[int]) -> None:
        self.gate = gate
        self.dropped = tuple(dropped)
        check_key(key)
        self._key = key.decode()  # the settings' key is text, as polars_hash wants it

    def __call__(self, frame: pl.DataFrame) -> ChunkResult:
        result = ChunkResult(rows=frame.height)
        self.gate.notes = result.notes
        result.dropped_values = [_non_blank(frame[column(index)]) for index in self.dropped]
        raw = frame[column(self.gate.email_index)]
        email, kind, errors = _classify(raw)
        if errors:
            positions = list(errors)
            lines, values = frame["line"].gather(positions).to_list(), raw.gather(positions).to_list()
            result.rejected = [
                rejected_address(line, value, errors[position])
                for line, value, position in zip(lines, values, positions, strict=True)
            ]
        refused = email.is_null()
        if self.gate.expired:  # RULES F1: each valid row is past its retention, none is kept
            result.expired = frame.height - int(refused.sum())
            return result
        admitted = frame.filter(~refused).with_columns(
            email=email.filter(~refused), kind=kind.filter(~refused)
        )
        result.staged = self._staged(admitted)
        return result

    def _staged(self, admitted: pl.DataFrame) -> pl.DataFrame:
        fields = self._descriptive(admitted)
        kinds = admitted["kind"]
        if fields["company_domain"] is None:
            fields["company_domain"] = _blank(admitted.height)
        # An admitted address holds one "@" exactly: its domain is what follows it (a split:
        # 0.11 s a million, against 0.24 s for a regex anchored at the end).
        own_domain = _registered_domains(admitted["email"].str.split("@").list.last())
        domains = fields["company_domain"] = (
            pl.DataFrame({"kept": fields["company_domain"], "own": own_domain, "kind": kinds})
            .select(
                pl.when((pl.col("kept") == "") & (pl.col("kind") != _PRIVATE)).then("own").otherwise("kept")
            )
            .to_series()
        )
        country = fields["country"]
        countries = country if country is not None else _blank(admitted.height)
        phones = self._phones(admitted, countries)
        basis = {
            name: kinds.replace_strict(
                {kind: getattr(decision, name) for kind, decision in BASIS_BY_KIND.items()},
                return_dtype=pl.String,
            )
            for name in ("audience", "legal_basis", "status")
        }
        names = ("first_name", "last_name", "job_title", "company", "company_domain")
        hashes = self._keyed_hashes(admitted["email"])
        columns = {
            "line": admitted["line"], "email": admitted["email"], "key_hash": hashes, "email_kind": kinds,
            **basis, **{name: _values(fields[name], admitted.height) for name in names},
            "phone": phones, "country": countries,
            "language": self._languages(admitted, countries, domains),
        }  # fmt: skip
        return pl.DataFrame([series.alias(name) for name, series in columns.items()], schema=STAGED_SCHEMA)

    def _keyed_hashes(self, addresses: pl.Series) -> pl.Series:
        """identity_hasher, column by column (RULES F4): each address's suppression identity,
        through suppression_identity for each address that has another (2 % of the benchmark's:
        put in place, 10 ms a million, against 80 ms for a replacement of the whole column),
        then its HMAC-SHA256 under the key, in polars' threads (polars_hash, RFC 2104 too: a
        test holds both to the same hashes)."""
        mark, suffixes = OTHER_IDENTITY_MARKS
        other = addresses.str.contains(mark, literal=True)
        for suffix in suffixes:
            other |= addresses.str.ends_with(suffix)
        positions = other.arg_true()
        identity = addresses
        if not positions.is_empty():
            others = [suppression_identity(address) for address in addresses.gather(positions).to_list()]
            # scatter() changes its series in place: a copy of the caller's.
            identity = addresses.clone().scatter(positions, pl.Series(others, dtype=pl.String))
        hmac = cast(Any, pl.first()).chash.hmac_sha256(key=self._key)  # a namespace polars_hash adds
        return identity.to_frame().select(hmac).to_series()

    def _descriptive(self, admitted: pl.DataFrame) -> dict[str, pl.Series | None]:
        """RowGate._descriptive, column by column: collapsed, cut to length, then converted."""
        fields: dict[str, pl.Series | None] = dict.fromkeys(
            ("first_name", "last_name", "job_title", "company", "company_domain", "country")
        )
        for name, index, limit in self.gate.kept:
            collapsed = _collapsed(admitted[column(index)])
            too_long = int((collapsed.str.len_chars() > limit).sum())
            self.gate.notes.truncated += too_long
            fields[name] = collapsed.str.slice(0, limit) if too_long else collapsed
        if fields["country"] is not None:
            fields["country"] = self._countries(fields["country"])
        if fields["company_domain"] is not None:
            fields["company_domain"] = _each_distinct(fields["company_domain"], company_domain)
        if self.gate.full_name_index is not None:
            full = admitted[column(self.gate.full_name_index)]
            if fields["first_name"] is None:
                fields["first_name"] = _each_distinct(full, lambda value: split_full_name(value)[0][:100])
            if fields["last_name"] is None:
                fields["last_name"] = _each_distinct(full, lambda value: split_full_name(value)[1][:100])
        return fields

    def _countries(self, names: pl.Series) -> pl.Series:
        """RowGate._country: the alpha-2 code, "" (and counted) when the name is not recognised."""
        codes = _each_distinct(names, lambda name: country_code(name) or "" if name else "")
        self.gate.notes.unknown_countries += int(((names != "") & (codes == "")).sum())
        return codes

    def _languages(self, admitted: pl.DataFrame, countries: pl.Series, domains: pl.Series) -> pl.Series:
        """languages.prospect_language, column by column: the stated language, else the
        country's, else the company domain's country code (RULES D4)."""
        tld = pl.col("domain").str.extract(_COUNTRY_TLD, 1)
        by_domain = (
            pl.when(tld.is_in(sorted(FRENCH_TLDS))).then(pl.lit(FRENCH))
            .when(tld.is_null() | tld.is_in(sorted(GENERIC_TLDS))).then(pl.lit(""))
            .when(tld.is_in(sorted(country_code_tlds()))).then(pl.lit(ENGLISH))
            .otherwise(pl.lit(""))
        )  # fmt: skip
        country = pl.col("country")
        language = (
            pl.when(country == "").then(by_domain)
            .when(country.is_in(list(FRENCH_SPEAKING))).then(pl.lit(FRENCH))
            .otherwise(pl.lit(ENGLISH))
        )  # fmt: skip
        columns = {"country": countries, "domain": domains}
        if self.gate.language_index is not None:
            columns["stated"] = self._stated_languages(admitted[column(self.gate.language_index)])
            language = pl.when(pl.col("stated") != "").then("stated").otherwise(language)
        return pl.DataFrame(columns).select(language.alias("language")).to_series()

    def _stated_languages(self, values: pl.Series) -> pl.Series:
        """RowGate.language: each stated language's code, "" (and counted) when not fr or en."""
        codes = _each_distinct(values, _language_or_unknown)
        unknown = int((codes == _UNKNOWN_LANGUAGE).sum())
        self.gate.notes.unknown_languages += unknown
        return codes.replace(_UNKNOWN_LANGUAGE, "") if unknown else codes

    def _phones(self, admitted: pl.DataFrame, countries: pl.Series) -> pl.Series:
        if self.gate.phone_index is None:
            return _blank(admitted.height)
        raw = admitted[column(self.gate.phone_index)].to_list()
        phone = self.gate.phone
        return pl.Series(
            [phone(value, country) for value, country in zip(raw, countries.to_list(), strict=True)],
            dtype=pl.String,
        )


def _registered_domains(domains: pl.Series) -> pl.Series:
    """domains.registered_domain: "mail.acme.co.uk" gives "acme.co.uk", once per distinct
    domain of three labels or more (a two-label domain is its own)."""
    deep = domains.str.count_matches(".", literal=True) > 1
    if not deep.any():
        return domains
    return domains.scatter(deep.arg_true(), _each_distinct(domains.filter(deep), registered_domain))


def _language_or_unknown(value: str) -> str:
    code = language_code(value)
    return _UNKNOWN_LANGUAGE if code is None else code


def _collapsed(values: pl.Series) -> pl.Series:
    """Each run of white space one plain space, none at either end (" ".join(value.split())).

    Only the values that collapsing changes inside go through the replacement: most hold no
    white space but single plain spaces, and a look costs half a replacement.
    """
    changed = values.str.contains(_UNCOLLAPSED)
    if changed.any():
        values = values.scatter(changed.arg_true(), values.filter(changed).str.replace_all(_SPACE_RUN, " "))
    return values.str.strip_chars(" ")


def _values(series: pl.Series | None, height: int) -> pl.Series:
    return series if series is not None else _blank(height)


def _blank(height: int) -> pl.Series:
    return pl.repeat("", height, dtype=pl.String, eager=True)


def _non_blank(series: pl.Series) -> int:
    return int((series.str.strip_chars(PYTHON_SPACE) != "").sum())


def _each_distinct(series: pl.Series, function: Callable[[str], str]) -> pl.Series:
    """`function` applied to each value, called once per distinct value."""
    distinct = series.unique()
    mapping = {value: function(value) for value in distinct.to_list()}
    return series.replace_strict(mapping, return_dtype=pl.String)


def _classify(raw: pl.Series) -> tuple[pl.Series, pl.Series, dict[int, InvalidEmail]]:
    """The normalized address and kind of every row, null where the address is invalid, and
    why each invalid one is, by position.

    The ordinary ASCII address is settled here; any other goes through kind_of_address.
    """
    frame = pl.DataFrame({"raw": raw}).with_columns(
        pl.col("raw").str.strip_chars(_ASCII_SPACE).str.to_lowercase().str.extract_groups(_FAST_ADDRESS)
        .alias("parts")
    ).unnest("parts")  # fmt: skip
    local, domain = pl.col("local"), pl.col("domain").str.strip_suffix(".")
    frame = frame.with_columns(domain=domain).with_columns(
        fast=(
            # ASCII: as many bytes as characters (20 ms a million, against 100 ms for a regex)
            (pl.col("raw").str.len_bytes() == pl.col("raw").str.len_chars())
            & (local.str.len_bytes() <= 64)
            & pl.col("domain").str.contains(_VALID_DOMAIN)
            & ~pl.col("domain").str.contains("xn--", literal=True)
            & ~pl.col("domain").str.contains(r"\.[0-9]+$")
            & (pl.col("domain").str.len_bytes() <= 253)
            & (local.str.len_bytes() + 1 + pl.col("domain").str.len_bytes() <= 254)
        ).fill_null(False),
        base=_without_subaddress(local),
    )
    frame = frame.with_columns(free=_free_providers(frame))
    frame = frame.with_columns(
        candidate=pl.col("fast") & ~pl.col("free") & _first_word(pl.col("base")).is_in(_ROLE_CANDIDATES)
    )
    role = _roles(frame)
    kind = (
        pl.when(~pl.col("fast")).then(None)
        .when(pl.col("free")).then(pl.lit(_PRIVATE))
        .when(role).then(pl.lit(_GENERIC))
        .otherwise(pl.lit(_NOMINATIVE))
    )  # fmt: skip
    email = pl.when(pl.col("fast")).then(pl.col("local") + "@" + pl.col("domain"))
    settled = frame.select(email=email, kind=kind)
    return _settle_the_others(frame["fast"], raw, settled["email"], settled["kind"])


def _free_providers(frame: pl.DataFrame) -> pl.Series:
    """Whether each row's domain is a free or disposable provider's: emails._mail_provider, once
    per domain that could be one.

    A two-label domain can only be one if its first label is a listed domain's or a provider
    brand: other domains, most of a file, need no further look. A longer one ("yahoo.co.uk",
    "mail.acme.fr") needs the public suffix list, and goes through emails._mail_provider.
    """
    # A fast-path domain has two labels or more, none empty: its second-to-last is the one
    # before the last dot (a split: 70 ms a million, against 240 ms for a regex anchored at the end).
    labels = frame["domain"].str.split(".")
    second = labels.list.get(-2, null_on_oob=True)
    maybe = (frame["fast"] & (second.is_in(_MAYBE_FREE) | (labels.list.len() > 2))).fill_null(False)
    domains = frame["domain"].filter(maybe).unique().to_list()
    free = [domain for domain in domains if emails._mail_provider(domain)]
    return (maybe & frame["domain"].is_in(pl.Series(free, dtype=pl.String).implode())).fill_null(False)


def _without_subaddress(local: pl.Expr) -> pl.Expr:
    """emails.strip_subaddress."""
    return pl.when(local.str.starts_with("+")).then(local).otherwise(local.str.replace(r"\+.*$", ""))


def _first_word(base: pl.Expr) -> pl.Expr:
    """The first word of a local part without its digits, as emails._is_role starts with."""
    return base.str.extract(r"^([^._-]*)", 1).str.strip_chars_end("0123456789")


def _roles(frame: pl.DataFrame) -> pl.Series:
    """Whether each row's address is a role one: emails._is_role, once per distinct candidate."""
    candidates = frame["base"].filter(frame["candidate"]).unique().to_list()
    roles = [base for base in candidates if emails._is_role(base)]
    return (frame["candidate"] & frame["base"].is_in(pl.Series(roles, dtype=pl.String).implode())).fill_null(
        False
    )


def _settle_the_others(
    fast: pl.Series, raw: pl.Series, email: pl.Series, kind: pl.Series
) -> tuple[pl.Series, pl.Series, dict[int, InvalidEmail]]:
    """Every address off the fast path, through kind_of_address itself; the errors by position."""
    others = (~fast).arg_true()
    errors: dict[int, InvalidEmail] = {}
    if others.is_empty():
        return email, kind, errors
    addresses: list[str | None] = []
    kinds: list[str | None] = []
    for position, value in zip(others.to_list(), raw.gather(others).to_list(), strict=True):
        verdict = kind_of_address(value)
        if isinstance(verdict, InvalidEmail):
            errors[position] = verdict
            addresses.append(None)
            kinds.append(None)
        else:
            addresses.append(verdict[0])
            kinds.append(verdict[1].value)
    email = email.scatter(others, pl.Series(addresses, dtype=pl.String))
    kind = kind.scatter(others, pl.Series(kinds, dtype=pl.String))
    return email, kind, errors
