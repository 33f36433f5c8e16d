"""Template tags of the app's shell (base.html): the navigation allowed to the reader."""

from __future__ import annotations

from typing import Any

from django import template

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
    from licite.accounts.models import Organisation

    organisation = context.get("organisation") or Organisation.current()
    return organisation.legal_name if organisation is not None else ""
