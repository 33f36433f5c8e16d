"""Use cases on API tokens: create one (shown once), revoke it, find the one a request carries."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from licite.api.models import ApiToken
from licite.audit.actions import record

SCHEME = "licite_"  # a token says what it is, so that a secret scanner can recognise one
PREFIX_LENGTH = len(SCHEME) + 6
# Writing the last use on every call would make each read a write: once a minute is enough to
# tell a token in use from a forgotten one.
LAST_USE_EVERY = timedelta(minutes=1)


class TokenRefused(ValueError):
    """A token cannot be created as asked; the message names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def do_create_token(
    actor: Any, user: Any, name: str, expires_at: datetime | None = None, now: datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token for `user`, scoped by their role (RULES F5); the secret is returned once and
    never stored."""
    now = now or timezone.now()
    name = name.strip()
    if not name:
        raise TokenRefused("name", "a token needs a name that says what uses it")
    if len(name) > 100:
        raise TokenRefused("name", "a token's name has at most 100 characters")
    if expires_at is not None and expires_at <= now:
        raise TokenRefused("expires", "the expiry must be in the future")
    if not user.is_active:
        raise TokenRefused("user", f"user {user.pk} is deactivated")
    secret = SCHEME + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[:PREFIX_LENGTH],
        digest=digest_of(secret),
        created_at=now,
        created_by=actor if getattr(actor, "pk", None) else None,
        expires_at=expires_at,
    )
    record(actor, "api_token.created", token, user=user.pk, role=user.role, expires=bool(expires_at))
    return token, secret


@transaction.atomic
def do_revoke_token(actor: Any, token: ApiToken, now: datetime | None = None) -> bool:
    """Revoke a token for good; False when it already was."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return False
    token.revoked_at = now or timezone.now()
    token.save(update_fields=["revoked_at"])
    record(actor, "api_token.revoked", token, user=token.user_id)
    return True


def token_for_secret(secret: str, now: datetime | None = None) -> ApiToken | None:
    """The usable token whose secret this is, or None (unknown, revoked, expired, user gone)."""
    if not secret.startswith(SCHEME):
        return None
    now = now or timezone.now()
    token = ApiToken.objects.select_related("user").filter(digest=digest_of(secret)).first()
    if token is None or not token.usable_at(now):
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USE_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def tokens_of(user: Any) -> Any:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def end_of_day(day: date) -> datetime:
    """The last instant of `day` in the server's time zone: a token that expires "on" a date
    works through that whole day, for the web form and `licite token create --expires` alike."""
    return timezone.make_aware(datetime.combine(day, time.max))


def state_of(token: ApiToken, now: datetime) -> str:
    """What the lists of tokens show: "revoked", "expired" or "active"."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"
