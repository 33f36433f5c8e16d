from __future__ import annotations

import signal
import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError, CommandParser
from django.db import connection

from licite.accounts.checks import SENDING_CHECKS
from licite.lib.commands import LiciteCommand, migrations_pending


class Command(LiciteCommand):
    help = (
        "Serve the web app with gunicorn (static files included), on 127.0.0.1:8000 by default.\n\n"
        "Collects the static files first and refuses to start on an unmigrated database."
    )
    requires_system_checks = "__all__"
    example = "licite serve --bind 127.0.0.1:8000 --workers 2"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind", default="127.0.0.1:8000", help="Address and port (default 127.0.0.1:8000)"
        )
        parser.add_argument("--workers", type=int, default=2, help="Web worker processes (default 2)")
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help="Also run a task worker (`licite worker`) that sends the outbox",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if migrations_pending():
            raise CommandError("the database has unapplied migrations: run `licite migrate` first")
        # RULES E1, E2: no web app (nor worker) sending messages whose links nobody can reach.
        self.check(tags=[SENDING_CHECKS], include_deployment_checks=True)
        call_command("collectstatic", interactive=False, verbosity=0)
        connection.close()
        self.stdout.write(f"licite is serving on http://{options['bind']}/ (Ctrl+C stops it)")
        self.stdout.flush()
        children = []
        if options["with_worker"]:
            children.append(subprocess.Popen([sys.executable, "-m", "licite.cli", "worker"]))
        # gunicorn runs in a fresh interpreter: this process has imported polars (the checks load
        # every view), whose threads a forked web worker would inherit without their state, and
        # the first import there would hang (polars is not fork-safe). The fresh master imports
        # no app; each web worker loads licite after the fork (licite.web.server).
        server = [sys.executable, "-m", "licite.web.server", options["bind"], str(options["workers"])]
        children.append(subprocess.Popen(server))  # noqa: S603 (our interpreter, checked arguments)
        signal.signal(signal.SIGTERM, _stop)  # a service manager's stop ends the children too
        try:
            children[-1].wait()
        finally:
            for child in reversed(children):
                child.terminate()
                child.wait(timeout=30)


def _stop(signum: int, frame: Any) -> None:
    raise SystemExit(0)
