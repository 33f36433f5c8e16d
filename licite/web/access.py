"""The permission matrix on the web side: `can`, the `requires` decorator, the context processor.

The matrix itself is licite.core.permissions (RULES F5); this module only asks it about the
person making the request.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from licite.core.permissions import Perm, allowed, perms_of

View = TypeVar("View", bound=Callable[..., HttpResponse])


def _role(user: Any) -> str | None:
    """The role of an active, logged-in user; None for anyone else."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if not getattr(user, "is_active", False):
        return None
    return str(getattr(user, "role", ""))


def can(user: Any, perm: Perm) -> bool:
    """RULES F5: whether this user's role allows this; never for anonymous or inactive users."""
    role = _role(user)
    return role is not None and allowed(role, perm)


def perms_for(user: Any) -> frozenset[Perm]:
    """RULES F5: every permission this user has (none for anonymous or inactive users)."""
    role = _role(user)
    return frozenset() if role is None else perms_of(role)


def requires(perm: Perm) -> Callable[[View], View]:
    """RULES F5: a view for the roles the matrix allows: login first, then 403 for the others.

    The permission is kept on the view as `licite_perm`, so the test that walks every URL can
    check each page against the matrix.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not can(request.user, perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.licite_perm = perm  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator


def permissions(request: HttpRequest) -> dict[str, frozenset[Perm]]:
    """Context processor: `perms_licite`, what the user may do, so pages show only that.

    Perm is a StrEnum: a template may write `{% if "export" in perms_licite %}`.
    """
    return {"perms_licite": perms_for(getattr(request, "user", None))}
