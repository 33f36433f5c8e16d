from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import CommandParser

from licite.core.emails import classify_email
from licite.lib.commands import LiciteCommand


class Command(LiciteCommand):
    help = (
        "Classify email addresses read on standard input, one a line, as JSON lines (RULES A1-A5).\n\n"
        "Each output line has address, normalized, kind (generic, nominative, private or invalid), "
        "personal (true or false) and reason. Nothing is stored: use it to vet a list before importing."
    )
    example = "printf 'contact@acme.fr\\njeanne.dupont@acme.fr\\n' | licite classify"
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--sole-trader",
            action="store_true",
            help="The addresses belong to sole traders: role addresses are personal (RULES A3)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        write = self.stdout.write
        for line in sys.stdin:
            address = line.rstrip("\r\n")
            if not address.strip():
                continue
            verdict = classify_email(address, sole_trader=options["sole_trader"])
            write(json.dumps({
                "address": verdict.address, "normalized": verdict.normalized, "kind": str(verdict.kind),
                "personal": verdict.personal, "reason": verdict.reason,
            }, ensure_ascii=False))  # fmt: skip
