"""`licite rights`: requests received by any channel, on time, extended, refused, fulfilled (RULES G1-G5)."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from licite.audit.models import AuditEvent
from licite.campaigns.actions import preview_campaign
from licite.prospects.models import Prospect
from licite.rights.models import RightsRequest, SuppressionEntry
from tests.campaigns.test_campaigns import EMILY, JEANNE, LEA, PAUL, purchasing_campaign, run_worker

pytestmark = pytest.mark.django_db(transaction=True)
PARIS = ZoneInfo("Europe/Paris")


def rights(*args: str) -> str:
    out = io.StringIO()
    call_command("rights", *args, stdout=out)
    return out.getvalue()


def receive(address: str, kind: str, *more: str) -> RightsRequest:
    out = rights("request", address, "--kind", kind, "--channel", "letter", *more)
    return RightsRequest.objects.get(pk=int(re.search(r"Request (\d+) recorded", out).group(1)))


def at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 10, tzinfo=PARIS), tick=False)


def test_a_letter_received_on_31_january_is_due_on_the_last_day_of_february(organisation):
    with at(date(2026, 1, 31)):
        out = rights("request", JEANNE, "--kind", "access", "--channel", "letter",
                     "--identity-check", "signed letter, address matches")  # fmt: skip
    assert "Due on 2026-02-28 (one calendar month after receipt)." in out
    request = RightsRequest.objects.get()
    assert (request.kind, request.channel, request.state) == ("access", "letter", "received")
    assert request.identity_check == "signed letter, address matches"
    event = AuditEvent.objects.get(action="rights.received")
    assert event.detail == {
        "kind": "access",
        "channel": "letter",
        "due_on": "2026-02-28",
        "identity_checked": True,
    }
    assert "jeanne" not in str(event.detail).lower()


def test_a_request_received_earlier_is_due_from_its_day_of_receipt(organisation):
    with at(date(2028, 2, 5)):
        out = rights(
            "request", JEANNE, "--kind", "erasure", "--channel", "letter", "--received-on", "2028-01-31"
        )
    assert "Due on 2028-02-29" in out


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("request", "jeanne", "--kind", "access", "--channel", "phone"), "not a valid email address"),
        (("request", JEANNE, "--kind", "access", "--channel", "phone", "--received-on", "31/01/2026"),
         "--received-on: expected a day as YYYY-MM-DD"),
        (("request", JEANNE, "--kind", "access", "--channel", "phone", "--received-on", "2999-01-01"),
         "--received-on: 2999-01-01 is in the future"),
        (("show", "999"), "no rights request 999"),
    ],
)  # fmt: skip
def test_bad_input_is_named_in_one_line(organisation, args, error):
    with pytest.raises(CommandError, match=re.escape(error)):
        rights(*args)


def test_the_lists_show_overdue_and_soon_due_requests_with_whole_addresses(organisation):
    long_address = "marie-christine.de-la-fontaine-villeneuve@etablissements-durand.example"
    with at(date(2026, 1, 5)):
        receive(long_address, "access")
    with at(date(2026, 1, 30)):
        receive(PAUL, "erasure")
    with at(date(2026, 2, 20)):
        receive(EMILY, "objection")
    with at(date(2026, 2, 26)):
        overdue, soon, every = rights("list", "--overdue"), rights("list", "--due-soon"), rights("list")
    assert long_address in overdue
    assert PAUL not in overdue
    assert PAUL in soon
    assert long_address not in soon
    assert EMILY not in soon
    assert "3 request(s)." in every
    lines = overdue.splitlines()
    assert lines[0].split() == ["ID", "KIND", "STATE", "CHANNEL", "RECEIVED", "DUE", "ADDRESS"]
    assert lines[1].endswith(long_address)
    assert lines[1].split()[-2] == "2026-02-05"


def test_every_change_of_state_is_audited_and_the_deadline_keeps_running(organisation, owner):
    request = receive(JEANNE, "rectification")
    out = rights("state", str(request.pk), "awaiting_identity")
    assert "is now awaiting_identity; still due on" in out
    rights("state", str(request.pk), "in_progress")
    history = rights("show", str(request.pk), "--as", "alice").split("history:\n")[1].splitlines()
    assert [line.split()[-1] for line in history] == [
        "rights.received",
        "rights.state_changed",
        "rights.state_changed",
    ]
    events = AuditEvent.objects.filter(action="rights.state_changed").order_by("pk")
    assert [(e.detail["before"], e.detail["after"]) for e in events] == [
        ("received", "awaiting_identity"),
        ("awaiting_identity", "in_progress"),
    ]


def test_an_extension_tells_the_person_why_and_the_new_date(prospects, smtp):
    with at(date(2026, 1, 31)):
        request = receive(JEANNE, "access")
    with at(date(2026, 2, 20)):
        out = rights(
            "extend", str(request.pk), "--months", "2", "--reason", "Nos archives papier sont à relire"
        )
        run_worker()
    assert "extended: due on 2026-04-28" in out
    [message] = smtp.to(JEANNE)
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Nos archives papier sont à relire" in text
    assert "28 avril 2026" in text, "in the person's language (French, as imported)"
    assert "www.cnil.fr" in text
    event = AuditEvent.objects.get(action="rights.extended")
    assert (event.detail["months"], event.detail["due_on"]) == (2, "2026-04-28")


def test_an_extension_after_the_first_month_is_refused(organisation):
    with at(date(2026, 1, 31)):
        request = receive(JEANNE, "access")
    with at(date(2026, 3, 1)), pytest.raises(CommandError, match="the first month ended on 2026-02-28"):
        rights("extend", str(request.pk), "--months", "1", "--reason", "volume")
    request.refresh_from_db()
    assert (request.due_on, request.extension_months) == (date(2026, 2, 28), 0)


def test_a_refusal_tells_the_person_its_reason_and_the_cnil_complaint(prospects, smtp):
    request = receive(EMILY, "other")
    with pytest.raises(CommandError, match="a refusal needs its reason"):
        rights("refuse", str(request.pk), "--reason", " ")
    out = rights(
        "refuse", str(request.pk), "--reason", "The request is manifestly excessive (fifth this week)"
    )
    run_worker()
    assert "refused" in out
    [message] = smtp.to(EMILY)
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "manifestly excessive" in text
    assert "complaint with the CNIL" in text, "in English, the person's language"
    assert RightsRequest.objects.get().state == "refused"
    with pytest.raises(CommandError, match="is closed"):
        rights("fulfil", str(request.pk))


def test_the_answer_reaches_a_person_whose_address_is_suppressed(prospects, smtp):
    call_command("suppress", "add", EMILY, "--reason", "objection", stdout=io.StringIO())
    request = receive(EMILY, "access")
    rights("refuse", str(request.pk), "--reason", "We hold nothing but the fingerprint")
    run_worker()
    assert len(smtp.to(EMILY)) == 1, "an answer to a rights request is not prospecting"


def test_fulfilling_an_erasure_erases_the_person_and_keeps_the_request_provable(prospects):
    request = receive(JEANNE, "erasure", "--note", "Letter from Jeanne Dupont, Lyon")
    out = rights("fulfil", str(request.pk))
    assert "keeps only the keyed hash" in out
    assert not Prospect.objects.filter(email=JEANNE).exists()
    entry = SuppressionEntry.objects.get()
    assert entry.reason == "erasure"
    request.refresh_from_db()
    assert (request.state, request.email, request.note) == ("fulfilled", "", "")
    assert request.key_hash == entry.key_hash
    assert request.closed_at is not None
    assert "jeanne" not in str(RightsRequest.objects.values().get()).lower()
    erased = AuditEvent.objects.get(action="rights.erased")
    assert (erased.detail["channel"], erased.detail["request"]) == ("letter", request.pk)
    assert "(erased: keyed hash only)" in rights("show", str(request.pk))


def test_fulfilling_an_erasure_tells_the_person_it_is_done_in_their_language(prospects, smtp):
    request = receive(JEANNE, "erasure", "--language", "fr")
    rights("fulfil", str(request.pk))
    run_worker()
    [message] = smtp.to(JEANNE)
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "nous avons effacé les données" in text
    assert AuditEvent.objects.get(action="rights.fulfilled").detail["message"] > 0


@pytest.mark.parametrize("kind", ["erasure", "objection"])
def test_an_open_request_settled_by_another_erasure_is_answered_before_its_address_is_forgotten(
    prospects, smtp, kind
):
    request = receive(EMILY, kind, "--language", "en")
    call_command("erase", EMILY, stdout=io.StringIO())
    request.refresh_from_db()
    assert (request.state, request.email) == ("fulfilled", "")
    run_worker()
    [message] = smtp.to(EMILY)
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "It is done: we erased the data we held about you" in text
    assert "complaint with the CNIL" in text
    event = AuditEvent.objects.get(action="rights.fulfilled")
    assert event.detail["by_erasure"] == "staff"
    assert "emily" not in str(event.detail).lower()


def test_a_request_never_confirmed_gets_no_answer_when_an_erasure_settles_it(prospects, smtp):
    request = receive(EMILY, "erasure")
    rights("state", str(request.pk), "awaiting_identity")
    call_command("erase", EMILY, stdout=io.StringIO())
    assert RightsRequest.objects.get().state == "fulfilled"
    run_worker()
    assert smtp.to(EMILY) == []
    assert "message" not in AuditEvent.objects.get(action="rights.fulfilled").detail


def test_fulfilling_an_objection_stops_every_campaign_at_once(prospects):
    request = receive(JEANNE, "objection")
    rights("fulfil", str(request.pk))
    assert SuppressionEntry.objects.get().reason == "objection"
    assert AuditEvent.objects.get(action="rights.erased").detail["erased_prospects"] == 1


def test_a_rectification_applies_named_fields_and_audits_their_names_only(prospects):
    request = receive(JEANNE, "rectification")
    with pytest.raises(CommandError, match="cannot rectify email, status"):
        rights("fulfil", str(request.pk), "--set", "email=x@y.example", "--set", "status=active")
    with pytest.raises(CommandError, match="rectification refused: country not valid"):
        rights("fulfil", str(request.pk), "--set", "country=France entière")
    with pytest.raises(CommandError, match="a rectification names its changes"):
        rights("fulfil", str(request.pk))
    rights(
        "fulfil",
        str(request.pk),
        "--set",
        "job_title=Directrice générale",
        "--set",
        "last_name=Dupont-Moreau",
    )
    prospect = Prospect.objects.get(email=JEANNE)
    assert (prospect.job_title, prospect.last_name) == ("Directrice générale", "Dupont-Moreau")
    event = AuditEvent.objects.get(action="rights.fulfilled")
    assert event.detail == {"kind": "rectification", "fields": ["job_title", "last_name"], "prospects": 1}
    assert "Moreau" not in str(event.detail)


def test_a_restriction_excludes_the_person_from_campaigns_until_lifted(prospects):
    request = receive(JEANNE, "restriction")
    rights("fulfil", str(request.pk))
    assert Prospect.objects.get(email=JEANNE).status == "restricted"
    campaign = purchasing_campaign()
    eligible = Prospect.objects.filter(pk__in=preview_campaign(campaign, request.received_at).eligible)
    assert JEANNE not in set(eligible.values_list("email", flat=True))
    assert "1 prospect(s) back to their status" in rights("lift", str(request.pk))
    assert Prospect.objects.get(email=JEANNE).status == "active"
    assert AuditEvent.objects.filter(action="rights.restriction_lifted").count() == 1
    with pytest.raises(CommandError, match="already lifted"):
        rights("lift", str(request.pk))


def test_a_restriction_of_an_unknown_address_says_to_refuse_it(organisation):
    request = receive("nobody@acme.example", "restriction")
    with pytest.raises(CommandError, match="no prospect with the address of request"):
        rights("fulfil", str(request.pk))
    assert RightsRequest.objects.get().state == "received"


def test_identity_is_recorded_in_words_and_shown(organisation):
    request = receive(LEA, "access", "--identity-check", "called back on the number she gave")
    shown = rights("show", str(request.pk))
    assert "identity check: called back on the number she gave" in shown
    assert "due:" in shown
    assert "channel:        letter" in shown


def test_a_request_past_its_due_day_shows_as_overdue(organisation):
    with at(date(2026, 1, 10)):
        request = receive(LEA, "access")
    with at(date(2026, 1, 10) + timedelta(days=40)):
        assert "2026-02-10 (overdue)" in rights("show", str(request.pk))
