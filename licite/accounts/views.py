"""The users pages (issue 22, RULES F5): the list, inviting, changing a role, deactivating and
reactivating (never deleting: the audit trail keeps naming the actor), resetting a lost second
factor, and the page where an invited person chooses their password. Each change goes through
its action in licite.accounts.actions, which writes the audit entry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from licite.accounts.actions import (
    UserChangeRefused,
    do_accept_invitation,
    do_deactivate_user,
    do_invite_user,
    do_reactivate_user,
    do_resend_invitation,
    do_reset_second_factor,
    do_set_role,
    invited_user,
)
from licite.accounts.forms import InviteForm, RoleForm
from licite.accounts.models import User
from licite.core.permissions import Perm
from licite.web.access import requires
from licite.web.forms import add_action_errors
from licite.web.paging import keyset_page, page_key


def _with_device(users: Any) -> Any:
    confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    return users.annotate(has_device=Exists(confirmed))


@require_GET
@requires(Perm.MANAGE_USERS)
def user_list(request: HttpRequest) -> HttpResponse:
    """Every account, newest first, with its role, state and second factor."""
    after, before = page_key(request, "after"), page_key(request, "before")
    page = keyset_page(_with_device(User.objects.all()), after=after, before=before, size=100)
    return render(request, "accounts/list.html", {"page": page})


@require_http_methods(["GET", "POST"])
@requires(Perm.MANAGE_USERS)
def user_invite(request: HttpRequest) -> HttpResponse:
    """A new account without a password; its owner chooses one from the link mailed to them."""
    form = InviteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = do_invite_user(request.user, data["username"], data["email"], data["role"])  # type: ignore[arg-type]
        except ValidationError as exc:
            add_action_errors(form, exc)
        except UserChangeRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Invitation sent to %(name)s.") % {"name": user.username})
            return redirect("user_detail", pk=user.pk)
    return render(request, "accounts/invite.html", {"form": form})


@require_GET
@requires(Perm.MANAGE_USERS)
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(_with_device(User.objects.all()), pk=pk)
    return render(
        request,
        "accounts/detail.html",
        {"account": user, "role_form": RoleForm(initial={"role": user.role}),
         "invited": not user.has_usable_password()},
    )  # fmt: skip


Change = Callable[[User, User], Any]


def _change(request: HttpRequest, pk: int, change: Change, done: str) -> HttpResponse:
    """Apply one change through its action; a refusal is shown on the user's page."""
    account = get_object_or_404(User, pk=pk)
    try:
        change(request.user, account)  # type: ignore[arg-type]
    except UserChangeRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done % {"name": account.username})
    return redirect("user_detail", pk=pk)


@require_POST
@requires(Perm.MANAGE_USERS)
def user_role(request: HttpRequest, pk: int) -> HttpResponse:
    """RULES F5: what the user may do follows from this role."""
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Role: choose one of the roles in the list."))
        return redirect("user_detail", pk=pk)
    role = form.cleaned_data["role"]
    return _change(request, pk, lambda actor, user: do_set_role(actor, user, role),
                   _("Role of %(name)s saved."))  # fmt: skip


@require_POST
@requires(Perm.MANAGE_USERS)
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _change(request, pk, do_deactivate_user, _("%(name)s can no longer log in."))


@require_POST
@requires(Perm.MANAGE_USERS)
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _change(request, pk, do_reactivate_user, _("%(name)s can log in again."))


@require_POST
@requires(Perm.MANAGE_USERS)
def user_reset_second_factor(request: HttpRequest, pk: int) -> HttpResponse:
    return _change(
        request, pk, do_reset_second_factor,
        _("The second factor of %(name)s was removed: they set a new one up at their next login."),
    )  # fmt: skip


@require_POST
@requires(Perm.MANAGE_USERS)
def user_invite_again(request: HttpRequest, pk: int) -> HttpResponse:
    return _change(request, pk, do_resend_invitation, _("Invitation sent to %(name)s."))


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Public: the invited person chooses their password; the link works once."""
    user = invited_user(token)
    if user is None:
        return render(request, "accounts/invitation_invalid.html", status=400)
    form = SetPasswordForm(user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        do_accept_invitation(user, form.cleaned_data["new_password1"])
        messages.success(request, _("Your password is set: log in with it."))
        return redirect("login")
    return render(request, "accounts/invitation.html", {"form": form, "account": user})
