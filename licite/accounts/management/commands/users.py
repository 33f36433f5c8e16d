from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser

from licite.accounts.actions import (
    UserChangeRefused,
    do_deactivate_user,
    do_invite_user,
    do_reactivate_user,
    do_reset_second_factor,
    do_set_role,
)
from licite.accounts.models import Role, User
from licite.core.permissions import Perm
from licite.lib.commands import LiciteCommand


class Command(LiciteCommand):
    permission = Perm.MANAGE_USERS  # RULES F5: what `--as USER` must be allowed
    help = (
        "List, invite, change the role of, deactivate or reactivate licite's users (RULES F5).\n\n"
        "invite creates an account without a password and mails its owner a link to choose one; "
        "a user who leaves is deactivated, never deleted, so the audit trail keeps naming them. "
        "The last active administrator keeps the role. Every change is an audit entry."
    )
    example = "licite users invite henri henri@acme.example --role other; licite users role henri sales"
    examples = {
        "list": "licite users list",
        "invite": "licite users invite henri henri@acme.example --role sales",
        "role": "licite users role henri marketing",
        "deactivate": "licite users deactivate henri",
        "reactivate": "licite users reactivate henri",
        "reset-2fa": "licite users reset-2fa henri",
    }

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(
            dest="subcommand", required=True, metavar="{list,invite,role,deactivate,reactivate,reset-2fa}"
        )
        commands.add_parser("list", help="Every user with their role and state")
        invite = commands.add_parser("invite", help="Create an account and mail a link to choose a password")
        invite.add_argument("username", help="The name they log in with")
        invite.add_argument("email", help="Where the link to choose a password is sent")
        invite.add_argument("--role", choices=Role.values, default=Role.OTHER, help="default: other")
        role = commands.add_parser("role", help="Change a user's role")
        role.add_argument("username", help="The user, as `licite users list` shows them")
        role.add_argument("role", choices=Role.values, help="Their new role (docs/access.md)")
        for name, text in (
            ("deactivate", "Stop a user from logging in (the account is kept)"),
            ("reactivate", "Let a deactivated user log in again"),
            ("reset-2fa", "Remove a user's TOTP devices (a lost phone)"),
        ):
            commands.add_parser(name, help=text).add_argument("username", help="The user's login name")

    def handle(self, *args: Any, **options: Any) -> None:
        step = options["subcommand"]
        if step == "list":
            self._list()
            return
        try:
            self.stdout.write(self._change(step, options))
        except UserChangeRefused as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            ) from None

    def _list(self) -> None:
        self.stdout.write("username\trole\tstate")  # as `licite token list`: columns a reader can name
        for user in User.objects.order_by("username"):
            state = "active" if user.is_active else "deactivated"
            if user.is_active and not user.has_usable_password():
                state = "invited"
            self.stdout.write(f"{user.username}\t{user.role}\t{state}")

    def _change(self, step: str, options: dict[str, Any]) -> str:
        if step == "invite":
            user = do_invite_user(self.actor, options["username"], options["email"], options["role"])
            return f"{user.username} invited as {user.role}; the link to choose a password was mailed"
        user = _user(options["username"])
        if step == "role":
            changed = do_set_role(self.actor, user, options["role"])
            return (
                f"{user.username} is now {user.role}"
                if changed
                else f"{user.username} already is {user.role}"
            )
        if step == "deactivate":
            do_deactivate_user(self.actor, user)
            return f"{user.username} deactivated"
        if step == "reactivate":
            do_reactivate_user(self.actor, user)
            return f"{user.username} reactivated"
        removed = do_reset_second_factor(self.actor, user)
        return f"{removed} second-factor devices of {user.username} removed"


def _user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"no user {username!r}")
    return user
