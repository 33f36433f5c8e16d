"""Who calls: a bearer token, and what their role lets them do (RULES F5)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from licite.api.actions import token_for_secret
from licite.api.errors import ApiError
from licite.api.models import ApiToken
from licite.core.permissions import Perm, allowed


class TokenAuth(HttpBearer):
    """`Authorization: Bearer licite_…`: the call acts as the token's user."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = token_for_secret(token)
        if found is not None:
            request.user = found.user
        return found


def caller(request: HttpRequest) -> Any:
    """The user the call acts as."""
    return request.auth.user  # type: ignore[attr-defined]


def require(request: HttpRequest, perm: Perm) -> Any:
    """RULES F5: the caller, when their role allows `perm`; a 403 naming what is missing else."""
    user = caller(request)
    if not allowed(user.role, perm):
        message = f"the role {user.role!r} does not have the permission {perm.value!r}"
        raise ApiError(403, "forbidden", message)
    return user
