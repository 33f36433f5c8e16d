"""System checks that warn about dangerous settings (`licite check`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.db import DatabaseError

from licite.conf import unreachable_links

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
# The checks of what lets a message out, run by `licite check` and `licite serve` (and by
# `licite check --deploy`), never by `migrate` and the like: the public address of a new
# installation is often set after its database.
SENDING_CHECKS = "licite_sending"


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


@register(SENDING_CHECKS, deploy=True)
def check_links_reach_recipients(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """RULES E1, E2: no prospecting message goes out with an objection link nobody can reach."""
    problem = unreachable_links(settings.LICITE_BASE_URL, settings.EMAIL_BACKEND)
    if problem:
        return [
            Error(
                f"{problem}. No prospecting message is sent while it is so.",
                hint=(
                    "Set LICITE_BASE_URL=https://your-public-address (the address where this app "
                    "answers), or LICITE_EMAIL_BACKEND=console for local work."
                ),
                id="licite.E001",
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
