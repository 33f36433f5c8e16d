"""Template tags of the app's shell (base.html): the navigation allowed to the reader."""

from __future__ import annotations

import time
from typing import Any

from django import template
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from licite.web.access import perms_for
from licite.web.navigation import links
from licite.web.security import second_factor_pending

register = template.Library()


@register.simple_tag(takes_context=True)
def navigation(context: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The links of base.html's header: (key, path, label), only the pages the user may open."""
    user = getattr(context.get("request"), "user", None)
    if not getattr(user, "is_authenticated", False) or second_factor_pending(user):
        return []  # between the password and the code: nothing to open yet
    perms = context.get("perms_licite")
    if perms is None:  # a page rendered without the context processor (an error page)
        perms = perms_for(user)
    return links(perms)


@register.simple_tag(takes_context=True)
def organisation_name(context: dict[str, Any]) -> str:
    """The data controller's name for the header: the page's `organisation` if it has one."""
    organisation = context.get("organisation")
    if organisation is not None:
        return str(organisation.legal_name)
    return _current_name()


# The header's organisation name, kept by each process a short while: every page asked the
# database for it, a twentieth of the prospects list's time (bench/web_bench.py). A change made
# in this process clears it at once (below); another process shows it within this many seconds.
HEADER_NAME_SECONDS = 30.0
_header_name: tuple[float, str] | None = None


def _current_name() -> str:
    global _header_name
    now = time.monotonic()
    if _header_name is None or now - _header_name[0] > HEADER_NAME_SECONDS:
        from licite.accounts.models import Organisation

        organisation = Organisation.current()
        _header_name = (now, organisation.legal_name if organisation is not None else "")
    return _header_name[1]


def _forget_name(**_kwargs: Any) -> None:
    """Now, and again once the change is committed: a page between the two must not keep the
    name the change replaces."""
    _clear_name()
    transaction.on_commit(_clear_name)


def _clear_name() -> None:
    global _header_name
    _header_name = None


post_save.connect(_forget_name, sender="accounts.Organisation", dispatch_uid="licite-header-name-saved")
post_delete.connect(_forget_name, sender="accounts.Organisation", dispatch_uid="licite-header-name-deleted")
