"""The public page of the rights requests (RULES G1): no login, French or English, a signed link
that expires (48 hours) confirms the request, no enumeration, a rate limit per address and per
network. Messages go through the worker to a real SMTP server on loopback."""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from licite.audit.models import AuditEvent
from licite.prospects.models import Prospect
from licite.rights.models import IntakeAttempt, RightsRequest, SuppressionEntry
from tests.campaigns.test_campaigns import JEANNE, run_worker

pytestmark = pytest.mark.django_db(transaction=True)
PARIS = ZoneInfo("Europe/Paris")
STRANGER = "nobody.known@elsewhere.example"
PRIVACY_POLICY = 'href="https://acme-conseil.example/privacy"'
CSRF_INPUT = re.compile(rb'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]+">')


def ask(client: Client, address: str, kind: str = "access", language: str = "fr", ip: str = "192.0.2.7"):
    return client.post("/rights/", {"email": address, "kind": kind, "language": language}, REMOTE_ADDR=ip)


def confirm_link(smtp, address: str) -> str:
    [message] = smtp.to(address)
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https://licite\.example(/rights/\S+)", text).group(1)


def at(moment: datetime):
    return time_machine.travel(moment, tick=False)


def test_the_page_asks_in_the_language_the_person_chooses(client, organisation):
    french = client.get("/rights/", HTTP_ACCEPT_LANGUAGE="fr")
    assert "Vos droits sur vos données" in french.content.decode()
    assert 'href="?lang=en"' in french.content.decode()
    english = client.get("/rights/?lang=en", HTTP_ACCEPT_LANGUAGE="fr")
    page = english.content.decode()
    assert "Your rights over your data" in page
    assert '<input type="hidden" name="language" value="en"' in page
    assert "Objection to prospecting" in page
    assert "<script" not in page  # works without JavaScript
    assert not re.search(r'(src|href)="(https?:)?//', page.replace(PRIVACY_POLICY, ""))  # nothing outside


def test_a_head_answers_like_the_get(client, organisation):
    head, get = client.head("/rights/?lang=en"), client.get("/rights/?lang=en")
    assert head.status_code == get.status_code == 200
    assert head["Content-Type"] == get["Content-Type"]
    assert head.content == b""


def test_known_and_unknown_addresses_get_the_same_answer(client, prospects, smtp):
    known, unknown = ask(client, JEANNE), ask(client, STRANGER)
    assert known.status_code == unknown.status_code == 200
    assert CSRF_INPUT.sub(b"", known.content) == CSRF_INPUT.sub(b"", unknown.content)
    assert "Vérifiez votre boîte" in known.content.decode()
    run_worker()
    assert len(smtp.to(JEANNE)) == len(smtp.to(STRANGER)) == 1


def test_the_link_reaches_the_person_in_their_language_through_the_worker(client, organisation, smtp):
    ask(client, STRANGER, kind="erasure", language="en")
    assert smtp.messages == []  # sent by the worker, not by the page
    run_worker()
    [message] = smtp.to(STRANGER)
    assert message["Subject"] == "Acme Conseil SAS: confirm your request"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "A request (Erasure) was made on our website for this address" in text
    assert "within 48 hours" in text
    request = RightsRequest.objects.get()
    assert (request.state, request.channel, request.language) == ("awaiting_identity", "web", "en")
    assert str(request.pk) in confirm_link(smtp, STRANGER)


def test_the_link_confirms_on_post_never_on_get_and_the_month_runs_from_the_asking(
    client, organisation, smtp
):
    with at(datetime(2026, 1, 31, 22, tzinfo=PARIS)):
        ask(client, STRANGER, kind="access", language="en")
        run_worker()
    link = confirm_link(smtp, STRANGER)
    with at(datetime(2026, 2, 1, 9, tzinfo=PARIS)):
        shown, head = client.get(link), client.head(link)
        assert shown.status_code == head.status_code == 200
        assert "Confirm my request" in shown.content.decode()
        assert RightsRequest.objects.get().state == "awaiting_identity"
        confirmed = client.post(link)
        again = client.get(link)
    assert "Your request is confirmed" in confirmed.content.decode()
    request = RightsRequest.objects.get()
    assert request.state == "received"
    assert request.due_on == date(2026, 2, 28)  # from 31 January, the day it was asked
    assert "link sent to the address" in request.identity_check or "lien" in request.identity_check
    event = AuditEvent.objects.get(action="rights.identity_confirmed")
    assert event.detail == {"before": "awaiting_identity", "after": "received"}
    assert "Your request is confirmed" in again.content.decode()


def test_the_confirmation_needs_the_pages_csrf_token(organisation, smtp):
    strict = Client(enforce_csrf_checks=True)
    page = strict.get("/rights/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    assert strict.post("/rights/", {"email": STRANGER, "kind": "access", "language": "fr"}).status_code == 403
    sent = strict.post(
        "/rights/", {"email": STRANGER, "kind": "access", "language": "fr", "csrfmiddlewaretoken": token}
    )
    assert sent.status_code == 200
    run_worker()
    link = confirm_link(smtp, STRANGER)
    assert Client(enforce_csrf_checks=True).post(link).status_code == 403
    assert RightsRequest.objects.get().state == "awaiting_identity"


def test_an_expired_link_says_so_in_the_persons_language(client, organisation, smtp):
    start = datetime(2026, 3, 2, 10, tzinfo=PARIS)
    with at(start):
        ask(client, STRANGER, language="en")
        run_worker()
    link = confirm_link(smtp, STRANGER)
    with at(start + timedelta(hours=49)):
        expired = client.post(link, HTTP_ACCEPT_LANGUAGE="fr")
    assert expired.status_code == 410
    assert "This link has expired" in expired.content.decode()
    assert 'href="/rights/?lang=en"' in expired.content.decode()
    assert RightsRequest.objects.get().state == "awaiting_identity"


def test_a_link_never_signed_is_not_valid(client, organisation):
    response = client.get("/rights/12.fr:1vAbCd:forged", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "This link is not valid" in response.content.decode()


def test_an_objection_confirmed_on_the_page_takes_effect_at_once(client, prospects, smtp):
    ask(client, JEANNE, kind="objection")
    run_worker()
    client.post(confirm_link(smtp, JEANNE))
    assert not Prospect.objects.filter(email=JEANNE).exists()
    assert SuppressionEntry.objects.get().reason == "objection"
    request = RightsRequest.objects.get()
    assert (request.state, request.email) == ("fulfilled", "")


def test_asking_again_before_confirming_sends_the_link_again_for_the_same_request(client, organisation, smtp):
    ask(client, STRANGER, kind="rectification")
    ask(client, STRANGER, kind="rectification")
    run_worker()
    assert RightsRequest.objects.count() == 1
    assert len(smtp.to(STRANGER)) == 2


def test_a_request_never_confirmed_is_forgotten_once_its_link_has_expired(client, organisation, smtp):
    start = datetime(2026, 3, 2, 10, tzinfo=PARIS)
    with at(start):
        ask(client, STRANGER)
    with at(start + timedelta(hours=49)):
        ask(client, "someone.else@elsewhere.example")
    assert list(RightsRequest.objects.values_list("email", flat=True)) == ["someone.else@elsewhere.example"]
    assert AuditEvent.objects.get(action="rights.unconfirmed_forgotten").detail["count"] == 1


def test_three_links_an_hour_reach_one_address_and_the_page_does_not_tell(client, organisation, smtp, caplog):
    answers = [ask(client, STRANGER, kind=kind) for kind in ("access", "erasure", "objection", "other")]
    run_worker()
    assert len(smtp.to(STRANGER)) == 3
    assert len({CSRF_INPUT.sub(b"", answer.content) for answer in answers}) == 1
    assert "3 links this hour for one address" in caplog.text
    assert STRANGER not in caplog.text
    assert "192.0.2" not in caplog.text
    assert STRANGER not in str(list(IntakeAttempt.objects.values_list("key", flat=True)))
    with at(datetime.now(tz=PARIS) + timedelta(minutes=61)):
        ask(client, STRANGER, kind="other")
    run_worker()
    assert len(smtp.to(STRANGER)) == 4


def test_ten_links_an_hour_leave_one_network(client, organisation, smtp, caplog):
    caplog.set_level(logging.WARNING)
    for number in range(11):
        ask(client, f"person{number}@elsewhere.example", ip=f"198.51.100.{number + 1}")
    ask(client, "person11@elsewhere.example", ip="203.0.113.9")
    run_worker()
    assert sorted(m["To"] for m in smtp.messages) == sorted(
        [f"person{n}@elsewhere.example" for n in range(10)] + ["person11@elsewhere.example"]
    )
    assert "10 links this hour for one network" in caplog.text


def test_a_bad_address_is_named_and_nothing_is_sent(client, organisation):
    response = ask(client, "jeanne.dupont", language="en")
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    assert RightsRequest.objects.count() == 0
