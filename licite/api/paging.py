"""Keyset pages for the API: `?after=KEY&limit=N`, answered with `items` and the `next` key.

The same keyset as the web's lists (licite.web.paging): a page deep in a million rows costs
what the first costs, and no call counts the whole table.
"""

from __future__ import annotations

from typing import Any

from ninja import Query, Schema
from pydantic import Field

from licite.web.paging import keyset_page

MAX_LIMIT = 200


class PageQuery(Schema):
    after: int | None = Field(None, ge=1, le=10**18 - 1, description="the `next` key of the page before")
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description=f"rows per page, 1 to {MAX_LIMIT}")


def keyset(queryset: Any, page: PageQuery) -> tuple[list[Any], int | None]:
    """The rows of the page (newest first) and the key of the next page, None on the last."""
    found = keyset_page(queryset, after=page.after, size=page.limit)
    return list(found.items), found.after


__all__ = ["MAX_LIMIT", "PageQuery", "Query", "keyset"]
