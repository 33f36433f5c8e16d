"""The API's requests: answered in English, and each call an audit entry naming its token."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

from licite.api.models import ApiToken
from licite.audit.actions import record


class ApiCallAuditMiddleware:
    """After a call made with a token: who (the token's user), which token, which operation, and
    the answer's status. Never the query string or the body: they may hold an address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith("/api/"):
            return self.get_response(request)
        # A program reads the API: its messages are English whatever the caller's browser says,
        # like the command line's; the people in the database get their language elsewhere.
        with translation.override("en"):
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
