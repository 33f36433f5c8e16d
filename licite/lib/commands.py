"""The base class of licite's management commands: a help text with an example, and who runs it."""

from __future__ import annotations

import argparse
import getpass
from collections.abc import Mapping
from typing import IO, Any, Literal, cast

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser, DjangoHelpFormatter
from django.db import DatabaseError, OperationalError, connection
from django.utils import translation
from rich.console import Console

from licite.audit.origin import CLI, origin
from licite.core.permissions import Perm, allowed


class _HelpFormatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    pass


class LiciteCommand(BaseCommand):
    """`help` is the first line of `licite --help`; `example` ends the command's own --help.

    The command line speaks English, like its flags; the web UI and every message to a
    prospect follow the person's language.

    A person runs it, and `self.actor` says who, for the audit trail and as the collector of
    what an import stores (RULES B3): the user `--as USER` names, else the user named like the
    operating system's user, else that name as a label ("os:jdoe"), which the audit trail
    records; the collector then stays empty. A command is not refused for want of a licite
    user: the DPO runs the CLI on the server as whatever account the server has, and the audit
    trail still names that account.

    A command that acts on prospects names the Perm it needs (`permission`: one for the whole
    command, or one per subcommand); when `--as` names a licite user, that user's role must
    allow it (RULES F5). Without `--as` the command is the operator's, who has the server and
    its database anyway: it is not refused, as before.
    """

    example: str = ""
    # The example that ends each subcommand's --help, by subcommand: `{"add": "licite sources add ..."}`.
    examples: Mapping[str, str] = {}
    # The way in its audit entries name (RULES H): the worker command says "worker".
    audit_via: str = CLI
    # RULES F5: what the user `--as` names must be allowed: a Perm, or a Perm by subcommand.
    permission: Perm | Mapping[str, Perm] | None = None
    _actor: Any = None
    # The system checks run with `licite check` and `licite serve`, not before every command.
    requires_system_checks: list[str] | tuple[str, ...] | Literal["__all__"] = []

    def console(self) -> Console:
        """A rich console writing to the command's own output (so tests can read it)."""
        stream = cast(IO[str], getattr(self.stdout, "_out", self.stdout))
        return Console(file=stream, highlight=False, soft_wrap=True)

    @property
    def actor(self) -> Any:
        """Who runs the command: a user, or "os:NAME" when no user is named like the system's."""
        if self._actor is None:
            self._actor = _system_user()
        return self._actor

    def execute(self, *args: Any, **options: Any) -> Any:
        with translation.override("en"), origin(self.audit_via):
            try:
                self._actor = _named_user(options["as_user"]) if options.get("as_user") else None
                if self._actor is not None:
                    self._check_permission(self._actor, options)
                return super().execute(*args, **options)
            except DatabaseError as exc:
                raise _database_problem(exc) or exc from None

    def required_permission(self, options: Mapping[str, Any]) -> Perm | None:
        """The Perm this run needs: the command's, or its subcommand's (`action` or `subcommand`)."""
        if self.permission is None or isinstance(self.permission, Perm):
            return self.permission
        step = options.get("action") or options.get("subcommand")
        return self.permission.get(str(step)) if step else None

    def _check_permission(self, user: Any, options: Mapping[str, Any]) -> None:
        """RULES F5: refuse, in one line, a run the matrix does not allow to this user's role."""
        perm = self.required_permission(options)
        if perm is not None and not allowed(str(user.role), perm):
            what = perm.value.replace("_", " ")
            raise CommandError(
                f"--as: {user.username} has the role {user.role!r}, which may not {what} "
                "(RULES F5, docs/access.md)"
            )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        kwargs.setdefault("epilog", f"example:\n  {self.example}" if self.example else None)
        kwargs.setdefault("formatter_class", _HelpFormatter)
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        _add_as_option(parser)
        _describe_subcommands(parser, self.examples)
        return parser


AS_HELP = (
    "The licite user who runs the command, recorded in the audit trail and as the collector of "
    "what it imports (RULES B3); by default the user named like the operating system's user"
)


def _add_as_option(parser: argparse.ArgumentParser) -> None:
    """--as, on the command and on each of its subcommands (`licite sources add ... --as bob`)."""
    parser.add_argument("--as", dest="as_user", metavar="USER", help=AS_HELP)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for subparser in dict.fromkeys(action.choices.values()):
                # SUPPRESS: absent from a subcommand, it leaves the command's value as it was.
                subparser.add_argument("--as", dest="as_user", metavar="USER", default=argparse.SUPPRESS,
                                       help=AS_HELP)  # fmt: skip


def _describe_subcommands(parser: argparse.ArgumentParser, examples: Mapping[str, str]) -> None:
    """Each subcommand's --help as the command's: its one-line help on top, its example at the end.

    argparse shows a subcommand's help only in the list of its command's --help, and passes it
    neither the formatter (which keeps the example's line as written) nor an epilog."""
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        helps = {choice.dest: choice.help for choice in action._choices_actions}
        for name, subparser in action.choices.items():
            subparser.formatter_class = _HelpFormatter
            if subparser.description is None:
                subparser.description = helps.get(name)
            if name in examples:
                subparser.epilog = f"example:\n  {examples[name]}"


def _named_user(username: str) -> Any:
    """The active user `--as` names, or a CommandError."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"--as: no active user {username!r}")
    return user


def _system_user() -> Any:
    """The active user named like the operating system's user, else the label "os:NAME"."""
    from django.contrib.auth import get_user_model

    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no name in the environment nor in the password database
        return "os:unknown"
    return get_user_model().objects.filter(username=name, is_active=True).first() or f"os:{name}"


def migrations_pending() -> bool:
    """Whether the database lacks migrations of this version (is not set up, say)."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def _database_problem(error: DatabaseError) -> CommandError | None:
    """The user's mistake behind a database error, if it is one: a database not set up, or
    not up to date with this version; one that cannot be opened. Other errors are left as they
    are: their message may quote a stored value."""
    try:
        behind = migrations_pending()
    except OperationalError as exc:  # the database cannot even be opened
        reason = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        return CommandError(f"cannot open the database ({reason}): check LICITE_DATABASE_URL and LICITE_HOME")
    except DatabaseError:
        return None
    if behind:
        where = f" ({connection.settings_dict['NAME']})" if connection.vendor == "sqlite" else ""
        return CommandError(
            f"the database{where} is not set up for this version of licite: run `licite migrate` first"
        )
    return None


def describe_validation_error(exc: ValidationError, flag_prefix: str = "--") -> str:
    """One line naming each bad field as the command-line flag that set it."""
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"{flag_prefix}{field.replace('_', '-')}: {' '.join(str(m) for m in messages)}"
            for field, messages in exc.message_dict.items()
        )
    return " ".join(exc.messages)


def find_prospect(email: str) -> Any:
    """The prospect with this address, or a CommandError that says why there is none."""
    from licite.core.emails import InvalidEmail, normalize_email
    from licite.prospects.models import Prospect

    try:
        prospect = Prospect.objects.filter(email=normalize_email(email)).first()
    except InvalidEmail as exc:
        raise CommandError(f"not a valid email address: {exc.reason}") from None
    if prospect is None:
        raise CommandError("no prospect with this address")
    return prospect
