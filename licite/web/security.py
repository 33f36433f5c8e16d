"""Logging in safely: the login audit, the client's address, and the TOTP second factor.

Every login, failed or not, is an audit entry with the account's id and the client's network
prefix, never a password nor an unknown username (which may be a person's address typed by
mistake). Admins and DPOs (and whoever set a device up) give a TOTP code after their password;
their first login sets the device up (docs/security.md).
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import time
from base64 import b32encode, b64encode
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from licite.audit.actions import record

SECOND_FACTOR_ROLES = frozenset({"admin", "dpo"})
# The pages an unverified admin may still reach: the second step itself, logging out, the
# language switch and the health check.
OPEN_BEFORE_SECOND_FACTOR = frozenset(
    {"otp_verify", "otp_setup", "logout", "login", "set_language", "healthz", "invitation_accept"}
)
# The pages for the people in the database (their links and forms, the privacy policy): open to
# anyone without a login, so also to an admin between the password and the code; they show
# nothing of what the second factor protects.
PUBLIC_PREFIXES = ("/rights/", "/access/", "/u/", "/consent/", "/r/", "/stay/", "/privacy/", "/static/")


# The client's address --------------------------------------------------------------------------


def client_ip(request: HttpRequest) -> str:
    """The client's address: the connection's, or behind LICITE_PROXY_COUNT proxies the one they saw.

    Each proxy appends the address it received from to X-Forwarded-For: the n-th from the right
    was written by our own outermost proxy, so a client cannot forge it by sending the header.
    """
    count = settings.LICITE_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if count and len(forwarded) >= count:
        return str(forwarded[-count])
    return str(request.META.get("REMOTE_ADDR", ""))


def ip_prefix(address: str) -> str:
    """The network an address belongs to (/24 or /48), enough to spot a pattern, not a person."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    bits = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{bits}", strict=False))


def client_str(username: object, ip_address: object, *args: Any) -> str:
    """What django-axes writes in its log lines about a client: the network prefix only."""
    return ip_prefix(str(ip_address or ""))


def lockout_response(request: HttpRequest, *args: Any) -> HttpResponse:
    """The page a locked-out login gets, in the person's language, with how long to wait."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "registration/locked_out.html", context, status=429)


def allow_own_style_blocks(response: HttpResponse, html: str) -> None:
    """Let a self-contained document (the access report, which the person saves and prints)
    keep its <style> blocks: the policy allows those exact texts by their hash, nothing else
    inline. django-csp reads `_csp_update`, as its @csp_update decorator sets it."""
    blocks = re.findall(r"<style>(.*?)</style>", html, flags=re.DOTALL)
    digests = [b64encode(hashlib.sha256(block.encode()).digest()).decode("ascii") for block in blocks]
    response._csp_update = {"style-src": [f"'sha256-{digest}'" for digest in digests]}  # type: ignore[attr-defined]


# The login audit ---------------------------------------------------------------------------------


def _account(username: object) -> Any | None:
    if not isinstance(username, str) or not username:
        return None
    return get_user_model().objects.filter(username=username).first()


@receiver(user_logged_in, dispatch_uid="licite-login-succeeded")
def audit_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    record(user, "login.succeeded", user, ip_prefix=ip_prefix(client_ip(request)) if request else "")


@receiver(user_login_failed, dispatch_uid="licite-login-failed")
def audit_failed_login(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """An unknown username is not recorded: it may be a mistyped address, or a password."""
    account = _account(credentials.get("username"))
    prefix = ip_prefix(client_ip(request)) if request is not None else ""
    record(None, "login.failed", account, known_account=account is not None, ip_prefix=prefix)


@receiver(user_logged_out, dispatch_uid="licite-logout")
def audit_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(user, "logout", user)


def connect_lockout_audit() -> None:
    """Called by the app's ready(): django-axes' signal is importable once the apps are loaded."""
    from axes.signals import user_locked_out

    def audit_lockout(
        sender: Any, request: HttpRequest, username: str | None, ip_address: str, **kwargs: Any
    ) -> None:
        account = _account(username)
        record(
            None,
            "login.locked_out",
            account,
            known_account=account is not None,
            ip_prefix=ip_prefix(ip_address),
        )

    user_locked_out.connect(audit_lockout, dispatch_uid="licite-login-locked-out", weak=False)


# The second factor -------------------------------------------------------------------------------


def _has_device(user: Any) -> bool:
    """Whether the user has a confirmed TOTP device; asked once a request (the user object lives
    as long as the request): the middleware and the menu both ask."""
    known = getattr(user, "_licite_has_device", None)
    if known is None:
        known = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        user._licite_has_device = known
    return bool(known)


def needs_second_factor(user: Any) -> bool:
    """Admins and DPOs always (unless LICITE_REQUIRE_2FA is off); others once they set a device up."""
    if not getattr(user, "is_authenticated", False):
        return False
    if _has_device(user):
        return True
    required = user.role in SECOND_FACTOR_ROLES or user.is_superuser
    return bool(settings.LICITE_REQUIRE_2FA and required)


# A request restarts the idle count; the session is written again at most once this often.
IDLE_RESOLUTION_SECONDS = 60


class IdleSessionMiddleware:
    """A session ends after SESSION_COOKIE_AGE without a request. Saving the session on every
    request (SESSION_SAVE_EVERY_REQUEST) would make each page a database write, serialised on
    SQLite; marking it changed once a minute restarts its expiry just as well, a minute apart."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            if now - int(request.session.get("seen", 0)) >= IDLE_RESOLUTION_SECONDS:
                request.session["seen"] = now  # changed: SessionMiddleware saves it, expiry restarted
        return self.get_response(request)


def second_factor_pending(user: Any) -> bool:
    """Logged in with the password, the code still owed: nothing but the code page is open yet."""
    return not getattr(user, "is_verified", lambda: True)() and needs_second_factor(user)


class OTPRequiredMiddleware:
    """After the password, the second step: until it is done, every page leads to it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        user: Any = request.user
        if not second_factor_pending(user):
            return None
        match = request.resolver_match
        if match is not None and match.url_name in OPEN_BEFORE_SECOND_FACTOR:
            return None
        if request.path_info.startswith(PUBLIC_PREFIXES):
            return None
        step = "otp_verify" if _has_device(user) else "otp_setup"
        return HttpResponseRedirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code from your authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("home")


def do_verify_second_factor(request: HttpRequest, device: TOTPDevice, token: str) -> bool:
    """Check a TOTP code; the session is verified when it matches. Both outcomes are audited."""
    with transaction.atomic():
        if device.verify_token(token):
            otp_login(request, device)
            record(request.user, "login.second_factor", device)
            return True
        record(None, "login.second_factor_failed", device, account=request.user.pk)
    return False


def do_confirm_device(request: HttpRequest, device: TOTPDevice, token: str) -> bool:
    """The first code from a new device confirms it and verifies this session."""
    with transaction.atomic():
        if not device.verify_token(token):
            return False
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        otp_login(request, device)
        record(request.user, "otp.device_confirmed", device)
    return True


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The second step of a login: the code of the device set up earlier."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return redirect(f"{reverse('otp_setup')}?{urlencode({'next': _next(request)})}")
    form = TokenForm(request.POST or None)
    if form.is_valid():
        if do_verify_second_factor(request, device, form.cleaned_data["token"]):
            return redirect(_next(request))
        form.add_error("token", _("This code is not valid. Check your device's clock and try the next code."))
    return render(request, "otp/verify.html", {"form": form, "next": _next(request)})


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Set a TOTP device up: a QR code drawn here (no outside service) and the secret as text."""
    user: Any = request.user
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        if not user.is_verified():
            return redirect(f"{reverse('otp_verify')}?{urlencode({'next': _next(request)})}")
        return render(request, "otp/enabled.html", {"required": needs_second_factor(user)})
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": "licite"}
    )
    form = TokenForm(request.POST or None)
    if form.is_valid():
        if do_confirm_device(request, device, form.cleaned_data["token"]):
            return redirect(_next(request))
        form.add_error("token", _("This code is not valid. Check your device's clock and try the next code."))
    context = {
        "form": form,
        "next": _next(request),
        "qr_svg": qr_svg(device.config_url),
        "secret": b32encode(device.bin_key).decode("ascii"),
        "required": needs_second_factor(user),
    }
    return render(request, "otp/setup.html", context)


def qr_svg(data: str) -> str:
    """A QR code as an inline SVG element (a path, no style attribute: the CSP allows it)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg: str = image.to_string(encoding="unicode")
    return svg.replace("<svg ", '<svg class="qr" role="img" ', 1)
