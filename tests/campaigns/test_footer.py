"""Every message says why this person receives it, by the legal basis of their data: their job
under legitimate interest (RULES C3), the consent they gave and when (RULES C1, G5), or, for a
consent request, that this one message asks for it (RULES C2). In French and English (RULES D4)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from licite.campaigns.actions import do_queue_campaign
from licite.campaigns.models import OutboundMessage
from tests.campaigns.test_campaigns import EMILY, JEANNE, LEA, link, purchasing_campaign, run_worker
from tests.conftest import HEADER, import_file

pytestmark = pytest.mark.django_db(transaction=True)

MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
             "octobre", "novembre", "décembre")  # fmt: skip


def bodies(message) -> tuple[str, str]:
    return (
        message.get_body(preferencelist=("plain",)).get_content(),
        message.get_body(preferencelist=("html",)).get_content(),
    )


def test_a_professional_is_told_they_receive_it_because_of_their_job_under_legitimate_interest(
    prospects, smtp
):
    do_queue_campaign(None, purchasing_campaign())
    run_worker()
    [jeanne], [emily] = smtp.to(JEANNE), smtp.to(EMILY)
    for text in bodies(jeanne):
        assert (
            "Vous recevez ce message en raison de votre fonction (Directrice des achats), à laquelle "
            "notre offre se rapporte. Nous vous écrivons sur le fondement de notre intérêt légitime "
            "(article 6.1.f du RGPD)."
        ) in " ".join(text.split())
    for text in bodies(emily):
        assert (
            "You receive this message because of your job (Head of Procurement), which our offer "
            "relates to. We write to you on the basis of our legitimate interest (GDPR art. 6.1.f)."
        ) in " ".join(text.split())


def test_the_job_title_in_the_footer_is_escaped_in_html(prospects, write_csv):
    import_file(
        write_csv(HEADER + "Zoé;X;zoe@acme-industrie.example;Achats <b>& logistique;Acme;;;France\n", "z.csv")
    )
    do_queue_campaign(None, purchasing_campaign())
    zoe = OutboundMessage.objects.get(to_address="zoe@acme-industrie.example")
    assert "votre fonction (Achats <b>& logistique)" in zoe.body_text
    assert "votre fonction (Achats &lt;b&gt;&amp; logistique)" in zoe.body_html


def test_a_consumer_who_consented_is_told_when_they_agreed_not_that_it_is_their_job(prospects, smtp, client):
    call_command("consent", "request", LEA, stdout=io.StringIO())
    run_worker()
    [request] = smtp.to(LEA)
    url = link(request, r"https://licite\.example/consent/[\w-]+").removeprefix("https://licite.example")
    assert client.post(url, HTTP_USER_AGENT="Mozilla/5.0", REMOTE_ADDR="203.0.113.77").status_code == 200
    smtp.messages.clear()
    do_queue_campaign(None, purchasing_campaign(name="Offres", audience="b2c", functions=[]))
    run_worker()
    [offer] = smtp.to(LEA)
    today = timezone.localtime()
    agreed = f"{today.day} {MONTHS_FR[today.month - 1]} {today.year}"
    for text in bodies(offer):
        flat = " ".join(text.split())
        assert (
            f"Vous recevez ce message parce que vous avez accepté, le {agreed}, de recevoir nos offres "
            "par courrier électronique."
        ) in flat
        assert "fonction" not in flat.split("Informations sur vos données")[0]


def test_a_consent_request_says_why_this_one_message_is_sent(prospects, smtp):
    call_command("consent", "request", LEA, stdout=io.StringIO())
    run_worker()
    [request] = smtp.to(LEA)
    for text in bodies(request):
        flat = " ".join(text.split())
        assert (
            "Vous recevez ce seul message parce que nous vous demandons votre accord avant de vous "
            "envoyer quoi que ce soit d'autre : sans lui, nous ne vous écrirons plus."
        ) in flat
        assert "en raison de votre fonction" not in flat
