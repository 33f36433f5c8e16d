"""Use cases of the accounts app: the organisation profile and the first administrator."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from licite.accounts.models import Organisation, Role, User
from licite.audit.actions import record

PROFILE_FIELDS = (
    "legal_name",
    "address",
    "siren",
    "contact_email",
    "dpo_name",
    "dpo_email",
    "privacy_policy_url",
    "default_language",
    # RULES H1: the register's contacts.
    *(f"{prefix}{name}" for prefix in ("", "dpo_") for name in ("postcode", "city", "country", "phone")),
    *(f"dpo_{name}" for name in ("company", "address")),
    *(
        f"representative_{name}"
        for name in ("name", "address", "postcode", "city", "country", "phone", "email")
    ),
)


@transaction.atomic
def do_set_organisation(actor: User | None, **values: Any) -> tuple[Organisation, bool]:
    """Create or update the organisation profile; raise ValidationError naming each bad field."""
    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"unknown organisation fields: {', '.join(sorted(unknown))}")
    organisation = Organisation.objects.select_for_update().first()
    created = organisation is None
    organisation = organisation or Organisation()
    changed = [
        name for name, value in values.items() if value is not None and getattr(organisation, name) != value
    ]
    for name in changed:
        setattr(organisation, name, values[name])
    organisation.full_clean()
    if created or changed:
        organisation.save()
        record(
            actor,
            "organisation.created" if created else "organisation.updated",
            organisation,
            fields=sorted(changed),
        )
    return organisation, created


@transaction.atomic
def do_create_admin(username: str, email: str, password: str | None = None) -> tuple[User, str]:
    """Create a superuser with the admin role; return it with its password (generated if not given)."""
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": f"a user named {username!r} already exists"})
    password = password or secrets.token_urlsafe(12)
    user = User(username=username, email=email, role=Role.ADMIN, is_staff=True, is_superuser=True)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    record(None, "user.created", user, role=user.role, superuser=True)
    return user, password


# --- Users (issue 22): invite, role, deactivate, reactivate, second factor ---------------------


class UserChangeRefused(Exception):
    """A change the rules forbid (the last administrator, oneself): the message says why."""


# Who makes a change: a user, a label for an operator without an account ("os:jdoe"), or None.
Actor = User | str | None


@transaction.atomic
def do_invite_user(actor: Actor, username: str, email: str, role: str) -> User:
    """Create an account without a password and mail its owner a link to choose one (valid
    PASSWORD_RESET_TIMEOUT). The mail is sent before the commit: if it cannot go, nothing is kept."""
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": f"a user named {username!r} already exists"})
    user = User(username=username, email=email, role=role)
    _admin_flags(user)
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    record(actor, "user.invited", user, role=role)
    send_invitation(user, actor)
    return user


def invitation_token(user: User) -> str:
    """The token of the invitation link: the account's id and Django's password-reset token,
    which stops working once a password is set (it hashes the password's hash)."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.http import int_to_base36

    return f"{int_to_base36(user.pk)}.{default_token_generator.make_token(user)}"


def invited_user(token: str) -> User | None:
    """The account an invitation token opens, or None when it is unknown, used or expired."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.http import base36_to_int

    uid, _dot, secret = token.partition(".")
    try:
        user = User.objects.filter(pk=base36_to_int(uid), is_active=True).first()
    except ValueError:
        return None
    if user is None or not default_token_generator.check_token(user, secret):
        return None
    return user


def send_invitation(user: User, actor: Actor) -> None:
    """The invitation mail, through Django's email (staff mail is not prospecting: no outbox)."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.urls import reverse

    organisation = Organisation.current()
    context = {
        "user": user,
        "inviter": getattr(actor, "username", ""),
        "organisation": organisation.legal_name if organisation else "",
        "role": user.get_role_display(),
        "link": settings.LICITE_BASE_URL + reverse("invitation_accept", args=[invitation_token(user)]),
        "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }
    subject = gettext("Your licite account: choose your password")
    try:
        send_mail(subject, render_to_string("accounts/email/invitation.txt", context),
                  None, [user.email])  # fmt: skip
    except OSError as exc:  # smtplib's errors are OSErrors
        raise UserChangeRefused(
            gettext("The invitation could not be sent (%(error)s): nothing was created.")
            % {"error": type(exc).__name__}
        ) from None


@transaction.atomic
def do_resend_invitation(actor: Actor, user: User) -> None:
    """A new link for someone invited who has not chosen a password yet (the first expired)."""
    if user.has_usable_password() or not user.is_active:
        raise UserChangeRefused(gettext("%(name)s has no pending invitation.") % {"name": user.username})
    record(actor, "user.invitation_resent", user)
    send_invitation(user, actor)


@transaction.atomic
def do_accept_invitation(user: User, password: str) -> None:
    """The invited person chose their password: the link stops working."""
    user.set_password(password)
    user.save(update_fields=["password"])
    record(user, "user.password_set", user)


@transaction.atomic
def do_set_role(actor: Actor, user: User, role: str) -> bool:
    """RULES F5: change what a user may do; the last active administrator keeps the role.
    Returns whether anything changed."""
    if role not in Role.values:
        raise ValidationError({"role": f"unknown role {role!r}"})
    old = user.role
    if old == role:
        return False
    if old == Role.ADMIN and user.is_active:
        _keep_one_admin(user)
    user.role = role
    _admin_flags(user)
    user.save(update_fields=["role", "is_staff", "is_superuser"])
    record(actor, "user.role_changed", user, old_role=old, new_role=role)
    return True


@transaction.atomic
def do_deactivate_user(actor: Actor, user: User) -> bool:
    """A user who leaves is made inactive, never deleted: the audit trail and the records they
    collected keep naming them (RULES B3). Nobody deactivates themselves or the last admin."""
    if not user.is_active:
        return False
    if getattr(actor, "pk", None) == user.pk:
        raise UserChangeRefused(gettext("You cannot deactivate your own account."))
    if user.role == Role.ADMIN:
        _keep_one_admin(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    record(actor, "user.deactivated", user, role=user.role)
    return True


@transaction.atomic
def do_reactivate_user(actor: Actor, user: User) -> bool:
    if user.is_active:
        return False
    user.is_active = True
    user.save(update_fields=["is_active"])
    record(actor, "user.reactivated", user, role=user.role)
    return True


@transaction.atomic
def do_reset_second_factor(actor: Actor, user: User) -> int:
    """For someone who lost their phone: their TOTP devices are removed; an admin or DPO sets a
    new one up at their next login. Returns the devices removed."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    removed: int = TOTPDevice.objects.filter(user=user).delete()[0]
    record(actor, "user.second_factor_reset", user, devices=removed)
    return removed


def _keep_one_admin(user: User) -> None:
    """Refuse to demote or deactivate the last active admin. The active admins' rows are locked
    (in pk order, so two demotions cannot deadlock) until the change commits: two admins demoting
    each other at once would otherwise each see the other and leave none. Called in a transaction."""
    admins = User.objects.select_for_update().filter(role=Role.ADMIN, is_active=True).order_by("pk")
    if not [pk for pk in admins.values_list("pk", flat=True) if pk != user.pk]:
        raise UserChangeRefused(
            gettext("%(name)s is the last active administrator: make another user administrator first.")
            % {"name": user.username}
        )


def _admin_flags(user: User) -> None:
    """Django's admin is the administrators' tool of last resort (issue 22): it follows the role."""
    user.is_staff = user.is_superuser = user.role == Role.ADMIN
