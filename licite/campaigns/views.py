"""The public pages a person reaches from a message: object, consent, follow a link.

No login: the opaque token in the link is the credential. A GET never changes anything (link
scanners follow links); the change happens on a POST (RULES E2). A HEAD (link checkers) answers
like the GET and changes nothing either.
"""

from __future__ import annotations

import hashlib

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from licite.accounts.models import Organisation
from licite.campaigns.actions import do_record_click, message_for_token
from licite.campaigns.models import OutboundMessage
from licite.lib.languages import other_language, page_language
from licite.rights.actions import do_give_consent, do_object
from licite.rights.models import SuppressionEntry

# Link checkers send HEAD: it answers like the GET (Django refuses it unless listed).
SAFE_OR_POST = ["GET", "HEAD", "POST"]


def _page(
    request: HttpRequest, template: str, message: OutboundMessage | None, status: int = 200, **context: object
) -> HttpResponse:
    # RULES D4: the `?lang=` the person switched to (the page's forms post to its own address,
    # so they keep it), else the message's language.
    language = page_language(request, request.GET.get("lang"), message.language if message else None)
    shared = {"organisation": Organisation.current(), "message": message, "other": other_language(language)}
    with translation.override(language):
        return render(request, f"campaigns/public/{template}.html", shared | context, status=status)


def _unknown(request: HttpRequest) -> HttpResponse:
    return _page(request, "unknown_link", None, status=404)


@csrf_exempt  # RULES E2: mail providers post `List-Unsubscribe=One-Click` without any token of ours
@require_http_methods(SAFE_OR_POST)
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a confirmation page, nothing changes; once the person has objected, the page says so
    instead of asking again. POST: the objection, at once, answered 200."""
    message = message_for_token(token)
    if message is None:
        return _unknown(request)
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        do_object(message, channel="one_click" if one_click else "web")
        return _page(request, "unsubscribed", message)
    return _objection_recorded(request, message) or _page(request, "unsubscribe", message)


@require_http_methods(SAFE_OR_POST)
def consent(request: HttpRequest, token: str) -> HttpResponse:
    """RULES C2, G5 (double opt-in): the person confirms on this page; the proof is recorded."""
    message = message_for_token(token)
    if message is None or message.kind != OutboundMessage.Kind.CONSENT_REQUEST:
        return _unknown(request)
    if request.method == "POST":
        if not do_give_consent(message, _evidence(request)):
            return _page(request, "consent_closed", message, status=410)
        return _page(request, "consent_given", message)
    return _objection_recorded(request, message) or _page(request, "consent", message)


@require_http_methods(SAFE_OR_POST)
def stay(request: HttpRequest, token: str) -> HttpResponse:
    """RULES F1: the answer to the last-chance message. The GET asks; the POST, the person's
    "yes", is a contact they initiated, which renews retention. Too late once they are erased."""
    from licite.rights.purge import do_stay_in_touch

    message = message_for_token(token)
    if message is None or message.kind != OutboundMessage.Kind.LAST_CHANCE:
        return _unknown(request)
    if request.method == "POST":
        if not do_stay_in_touch(message):
            return _page(request, "stay_closed", message, status=410)
        return _page(request, "stay_recorded", message)
    return _objection_recorded(request, message) or _page(request, "stay", message)


def _objection_recorded(request: HttpRequest, message: OutboundMessage) -> HttpResponse | None:
    """The page saying the person's objection is recorded, if it is: a link opened again
    never asks again (RULES G3)."""
    suppression = SuppressionEntry.objects.filter(key_hash=message.key_hash).first()
    if suppression is None:
        return None
    return _page(request, "objection_recorded", message, suppressed_at=suppression.created_at)


@require_http_methods(["GET", "HEAD"])
def click(request: HttpRequest, token: str) -> HttpResponse:
    """A click on the offer link: a contact the prospect initiated (RULES F1). A HEAD (a link
    checker) gets the same redirect and records nothing."""
    message = message_for_token(token)
    if message is None or message.campaign is None or not message.campaign.link_url:
        return _unknown(request)
    if request.method == "GET":
        do_record_click(message)
    return HttpResponseRedirect(message.campaign.link_url)


def _evidence(request: HttpRequest) -> dict[str, str]:
    """Minimal technical proof (RULES G5): a truncated IP address and a hash of the user agent."""
    address = request.META.get("REMOTE_ADDR", "")
    if ":" in address:
        prefix = ":".join(address.split(":")[:3]) + "::/48"
    else:
        prefix = ".".join(address.split(".")[:3]) + ".0/24" if address else ""
    agent = request.headers.get("user-agent", "")
    return {"ip_prefix": prefix, "user_agent_sha256": hashlib.sha256(agent.encode()).hexdigest()}
