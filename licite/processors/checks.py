"""The email backend licite sends through is a processor (RULES B7): `licite check` asks for it.

The backend is named by what identifies the provider: the anymail provider of EMAIL_BACKEND
("anymail.backends.postmark.EmailBackend" is "postmark"), else the SMTP host (EMAIL_HOST). A
processor declares it in its `email_backend` field, compared without regard to case. The local
backends (console, file, memory) reach no provider, and an SMTP server on the loopback address is
the installation's own: neither needs a processor.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register
from django.db import DatabaseError

from licite.accounts.checks import LOOPBACK, SENDING_CHECKS
from licite.conf import reaches_mailboxes


def email_provider(email_backend: str, email_host: str) -> str | None:
    """The provider messages given to this backend go through, or None when they go to none."""
    if not reaches_mailboxes(email_backend):
        return None
    if email_backend.startswith("anymail.backends."):
        return email_backend.split(".")[2].lower()
    host = email_host.strip().lower()
    if not host or host in LOOPBACK or host.startswith("127."):
        return None
    return host


def undeclared_email_provider() -> str | None:
    """The configured email provider when no processor declares it, else None."""
    from licite.processors.models import Processor

    provider = email_provider(settings.EMAIL_BACKEND, settings.EMAIL_HOST)
    if provider is None:
        return None
    try:
        declared = Processor.objects.filter(email_backend__iexact=provider).exists()
    except DatabaseError:  # not migrated yet
        return None
    return None if declared else provider


def email_processor_reminder() -> str | None:
    """The one line `licite check` and `licite init` say when the email provider is undeclared."""
    provider = undeclared_email_provider()
    if provider is None:
        return None
    return (
        f"the email provider licite sends through ({provider}) is not declared as a processor "
        f'(RULES B7): run licite processors add NAME --service "Sending emails" --country CODE '
        f"--mechanism MECHANISM --email-backend {provider}"
    )


@register(SENDING_CHECKS, deploy=True)
def check_email_provider_is_a_declared_processor(
    app_configs: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    """RULES B7: the provider that carries every message handles personal data for the controller."""
    provider = undeclared_email_provider()
    if provider is None:
        return []
    return [
        Warning(
            f"The email provider licite sends through ({provider}) is not declared as a processor: "
            "it needs an Art. 28 contract and, outside the EU/EEA, a transfer mechanism (RULES B7).",
            hint=(
                f'Run: licite processors add NAME --service "Sending emails" --country CODE '
                f"--mechanism adequacy|scc|bcr|none --email-backend {provider}"
            ),
            id="licite.W021",
        )
    ]
