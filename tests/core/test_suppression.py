"""The suppression list identifies an address by a keyed hash, never the address (RULES F4)."""

import hashlib
import hmac
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from licite.core.emails import InvalidEmail, normalize_email
from licite.core.suppression import (
    suppression_hash,
    suppression_hasher,
    suppression_identity,
)
from tests.core.test_emails import addresses, disguises

KEY = b"k" * 32
_KEYS = st.binary(min_size=32, max_size=64)


IDENTITIES = [
    ("jean.dupont@example.fr", "jean.dupont@example.fr"),
    ("jean.dupont+promo@example.fr", "jean.dupont@example.fr"),
    ("jean+promo+2025@example.fr", "jean@example.fr"),
    ("prénom.nom+salon@xn--nomdelasocit-lebb.fr", "prénom.nom@xn--nomdelasocit-lebb.fr"),
    ("+tag@example.fr", "+tag@example.fr"),  # nothing before the "+": kept whole
]


@pytest.mark.parametrize(("normalized", "identity"), IDENTITIES)
def test_the_identity_of_an_address_leaves_out_its_subaddress(normalized: str, identity: str) -> None:
    assert suppression_identity(normalized) == identity


def test_the_hash_is_the_hex_hmac_sha256_of_the_identity() -> None:
    expected = hmac.new(KEY, b"jean.dupont@example.fr", hashlib.sha256).hexdigest()
    assert suppression_hash(" Jean.Dupont+Promo@Example.FR ", KEY) == expected
    assert re.fullmatch(r"[0-9a-f]{64}", expected)


def test_an_objection_from_a_subaddress_covers_the_base_address() -> None:
    assert suppression_hash("jean+promo@example.fr", KEY) == suppression_hash("jean@example.fr", KEY)


def test_different_people_get_different_hashes() -> None:
    assert suppression_hash("jean.dupont@example.fr", KEY) != suppression_hash(
        "jeanne.dupont@example.fr", KEY
    )


def test_a_non_ascii_address_is_hashed_in_its_canonical_form() -> None:
    assert suppression_hash("Prénom.Nom@NomDeLaSociété.fr", KEY) == suppression_hash(
        "prénom.nom@xn--nomdelasocit-lebb.fr", KEY
    )


def test_an_invalid_address_cannot_be_hashed() -> None:
    with pytest.raises(InvalidEmail, match="missing @"):
        suppression_hash("jean.dupont", KEY)
    with pytest.raises(InvalidEmail, match="missing @"):
        suppression_hasher(KEY)("jean.dupont")


@pytest.mark.parametrize("key", [b"", b"short", b"k" * 31])
def test_a_key_shorter_than_32_bytes_is_refused(key: bytes) -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        suppression_hash("jean@example.fr", key)
    with pytest.raises(ValueError, match="at least 32 bytes"):
        suppression_hasher(key)


def test_a_text_key_is_refused() -> None:
    with pytest.raises(TypeError):
        suppression_hash("jean@example.fr", "k" * 32)  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_case_and_whitespace_variants_hash_identically(data: st.DataObject) -> None:
    address = data.draw(addresses())
    disguised = data.draw(disguises(address))
    assert suppression_hash(disguised, KEY) == suppression_hash(address, KEY)


@settings(max_examples=200, deadline=None)
@given(st.one_of(addresses(), st.emails()), _KEYS)
def test_the_hash_never_contains_the_address(address: str, key: bytes) -> None:
    digest = suppression_hash(address, key)
    identity = suppression_identity(normalize_email(address))
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert identity not in digest
    # Keyed: not the plain SHA-256 anyone could compute from a list of candidate addresses.
    assert digest != hashlib.sha256(identity.encode()).hexdigest()


@settings(max_examples=200, deadline=None)
@given(st.one_of(addresses(), st.emails()), _KEYS, _KEYS)
def test_the_hash_differs_for_different_keys(address: str, key: bytes, other: bytes) -> None:
    if key != other:
        assert suppression_hash(address, key) != suppression_hash(address, other)


@settings(max_examples=300, deadline=None)
@given(st.one_of(addresses(), st.emails()), _KEYS)
def test_the_bulk_hasher_gives_the_same_hash(address: str, key: bytes) -> None:
    hash_address = suppression_hasher(key)
    assert hash_address(address) == suppression_hash(address, key)
    assert hash_address(address) == hash_address(address)  # its keyed state is not consumed


def test_gmail_dots_and_googlemail_are_one_identity():
    from licite.core.suppression import suppression_identity

    assert suppression_identity("j.ean.dupont+news@googlemail.com") == "jeandupont@gmail.com"
    assert suppression_identity("j.ean@example.fr") == "j.ean@example.fr"


def test_the_bulk_hasher_of_normalized_addresses_agrees_with_suppression_hash():
    from licite.core.emails import normalize_email
    from licite.core.suppression import identity_hasher

    key = b"k" * 32
    for raw in ("Jean.Dupont@Example.FR", "j.ean+x@gmail.com", "prénom.nom@société.fr"):
        assert identity_hasher(key)(normalize_email(raw)) == suppression_hash(raw, key)


@settings(max_examples=300, deadline=None)
@given(st.one_of(addresses(), st.emails(), st.sampled_from(["J.Ean+x@GoogleMail.com", "a+@b.fr"])))
def test_the_hasher_of_normalized_addresses_agrees_with_suppression_hash(address: str) -> None:
    from licite.core.suppression import identity_hasher

    assert identity_hasher(KEY)(normalize_email(address)) == suppression_hash(address, KEY)


@settings(max_examples=100, deadline=None)
@given(st.binary(min_size=32, max_size=200), st.emails())
def test_the_bulk_hasher_is_hmac_sha256_for_keys_of_any_length(key: bytes, address: str) -> None:
    from licite.core.suppression import identity_hasher

    assert identity_hasher(key)(normalize_email(address)) == suppression_hash(address, key)
