"""Feedback: provider webhooks (bounces, complaints), replies recorded by staff, the notice preview."""

from __future__ import annotations

import base64
import io
import json

import pytest
from django.core.management import CommandError, call_command

from licite.prospects.models import Prospect
from licite.rights.models import SuppressionEntry
from tests.campaigns.test_campaigns import EMILY, JEANNE

pytestmark = pytest.mark.django_db


def post_postmark(client, payload: dict):
    auth = base64.b64encode(b"licite:webhook-secret").decode()
    return client.post(
        "/anymail/postmark/tracking/",
        data=json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {auth}",
    )


@pytest.fixture
def webhook_secret(settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": "licite:webhook-secret"}


def test_a_hard_bounce_erases_the_address_and_suppresses_it(prospects, client, webhook_secret):
    response = post_postmark(client, {
        "RecordType": "Bounce", "Type": "HardBounce", "TypeCode": 1, "Email": JEANNE, "MessageID": "m-1",
        "BouncedAt": "2026-11-23T10:00:00Z", "Description": "unknown user", "Details": "", "Tag": "",
        "ServerID": 1, "Name": "Hard bounce", "Inactive": True, "CanActivate": True,
    })  # fmt: skip
    assert response.status_code == 200
    assert not Prospect.objects.filter(email=JEANNE).exists()
    assert SuppressionEntry.objects.get().reason == "bounce"


def test_a_complaint_suppresses_at_once(prospects, client, webhook_secret):
    post_postmark(
        client,
        {
            "RecordType": "SpamComplaint",
            "Type": "SpamComplaint",
            "TypeCode": 512,
            "Email": EMILY,
            "MessageID": "m-2",
            "BouncedAt": "2026-11-23T10:00:00Z",
        },
    )
    assert SuppressionEntry.objects.get().reason == "complaint"
    assert not Prospect.objects.filter(email=EMILY).exists()


def test_a_webhook_without_the_secret_is_refused(prospects, client, webhook_secret):
    response = client.post("/anymail/postmark/tracking/", data="{}", content_type="application/json")
    assert response.status_code in (400, 401, 403)
    assert Prospect.objects.filter(email=JEANNE).exists()


def test_a_reply_recorded_by_staff_restarts_retention(prospects):
    before = Prospect.objects.get(email=JEANNE).retain_until
    out = io.StringIO()
    call_command("contact", "record", JEANNE, "--kind", "reply", stdout=out)
    assert "Contact recorded" in out.getvalue()
    assert Prospect.objects.get(email=JEANNE).retain_until >= before


@pytest.mark.parametrize(
    ("language", "expected"), [("fr", "Votre droit d'opposition"), ("en", "Your right to object")]
)
def test_the_notice_preview_names_the_specific_source(prospects, language, expected):
    out = io.StringIO()
    call_command("notice", "preview", JEANNE, "--lang", language, stdout=out)
    text = out.getvalue()
    assert expected in text
    assert "Salon Industrie Lyon 2026" in text
    assert "https://salon.example/exposants" in text


def test_the_notice_preview_refuses_without_a_register_entry(organisation, source, write_csv):
    from licite.register.models import ProcessingActivity
    from tests.campaigns.conftest import PROSPECTS
    from tests.conftest import import_file

    import_file(write_csv(PROSPECTS))
    ProcessingActivity.objects.all().delete()
    with pytest.raises(CommandError, match="no processing activity"):
        call_command("notice", "preview", JEANNE)


def test_notices_due_are_listed(prospects):
    out = io.StringIO()
    call_command("notice", "due", "--days", "40", stdout=out)
    assert "4 prospects" in out.getvalue()


LONG = "marie-christine.de-la-fontaine-dupont@cabinet-d-expertise-comptable-du-rhone.example"


def test_notices_due_keep_each_address_whole_in_an_80_column_terminal(prospects, write_csv, monkeypatch):
    from tests.campaigns.conftest import PROSPECTS
    from tests.conftest import import_file

    row = f"Marie;Dupont;{LONG};Directrice des achats;Cabinet;;;France\n"
    import_file(write_csv(PROSPECTS.split("\n")[0] + "\n" + row))
    monkeypatch.setenv("COLUMNS", "80")
    out = io.StringIO()
    call_command("notice", "due", "--days", "40", stdout=out)
    lines = out.getvalue().splitlines()
    for address in (JEANNE, EMILY, LONG):
        assert any(line.endswith(address) for line in lines), address
