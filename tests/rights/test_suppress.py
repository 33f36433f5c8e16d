"""`licite suppress`: objections received by phone or letter (RULES F4, G3, G4)."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from licite.audit.models import AuditEvent
from licite.campaigns.models import OutboundMessage
from licite.core.suppression import suppression_hash
from licite.prospects.models import Prospect
from licite.rights.models import SuppressionEntry
from tests.conftest import HEADER, import_file, run_licite

pytestmark = pytest.mark.django_db


def suppress(*args: str) -> str:
    out = io.StringIO()
    call_command("suppress", *args, stdout=out)
    return out.getvalue()


def test_an_objection_erases_the_person_and_keeps_only_a_keyed_hash(source, write_csv):
    import_file(write_csv(HEADER + "Jeanne;Dupont;jeanne.dupont@acme.example;DAF;Acme;;;\n"))
    out = suppress("add", " Jeanne.Dupont@ACME.example", "--reason", "objection")
    assert "Prospect records erased: 1." in out
    assert not Prospect.objects.exists()
    entry = SuppressionEntry.objects.get()
    assert entry.key_hash == suppression_hash("jeanne.dupont@acme.example", settings.SUPPRESSION_KEY)
    assert "jeanne" not in str(SuppressionEntry.objects.values().get()).lower()
    assert (entry.keep_until - entry.created_at).days >= 3 * 365
    event = AuditEvent.objects.get(action="suppression.added")
    assert event.detail == {
        "reason": "objection",
        "channel": "staff",
        "erased_prospects": 1,
        "cancelled_messages": 0,
    }


def test_an_objection_covers_subaddresses_and_gmail_dots(source, write_csv):
    import_file(write_csv(HEADER + "L;P;lea.petit@gmail.com;;;;;\nJ;D;jd+news@acme.example;;;;;\n"))
    suppress("add", "leapetit@googlemail.com", "--reason", "withdrawal")
    suppress("add", "jd@acme.example", "--reason", "objection")
    assert not Prospect.objects.exists()


def test_check_answers_for_one_address_and_never_lists_the_list():
    suppress("add", "jeanne.dupont@acme.example", "--reason", "complaint")
    assert "suppressed:" in suppress("check", "JEANNE.DUPONT@acme.example")
    with pytest.raises(SystemExit) as exited:
        suppress("check", "paul@acme.example")
    assert exited.value.code == 1


def test_suppressing_twice_keeps_one_entry():
    suppress("add", "jeanne.dupont@acme.example", "--reason", "objection")
    assert "already on the suppression list" in suppress(
        "add", "jeanne.dupont@acme.example", "--reason", "manual"
    )
    assert SuppressionEntry.objects.count() == 1


def test_an_invalid_address_is_refused_with_its_reason():
    with pytest.raises(CommandError, match="not a valid email address: missing @"):
        suppress("add", "jeanne.dupont", "--reason", "objection")


def test_the_check_command_exits_1_for_an_address_not_suppressed(tmp_path):
    env = {"LICITE_HOME": str(tmp_path), "LICITE_DATABASE_URL": ""}
    run_licite("migrate", "--noinput", env=env)
    assert run_licite("suppress", "check", "x@acme.example", env=env).returncode == 1
    assert run_licite("suppress", "add", "x@acme.example", "--reason", "manual", env=env).returncode == 0
    assert run_licite("suppress", "check", "x@acme.example", env=env).returncode == 0


def test_an_objection_by_phone_stops_the_queued_messages_and_empties_the_outbox(source, write_csv):
    import_file(write_csv(HEADER + "Jeanne;Dupont;jeanne.dupont@acme.example;DAF;Acme;;;\n"))
    prospect = Prospect.objects.get()
    for status in ("sent", "queued"):
        OutboundMessage.objects.create(
            kind="campaign", prospect=prospect, key_hash=prospect.key_hash, to_address=prospect.email,
            to_domain="acme.example", language="fr", subject="Offre", body_text="Bonjour Jeanne",
            body_html="<p>Bonjour Jeanne</p>", token=status, status=status, queued_at=timezone.now(),
        )  # fmt: skip
    suppress("add", "jeanne.dupont@acme.example", "--reason", "objection")
    outbox = list(
        OutboundMessage.objects.order_by("token").values_list(
            "status", "to_address", "body_text", "body_html"
        )
    )
    assert outbox == [("cancelled", "", "", ""), ("sent", "", "", "")]
    assert AuditEvent.objects.get(action="suppression.added").detail["cancelled_messages"] == 1


def test_a_renewed_objection_restarts_the_keeping_period_and_keeps_the_first_reason():
    suppress("add", "jeanne.dupont@acme.example", "--reason", "objection")
    first = SuppressionEntry.objects.get()
    SuppressionEntry.objects.update(keep_until=first.created_at)
    suppress("add", "jeanne.dupont@acme.example", "--reason", "manual")
    entry = SuppressionEntry.objects.get()
    assert entry.reason == "objection"
    assert (entry.keep_until - timezone.now()).days >= 3 * 365 - 1
    assert AuditEvent.objects.filter(action="suppression.renewed").count() == 1
