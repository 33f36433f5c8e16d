"""Keyset pagination: pages that cost the same on the first page and deep in a million rows.

An offset page (`LIMIT 50 OFFSET 500000`) reads and throws away every row before it, and its
"page 3 of 20,000" needs a COUNT of the whole table on every request. A keyset page asks for the
rows after (or before) the last key seen, `WHERE id < ? ORDER BY id DESC LIMIT 51`, which the
primary key's index answers by reading 51 rows wherever the page is. The price: "next" and
"previous" links, no page numbers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

PAGE_KEYS = ("after", "before")
# ASCII digits only ("²".isdigit() is True, int("²") raises), and below 2**63 (a BIGINT).
PAGE_KEY = re.compile(r"[0-9]{1,18}")
PAGE_KEY_MAX = 10**18 - 1


@dataclass(frozen=True, slots=True)
class Page:
    """One page of rows, newest first, with the keys that lead to the pages around it."""

    items: Sequence[Any]
    after: int | None  # the key to ask for the next (older) page, None on the last page
    before: int | None  # the key to ask for the previous (newer) page, None on the first page


def keyset_page(
    queryset: Any, *, after: int | None = None, before: int | None = None, size: int = 50
) -> Page:
    """The page of `queryset` (ordered by primary key, descending) just after the key `after`, or
    just before the key `before`, or the first page. One query of `size + 1` rows: the extra row
    only says whether there is a page beyond."""
    if before is not None:
        rows = list(queryset.filter(pk__gt=before).order_by("pk")[: size + 1])
        more, rows = len(rows) > size, rows[:size][::-1]
        return Page(rows, _key(rows, -1), _key(rows, 0) if more else None)
    if after is not None:
        queryset = queryset.filter(pk__lt=after)
    rows = list(queryset.order_by("-pk")[: size + 1])
    more, rows = len(rows) > size, rows[:size]
    return Page(rows, _key(rows, -1) if more else None, _key(rows, 0) if after is not None else None)


def _key(rows: Sequence[Any], index: int) -> int | None:
    return int(rows[index].pk) if rows else None


def page_key(request: HttpRequest, name: str) -> int | None:
    """The page key `name` (after, before) of the request, or None when it is not a key: a bad
    key shows the first page rather than an error."""
    value = request.GET.get(name, "")
    return int(value) if PAGE_KEY.fullmatch(value) else None


def query_without_keys(request: HttpRequest) -> str:
    """The search and filters, without the page's key, for the next and previous links."""
    query = request.GET.copy()
    for key in PAGE_KEYS:
        query.pop(key, None)
    return query.urlencode()
