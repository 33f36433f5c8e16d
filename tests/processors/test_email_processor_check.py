"""RULES B7: the email provider licite sends through is a processor; `licite check` and `licite init`
ask for it to be declared (licite.W021)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from licite.processors.actions import do_save_processor

pytestmark = pytest.mark.django_db

SMTP = "django.core.mail.backends.smtp.EmailBackend"
WARNING = "licite.W021"


@pytest.fixture
def public(settings):
    """A public installation: the links of its messages reach recipients (no licite.E001)."""
    settings.LICITE_BASE_URL = "https://licite.acme.example"
    return settings


def check() -> str:
    err = io.StringIO()
    call_command("check", stdout=io.StringIO(), stderr=err)
    return err.getvalue()


def declare(email_backend: str, **values: str) -> None:
    fields = {"service": "Sending emails", "country": "FR", **values}
    do_save_processor(None, "Mail provider", email_backend=email_backend, **fields)


def test_an_undeclared_smtp_host_is_named_with_the_command_that_declares_it(public):
    public.EMAIL_BACKEND, public.EMAIL_HOST = SMTP, "smtp-relay.brevo.com"
    err = check()
    assert WARNING in err
    assert "The email provider licite sends through (smtp-relay.brevo.com) is not declared" in err
    assert "--email-backend smtp-relay.brevo.com" in err


def test_a_processor_declaring_the_smtp_host_silences_the_warning(public):
    public.EMAIL_BACKEND, public.EMAIL_HOST = SMTP, "smtp-relay.brevo.com"
    declare("SMTP-Relay.Brevo.com")
    assert WARNING not in check()


def test_an_anymail_provider_is_named_by_its_provider_and_declared_by_it(public):
    public.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    assert "(postmark) is not declared" in check()
    declare("postmark", country="US", transfer_mechanism="scc")
    assert WARNING not in check()


@pytest.mark.parametrize(
    ("backend", "host"),
    [
        ("django.core.mail.backends.console.EmailBackend", "smtp.example.net"),
        ("django.core.mail.backends.locmem.EmailBackend", "smtp.example.net"),
        ("django.core.mail.backends.filebased.EmailBackend", "smtp.example.net"),
        (SMTP, "localhost"),
        (SMTP, "127.0.0.1"),
    ],
)
def test_local_backends_and_a_loopback_smtp_server_need_no_processor(public, backend, host):
    public.EMAIL_BACKEND, public.EMAIL_HOST = backend, host
    assert WARNING not in check()


def test_init_prints_the_same_reminder(settings, capsys):
    settings.EMAIL_BACKEND, settings.EMAIL_HOST = SMTP, "smtp.mailjet.com"
    call_command("init", legal_name="Acme SAS", address="1 rue de la Paix, 75002 Paris", siren="912345675",
                 contact_email="contact@acme.example", interactive=False)  # fmt: skip
    err = capsys.readouterr().err
    assert "warning: the email provider licite sends through (smtp.mailjet.com) is not declared" in err


def test_migrate_does_not_run_the_reminder(settings):
    """A sending check: `licite check` and `licite serve` run it, not every command."""
    settings.EMAIL_BACKEND, settings.EMAIL_HOST = SMTP, "smtp.mailjet.com"
    err = io.StringIO()
    call_command("migrate", "--check", stdout=io.StringIO(), stderr=err)
    assert WARNING not in err.getvalue()
