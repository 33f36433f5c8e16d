"""Use cases of the accounts app: the organisation profile and the first administrator."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

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
