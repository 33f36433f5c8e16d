"""The web's way in, for the audit trail: requests under /api/ come through the API."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from licite.audit.origin import API, WEB, origin


class AuditOriginMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with origin(API if request.path_info.startswith("/api/") else WEB):
            return self.get_response(request)
