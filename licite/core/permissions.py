"""Who may do what: the one permission matrix of licite, an allow-list by role (RULES F5).

Every view, the CLI's user-facing commands and the coming API ask `allowed`; a role or a
permission that is not listed here is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType


class Perm(StrEnum):
    VIEW_PROSPECTS = "view_prospects"
    VIEW_PROSPECT_DETAIL = "view_prospect_detail"
    EXPORT = "export"
    IMPORT = "import"
    DECLARE_SOURCES = "declare_sources"
    CREATE_CAMPAIGNS = "create_campaigns"
    SEND_CAMPAIGNS = "send_campaigns"
    HANDLE_RIGHTS = "handle_rights"
    RECORD_OBJECTION = "record_objection"
    READ_AUDIT = "read_audit"
    EDIT_REGISTER = "edit_register"
    MANAGE_USERS = "manage_users"


EVERYTHING = frozenset(Perm)

# RULES F5: access only for the people who need it for their job.
MATRIX: Mapping[str, frozenset[Perm]] = MappingProxyType(
    {
        "admin": EVERYTHING,
        # The DPO sees everything but sends nothing by default (issue 22): no campaign of their own;
        # managing the team's accounts is the administrator's job.
        "dpo": EVERYTHING - {Perm.CREATE_CAMPAIGNS, Perm.SEND_CAMPAIGNS, Perm.MANAGE_USERS},
        # RULES G3: every role that prospects may record an objection received by phone, letter
        # or a CRM: honouring an objection must never be harder than receiving one.
        "marketing": frozenset(
            {
                Perm.VIEW_PROSPECTS,
                Perm.VIEW_PROSPECT_DETAIL,
                Perm.EXPORT,
                Perm.IMPORT,
                Perm.DECLARE_SOURCES,
                Perm.CREATE_CAMPAIGNS,
                Perm.SEND_CAMPAIGNS,
                Perm.RECORD_OBJECTION,
            }
        ),
        # Export is its own permission: sales work the prospects in licite, the file stays inside.
        "sales": frozenset(
            {
                Perm.VIEW_PROSPECTS,
                Perm.VIEW_PROSPECT_DETAIL,
                Perm.IMPORT,
                Perm.CREATE_CAMPAIGNS,
                Perm.SEND_CAMPAIGNS,
                Perm.RECORD_OBJECTION,
            }
        ),
        # Communication writes campaigns; marketing or sales, who answer for the prospecting, send.
        "communication": frozenset(
            {Perm.VIEW_PROSPECTS, Perm.VIEW_PROSPECT_DETAIL, Perm.CREATE_CAMPAIGNS, Perm.RECORD_OBJECTION}
        ),
        # HR, finance and other staff see no prospect data at all.
        "other": frozenset(),
    }
)


def perms_of(role: str) -> frozenset[Perm]:
    """RULES F5: the permissions of a role; an unknown role has none (an allow-list)."""
    return MATRIX.get(role, frozenset())


def allowed(role: str, perm: Perm) -> bool:
    """RULES F5: whether the matrix lets this role do this."""
    return perm in perms_of(role)


def perm_to_suppress(reason: str) -> Perm:
    """RULES G3, G4, F5: what putting an address on the suppression list for `reason` needs, the
    same on a page, through the API and on the command line. An objection, a consent withdrawn,
    a bounce or a complaint received by another channel is recorded by whoever received it; an
    erasure request (GDPR art. 17) is a rights request, handled by who handles those."""
    return Perm.HANDLE_RIGHTS if reason == "erasure" else Perm.RECORD_OBJECTION
