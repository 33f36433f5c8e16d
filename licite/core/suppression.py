"""The suppression list ("liste repoussoir") identifies an address by a keyed hash (RULES F4).

What is hashed is the suppression identity of an address: its normalized form (see
`licite.core.emails.normalize_email`) without the "+tag" of the local part. An objection from
"jean+promo@example.fr" therefore also covers "jean@example.fr" and "jean+news@example.fr":
the same person reads all three, and over-suppression is the safe error (RULES G3). For the
same reason, dots in a Gmail local part are dropped and googlemail.com counts as gmail.com.

The hash is HMAC-SHA256 under a secret key kept outside the database, so a leaked list cannot
be reversed by hashing candidate addresses. It is still pseudonymous data, to protect like any
personal data (RULES F4).
"""

import hashlib
import hmac
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _hashlib import HASH

from licite.core.emails import normalize_email, strip_subaddress

__all__ = [
    "MIN_KEY_BYTES",
    "OTHER_IDENTITY_MARKS",
    "check_key",
    "identity_hasher",
    "suppression_hash",
    "suppression_hasher",
    "suppression_identity",
]

# 256 bits, the output size of SHA-256: a shorter key would be the weak point of the HMAC.
MIN_KEY_BYTES = 32


# Gmail delivers "j.ean@" to "jean@", and googlemail.com is gmail.com: one person, one identity.
_DOTLESS_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}
_DOTLESS_SUFFIXES = tuple(f"@{domain}" for domain in _DOTLESS_DOMAINS)
# An address is its own suppression identity unless it holds a "+" or ends with one of these:
# what a bulk hasher may test first, to call suppression_identity only where it changes something.
_SUBADDRESS = "+"
OTHER_IDENTITY_MARKS = (_SUBADDRESS, _DOTLESS_SUFFIXES)


def suppression_identity(normalized: str) -> str:
    """The form of a normalized address that is hashed: without its "+tag" (RULES F4), and
    without the dots Gmail ignores."""
    local, _at, domain = normalized.rpartition("@")
    local = strip_subaddress(local)
    if domain in _DOTLESS_DOMAINS:
        local, domain = local.replace(".", "") or local, _DOTLESS_DOMAINS[domain]
    return f"{local}@{domain}"


def suppression_hash(address: str, key: bytes) -> str:
    """Hex HMAC-SHA256 of an address's suppression identity; raises InvalidEmail if invalid."""
    check_key(key)
    identity = suppression_identity(normalize_email(address))
    return hmac.new(key, identity.encode(), hashlib.sha256).hexdigest()


def suppression_hasher(key: bytes) -> Callable[[str], str]:
    """A suppression_hash for one key, faster in bulk: the keyed HMAC states are computed once."""
    hash_normalized = identity_hasher(key)

    def hash_address(address: str) -> str:
        return hash_normalized(normalize_email(address))

    return hash_address


def identity_hasher(key: bytes) -> Callable[[str], str]:
    """Like suppression_hasher, for addresses that are already normalized (bulk imports).

    HMAC (RFC 2104) from its two keyed SHA-256 states, computed once: copying them costs less
    than an hmac object's own copy, and an import hashes every address of its file.
    """
    check_key(key)
    inner, outer = _keyed_states(key)

    def hash_normalized(normalized: str) -> str:
        if _SUBADDRESS in normalized or normalized.endswith(_DOTLESS_SUFFIXES):
            normalized = suppression_identity(normalized)
        # else it is its own identity: the usual case, made cheap
        mac = inner.copy()
        mac.update(normalized.encode())
        digest = outer.copy()
        digest.update(mac.digest())
        return digest.hexdigest()

    return hash_normalized


_BLOCK = 64  # SHA-256's block size, in bytes
_IPAD = bytes(byte ^ 0x36 for byte in range(256))
_OPAD = bytes(byte ^ 0x5C for byte in range(256))


def _keyed_states(key: bytes) -> tuple["HASH", "HASH"]:
    """HMAC-SHA256's inner and outer hashes, each fed its padded key (RFC 2104 section 2)."""
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    return hashlib.sha256(key.translate(_IPAD)), hashlib.sha256(key.translate(_OPAD))


def check_key(key: bytes) -> None:
    """Raise unless `key` can key the suppression list's HMAC (bytes, at least MIN_KEY_BYTES)."""
    if not isinstance(key, bytes):
        raise TypeError("the suppression key must be bytes")
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"the suppression key must be at least {MIN_KEY_BYTES} bytes")
