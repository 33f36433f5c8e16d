"""The vectorized gate gives exactly what the row-by-row gate gives, for any rows."""

from __future__ import annotations

import string
import sys

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from licite.core.gate import RowGate
from licite.core.suppression import suppression_hash
from licite.ingest.framegate import PYTHON_SPACE, FrameGate, _collapsed, column
from licite.ingest.gating import ChunkGate, ChunkResult
from licite.prospects.importing import normalize_phone
from tests.core.test_emails import addresses, disguises

KEY = b"k" * 32
# The columns of the rows below, and the ways a file may map them.
COLUMNS = ("first_name", "last_name", "email", "job_title", "company", "company_domain", "country",
           "full_name", "phone", "comment", "language")  # fmt: skip
MAPPINGS = [
    {"first_name": 0, "last_name": 1, "email": 2, "job_title": 3, "company": 4},
    {"email": 2, "company_domain": 5, "country": 6, "full_name": 7, "phone": 8},
    {"first_name": 0, "email": 2, "full_name": 7, "country": 6},
    {"email": 2},
    {"email": 2, "company_domain": 5, "country": 6, "language": 10},
]
TRICKY_ADDRESSES = [
    "", "   ", "contact@acme.fr", "Info+Devis@ACME.fr", "jean.dupont@gmail.com", "j.ean+x@GoogleMail.com",
    "lea@yahoo.co.uk", "paul@hotmail.fr", "marc@mail.free.fr", "sales@sub.orange.fr", "r.h@acme.fr",
    "service.client@acme.fr", "contact2@acme.fr", "noreply@acme.fr", "contact.france@acme.fr",
    "marketing.jdupont@acme.fr", "+tag@acme.fr", "a@b", "a@b.123", "a@-b.fr", "a@b-.fr", "a@b..fr",
    "a@b.fr.", "a@b.fr..", ".a@b.fr", "a..b@c.fr", "a@xn--bcher-kva.example", "a@xn--zz.example",
    "Jean <jean@acme.fr>", "mailto:jean@acme.fr?subject=x", "prénom.nom@société.fr", "x@[192.0.2.1]",
    '"a b"@acme.fr', "a@b@c.fr", "a b@acme.fr", "x" * 65 + "@acme.fr", "a@" + "b" * 64 + ".fr",
    "a@" + ".".join(["b" * 60] * 5) + ".fr", "ÉMILE@ACME.FR", "a@acme.FR\u200b", "\ufeffa@acme.fr",
    "a@acme.co.uk", "jean@laposte.net", "x@gmx.de", "x@gmx.co.uk", "x@foo.gmx.net", "a\x1c@acme.fr",
    "jean@mail.acme.co.uk", "contact@eu.acme.fr", "lea@yopmail.fr", "lea@cool.fr.nf", "x@relay.firefox.com",
    "x@hotmail.in.th", "jean@acme.zz", "jean@yahoo-finance.co.uk", "jean@sub.acme.example",
]  # fmt: skip
SPACES = st.text(alphabet=PYTHON_SPACE[:12] + " ", max_size=3)
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)
NAMES = st.one_of(
    TEXT,
    st.builds(
        lambda a, b, c: a + b + c, SPACES, st.sampled_from(["Jeanne", "Jean  Paul", "Ève", "O'Neil"]), SPACES
    ),
    st.text(alphabet=string.ascii_letters + " ", min_size=95, max_size=210),
)
COUNTRIES = st.sampled_from(["", "France", "fr", " FR ", "Royaume-Uni", "Atlantis", "belgique", "DE"])
DOMAINS = st.sampled_from(
    [
        "",
        "https://www.Acme.fr/contact",
        "acme.fr",
        "WWW.ACME.FR?x=1",
        "acme.co.uk",
        "Acme.BE",
        "acme.io",
        "acme.com",
        "acme.fr.",
        "fr",
        ".ch",
        "acme.f",
        "acme.d\u00e9",
        "acme.zz",
        "mail.acme.co.uk",
    ]
)
LANGUAGES = st.one_of(
    st.sampled_from(["", "fr", "EN", " Français", "english", "fr-BE", "Deutsch", "  "]), TEXT
)
PHONES = st.sampled_from(["", "01 42 00 00 00", "+44 20 7946 0000", "12", "   "])
EMAILS = st.one_of(
    st.sampled_from(TRICKY_ADDRESSES),
    addresses().flatmap(disguises),
    st.emails(),
    TEXT,
)


@st.composite
def rows(draw: st.DrawFn) -> list[str]:
    return [
        draw(NAMES), draw(NAMES), draw(EMAILS), draw(NAMES), draw(NAMES), draw(DOMAINS), draw(COUNTRIES),
        draw(NAMES), draw(PHONES), draw(TEXT), draw(LANGUAGES),
    ]  # fmt: skip


def frame_of(rows: list[list[str]]) -> pl.DataFrame:
    lines = list(range(2, len(rows) + 2))
    values = {column(index): [row[index] for row in rows] for index in range(len(COLUMNS))}
    return pl.DataFrame(
        {"line": lines, **values}, schema={"line": pl.Int64, **dict.fromkeys(values, pl.String)}
    )


def both(
    mapping: dict[str, int], rows: list[list[str]], keep_phone: bool, expired: bool = False
) -> tuple[ChunkResult, ChunkResult]:
    dropped = [index for index in range(len(COLUMNS)) if index not in mapping.values()]

    def gate() -> RowGate:
        return RowGate(mapping, keep_phone=keep_phone, phone_normalizer=normalize_phone, expired=expired)

    by_row = ChunkGate(gate(), KEY, dropped)([(line, row) for line, row in enumerate(rows, start=2)])
    by_column = FrameGate(gate(), KEY, dropped)(frame_of(rows))
    return by_row, by_column


def test_the_white_space_written_out_is_what_python_calls_white_space():
    every = "".join(char for char in map(chr, range(sys.maxunicode + 1)) if char.isspace())
    assert every == PYTHON_SPACE


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=PYTHON_SPACE + " ab\u00e9", max_size=8), max_size=30))
def test_white_space_collapses_as_split_and_join_collapse_it(values):
    assert _collapsed(pl.Series(values, dtype=pl.String)).to_list() == [" ".join(v.split()) for v in values]


def test_the_frame_gate_admits_and_rejects_the_tricky_addresses_as_the_row_gate_does():
    table = [
        ["Jeanne", "Dupont", address, "Acheteuse", "Acme", "", "France", "", "", "x", ""]
        for address in TRICKY_ADDRESSES
    ]
    by_row, by_column = both(MAPPINGS[0], table, keep_phone=False)
    assert by_column == by_row
    assert not by_row.staged.is_empty()
    assert by_row.rejected
    assert set(by_row.staged["email_kind"]) == {"generic", "nominative", "private"}


# The settings' key (hex text), one of exactly SHA-256's block, one longer (RFC 2104 hashes it).
@pytest.mark.parametrize("key", [b"0123456789abcdef" * 4, b"k" * 64, "clé secrète ".encode() * 8])
def test_the_frame_gate_hashes_each_address_as_the_suppression_list_does(key):
    table = [
        ["", "", address, "", "", "", "", "", "", "", ""]
        for address in ["Jean.Dupont@gmail.com", "jean.dupont+x@googlemail.com", "a+b@acme.fr", "a@acme.fr",
                        "prénom.nom@société.fr", "contact@acme.fr", "+tag@acme.fr"]
    ]  # fmt: skip
    staged = FrameGate(RowGate({"email": 2}, keep_phone=False), key, [])(frame_of(table)).staged
    assert staged.height == len(table)
    # suppression_hash: the hmac module's HMAC of each address's identity, found again from the raw value
    assert staged["key_hash"].to_list() == [suppression_hash(row[2], key) for row in table]
    assert staged["key_hash"][0] == staged["key_hash"][1]  # one Gmail identity: one person


def test_the_keyed_hashes_leave_the_addresses_they_are_given_as_they_were():
    addresses = pl.Series(["jean.dupont@gmail.com", "a+b@acme.fr", "a@acme.fr"])
    FrameGate(RowGate({"email": 0}, keep_phone=False), KEY, [])._keyed_hashes(addresses)
    assert addresses.to_list() == ["jean.dupont@gmail.com", "a+b@acme.fr", "a@acme.fr"]


@pytest.mark.parametrize("mapping", MAPPINGS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=st.lists(rows(), min_size=1, max_size=40), keep_phone=st.booleans(), expired=st.booleans())
def test_the_frame_gate_gives_what_the_row_gate_gives(mapping, table, keep_phone, expired):
    by_row, by_column = both(mapping, table, keep_phone, expired)
    assert by_column == by_row


def test_both_gates_decide_the_language_from_the_file_the_country_then_the_domain():
    table = [
        ["", "", "a@acme.co.uk", "", "", "", "", "", "", "", ""],  # the domain's country code
        ["", "", "b@acme.com", "", "", "", "", "", "", "", ""],  # generic: the organisation's default
        ["", "", "c@acme.co.uk", "", "", "", "France", "", "", "", ""],  # the country first
        ["", "", "d@acme.fr", "", "", "", "", "", "", "", "English"],  # the file first
        ["", "", "e@orange.fr", "", "", "", "", "", "", "", ""],  # a free mailbox says nothing
        ["", "", "f@acme.be", "", "", "", "", "", "", "", "klingon"],  # not fr nor en: counted, left
    ]
    by_row, by_column = both({"email": 2, "country": 6, "language": 10}, table, keep_phone=False)
    assert by_column == by_row
    assert by_row.staged["language"].to_list() == ["en", "", "fr", "en", "", "fr"]
    assert by_row.notes.unknown_languages == 1


def test_both_gates_take_the_registered_domain_and_know_disposable_and_forwarding_mailboxes():
    table = [
        ["", "", address, "", "", "", "", "", "", "", ""]
        for address in ["jean@mail.acme.co.uk", "lea@yopmail.fr", "x@relay.firefox.com", "y@acme.zz"]
    ]
    by_row, by_column = both({"email": 2}, table, keep_phone=False)
    assert by_column == by_row
    staged = by_row.staged
    assert staged["email_kind"].to_list() == ["nominative", "private", "private", "nominative"]
    assert staged["company_domain"].to_list() == ["acme.co.uk", "", "", "acme.zz"]
    assert staged["language"].to_list() == ["en", "", "", ""]  # .zz is no country's


def test_both_gates_keep_no_row_past_its_retention_and_count_the_valid_ones():
    table = [["", "", address, "", "", "", "", "", "", "", ""] for address in ["a@acme.fr", "nope", "b@x.fr"]]
    by_row, by_column = both({"email": 2}, table, keep_phone=False, expired=True)
    assert by_column == by_row
    assert (by_row.staged.height, by_row.expired, len(by_row.rejected)) == (0, 2, 1)


def test_the_frame_gate_counts_what_it_cut_and_could_not_recognise():
    table = [["J" * 150, "Dupont", "jeanne@acme.fr", "", "", "", "Atlantis", "", "", "  ", ""]] * 3
    by_row, by_column = both({"first_name": 0, "email": 2, "country": 6}, table, keep_phone=False)
    assert by_column == by_row
    assert (by_column.notes.truncated, by_column.notes.unknown_countries) == (3, 3)
    assert by_column.dropped_values[-2] == 0  # a blank comment holds nothing
