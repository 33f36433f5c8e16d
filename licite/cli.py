"""The `licite` command: Django's management commands with licite's settings preset.

`licite --help` lists licite's own commands, each with a one-line help, then the Django
commands a user needs. A bad setting stops the program with one line naming the variable.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
from typing import Any, cast

# Django commands worth showing in `licite --help`, in licite's words; every other one still runs.
DJANGO_COMMANDS = {
    "migrate": "Create or update the database's tables: after installing, and after each upgrade.",
    "showmigrations": "List the database's migrations, applied [X] or not [ ].",
    "createsuperuser": "Create an account with no licite role: `licite init` and `licite users` give one.",
    "changepassword": "Set a user's password, typed twice at the terminal.",
    "shell": "A Python shell with licite's settings loaded (for developers).",
    "dbshell": "Open the database's own client (sqlite3 or psql) on licite's database.",
    "collectstatic": "Copy the web app's static files to LICITE_HOME/static (`licite serve` does it too).",
}

# The commands that run as services: their log is what their operator reads (standard error, the
# journal under systemd: docs/operations.md), at LICITE_LOG_LEVEL. Every other command is a
# person's at a terminal: what it does is in its output and in the audit trail.
SERVICES = ("serve", "worker")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "licite"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "licite.settings")
    from licite.conf import SettingsError

    try:
        import django

        django.setup()
    except SettingsError as exc:
        print(f"licite: configuration error: {exc}", file=sys.stderr)
        return 2
    if len(argv) == 1 or argv[1:] in (["-h"], ["--help"], ["help"]):
        try:
            print(overview(), flush=True)
        except BrokenPipeError:
            return _pipe_closed()
        return 0
    from django.core.management import execute_from_command_line

    if argv[1] not in SERVICES:
        _terminal_logging()
    try:
        execute_from_command_line(argv)
    except KeyboardInterrupt:
        # An import stops in its transaction, which rolls back: nothing half-written stays.
        print("licite: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _pipe_closed()
    finally:
        # The program ends: its objects need no collecting. Left to the cyclic collector, the
        # interpreter's teardown scans all of Django's and polars' several times over (0.2 s
        # of every command, measured after a 1M-row import: 0.21 to 0.29 s, frozen 0.07 to
        # 0.09 s). Exit handlers and the flushing of files still run.
        gc.freeze()
    return 0


def _terminal_logging() -> None:
    """A command at a terminal shows its own output: its log says only what went wrong (warnings
    and errors), not the lines a service logs of its work (`licite import`'s summary is the
    report it prints). LICITE_LOG_LEVEL=debug still shows everything, to look into a problem."""
    from django.conf import settings
    from django.utils.log import configure_logging

    if settings.LOG_LEVEL == "DEBUG":
        return
    handlers = cast(dict[str, dict[str, Any]], settings.LOGGING["handlers"])  # licite.settings' dict
    for handler in handlers.values():
        level = logging.getLevelName(handler.get("level", "NOTSET"))
        handler["level"] = logging.getLevelName(max(level, logging.WARNING))
    # Applied now, and again by Django's own set-up of the command, which reads the same dict.
    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)


def _pipe_closed() -> int:
    """`licite ... | head` read what it wanted and closed the pipe: no traceback for that. What is
    left unwritten goes nowhere, so that the interpreter's exit does not fail on it too."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 141  # as a shell reports a program ended by SIGPIPE


def overview() -> str:
    """The text of `licite --help`."""
    from django.core.management import get_commands, load_command_class

    commands = get_commands()
    own = sorted(name for name, app in commands.items() if app.startswith("licite"))
    shown = [name for name in DJANGO_COMMANDS if name in commands and name not in own]

    def line(name: str) -> str:
        help_text = DJANGO_COMMANDS.get(name) or load_command_class(commands[name], name).help or ""
        return f"  {name:<16} {help_text.strip().splitlines()[0] if help_text.strip() else ''}"

    return "\n".join(
        [
            "usage: licite COMMAND [SUBCOMMAND] [options]   (each one's --help ends with an example)",
            "",
            "Lawful B2B prospecting: provenance, legal basis, notices, suppression list, retention.",
            "",
            "licite commands:",
            *(line(name) for name in own),
            "",
            "Django commands:",
            *(line(name) for name in shown),
            "",
            "Settings come from LICITE_* environment variables: see .env.example.",
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
