"""System checks that warn about dangerous settings (`licite check`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register
from django.db import DatabaseError

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


@register("security")
def check_debug_with_public_host(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    public = [host for host in settings.ALLOWED_HOSTS if host not in LOOPBACK]
    if settings.DEBUG and public:
        return [
            Warning(
                "LICITE_DEBUG is on while the app answers to public hosts: "
                f"{', '.join(public)}. Debug pages show settings and personal data.",
                hint="Set LICITE_DEBUG=false, or LICITE_ALLOWED_HOSTS=127.0.0.1 for local work.",
                id="licite.W001",
            )
        ]
    return []


@register("licite")
def check_organisation_profile(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from licite.accounts.models import Organisation

    try:
        organisation = Organisation.current()
    except DatabaseError:  # not migrated yet: `migrate` itself runs the checks first
        return []
    if organisation is None:
        return [
            Warning(
                "No organisation profile: notices cannot name the data controller (RULES D1).",
                hint="Run: licite init",
                id="licite.W002",
            )
        ]
    if not organisation.has_dpo:
        return [
            Warning(
                "The organisation profile has no DPO name and contact: notices and the register "
                "will say there is none (RULES D1, H1).",
                hint="Run: licite init --dpo-name NAME --dpo-email EMAIL, or edit it in the admin.",
                id="licite.W003",
            )
        ]
    return []
