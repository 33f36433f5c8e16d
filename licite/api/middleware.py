"""Every API call is an audit entry naming the token that made it (issue 23, RULES F5)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from licite.api.models import ApiToken
from licite.audit.actions import record


class ApiCallAuditMiddleware:
    """After a call made with a token: who (the token's user), which token, which operation, and
    the answer's status. Never the query string or the body: they may hold an address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        token = getattr(request, "auth", None)
        if isinstance(token, ApiToken):
            match = request.resolver_match
            record(
                token.user,
                "api.called",
                token,
                method=request.method,
                operation=match.url_name if match is not None else "",
                status=response.status_code,
            )
        return response
