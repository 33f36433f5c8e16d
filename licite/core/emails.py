"""Email addresses: one canonical form, and whether an address is personal data (RULES A2-A4).

Choices made here, which the rest of licite relies on:

- The whole address is lower-cased, local part included. RFC 5321 lets a server treat the
  local part as case-sensitive, but mailbox providers do not, and an objection must match
  whatever case the address is later written in (RULES F4, G3). Two mailboxes that differ only
  by case would share a suppression entry: over-suppression is the safe error.
- Domains are converted with the `idna` package (IDNA 2008 with UTS #46 non-transitional
  mapping, as registries and current browsers do), not with the stdlib codec, which implements
  IDNA 2003 and maps "straße.de" to the different domain "strasse.de".
- A UTF-8 local part is accepted (RFC 6531) and NFC-normalized; it is not transliterated.
- A "+tag" stays in the normalized address, where the mail is delivered. It is ignored when
  telling a role from a person, and left out of the suppression identity (see suppression.py).
- Wrappers found in files and scraped pages are removed: blanks and invisible characters
  around the address, "Name <addr>", and "mailto:" URIs, which are percent-decoded and lose
  their "?subject=..." part (RFC 6068).
- Refused as invalid rather than guessed at: quoted local parts, comments, address literals
  ("x@[192.0.2.1]"), single-label domains, numeric top-level domains.
- Refused as look-alikes: an internationalized domain label that mixes scripts ("gmail" whose
  "a" is the Cyrillic U+0430), a Latin label holding a letter made to look like an ASCII one
  (U+0261, the script "g"), and a label in another script whose every letter looks like an
  ASCII one ("apple" in Cyrillic letters).
  Such a domain could pass for another, a free mail provider's included, and get a basis it
  has no right to (RULES A4). Unicode's confusables data comes from `confusable_homoglyphs`.
  Classification refuses them; `normalize_email` still gives them their canonical form, so that
  an objection from such an address (or from a prospect stored before) is honoured (RULES G3).
  Real IDN domains stay valid: "café.fr", "straße.de", "пример.рф" (its "п" looks like no
  ASCII letter). ASCII domains are never looked at: they hold no look-alike.

Performance: an import classifies every row, so an ordinary ASCII address takes a compiled-regex
fast path, and all per-domain work (IDNA, validation, mail-provider lookup) is cached.
"""

import enum
import functools
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import unquote

import idna

from licite.core.domains import (
    DISPOSABLE_MAIL_DOMAINS,
    FREE_MAIL_FAMILIES,
    PRIVATE_MAIL_DOMAINS,
    ROLE_LOCAL_PARTS,
    ROLE_QUALIFIERS,
    registrable_label,
)
from licite.core.lookalike import looks_like

__all__ = [
    "Classification",
    "EmailKind",
    "InvalidEmail",
    "classify_email",
    "email_domain",
    "kind_of_address",
    "normalize_email",
    "strip_subaddress",
]

# RFC 5321 section 4.5.3.1 and RFC 1035 section 2.3.4, in octets.
_MAX_LOCAL = 64
_MAX_DOMAIN = 253
_MAX_LABEL = 63
_MAX_ADDRESS = 254

# Whitespace as str.isspace() sees it, plus the invisible characters that copy-paste from web
# pages and spreadsheets leaves around an address (zero-width space and joiners, word joiner,
# byte order mark, Mongolian vowel separator).
_TRIM = (
    " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u180e"
    + "".join(map(chr, range(0x2000, 0x200E)))
    + "\u2028\u2029\u202f\u205f\u2060\u3000\ufeff"
)
_SPACE = re.compile(r"\s")

# Fast path: an ASCII dot-atom address, already lower-cased. The domain is only roughly shaped
# here; _domain() validates it.
_ATEXT = "a-z0-9!#$%&'*+/=?^_`{|}~-"
_FAST_ADDRESS = re.compile(rf"([{_ATEXT}]+(?:\.[{_ATEXT}]+)*)@([a-z0-9.-]+)")
_ATEXT_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+/=?^_`{|}~-.")
_LDH_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")

# What a reader takes a look-alike character for: an ASCII letter or digit.
# Scripts shared by every script (digits, hyphen; combining marks).
_SHARED_SCRIPTS = frozenset({"COMMON", "INHERITED"})

# What kind of mail provider a domain belongs to (RULES A4), as the reason names it; "" for none.
FREE_PROVIDER = "free mail provider"
DISPOSABLE_PROVIDER = "disposable address provider"

_SEPARATORS = re.compile(r"[._-]+")
_DIGITS = "0123456789"
# Every beginning of a role word ("serv" of "serviceclient", "no" of "noreply") and every
# qualifier: a local part whose first word is none of these cannot be a role address, which
# settles most nominative addresses with one set lookup.
_ROLE_FIRST_WORDS = ROLE_QUALIFIERS | frozenset(
    role[:end] for role in ROLE_LOCAL_PARTS for end in range(len(role) + 1)
)


class EmailKind(enum.StrEnum):
    """What an address points at, in the terms of RULES A2-A4."""

    GENERIC = "generic"
    NOMINATIVE = "nominative"
    PRIVATE = "private"
    INVALID = "invalid"


class InvalidEmail(ValueError):
    """An address that cannot be normalized; `reason` says why in a few words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Classification:
    """The decision on one address, with the sentence that explains it."""

    address: str
    normalized: str | None
    kind: EmailKind
    personal: bool
    reason: str


def normalize_email(raw: str) -> str:
    """Return the canonical form of an address, or raise InvalidEmail with a reason."""
    local, domain, _provider = _parse(raw)
    return f"{local}@{domain}"


def email_domain(normalized: str) -> str:
    """Return the domain of a normalized address."""
    _local, at, domain = normalized.rpartition("@")
    if not at:
        raise InvalidEmail("missing @")
    return domain


def strip_subaddress(local: str) -> str:
    """Return a local part without its "+tag" ("jean+promo" gives "jean")."""
    base = local.partition("+")[0]
    # "+tag" alone has no base to fall back on: keep it whole rather than return "".
    return base or local


def classify_email(raw: str, *, sole_trader: bool = False) -> Classification:
    """Classify an address as generic, nominative, private or invalid; never raises."""
    try:
        local, domain, provider = _parse(raw)
        if lookalike := _lookalike(domain):
            raise InvalidEmail(lookalike)
    except InvalidEmail as error:
        return Classification(raw, None, EmailKind.INVALID, False, f"invalid address: {error.reason}")
    normalized = f"{local}@{domain}"
    kind = _kind(local, provider)
    if kind is EmailKind.PRIVATE:  # RULES A4: whatever the local part
        reason = f"{provider} {domain}: treated as a private person (RULES A4)"
        return Classification(raw, normalized, kind, True, reason)
    if kind is EmailKind.GENERIC:
        base = strip_subaddress(local)
        if sole_trader:  # RULES A3
            reason = f"role address ({base}@) of a sole trader: still one natural person (RULES A3)"
            return Classification(raw, normalized, kind, True, reason)
        reason = f"role address ({base}@) of a legal person (RULES A2)"
        return Classification(raw, normalized, kind, False, reason)
    reason = "nominative address at a company domain: personal data (RULES A2)"
    return Classification(raw, normalized, kind, True, reason)


def kind_of_address(raw: str) -> tuple[str, EmailKind] | InvalidEmail:
    """The normalized address and its kind, or the InvalidEmail that says why there is none.

    classify_email without its sentences, for bulk imports: the same rules (one `_kind`), and no
    sentence built for each of a million addresses.
    """
    try:
        local, domain, provider = _parse(raw)
        if lookalike := _lookalike(domain):
            raise InvalidEmail(lookalike)
    except InvalidEmail as error:
        # Without its traceback, whose frames would tie it to the caller's in a reference cycle.
        return error.with_traceback(None)
    return f"{local}@{domain}", _kind(local, provider)


def _kind(local: str, provider: str) -> EmailKind:
    if provider:  # RULES A4
        return EmailKind.PRIVATE
    if _is_role(strip_subaddress(local)):  # RULES A2
        return EmailKind.GENERIC
    return EmailKind.NOMINATIVE


def _parse(raw: str) -> tuple[str, str, str]:
    """Return (local part, ASCII domain, its mail provider's kind or ""), or raise InvalidEmail."""
    if raw.isascii():
        address = raw.strip().lower()
        match = _FAST_ADDRESS.fullmatch(address)
        if match is not None:
            local, raw_domain = match.group(1, 2)
            if len(local) <= _MAX_LOCAL:
                domain, provider = _domain(raw_domain)
                if len(local) + 1 + len(domain) <= _MAX_ADDRESS:
                    return local, domain, provider
    return _parse_slow(raw)


def _parse_slow(raw: str) -> tuple[str, str, str]:
    """The general case of _parse, which also finds the reason an address is refused."""
    address = _unwrap(raw)
    if not address:
        raise InvalidEmail("empty")
    if _SPACE.search(address):
        raise InvalidEmail("contains a space")
    if '"' in address:
        raise InvalidEmail("quoted local part not accepted")
    ats = address.count("@")
    if ats == 0:
        raise InvalidEmail("missing @")
    if ats > 1:
        raise InvalidEmail("more than one @")
    local, _at, raw_domain = unicodedata.normalize("NFC", address).partition("@")
    if not local:
        raise InvalidEmail("empty local part")
    if not raw_domain:
        raise InvalidEmail("empty domain")
    local = unicodedata.normalize("NFC", local.lower())
    _check_local(local)
    domain, provider = _domain(raw_domain)
    if len(local.encode()) + 1 + len(domain) > _MAX_ADDRESS:
        raise InvalidEmail("address too long")
    return local, domain, provider


def _unwrap(raw: str) -> str:
    """Strip what surrounds an address: blanks, "Name <addr>", "mailto:addr?subject=..."."""
    text = raw.strip(_TRIM)
    if text.endswith(">") and "<" in text:
        text = text[text.rfind("<") + 1 : -1].strip(_TRIM)
    if text[:7].lower() == "mailto:":
        text = text[7:].partition("?")[0]
        if "%" in text:
            text = unquote(text)
        text = text.strip(_TRIM)
    return text


def _check_local(local: str) -> None:
    for char in local:
        if char in _ATEXT_CHARS:
            continue
        # RFC 6531 allows any non-ASCII character; control, format (invisible), unassigned and
        # separator characters are refused, and so is U+FFFD, the mark of a decoding error.
        if char.isascii() or char == "\ufffd" or unicodedata.category(char)[0] in "CZ":
            raise InvalidEmail("forbidden character in local part")
    if local[0] == "." or local[-1] == ".":
        raise InvalidEmail("local part starts or ends with a dot")
    if ".." in local:
        raise InvalidEmail("consecutive dots in local part")
    if len(local.encode()) > _MAX_LOCAL:
        raise InvalidEmail("local part too long")


@functools.lru_cache(maxsize=1 << 16)
def _domain(raw_domain: str) -> tuple[str, str]:
    """Return (ASCII domain, its mail provider's kind or "") for the domain as written, or raise."""
    if raw_domain.startswith("["):
        raise InvalidEmail("address literal not accepted")
    if raw_domain.isascii():
        domain = raw_domain.lower()
        if "xn--" in domain:
            _to_ascii(domain)  # validates the punycode labels
    else:
        if ".." in raw_domain:
            raise InvalidEmail("empty label in domain")
        domain = _to_ascii(raw_domain)
    if domain.endswith("."):  # the root of the DNS, "example.fr." is "example.fr"
        domain = domain[:-1]
    _check_ascii_domain(domain)
    return domain, _mail_provider(domain)


def _lookalike(domain: str) -> str:
    """Why an ASCII domain could pass for another (RULES A4), or "" when it cannot."""
    # An ASCII domain without punycode has no look-alike letter: the usual case costs a search.
    return _lookalike_idn(domain) if "xn--" in domain else ""


@functools.lru_cache(maxsize=1 << 12)
def _lookalike_idn(domain: str) -> str:
    try:
        for label in domain.split("."):
            if label.startswith("xn--"):
                _refuse_lookalike_label(idna.decode(label))
    except InvalidEmail as error:
        return error.reason
    return ""


def _refuse_lookalike_label(label: str) -> None:
    from confusable_homoglyphs import categories  # its data loads only for a non-ASCII domain

    scripts = categories.unique_aliases(label) - _SHARED_SCRIPTS
    if len(scripts) > 1:
        names = " and ".join(sorted(script.title() for script in scripts))
        raise InvalidEmail(f"domain mixes scripts ({names}): a look-alike domain (RULES A4)")
    others = [char for char in label if not char.isascii()]
    looks = {char: looks_like(char) for char in others}
    if scripts == {"LATIN"} and any(looks.values()):
        shown = ", ".join(f"{char} for {like}" for char, like in looks.items() if like)
        raise InvalidEmail(
            f"domain with letters made to look like others ({shown}): a look-alike domain (RULES A4)"
        )
    if others and all(looks.values()):
        name = next(iter(scripts), "other").title()
        raise InvalidEmail(
            f"domain written in {name} letters that all look like Latin ones: a look-alike domain (RULES A4)"
        )


def _to_ascii(domain: str) -> str:
    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except UnicodeError:  # idna.IDNAError and its subclasses
        raise InvalidEmail("invalid internationalized domain") from None


def _check_ascii_domain(domain: str) -> None:
    if not domain:
        raise InvalidEmail("empty domain")
    if len(domain) > _MAX_DOMAIN:
        raise InvalidEmail("domain too long")
    labels = domain.split(".")
    if len(labels) < 2:
        raise InvalidEmail("domain has no dot")
    for label in labels:
        if not label:
            raise InvalidEmail("empty label in domain")
        if len(label) > _MAX_LABEL:
            raise InvalidEmail("domain label too long")
        if _LDH_LABEL.fullmatch(label) is None:
            if label[0] == "-" or label[-1] == "-":
                raise InvalidEmail("domain label starts or ends with a hyphen")
            raise InvalidEmail("invalid character in domain")
    if labels[-1].isdigit():
        raise InvalidEmail("top-level domain is numeric")


def _mail_provider(domain: str) -> str:
    """RULES A4: FREE_PROVIDER or DISPOSABLE_PROVIDER when a private person's mailbox is at
    `domain`, else "". A domain on both lists (yopmail.com) is named a disposable one."""
    # The domain itself, or a parent of it, is a known provider...
    labels = domain.split(".")
    for start in range(len(labels) - 1):
        parent = ".".join(labels[start:])
        if parent in PRIVATE_MAIL_DOMAINS:
            return DISPOSABLE_PROVIDER if parent in DISPOSABLE_MAIL_DOMAINS else FREE_PROVIDER
    # ...or its registrable label (left of the public suffix) is a brand found under many
    # suffixes (hotmail.fr, yahoo.co.uk).
    return FREE_PROVIDER if registrable_label(domain) in FREE_MAIL_FAMILIES else ""


def _is_role(local: str) -> bool:
    """Whether a local part (without "+tag") names a function rather than a person (RULES A2)."""
    if not local.isascii():
        local = _fold_accents(local)
    words = _SEPARATORS.split(local)
    if words[0].rstrip(_DIGITS) not in _ROLE_FIRST_WORDS:
        return False
    words = [word.rstrip(_DIGITS) for word in words]
    # "service.client", "no-reply", "contact2": the role word, written with separators or a number.
    # Not when a word is one letter: "r.h@" is more likely Robert Hugo than human resources.
    if "".join(words) in ROLE_LOCAL_PARTS and all(len(word) != 1 for word in words):
        return True
    # "contact.france", "info-uk": role words with qualifiers only. Anything else, such as
    # "marketing.jdupont", may name a person and stays nominative.
    words = [word for word in words if word]
    return (
        len(words) > 1
        and any(word in ROLE_LOCAL_PARTS for word in words)
        and all(word in ROLE_LOCAL_PARTS or word in ROLE_QUALIFIERS for word in words)
    )


def _fold_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))
