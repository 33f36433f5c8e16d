"""`licite check`: Django's system checks, with licite's checks of what lets a message out."""

from __future__ import annotations

from typing import Any

from django.core.management.commands.check import Command as DjangoCheck

from licite.accounts.checks import SENDING_CHECKS
from licite.lib.commands import LiciteCommand


class Command(LiciteCommand, DjangoCheck):
    help = (
        "Check the settings and the installation for problems (Django's system checks and licite's).\n\n"
        "Always includes the checks that stop unlawful messages from going out, such as a LICITE_BASE_URL "
        "recipients cannot reach (licite.E001); --deploy adds Django's deployment checks."
    )
    example = "licite check"

    def check(self, *args: Any, **kwargs: Any) -> None:
        """The sending checks first: an error there stops the command with its fix."""
        if not kwargs.get("include_deployment_checks") and not kwargs.get("tags"):
            super().check(tags=[SENDING_CHECKS], include_deployment_checks=True)
        super().check(*args, **kwargs)
