"""The processor pages: the list with each transfer flagged, a processor's page, and declaring,
changing or removing one through do_save_processor / do_remove_processor, the country and the
mechanism checked as `licite processors` checks them (RULES B7, F5)."""

# The fixtures imported below are pytest's, received as arguments of the same name.
# ruff: noqa: F811
from __future__ import annotations

import pytest
from django.urls import reverse

from licite.audit.models import AuditEvent
from licite.processors.actions import do_save_processor
from licite.processors.models import Processor
from licite.register.models import ProcessingActivity
from tests.register.conftest import initialised  # noqa: F401

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}
PASSWORD = "correct horse battery"


@pytest.fixture
def logged(client, dpo, initialised):
    client.force_login(dpo)
    return client


@pytest.fixture
def mailer(initialised):
    """A processor in the United States with no transfer mechanism: a flagged transfer."""
    return do_save_processor(None, "Mailer Inc", service="Sending emails", country="US").processor


def declare(client, **values):
    data = {"name": "Hébergeur", "service": "Hosting", "country": "Allemagne", "transfer_mechanism": "none"}
    data.update(values)
    return client.post(
        reverse("processor_create"), {k: v for k, v in data.items() if v is not None}, headers=EN
    )


def test_a_salesperson_may_not_see_or_declare_processors(client, salesperson, mailer):
    client.force_login(salesperson)
    assert client.get(reverse("processor_list")).status_code == 403
    assert client.get(reverse("processor_detail", args=[mailer.pk])).status_code == 403
    assert declare(client).status_code == 403
    assert client.post(reverse("processor_remove", args=[mailer.pk]), {"confirm": "on"}).status_code == 403
    assert list(Processor.objects.values_list("name", flat=True)) == ["Mailer Inc"]


def test_the_list_flags_a_transfer_without_a_mechanism(logged, mailer):
    page = logged.get(reverse("processor_list"), headers=EN).content.decode()
    assert "Mailer Inc" in page
    assert "Outside the EU/EEA without a transfer mechanism (RULES B7)" in page
    assert 'class="flagged"' in page


def test_the_detail_shows_the_contract_the_activities_and_the_transfer(logged, mailer):
    do_save_processor(None, "Mailer Inc", ["Prospection commerciale B2B par courrier électronique"],
                      transfer_mechanism="scc", contract_reference="DPA-7")  # fmt: skip
    page = logged.get(reverse("processor_detail", args=[mailer.pk]), headers=EN).content.decode()
    assert "DPA-7" in page
    assert "Standard contractual clauses" in page
    assert "Prospection commerciale B2B" in page
    assert "transfer-ok" in page


def test_a_processor_is_declared_with_its_country_by_name_and_audited(logged, dpo):
    activity = ProcessingActivity.objects.get(preset="b2b_prospecting")
    response = declare(
        logged, contract_date="2026-01-15", contract_reference="DPA-1", activities=[activity.pk]
    )
    processor = Processor.objects.get(name="Hébergeur")
    assert response["Location"] == reverse("processor_detail", args=[processor.pk])
    assert processor.country == "DE"
    assert list(processor.activities.all()) == [activity]
    event = AuditEvent.objects.filter(action="processor.created").get()
    assert (event.actor, event.via, event.detail["transfer_flagged"]) == (dpo, "web", False)


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"country": "Atlantis"}, "country", "not a country: Atlantis"),
        ({"contract_date": "2999-01-01"}, "contract_date", "is in the future"),
        ({"contract_date": "15/01/2026x"}, "contract_date", "Enter a valid date"),
        ({"transfer_mechanism": "handshake"}, "transfer_mechanism", "Select a valid choice"),
        ({"name": "Mailer Inc"}, "name", "A processor of this name exists"),
        ({"service": ""}, "service", "This field is required"),
    ],
)
def test_a_bad_processor_names_the_field_and_stores_nothing(logged, mailer, values, field, message):
    response = declare(logged, **values)
    page = response.content.decode()
    assert response.status_code == 200
    assert f'id="{field}-error"' in page
    assert message in page
    assert Processor.objects.count() == 1
    assert AuditEvent.objects.filter(action="processor.created").count() == 1  # the fixture's


def test_an_edit_gives_the_transfer_a_mechanism_and_lifts_the_flag(logged, mailer):
    data = {"name": "ignored", "service": "Sending emails", "country": "US", "transfer_mechanism": "scc"}
    response = logged.post(reverse("processor_edit", args=[mailer.pk]), data)
    assert response.status_code == 302
    mailer.refresh_from_db()
    assert (mailer.name, mailer.transfer_mechanism, mailer.transfer_flag) == ("Mailer Inc", "scc", None)
    assert AuditEvent.objects.filter(action="processor.updated", object_id=str(mailer.pk)).exists()


def test_a_processor_is_removed_only_once_confirmed(logged, mailer):
    url = reverse("processor_remove", args=[mailer.pk])
    assert logged.get(url).status_code == 200
    unconfirmed = logged.post(url, {}, headers=EN)
    assert 'id="confirm-error"' in unconfirmed.content.decode()
    assert Processor.objects.filter(pk=mailer.pk).exists()
    assert logged.post(url, {"confirm": "on"})["Location"] == reverse("processor_list")
    assert not Processor.objects.filter(pk=mailer.pk).exists()
    assert AuditEvent.objects.filter(action="processor.removed", object_id=str(mailer.pk)).exists()
