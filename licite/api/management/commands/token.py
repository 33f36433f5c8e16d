from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from licite.api.actions import TokenRefused, do_create_token, do_revoke_token, end_of_day, state_of
from licite.api.models import ApiToken
from licite.core.permissions import Perm, allowed, perms_of
from licite.lib.commands import LiciteCommand

COLUMNS = ("id", "user", "name", "starts with", "created", "expires", "last used", "state")
FLAGS = {"name": "--name", "expires": "--expires", "user": "--user"}


class Command(LiciteCommand):
    help = (
        "Create, list or revoke the API tokens that let a program act as a user (RULES F5).\n\n"
        "A token may do what its user's role allows, nothing more; its secret is printed once "
        "and only its digest is stored. list never shows a secret. With --as, a user who does "
        "not manage users handles only their own tokens. Every change is an audit entry."
    )
    example = 'licite token create --user admin --name "CRM sync" --expires 2027-06-30; licite token revoke 1'
    examples = {
        "create": 'licite token create --user admin --name "CRM sync" --expires 2027-06-30',
        "list": "licite token list --user admin",
        "revoke": "licite token revoke 1",
    }

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="{create,list,revoke}")
        create = commands.add_parser("create", help="A new token for a user; prints its secret once")
        create.add_argument("--user", required=True, metavar="NAME", help="the user the token acts as")
        create.add_argument("--name", required=True, help='what uses the token, e.g. "CRM sync"')
        create.add_argument("--expires", metavar="YYYY-MM-DD", help="the last day it works; default: never")
        listing = commands.add_parser("list", help="Every token (or one user's), never its secret")
        listing.add_argument("--user", metavar="NAME", help="only this user's tokens")
        revoke = commands.add_parser("revoke", help="Revoke a token for good, by its id")
        revoke.add_argument("id", type=int, help="the token's id, as `licite token list` shows it")

    def handle(self, *args: Any, **options: Any) -> None:
        step = options["subcommand"]
        if step == "create":
            self._create(options)
        elif step == "list":
            self._list(options)
        else:
            self._revoke(options["id"], options)

    # RULES F5: `--as` a user who does not manage users reaches only their own tokens.
    def _restricted_to(self, options: dict[str, Any]) -> Any | None:
        actor = self.actor if options.get("as_user") else None
        if actor is None or allowed(actor.role, Perm.MANAGE_USERS):
            return None
        return actor

    def _create(self, options: dict[str, Any]) -> None:
        user = _user(options["user"])
        own = self._restricted_to(options)
        if own is not None and own.pk != user.pk:
            raise CommandError(f"--user: {own.username} may handle only their own tokens (RULES F5)")
        if not user.is_active:
            raise CommandError(f"--user: {user.username} is deactivated")
        expires_at = _expiry(options["expires"])
        try:
            token, secret = do_create_token(self.actor, user, options["name"], expires_at=expires_at)
        except TokenRefused as exc:
            raise CommandError(f"{FLAGS.get(exc.field, exc.field)}: {exc}") from None
        self.stdout.write(secret)
        self.stdout.write(_what_it_may_do(token, user))

    def _list(self, options: dict[str, Any]) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("pk")
        user = _user(options["user"]) if options["user"] else None
        own = self._restricted_to(options)
        if own is not None and user is not None and own.pk != user.pk:
            raise CommandError(f"--user: {own.username} may handle only their own tokens (RULES F5)")
        user = user or own
        if user is not None:
            tokens = tokens.filter(user=user)
        now = timezone.now()
        self.stdout.write("\t".join(COLUMNS))
        for token in tokens.iterator():
            self.stdout.write("\t".join(_row(token, now)))

    def _revoke(self, pk: int, options: dict[str, Any]) -> None:
        tokens = ApiToken.objects.select_related("user")
        own = self._restricted_to(options)
        if own is not None:
            tokens = tokens.filter(user=own)
        token = tokens.filter(pk=pk).first()
        if token is None:
            raise CommandError(f"no token {pk}")
        if not do_revoke_token(self.actor, token):
            raise CommandError(f"token {pk} was already revoked")
        self.stdout.write(f"token {pk} ({token.name}, {token.user.username}) revoked")


def _user(username: str) -> Any:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"--user: no user {username!r}")
    return user


def _expiry(value: str | None) -> datetime | None:
    """The end of the day `--expires` names (the token works through that day), or None."""
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--expires: {value!r} is not a date: write YYYY-MM-DD") from None
    if day < timezone.localdate():
        raise CommandError("--expires: the expiry date cannot be in the past")
    return end_of_day(day)


def _what_it_may_do(token: ApiToken, user: Any) -> str:
    until = f"expires at the end of {_day(token.expires_at)}" if token.expires_at else "never expires"
    lines = [
        f"token {token.pk} for {user.username} (role {user.role}), {until}",
        "Copy it now: it is shown once, and only its digest is kept.",
    ]
    perms = [perm.value for perm in Perm if perm in perms_of(user.role)]
    if perms:
        lines.append(f"It may: {', '.join(perms)}")
    else:
        lines.append(f"the role {user.role!r} has no API permission: this token can only call /api/me")
    lines.append("Send it in each call's header: Authorization: Bearer <token> (the API's docs: /api/docs)")
    return "\n".join(lines)


def _row(token: ApiToken, now: datetime) -> list[str]:
    return [
        str(token.pk),
        token.user.username,
        token.name.replace("\t", " "),
        token.prefix,
        _moment(token.created_at),
        _day(token.expires_at) if token.expires_at else "never",
        _moment(token.last_used_at) if token.last_used_at else "never",
        state_of(token, now),
    ]


def _moment(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _day(moment: datetime | None) -> str:
    return timezone.localtime(moment).date().isoformat() if moment else ""
