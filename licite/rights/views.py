"""The public pages of the rights requests: the page where a person makes a request, the
signed link that confirms it, and the access export served through the link sent to them.

No login: the signed, expiring link is the credential (RULES G1, G2; 48 hours). A GET never
changes anything (link scanners follow links): the confirmation is a POST. A HEAD answers like
the GET. Each download of the export is an audit entry; a HEAD of it records nothing.
"""

from __future__ import annotations

import ipaddress

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from licite.accounts.models import Organisation
from licite.lib.languages import other_language, page_language
from licite.rights.actions import (
    ACCESS_LINK_HOURS,
    AT_ONCE_KINDS,
    CONFIRM_LINK_HOURS,
    AccessLinkExpired,
    ConfirmLinkExpired,
    do_confirm_public_request,
    do_download_access,
    do_submit_public_request,
    request_for_access_token,
    request_for_confirm_token,
)
from licite.rights.forms import PublicRequestForm
from licite.rights.models import RequestState, RightsRequest
from licite.web.security import allow_own_style_blocks


def _page(
    request: HttpRequest, template: str, language: str, status: int = 200, **context: object
) -> HttpResponse:
    with translation.override(language):
        context = {"organisation": Organisation.current(), "hours": ACCESS_LINK_HOURS, **context}
        return render(request, f"rights/public/{template}.html", context, status=status)


def _network(request: HttpRequest) -> str:
    """The sender's network (an IPv4 /24, an IPv6 /48), the unit of the rate limit: never the
    whole address."""
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return ""
    return str(ipaddress.ip_network(f"{address}/{24 if address.version == 4 else 48}", strict=False))


@require_http_methods(["GET", "HEAD", "POST"])
def public_request(request: HttpRequest) -> HttpResponse:
    """RULES G1: a person asks, without an account; a signed link sent to the address confirms.
    The answer is the same whether the address is known or not, and over the rate limit."""
    if request.method != "POST":
        language = page_language(request, request.GET.get("lang"))
        form = PublicRequestForm(initial={"language": language})
        return _page(request, "request", language, form=form, other=other_language(language))
    language = page_language(request, request.POST.get("language"))
    form = PublicRequestForm(request.POST)
    if not form.is_valid():
        return _page(request, "request", language, status=400, form=form, other=other_language(language))
    data = form.cleaned_data
    do_submit_public_request(data["email"], data["kind"], data["language"], _network(request))
    return _page(request, "request_sent", language, hours=CONFIRM_LINK_HOURS)


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET: the request and a button, nothing changes; POST: the confirmation. Once confirmed,
    the link says so instead of asking again."""
    try:
        rights_request, language = request_for_confirm_token(token)
    except ConfirmLinkExpired as expired:
        return _page(request, "confirm_expired", page_language(request, expired.language), status=410,
                     hours=CONFIRM_LINK_HOURS)  # fmt: skip
    if rights_request is None:
        return _page(request, "access_unknown", page_language(request, language), status=404)
    if request.method == "POST":
        rights_request = do_confirm_public_request(rights_request)
    awaiting = rights_request.state == RequestState.AWAITING_IDENTITY and not rights_request.identity_check
    template = "confirm" if awaiting else "confirmed"
    return _page(request, template, language, rights_request=rights_request,
                 at_once=_answered_at_once(rights_request))  # fmt: skip


def _answered_at_once(rights_request: RightsRequest) -> bool:
    return rights_request.kind in AT_ONCE_KINDS and rights_request.state == RequestState.FULFILLED


@require_http_methods(["GET", "HEAD"])
def access(request: HttpRequest, token: str) -> HttpResponse:
    """The data held about the person, as a printable page or as JSON (?format=json)."""
    try:
        rights_request = request_for_access_token(token)
    except AccessLinkExpired as expired:
        return _page(request, "access_expired", expired.language, status=410)
    if rights_request is None:  # never signed, or the person erased since
        language = (
            rights_request.language if rights_request else translation.get_language_from_request(request)
        )
        return _page(request, "access_unknown", language, status=404)
    fmt = "json" if request.GET.get("format") == "json" else "html"
    body = do_download_access(rights_request, fmt) if request.method == "GET" else ""
    response = HttpResponse(
        body, content_type="application/json" if fmt == "json" else "text/html; charset=utf-8"
    )
    if fmt == "json":
        response["Content-Disposition"] = f'attachment; filename="data-{rights_request.pk}.json"'
    if fmt == "html":
        allow_own_style_blocks(response, body)  # a printable page: its styles travel with it
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response
