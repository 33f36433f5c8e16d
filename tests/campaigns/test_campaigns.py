"""From an imported prospect to a lawful message through a real SMTP server, and one click to
object: notice, eligibility, outbox, one-click unsubscribe (RULES C-G)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from licite.campaigns.actions import do_create_campaign, do_queue_campaign, do_send_message, preview_campaign
from licite.campaigns.models import Campaign, ContactEvent, OutboundMessage
from licite.prospects.models import Prospect
from licite.rights.models import SuppressionEntry
from tests.conftest import import_file

pytestmark = pytest.mark.django_db(transaction=True)
JEANNE, PAUL, EMILY, LEA = (
    "jeanne.dupont@acme-industrie.example",
    "paul.martin@acme-industrie.example",
    "emily.brown@northfield.example",
    "lea.petit@gmail.com",
)


def purchasing_campaign(**overrides) -> Campaign:
    fields = dict(
        name="Audit achats", purpose="Prospecting purchasing managers", offer="A purchasing audit",
        audience="b2b", functions=["achats", "procurement"], subject_fr="Votre audit achats",
        subject_en="Your purchasing audit", body_fr="Nous auditons vos achats.",
        body_en="We audit your purchasing.",
        link_url="https://acme-conseil.example/audit",
    )  # fmt: skip
    return do_create_campaign(None, **{**fields, **overrides})


def run_worker() -> None:
    call_command("worker", batch=True, stdout=io.StringIO(), stderr=io.StringIO())


def link(message, pattern: str) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(pattern, text).group(0)


def test_a_campaign_reaches_only_the_prospects_whose_job_relates_to_the_offer(prospects):
    preview = preview_campaign(purchasing_campaign(), timezone.now())
    emails = set(Prospect.objects.filter(pk__in=preview.eligible).values_list("email", flat=True))
    assert emails == {JEANNE, EMILY}
    assert preview.counts["job_unrelated"] == 1  # the accountant: the NESTOR lesson


def test_the_first_message_carries_the_notice_headers_and_links(prospects, smtp):
    do_queue_campaign(None, purchasing_campaign())
    run_worker()
    assert sorted(m["To"] for m in smtp.messages) == [EMILY, JEANNE]
    [jeanne] = smtp.to(JEANNE)
    assert jeanne["Subject"] == "Votre audit achats"
    token = OutboundMessage.objects.get(to_address=JEANNE).token
    assert " ".join(jeanne["List-Unsubscribe"].split()) == (
        f"<https://licite.example/u/{token}>, <mailto:unsubscribe+{token}@acme-conseil.example>"
    )
    assert jeanne["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = jeanne.get_body(preferencelist=("plain",)).get_content()
    for item in (
        "Acme Conseil SAS",
        "Salon Industrie Lyon 2026",
        "https://salon.example/exposants",
        "CNIL",
        "Votre droit d'opposition",
        f"https://licite.example/u/{token}",
    ):
        assert item in text, item
    assert "sources publiques" not in text
    html = jeanne.get_body(preferencelist=("html",)).get_content()
    assert f'href="https://licite.example/u/{token}"' in html
    [emily] = smtp.to(EMILY)
    assert emily["Subject"] == "Your purchasing audit"
    assert "Your right to object" in emily.get_body(preferencelist=("plain",)).get_content()
    prospect = Prospect.objects.get(email=JEANNE)
    assert prospect.notice_sent_at is not None
    assert set(ContactEvent.objects.filter(prospect=prospect).values_list("kind", flat=True)) == {
        "message",
        "notice",
    }


def test_one_click_unsubscribe_erases_and_stops_every_future_message(prospects, smtp, client):
    do_queue_campaign(None, purchasing_campaign())
    run_worker()
    url = link(smtp.to(JEANNE)[0], r"https://licite\.example/u/[\w-]+").removeprefix("https://licite.example")
    page = client.get(url)
    assert (
        page.status_code == 200 and b"Unsubscribe" in page.content
    ) or b"d\xc3\xa9sinscri" in page.content.lower()
    assert Prospect.objects.filter(email=JEANNE).exists(), "a GET (link scanner) changes nothing"
    answer = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200  # RFC 8058: no redirect
    assert not Prospect.objects.filter(email=JEANNE).exists()
    assert SuppressionEntry.objects.filter(reason="objection").count() == 1
    assert not OutboundMessage.objects.filter(to_address=JEANNE).exists()
    smtp.messages.clear()
    do_queue_campaign(None, purchasing_campaign(name="Relance achats"))
    run_worker()
    assert [m["To"] for m in smtp.messages] == [EMILY]
    report = import_file(_csv_with(JEANNE), "--report", "/dev/null")
    assert report["suppressed"] == 1


def _csv_with(address: str) -> str:
    from tests.conftest import HEADER

    path = Path(__import__("tempfile").mkdtemp()) / "again.csv"
    path.write_text(HEADER + f"Jeanne;Dupont;{address};Acheteuse;Acme;;;\n", encoding="utf-8")
    return str(path)


def test_a_tampered_token_gets_a_clear_page(client, organisation):
    response = client.get("/u/not-a-real-token")
    assert response.status_code == 404
    assert (
        "This link is not valid" in response.content.decode()
        or "lien n'est pas valide" in response.content.decode()
    )
    assert client.post("/u/x" * 40).status_code == 404


def test_an_objection_during_a_campaign_stops_the_messages_not_yet_sent(prospects, smtp, client):
    do_queue_campaign(None, purchasing_campaign())
    token = OutboundMessage.objects.get(to_address=JEANNE).token
    client.post(f"/u/{token}", {"List-Unsubscribe": "One-Click"})
    run_worker()
    assert [m["To"] for m in smtp.messages] == [EMILY]
    assert OutboundMessage.objects.get(token=token).status == "cancelled"


def test_a_retry_or_a_crashed_worker_never_sends_twice(prospects, smtp):
    do_queue_campaign(None, purchasing_campaign())
    message = OutboundMessage.objects.get(to_address=JEANNE)
    assert do_send_message(message.pk).status == "sent"
    assert do_send_message(message.pk).status == "sent"  # a retry: nothing more
    other = OutboundMessage.objects.get(to_address=EMILY)
    OutboundMessage.objects.filter(pk=other.pk).update(status="sending")  # claimed, then the worker died
    run_worker()
    assert [m["To"] for m in smtp.messages] == [JEANNE]


def test_the_rate_per_recipient_domain_holds_messages_back(prospects, smtp, settings, source, write_csv):
    many = "".join(f"A;B;buyer{i}@acme-industrie.example;Responsable achats;Acme;;;\n" for i in range(5))
    from tests.conftest import HEADER

    import_file(write_csv(HEADER + many, name="buyers.csv"))
    settings.LICITE_RATE_PER_DOMAIN = 2
    do_queue_campaign(None, purchasing_campaign())
    run_worker()
    to_acme = [m for m in smtp.messages if m["To"].endswith("@acme-industrie.example")]
    assert len(to_acme) == 2
    assert OutboundMessage.objects.filter(to_domain="acme-industrie.example", status="queued").count() == 4


def test_a_click_on_the_offer_is_a_contact_that_extends_retention(prospects, smtp, client):
    do_queue_campaign(None, purchasing_campaign())
    run_worker()
    before = Prospect.objects.get(email=JEANNE).retain_until
    url = link(smtp.to(JEANNE)[0], r"https://licite\.example/r/[\w-]+").removeprefix("https://licite.example")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == "https://acme-conseil.example/audit"
    prospect = Prospect.objects.get(email=JEANNE)
    assert prospect.retain_until > before
    assert ContactEvent.objects.filter(prospect=prospect, kind="click", initiated_by_prospect=True).exists()


def test_campaign_commands_preview_send_and_report(prospects, smtp, tmp_path):
    (tmp_path / "fr.txt").write_text("Nous auditons vos achats.")
    (tmp_path / "en.txt").write_text("We audit your purchasing.")
    out = io.StringIO()
    call_command(
        "campaign",
        "create",
        "Audit",
        "--purpose",
        "p",
        "--offer",
        "o",
        "--functions",
        "achats,procurement",
        "--subject-fr",
        "Audit",
        "--subject-en",
        "Audit",
        "--body-fr",
        str(tmp_path / "fr.txt"),
        "--body-en",
        str(tmp_path / "en.txt"),
        stdout=out,
    )
    call_command("campaign", "preview", "Audit", stdout=out)
    assert "job unrelated" in out.getvalue()
    assert "Subject: Audit" in out.getvalue()
    call_command("campaign", "send", "Audit", stdout=out)
    assert "2 messages queued" in out.getvalue()
    run_worker()
    call_command("campaign", "status", "Audit", stdout=out)
    assert re.search(r"sent\s.*2", out.getvalue())
    assert Campaign.objects.get(name="Audit").status == "sent"
    assert len(smtp.messages) == 2


def test_an_unreachable_server_is_tried_again_later_and_nothing_is_lost(prospects, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", __import__("tests.conftest").conftest.free_port()
    settings.LICITE_BASE_URL = "https://licite.example"  # links recipients can reach (licite.E001)
    do_queue_campaign(None, purchasing_campaign())
    message = OutboundMessage.objects.get(to_address=JEANNE)
    outcome = do_send_message(message.pk)
    assert outcome.status == "queued"
    assert outcome.retry_after is not None
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("queued", 1)


def test_an_objection_arriving_while_a_batch_is_being_sent_stops_its_next_messages(prospects, smtp):
    """The first message reaches the server; meanwhile the other recipient objects; their
    message, already claimed in the same batch, must not go."""
    import threading

    from licite.rights.actions import do_suppress

    original = smtp.handle_DATA

    async def object_on_first_message(server, session, envelope):
        answer = await original(server, session, envelope)
        if len(smtp.messages) == 1:
            other = JEANNE if smtp.messages[0]["To"] == EMILY else EMILY
            objection = threading.Thread(target=do_suppress, args=(None, other, "objection"))
            objection.start()
            objection.join()
        return answer

    smtp.handle_DATA = object_on_first_message
    do_queue_campaign(None, purchasing_campaign())
    run_worker()
    assert len(smtp.messages) == 1
    assert OutboundMessage.objects.filter(status="cancelled", status_reason="suppressed").count() == 1


def test_an_objection_while_the_persons_own_message_is_on_its_way_is_honoured(prospects, smtp):
    import threading

    from licite.rights.actions import do_suppress

    original = smtp.handle_DATA

    async def object_on_delivery(server, session, envelope):
        answer = await original(server, session, envelope)
        objection = threading.Thread(target=do_suppress, args=(None, envelope.rcpt_tos[0], "objection"))
        objection.start()
        objection.join()
        return answer

    smtp.handle_DATA = object_on_delivery
    do_queue_campaign(None, purchasing_campaign())
    run_worker()
    assert len(smtp.messages) >= 1
    assert not Prospect.objects.filter(email__in=[m["To"] for m in smtp.messages]).exists()
    assert not ContactEvent.objects.filter(prospect__email__in=[m["To"] for m in smtp.messages]).exists()


def test_a_batch_of_messages_shares_one_smtp_connection(prospects, smtp):
    do_queue_campaign(None, purchasing_campaign())
    run_worker()
    assert len(smtp.messages) == 2
    assert smtp.sessions == 1


def test_each_message_carries_its_own_name_and_links_and_escapes_them_in_html(prospects, write_csv):
    from tests.conftest import HEADER

    import_file(
        write_csv(
            HEADER + "<b>Zoé</b>;X;zoe@acme-industrie.example;Acheteuse achats;Acme;;;France\n",
            name="more.csv",
        )
    )
    do_queue_campaign(None, purchasing_campaign())
    messages = list(OutboundMessage.objects.filter(campaign__name="Audit achats"))
    assert len(messages) == 3
    for message in messages:
        others = [m.token for m in messages if m.pk != message.pk]
        assert message.token in message.body_text
        assert message.token in message.body_html
        assert not any(token in message.body_text + message.body_html for token in others)
        assert "licite0token0slot" not in message.body_text + message.body_html
        assert "\x00" not in message.body_text + message.body_html
    zoe = next(m for m in messages if m.to_address == "zoe@acme-industrie.example")
    assert "Bonjour <b>Zoé</b>," in zoe.body_text
    assert "&lt;b&gt;Zoé&lt;/b&gt;" in zoe.body_html
    assert "<b>Zoé</b>" not in zoe.body_html
