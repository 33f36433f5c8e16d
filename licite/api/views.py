"""The API tokens page (issue 23, RULES F5): every logged-in user creates and revokes their own
tokens; an administrator also sees everyone's and revokes any, when someone leaves.

The secret is shown once, in the answer to the form itself: never in the session, a message or
a redirect, so that nothing but that one page ever holds it. Each change goes through its action
in licite.api.actions, which writes the audit entry.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from licite.api.actions import TokenRefused, do_create_token, do_revoke_token, state_of, tokens_of
from licite.api.forms import TokenForm
from licite.api.models import ApiToken
from licite.core.permissions import Perm, perms_of
from licite.web.access import can
from licite.web.paging import keyset_page, page_key

# What each permission lets a token do, in the words of the page (RULES F5).
PERM_LABELS = {
    Perm.VIEW_PROSPECTS: gettext_lazy("Search and list prospects"),
    Perm.VIEW_PROSPECT_DETAIL: gettext_lazy("Read a prospect's details"),
    Perm.EXPORT: gettext_lazy("Export prospects"),
    Perm.IMPORT: gettext_lazy("Push and import prospects"),
    Perm.DECLARE_SOURCES: gettext_lazy("Declare sources and their balancing tests"),
    Perm.CREATE_CAMPAIGNS: gettext_lazy("Create campaigns"),
    Perm.SEND_CAMPAIGNS: gettext_lazy("Send campaigns"),
    Perm.HANDLE_RIGHTS: gettext_lazy("Handle rights requests and the suppression list"),
    Perm.RECORD_OBJECTION: gettext_lazy("Record an objection received by another channel"),
    Perm.READ_AUDIT: gettext_lazy("Read and verify the audit trail"),
    Perm.EDIT_REGISTER: gettext_lazy("Export the register and run the compliance check"),
    Perm.MANAGE_USERS: gettext_lazy("Manage users"),
}
EVERYONE_PAGE_SIZE = 100
# A field of the action's refusal, as the form calls it.
FORM_FIELDS = {"name": "name", "expires": "expires"}


@require_http_methods(["GET", "POST"])
@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    """The user's tokens and the form to create one; the secret of a new one, once."""
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = do_create_token(
                request.user, request.user, form.cleaned_data["name"], expires_at=form.expires_at()
            )
        except TokenRefused as exc:
            form.add_error(FORM_FIELDS.get(exc.field), _refusal(exc))
        else:
            return _created(request, token, secret)
    return render(request, "api/tokens.html", _list_context(request, form))


def _created(request: HttpRequest, token: ApiToken, secret: str) -> HttpResponse:
    context = {"token": token, "secret": secret, "me_url": request.build_absolute_uri("/api/me")}
    response = render(request, "api/token_created.html", context)
    add_never_cache_headers(response)  # the answer holds the secret: no cache may keep it
    return response


def _refusal(exc: TokenRefused) -> str:
    """The action's refusal in the user's language (its own message is the API's, in English)."""
    if exc.field == "expires":
        return _("The expiry date cannot be in the past.")
    if exc.field == "user":
        return _("Your account is deactivated: it cannot be given a token.")
    return _("A token needs a name of at most 100 characters that says what uses it.")


def _list_context(request: HttpRequest, form: TokenForm) -> dict[str, Any]:
    now = timezone.now()
    perms = perms_of(str(getattr(request.user, "role", "")))
    context: dict[str, Any] = {
        "form": form,
        "tokens": [_with_state(token, now) for token in tokens_of(request.user)],
        "may_do": [label for perm, label in PERM_LABELS.items() if perm in perms],
    }
    if can(request.user, Perm.MANAGE_USERS):
        context["everyone"] = _everyone(request, now)
    return context


def _everyone(request: HttpRequest, now: datetime) -> Any:
    """RULES F5: every user's tokens, for the administrator who offboards a colleague."""
    after, before = page_key(request, "after"), page_key(request, "before")
    page = keyset_page(
        ApiToken.objects.select_related("user"), after=after, before=before, size=EVERYONE_PAGE_SIZE
    )
    for token in page.items:
        _with_state(token, now)
    return page


def _with_state(token: ApiToken, now: datetime) -> ApiToken:
    """The token, marked with its `state` for the template."""
    token.state = state_of(token, now)  # type: ignore[attr-defined]
    return token


def _revocable(request: HttpRequest, value: str | None) -> ApiToken:
    """The token `value` names, if the user may revoke it: their own, or any for an administrator.
    Another user's token is a 404, like one that does not exist."""
    if not value or not value.isascii() or not value.isdigit() or len(value) > 18:
        raise Http404
    user: Any = request.user
    tokens = ApiToken.objects.select_related("user")
    if not can(user, Perm.MANAGE_USERS):
        tokens = tokens.filter(user=user)
    token = tokens.filter(pk=int(value)).first()
    if token is None:
        raise Http404
    return token


@require_http_methods(["GET", "POST"])
@login_required
def token_revoke(request: HttpRequest) -> HttpResponse:
    """GET asks to confirm; POST revokes for good: every program using the token is cut off."""
    if request.method == "GET":
        if "token" not in request.GET:  # the page reached without a token: the list to pick one
            return redirect("api_tokens")
        token = _revocable(request, request.GET.get("token"))
        return render(request, "api/token_revoke.html", {"token": _with_state(token, timezone.now())})
    token = _revocable(request, request.POST.get("token"))
    if do_revoke_token(request.user, token):
        messages.success(
            request, _("The token “%(name)s” is revoked: it no longer works.") % {"name": token.name}
        )
    else:
        messages.info(request, _("The token “%(name)s” was already revoked.") % {"name": token.name})
    return redirect("api_tokens")
