"""Per-user API tokens: shown once, stored as a SHA-256 digest, scoped by the user's role."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A token lets a program act as its user, within that user's role (RULES F5).

    The token itself is never stored: a random 256-bit secret needs no slow hash, its SHA-256
    digest is enough to find it and useless to whoever reads the database.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    # The token's first characters, enough for a person to tell their tokens apart.
    prefix = models.CharField(_("starts with"), max_length=16)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"token {self.pk}"

    def usable_at(self, now: object) -> bool:
        """Neither revoked nor expired, and its user still active."""
        return (
            self.revoked_at is None
            and (self.expires_at is None or self.expires_at > now)  # type: ignore[operator]
            and self.user.is_active
        )
