"""The app's navigation: one item per page, shown to those whose role allows it (RULES F5).

A page is linked only once it exists: each item names the URL names it may have, and the first
one that resolves is used; an item none of whose names resolves is left out. Pages built later
thus appear by themselves, and no link ever leads to a 404.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from licite.core.permissions import Perm


@dataclass(frozen=True)
class Item:
    label: Promise
    names: tuple[str, ...]  # the URL names the page may have, the likeliest first
    perms: frozenset[Perm] = frozenset()  # any one of them shows the item; none: every user


ITEMS = (
    Item(_("Dashboard"), ("home",)),
    Item(_("Prospects"), ("prospect_list", "prospects"), frozenset({Perm.VIEW_PROSPECTS})),
    Item(_("Import"), ("import_upload", "import_wizard", "import"), frozenset({Perm.IMPORT})),
    Item(_("Sources"), ("source_list", "sources"), frozenset({Perm.DECLARE_SOURCES, Perm.VIEW_PROSPECTS})),
    Item(
        _("Campaigns"),
        ("campaign_list", "campaigns"),
        frozenset({Perm.CREATE_CAMPAIGNS, Perm.SEND_CAMPAIGNS, Perm.VIEW_PROSPECTS}),
    ),
    Item(
        _("Rights requests"),
        ("rights_queue", "rights_list", "rights_requests"),
        frozenset({Perm.HANDLE_RIGHTS}),
    ),
    Item(_("Register"), ("register", "register_index", "register_list"), frozenset({Perm.EDIT_REGISTER})),
    Item(
        _("Compliance"), ("compliance", "compliance_check"), frozenset({Perm.EDIT_REGISTER, Perm.READ_AUDIT})
    ),
    Item(_("Retention"), ("purge", "purge_history"), frozenset({Perm.HANDLE_RIGHTS})),
    Item(_("Processors"), ("processor_list",), frozenset({Perm.EDIT_REGISTER})),
    Item(_("Breaches"), ("breach_list",), frozenset({Perm.EDIT_REGISTER})),
    Item(_("Audit"), ("audit_trail", "audit", "audit_list"), frozenset({Perm.READ_AUDIT})),
    Item(_("Users"), ("user_list", "users"), frozenset({Perm.MANAGE_USERS})),
    Item(_("Training"), ("quiz",)),
    Item(_("API tokens"), ("api_tokens",)),  # any user: a token acts within its user's role
)


def url_of(names: Iterable[str]) -> str | None:
    """The path of the first URL name that resolves, or None when the page does not exist yet."""
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


def links(perms: Iterable[str]) -> list[tuple[str, str, str]]:
    """(URL name found, path, label) of every existing page the user's permissions allow."""
    allowed = {str(perm) for perm in perms}
    found = []
    for item in ITEMS:
        if item.perms and not {str(perm) for perm in item.perms} & allowed:
            continue
        path = url_of(item.names)
        if path is not None:
            found.append((item.names[0], path, str(item.label)))
    return found
