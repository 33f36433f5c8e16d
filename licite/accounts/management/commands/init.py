from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser

from licite.accounts.actions import PROFILE_FIELDS, do_create_admin, do_set_organisation
from licite.accounts.models import Organisation, User
from licite.conf import read_or_create_secret
from licite.lib.commands import LiciteCommand, describe_validation_error
from licite.processors.checks import email_processor_reminder

DEMO_ORGANISATION = {
    "legal_name": "Démo Conseil SAS",
    "address": "12 rue de l'Exemple, 69002 Lyon, France",
    "postcode": "69002",
    "city": "Lyon",
    "country": "France",
    "siren": "912345675",
    "contact_email": "contact@demo-conseil.example",
    "dpo_name": "Claire Exemple",
    "dpo_email": "dpo@demo-conseil.example",
    "privacy_policy_url": "https://demo-conseil.example/confidentialite",
    "default_language": "fr",
}
PROMPTS = {
    "legal_name": "Legal name of the organisation",
    "address": "Postal address",
    "siren": "SIREN (9 digits)",
    "contact_email": "Contact email",
    "dpo_name": "DPO name (empty if none)",
    "dpo_email": "DPO contact email (empty if none)",
    "privacy_policy_url": "Privacy policy URL",
    "default_language": "Default language (fr/en)",
}
REQUIRED = ("legal_name", "address", "siren", "contact_email")
# RULES H1: the register's contacts, given by flag only (never prompted).
CONTACT_HELP = {
    **{name: f"Controller's {name}" for name in ("postcode", "city", "country", "phone")},
    **{f"dpo_{name}": f"DPO's {name}" for name in ("address", "postcode", "city", "country", "phone")},
    "dpo_company": "The DPO's company, when the DPO is external",
    **{
        f"representative_{name}": f"Representative in the EU (GDPR art. 27): {name}"
        for name in ("name", "address", "postcode", "city", "country", "phone", "email")
    },
}


class Command(LiciteCommand):
    help = (
        "Set the organisation profile (the data controller) and create the first administrator.\n\n"
        "Asks for what the flags do not give, unless --no-input. Run again to update the profile."
    )
    example = (
        'licite init --legal-name "Acme SAS" --address "1 rue de la Paix, 75002 Paris" '
        "--siren 912345675 --contact-email contact@acme.example --dpo-name 'Jeanne Dupont' "
        "--dpo-email dpo@acme.example --admin-username admin --admin-email admin@acme.example --no-input"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        for name in PROFILE_FIELDS:
            parser.add_argument(
                f"--{name.replace('_', '-')}", dest=name, help=PROMPTS.get(name) or CONTACT_HELP[name]
            )
        parser.add_argument("--admin-username", help="Create this administrator if no user exists yet")
        parser.add_argument("--admin-email", default="", help="The administrator's email")
        parser.add_argument(
            "--admin-password",
            help="Password (default: generated and printed); or set LICITE_ADMIN_PASSWORD",
        )
        parser.add_argument(
            "--demo",
            action="store_true",
            help="Use a demo organisation and a demo admin whose password is kept in LICITE_HOME",
        )
        parser.add_argument(
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Never prompt; fail on a missing required value",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["demo"]:
            self._init_demo()
            return
        values = {name: options[name] for name in PROFILE_FIELDS if options[name] is not None}
        existing = Organisation.current()
        interactive = options["interactive"] and sys.stdin.isatty()
        for name in PROMPTS if existing is None else ():
            if name not in values and interactive:
                values[name] = input(f"{PROMPTS[name]}: ").strip()
        missing = [name for name in REQUIRED if not values.get(name) and existing is None]
        if missing:
            raise CommandError("missing " + ", ".join(f"--{m.replace('_', '-')}" for m in missing))
        organisation = self._save_profile(values)
        self.stdout.write(f"Organisation: {organisation.legal_name} (SIREN {organisation.siren})")
        self._write_presets()
        if not organisation.has_dpo:
            self.stderr.write("warning: no DPO contact: notices will say there is none (RULES D1).")
        if reminder := email_processor_reminder():
            self.stderr.write(f"warning: {reminder}")
        if options["admin_username"]:
            password = options["admin_password"] or self._env_password(interactive)
            self._create_admin(options["admin_username"], options["admin_email"], password)

    def _save_profile(self, values: dict[str, Any]) -> Organisation:
        try:
            organisation, _ = do_set_organisation(self.actor, **values)
        except ValidationError as exc:
            raise CommandError(describe_validation_error(exc)) from None
        return organisation

    def _write_presets(self, announce: bool = True) -> None:
        """The register's preset activities, written once (licite.register.presets)."""
        from licite.register.presets import do_write_presets

        written = do_write_presets(self.actor)
        if written and announce:
            self.stdout.write(
                f"Register: {len(written)} preset activities written; complete them in the admin "
                "(Register of processing) and see them with `licite register list`."
            )

    def _env_password(self, interactive: bool) -> str | None:
        import os

        password = os.environ.get("LICITE_ADMIN_PASSWORD") or None
        if password is None and interactive:
            password = getpass.getpass("Administrator password (empty: generate one): ") or None
        return password

    def _create_admin(self, username: str, email: str, password: str | None) -> str:
        try:
            _, password = do_create_admin(username, email, password)
        except ValidationError as exc:
            raise CommandError(describe_validation_error(exc)) from None
        self.stdout.write(f"Administrator: {username} / password: {password}")
        return password

    def _init_demo(self) -> None:
        organisation = Organisation.current() or self._save_profile(dict(DEMO_ORGANISATION))
        self._write_presets(announce=False)  # the same output every time: `make run` shows it
        # A demo-only convenience: the password is kept in a 0600 file so `make run` can show it.
        password_file = Path(settings.LICITE_HOME) / "demo_admin_password"
        password = read_or_create_secret(password_file, "demo admin password")[:16]
        if not User.objects.filter(username="admin").exists():
            do_create_admin("admin", "admin@demo-conseil.example", password)
        self.stdout.write(
            f"Organisation: {organisation.legal_name}\n"
            f"Log in at {settings.LICITE_BASE_URL}/login/ as admin, password {password} "
            f"(shown again by: head -c 16 {password_file})"
        )
        if settings.LICITE_REQUIRE_2FA:  # docs/security.md: the demo shows the real login
            self.stdout.write(
                "The first login sets up two-factor authentication: scan the QR code with an "
                "authenticator app, or type its key (oathtool --totp -b KEY prints the code). "
                "To try licite without it on your own machine: LICITE_REQUIRE_2FA=false make run"
            )
