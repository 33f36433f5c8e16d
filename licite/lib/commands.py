"""The base class of licite's management commands: a help text with an example."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandParser, DjangoHelpFormatter
from django.utils import translation


class _HelpFormatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    pass


class LiciteCommand(BaseCommand):
    """`help` is the first line of `licite --help`; `example` ends the command's own --help.

    The command line speaks English, like its flags; the web UI and every message to a
    prospect follow the person's language.
    """

    example: str = ""

    def execute(self, *args: Any, **options: Any) -> Any:
        with translation.override("en"):
            return super().execute(*args, **options)

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        kwargs.setdefault("epilog", f"example:\n  {self.example}" if self.example else None)
        kwargs.setdefault("formatter_class", _HelpFormatter)
        return super().create_parser(prog_name, subcommand, **kwargs)
