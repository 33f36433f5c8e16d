"""No prospecting message goes out whose objection link nobody can reach: with a backend that
reaches real mailboxes, LICITE_BASE_URL must be a public https address (RULES E1, E2). `licite
check` and `licite serve` say so as an error with the fix; the worker refuses too."""

from __future__ import annotations

import io
import logging

import pytest
from django.core.management import call_command

from licite.campaigns.actions import do_queue_campaign
from licite.campaigns.models import Campaign, OutboundMessage
from licite.conf import unreachable_links
from tests.campaigns.test_campaigns import JEANNE, LEA, purchasing_campaign, run_worker
from tests.conftest import free_port, run_licite

SMTP = "django.core.mail.backends.smtp.EmailBackend"


@pytest.mark.parametrize(
    "base_url",
    ["http://127.0.0.1:8000", "http://licite.acme.example", "https://localhost:8000", "https://127.0.0.1",
     "licite.acme.example", ""],
)  # fmt: skip
def test_a_base_url_recipients_cannot_reach_is_refused_with_a_real_backend(base_url):
    assert "LICITE_BASE_URL" in unreachable_links(base_url, SMTP)
    assert "LICITE_BASE_URL" in unreachable_links(base_url, "anymail.backends.postmark.EmailBackend")


@pytest.mark.parametrize("backend", ["console", "filebased", "locmem", "dummy"])
def test_a_local_backend_for_development_accepts_any_base_url(backend):
    local = f"django.core.mail.backends.{backend}.EmailBackend"
    assert unreachable_links("http://127.0.0.1:8000", local) == ""


def test_a_public_https_base_url_is_accepted():
    assert unreachable_links("https://licite.acme.example", SMTP) == ""


def licite_env(tmp_path, **variables):
    return {"LICITE_HOME": str(tmp_path), "LICITE_DATABASE_URL": "", "LICITE_BASE_URL": "", **variables}


def test_licite_check_reports_the_default_base_url_as_an_error_with_the_fix(tmp_path):
    result = run_licite("check", env=licite_env(tmp_path, LICITE_EMAIL_BACKEND="smtp"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "licite.E001" in result.stderr
    assert "LICITE_BASE_URL is 'http://127.0.0.1:8000'" in result.stderr
    assert "Set LICITE_BASE_URL=https://" in result.stderr


@pytest.mark.parametrize(
    "variables",
    [
        {"LICITE_EMAIL_BACKEND": "smtp", "LICITE_BASE_URL": "https://licite.acme.example"},
        {"LICITE_EMAIL_BACKEND": "console"},
    ],
)
def test_licite_check_accepts_an_https_base_url_or_a_console_backend(tmp_path, variables):
    result = run_licite("check", env=licite_env(tmp_path, **variables))
    assert "licite.E001" not in result.stdout + result.stderr
    assert result.returncode == 0, result.stderr


def test_licite_serve_refuses_to_start_with_the_error_and_its_fix(tmp_path):
    assert run_licite("migrate", "--noinput", env=licite_env(tmp_path)).returncode == 0
    env = licite_env(tmp_path, LICITE_EMAIL_BACKEND="smtp")
    result = run_licite("serve", "--bind", f"127.0.0.1:{free_port()}", env=env, timeout=60)
    assert result.returncode == 1
    assert "licite.E001" in result.stderr
    assert "Set LICITE_BASE_URL=https://" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_nothing_when_the_links_are_unreachable_and_says_why(
    prospects, smtp, settings, caplog
):
    settings.LICITE_BASE_URL = "http://127.0.0.1:8000"
    campaign = purchasing_campaign()
    do_queue_campaign(None, campaign)
    with caplog.at_level(logging.ERROR, logger="licite.campaigns"):
        run_worker()
    assert smtp.messages == []
    reasons = set(OutboundMessage.objects.values_list("status", "status_reason"))
    assert reasons == {("cancelled", "base_url_not_https")}
    [logged] = [r.getMessage() for r in caplog.records if r.name == "licite.campaigns"]
    assert "2 messages not sent: LICITE_BASE_URL is 'http://127.0.0.1:8000'" in logged
    assert "LICITE_BASE_URL=https://" in logged
    assert JEANNE not in logged
    assert "@" not in logged
    # nothing sent, nothing left to send
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.CANCELLED


@pytest.mark.django_db(transaction=True)
def test_a_consent_request_held_back_by_the_base_url_is_asked_again_once_it_is_fixed(
    prospects, smtp, settings
):
    """RULES C2: a request that never left starts no clock and must not keep the consumer pending."""
    settings.LICITE_BASE_URL = "http://127.0.0.1:8000"
    call_command("consent", "request", "--all", stdout=io.StringIO())
    run_worker()
    assert smtp.to(LEA) == []
    settings.LICITE_BASE_URL = "https://licite.example"
    out = io.StringIO()
    call_command("consent", "request", "--all", stdout=out)
    assert "Consent requests queued: 1." in out.getvalue()
    run_worker()
    assert len(smtp.to(LEA)) == 1
