"""Demo data is marked as such and never reaches a real mail server, whatever the backend says and
whatever its addresses: its consumers have real free-mail domains (RULES A4 shows on them)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from licite.campaigns.models import OutboundMessage
from licite.prospects.models import Prospect
from tests.campaigns.conftest import PROSPECTS
from tests.campaigns.test_campaigns import JEANNE, run_worker
from tests.conftest import import_file

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(db):
    call_command("init", demo=True, stdout=io.StringIO())
    call_command("demo", count=300, seed=5, stdout=io.StringIO())


def campaign(*args: str) -> str:
    out = io.StringIO()
    call_command("campaign", *args, stdout=out)
    return out.getvalue()


def create_purchasing_campaign(tmp_path) -> None:
    (tmp_path / "fr.txt").write_text("Nous auditons vos achats.", encoding="utf-8")
    (tmp_path / "en.txt").write_text("We audit your purchasing.", encoding="utf-8")
    campaign(
        "create", "Audit achats", "--purpose", "Prospecting purchasing managers", "--offer", "An audit",
        "--functions", "achats,procurement", "--subject-fr", "Audit", "--subject-en", "Audit",
        "--body-fr", str(tmp_path / "fr.txt"), "--body-en", str(tmp_path / "en.txt"),
    )  # fmt: skip


def test_a_demo_campaign_sent_through_a_real_smtp_server_delivers_nothing(demo, smtp, tmp_path):
    create_purchasing_campaign(tmp_path)
    assert "messages queued" in campaign("send", "Audit achats")
    queued = OutboundMessage.objects.count()
    assert queued > 0
    run_worker()
    assert smtp.messages == []
    assert set(OutboundMessage.objects.values_list("status", "status_reason")) == {("cancelled", "demo_data")}
    assert not OutboundMessage.objects.exclude(to_address="").exists()  # nothing left to send


def test_demo_consumers_are_never_asked_for_consent_through_a_real_server(demo, smtp):
    call_command("consent", "request", "--all", stdout=io.StringIO())
    assert OutboundMessage.objects.filter(kind="consent_request").exists()
    run_worker()
    assert smtp.messages == []
    assert Prospect.objects.filter(email__contains="licitedemo", email__endswith="gmail.com").exists()


def test_real_prospects_beside_the_demo_still_receive_their_messages(demo, smtp, source, write_csv, tmp_path):
    import_file(write_csv(PROSPECTS))
    create_purchasing_campaign(tmp_path)
    campaign("send", "Audit achats")
    run_worker()
    assert JEANNE in [m["To"] for m in smtp.messages]
    demo = Prospect.objects.filter(provenance__batch__report__demo=True).values_list("email", flat=True)
    demo_domains = {email.rpartition("@")[2] for email in demo}
    assert not [m["To"] for m in smtp.messages if m["To"].rpartition("@")[2] in demo_domains]


def test_with_a_local_backend_the_demo_messages_go_to_it(demo, settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    create_purchasing_campaign(tmp_path)
    campaign("send", "Audit achats")
    run_worker()
    assert OutboundMessage.objects.filter(status="sent").exists()
    assert not OutboundMessage.objects.filter(status_reason="demo_data").exists()
