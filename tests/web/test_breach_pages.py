"""The breach log's pages: record a breach, follow its 72-hour clock, record the CNIL's
notification, a waiver, what the persons were told, each through the breach actions and each
refusal beside the field it concerns (RULES H1b, F5)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from licite.audit.models import AuditEvent
from licite.compliance.actions import do_record_breach
from licite.compliance.models import Breach

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}
FR = {"accept-language": "fr"}
FORM = {
    "nature": ["confidentiality"],
    "data_concerned": "work emails, names",
    "persons_count": "120",
    "records_count": "130",
    "consequences": "unwanted emails",
    "measures": "password reset, access revoked",
    "risk": "risk",
}


def breach(hours_ago: float, risk: str = "risk") -> Breach:
    return do_record_breach(
        None, found_at=timezone.now() - timedelta(hours=hours_ago), nature=["confidentiality"],
        data_concerned="work emails, names", persons_count=120, records_count=130,
        consequences="unwanted emails", measures="password reset, access revoked", risk=risk,
    )  # fmt: skip


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def page(response) -> str:
    return str(response.content.decode())


# --- access (RULES F5) ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["sales", "marketing", "communication", "other"])
def test_roles_that_do_not_edit_the_register_are_refused_the_breach_log(client, django_user_model, role):
    found = breach(1)
    client.force_login(django_user_model.objects.create_user(f"u-{role}", role=role))
    assert client.get(reverse("breach_list")).status_code == 403
    assert client.get(reverse("breach_detail", args=[found.pk])).status_code == 403
    assert client.post(reverse("breach_create"), FORM).status_code == 403
    assert (
        client.post(
            reverse("breach_notify", args=[found.pk]), {"notify-at": local(timezone.now())}
        ).status_code
        == 403
    )
    assert Breach.objects.count() == 1
    assert Breach.objects.get().cnil_notified_at is None


def test_the_breach_log_asks_to_log_in(client):
    response = client.get(reverse("breach_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- recording --------------------------------------------------------------------------------------


def test_a_dpo_records_a_breach_and_lands_on_its_page(as_dpo, dpo):
    found_at = timezone.now() - timedelta(hours=5)
    response = as_dpo.post(reverse("breach_create"), {**FORM, "found_at": local(found_at)}, headers=EN)
    recorded = Breach.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("breach_detail", args=[recorded.pk])
    assert (recorded.nature, recorded.persons_count, recorded.risk) == (["confidentiality"], 120, "risk")
    assert recorded.recorded_by == dpo
    entry = AuditEvent.objects.get(action="breach.recorded")
    assert entry.actor == dpo
    assert "work emails" not in str(entry.detail)  # the free text stays out of the trail
    detail = page(as_dpo.get(response["Location"], headers=EN))
    assert "66 hours left" in detail or "67 hours left" in detail


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"nature": []}, 'id="nature-error">Nature: This field is required.'),
        ({"persons_count": "-3"}, 'id="persons_count-error">Persons concerned: '),
        ({"risk": "maybe"}, 'id="risk-error">Risk: Select a valid choice.'),
        ({"found_at": "yesterday"}, 'id="found_at-error">Found at: Enter a valid date/time.'),
    ],
)
def test_a_bad_breach_form_names_the_field_and_records_nothing(as_dpo, change, error):
    data = {**FORM, "found_at": local(timezone.now() - timedelta(hours=1)), **change}
    response = as_dpo.post(reverse("breach_create"), data, headers=EN)
    assert response.status_code == 200
    assert error in page(response)
    assert not Breach.objects.exists()


def test_a_breach_found_in_the_future_is_refused_beside_the_time_found(as_dpo):
    data = {**FORM, "found_at": local(timezone.now() + timedelta(days=2))}
    response = as_dpo.post(reverse("breach_create"), data, headers=EN)
    assert 'id="found_at-error">Found at: This moment is in the future.' in page(response)
    assert not Breach.objects.exists()


# --- the 72-hour clock ------------------------------------------------------------------------------


def test_the_list_shows_the_hours_left_and_the_hours_overdue_in_red(as_dpo):
    running, late, riskless = breach(29.5), breach(80.5), breach(100, risk="none")
    body = page(as_dpo.get(reverse("breach_list"), headers=EN))
    assert '<span class="clock running">42 hours left</span>' in body
    assert '<span class="clock overdue">8 hours overdue</span>' in body
    assert '<span class="clock pending">Not needed: write why</span>' in body
    assert all(f'data-breach="{b.pk}"' in body for b in (running, late, riskless))


def test_the_clock_speaks_french(as_dpo):
    breach(80)
    assert "8 heures de retard" in page(as_dpo.get(reverse("breach_list"), headers=FR))


# --- the actions --------------------------------------------------------------------------------------


def test_a_late_notification_needs_the_reasons_for_the_delay(as_dpo, dpo):
    late = breach(80)
    url = reverse("breach_notify", args=[late.pk])
    response = as_dpo.post(url, {"notify-at": local(timezone.now())}, headers=EN)
    assert (
        'id="notify-delay_reason-error">Reasons for the delay: The notification comes after the 72 hours'
        in page(response)
    )
    late.refresh_from_db()
    assert late.cnil_notified_at is None
    response = as_dpo.post(url, {"notify-at": local(timezone.now()), "notify-delay_reason": "weekend"})
    assert response.status_code == 302
    late.refresh_from_db()
    assert late.cnil_notified_at is not None
    assert late.notification_delay_reason == "weekend"
    assert AuditEvent.objects.get(action="breach.notified").detail["late"] is True


def test_a_notification_in_time_needs_no_reason_and_stops_the_clock(as_dpo):
    running = breach(10)
    as_dpo.post(reverse("breach_notify", args=[running.pk]), {"notify-at": local(timezone.now())})
    body = page(as_dpo.get(reverse("breach_list"), headers=EN))
    assert '<span class="clock notified">Notified</span>' in body
    assert "hours left" not in body


def test_a_breach_with_a_risk_cannot_be_waived(as_dpo):
    risky = breach(10)
    response = as_dpo.post(reverse("breach_waive", args=[risky.pk]), {"waive-reason": "no risk"}, headers=EN)
    assert response.status_code == 200  # the waiver form is not even offered: the action refuses it
    assert "Only a breach unlikely to result in a risk may go unnotified" in page(response)
    risky.refresh_from_db()
    assert risky.no_notification_reason == ""


def test_a_riskless_breach_is_waived_with_its_reason(as_dpo):
    riskless = breach(10, risk="none")
    empty = as_dpo.post(reverse("breach_waive", args=[riskless.pk]), {"waive-reason": " "}, headers=EN)
    assert 'id="waive-reason-error">Reason: This field is required.' in page(empty)
    as_dpo.post(reverse("breach_waive", args=[riskless.pk]), {"waive-reason": "encrypted laptop"})
    riskless.refresh_from_db()
    assert riskless.no_notification_reason == "encrypted laptop"
    assert AuditEvent.objects.filter(action="breach.notification_waived").count() == 1


def test_the_persons_are_told_or_why_not_is_written(as_dpo):
    high, other = breach(10, risk="high"), breach(10, risk="high")
    before = local(high.found_at - timedelta(hours=1))
    refused = as_dpo.post(reverse("breach_tell", args=[high.pk]), {"tell-at": before}, headers=EN)
    assert 'id="tell-at-error">Told at: This comes before the breach was found.' in page(refused)
    as_dpo.post(reverse("breach_tell", args=[high.pk]), {"tell-at": local(timezone.now())})
    as_dpo.post(reverse("breach_not_told", args=[other.pk]), {"not_told-reason": "data encrypted"})
    high.refresh_from_db()
    other.refresh_from_db()
    assert high.persons_told_at is not None
    assert other.persons_not_told_reason == "data encrypted"
    assert not high.persons_untold()
    assert not other.persons_untold()


def test_moving_the_time_found_later_needs_a_reason(as_dpo):
    found = breach(10)
    url = reverse("breach_update", args=[found.pk])
    form = as_dpo.get(url, headers=EN)
    assert form.status_code == 200
    later = local(found.found_at + timedelta(hours=5))
    data = {**FORM, "found_at": later, "measures": "keys rotated"}
    refused = as_dpo.post(url, data, headers=EN)
    assert 'id="reason-error">Why the time found moves later: The time found moves later' in page(refused)
    found.refresh_from_db()
    assert found.measures == "password reset, access revoked"
    assert as_dpo.post(url, {**data, "reason": "logs showed it"}).status_code == 302
    found.refresh_from_db()
    assert found.measures == "keys rotated"
    assert AuditEvent.objects.get(action="breach.updated").detail["found_at_moved_later"] is True


def test_an_update_that_keeps_the_time_found_keeps_its_seconds(as_dpo):
    found = breach(10)
    as_dpo.post(
        reverse("breach_update", args=[found.pk]),
        {**FORM, "found_at": local(found.found_at), "persons_count": "7"},
    )
    updated = Breach.objects.get()
    assert (updated.found_at, updated.persons_count) == (found.found_at, 7)
    assert AuditEvent.objects.get(action="breach.updated").detail["fields"] == ["persons_count"]


def test_an_unknown_breach_is_a_404(as_dpo):
    assert as_dpo.get(reverse("breach_detail", args=[999])).status_code == 404
