"""Errors as JSON with a stable code, a message and, for bad input, the fields at fault.

Every error of the API has the same shape (`Error`): a client tests `code`, shows `message`,
and for a 422 points at each `errors[].field`. A refusal by the law's gate also names its
`rule` (../shared/RULES.md).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError


class FieldError(Schema):
    field: str
    message: str


class Error(Schema):
    code: str
    message: str
    rule: str | None = None
    errors: list[FieldError] = []


# Every operation may answer each of these (the schema says so, and schemathesis checks it):
# 400 is a body that is not JSON at all, which ninja refuses before any field is read.
ERRORS: dict[int | str, Any] = {
    400: Error,
    401: Error,
    403: Error,
    404: Error,
    409: Error,
    422: Error,
    429: Error,
}


class ApiError(Exception):
    """An answer other than success, with its HTTP status and stable code."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        rule: str | None = None,
        errors: list[dict[str, str]] | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.rule, self.errors = rule, errors or []
        self.retry_after = retry_after  # seconds, for a failure that passes (503)


def invalid(field: str, message: str) -> ApiError:
    """A 422 naming one field."""
    return ApiError(422, "invalid", f"{field}: {message}", errors=[{"field": field, "message": message}])


def not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"no such {what}")


def _field(location: Any) -> str:
    """`email` for a body's field (ninja puts the body's parameter name in between), `limit`
    for a query parameter."""
    parts = [str(part) for part in location]
    if parts and parts[0] == "body":
        parts = parts[2:] or parts[1:]
    elif parts and parts[0] in {"query", "path", "header", "form", "file"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


def _from_django(error: ValidationError) -> list[dict[str, str]]:
    if hasattr(error, "error_dict"):
        return [
            {"field": name, "message": " ".join(str(m) for m in ValidationError(errors).messages)}
            for name, errors in error.error_dict.items()
        ]
    return [{"field": "body", "message": message} for message in error.messages]


def install(api: NinjaAPI) -> None:
    """Answer every error of `api` in the one shape, never with a traceback."""

    def answer(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, Error(**body).dict(), status=status)

    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        body = {"code": exc.code, "message": exc.message, "rule": exc.rule, "errors": exc.errors}
        response = answer(request, exc.status, body)
        if exc.retry_after is not None:
            response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(NinjaValidationError)
    def validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = [{"field": _field(e.get("loc", ())), "message": str(e.get("msg", ""))} for e in exc.errors]
        message = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "invalid request"
        return answer(request, 422, {"code": "invalid", "message": message, "errors": errors})

    @api.exception_handler(ValidationError)
    def django_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = _from_django(exc)
        message = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return answer(request, 422, {"code": "invalid", "message": message, "errors": errors})

    @api.exception_handler(AuthenticationError)
    def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        message = "a valid token is required: Authorization: Bearer licite_…"
        response = answer(request, 401, {"code": "unauthorized", "message": message})
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return answer(request, 403, {"code": "forbidden", "message": str(exc) or "not allowed for your role"})

    @api.exception_handler(Http404)
    def missing(request: HttpRequest, exc: Http404) -> HttpResponse:
        return answer(request, 404, {"code": "not_found", "message": "not found"})

    @api.exception_handler(Throttled)
    def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        wait = int(exc.wait or 1) + 1 if exc.wait is not None else 60
        message = f"too many requests for this token: try again in {wait} s"
        response = answer(request, 429, {"code": "rate_limited", "message": message})
        response["Retry-After"] = str(wait)
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = {400: "bad_request", 405: "method_not_allowed", 413: "too_large"}.get(exc.status_code, "error")
        return answer(request, exc.status_code, {"code": code, "message": str(exc)})
