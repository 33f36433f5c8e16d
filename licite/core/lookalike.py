"""Letters made to look like others (Unicode's confusables, from `confusable_homoglyphs`).

A name or a domain written with a Cyrillic "i" (U+0456) or a Greek omicron reads, to a person,
as the Latin letter: licite reads it so too wherever a rule depends on what a text names (RULES A4, B4).
"""

from __future__ import annotations

import functools
import string

# Lower case only: domains and the names matched against are compared case-folded.
ASCII_LOOKS = frozenset(string.ascii_lowercase + string.digits)


@functools.lru_cache(maxsize=4096)
def looks_like(char: str) -> str:
    """The ASCII letter or digit that `char` can be taken for, or "" (never for an ASCII char)."""
    if char.isascii():
        return ""
    from confusable_homoglyphs import confusables  # its data loads only for a non-ASCII text

    found = confusables.is_confusable(char, greedy=True, preferred_aliases=[]) or []
    looks = sorted({glyph["c"] for item in found for glyph in item["homoglyphs"]} & ASCII_LOOKS)
    return looks[0] if looks else ""


def as_read(text: str) -> str:
    """`text`, case-folded, with each look-alike letter replaced by the ASCII one a reader takes
    it for."""
    folded = text.casefold()
    if folded.isascii():
        return folded
    return "".join(looks_like(char) or char for char in folded)
