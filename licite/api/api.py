"""The REST API: thin django-ninja routers calling the same actions as the web and the CLI.

Its OpenAPI schema is served at /api/openapi.json and its interactive documentation at
/api/docs, from the app's own static files (no CDN).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja import NinjaAPI, Schema
from ninja.throttling import SimpleRateThrottle

from licite.api import (
    accountability,
    campaigns,
    errors,
    health,
    imports,
    prospects,
    rights,
    sources,
    suppression,
)
from licite.api.auth import TokenAuth, caller
from licite.core.permissions import perms_of


# One budget per token, counted in Django's cache: per process with the default cache, shared
# by every process when LICITE_REDIS_URL gives a Redis cache (docs/operations.md).
class TokenRateThrottle(SimpleRateThrottle):
    scope = "licite-token"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        """The token's digest, not its id: a new token never inherits a deleted one's budget.
        None (no limit here) for the health checks, which take no token."""
        token = getattr(request, "auth", None)
        if token is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.digest}


THROTTLE = TokenRateThrottle(settings.LICITE_API_RATE)
api = NinjaAPI(
    title="licite",
    version="1",
    description=(
        "Lawful prospecting: push prospects through the same gate as a file import, check the "
        "suppression list, run campaigns and rights requests. Every call needs a token "
        "(`licite token create`, or the web app's API tokens page), acts within its user's role "
        "and is recorded in the audit trail. Errors are JSON: `code`, `message`, and for bad "
        "input `errors[].field`."
    ),
    auth=TokenAuth(),
    throttle=[THROTTLE],
    urls_namespace="api",
)
errors.install(api)
api.add_router("/", health.router)
api.add_router("/imports", imports.router)
api.add_router("/suppression", suppression.router)
api.add_router("/prospects", prospects.router)
api.add_router("/sources", sources.router)
api.add_router("/campaigns", campaigns.router)
api.add_router("/rights-requests", rights.router)
api.add_router("/", accountability.router)


class Me(Schema):
    username: str
    role: str
    permissions: list[str]
    token: int


@api.get("/me", response={200: Me, **errors.ERRORS}, tags=["tokens"], summary="Who this token acts as")
def me(request: HttpRequest) -> dict[str, object]:
    """The token's user, role and permissions (RULES F5): what this token may do."""
    user = caller(request)
    permissions = sorted(perm.value for perm in perms_of(user.role))
    token = request.auth.pk  # type: ignore[attr-defined]
    return {"username": user.username, "role": user.role, "permissions": permissions, "token": token}
