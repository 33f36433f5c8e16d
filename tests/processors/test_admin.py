"""The processors in the admin: a transfer without a ground is flagged in the list (RULES B7);
a country that is not one is refused; every change is audited."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from licite.audit.models import AuditEvent
from licite.processors.actions import do_save_processor
from licite.processors.models import Processor

pytestmark = pytest.mark.django_db


def rows(html: str) -> dict[str, str]:
    """Each row of the change list, by the processor's name."""
    found = {}
    for row in re.findall(r"<tr>.*?</tr>", html, re.S):
        name = re.search(r'<th class="field-name">.*?>([^<]+)</a>', row, re.S)
        if name:
            found[name.group(1)] = row
    return found


def test_the_list_flags_a_us_processor_without_a_mechanism_and_not_one_with_scc_nor_france(client, owner):
    for name, country, mechanism in (
        ("Acme Cloud", "US", "none"),
        ("Postmark", "US", "scc"),
        ("OVHcloud", "FR", "none"),
    ):
        do_save_processor(None, name, service="Hosting", country=country, transfer_mechanism=mechanism)
    client.force_login(owner)
    response = client.get(reverse("admin:processors_processor_changelist"), HTTP_ACCEPT_LANGUAGE="en")
    listed = rows(response.content.decode())
    assert "⚠ Outside the EU/EEA without a transfer mechanism (RULES B7)" in listed["Acme Cloud"]
    assert "⚠" not in listed["Postmark"]
    assert "⚠" not in listed["OVHcloud"]


def test_the_list_tells_to_check_the_certification_of_a_us_processor_on_adequacy(client, owner):
    do_save_processor(None, "Mailer Inc", service="Emails", country="US", transfer_mechanism="adequacy")
    client.force_login(owner)
    response = client.get(reverse("admin:processors_processor_changelist"), HTTP_ACCEPT_LANGUAGE="en")
    assert (
        "⚠ Adequacy only for organisations certified under the EU-US Data Privacy Framework"
        in rows(response.content.decode())["Mailer Inc"]
    )


def test_the_flag_is_in_french_for_a_french_reader(client, owner):
    do_save_processor(None, "Acme Cloud", service="Hosting", country="US")
    client.force_login(owner)
    response = client.get(reverse("admin:processors_processor_changelist"), HTTP_ACCEPT_LANGUAGE="fr")
    assert "Hors UE/EEE sans mécanisme de transfert (RULES B7)" in response.content.decode()


def test_a_processor_added_in_the_admin_gets_its_iso_code_and_an_audit_entry(client, owner):
    client.force_login(owner)
    url = reverse("admin:processors_processor_add")
    data = {"name": "OVHcloud", "service": "Hosting", "country": "Allemagne", "transfer_mechanism": "none"}
    response = client.post(url, data)
    assert response.status_code == 302
    assert Processor.objects.get().country == "DE"
    assert AuditEvent.objects.filter(action="processor.created", actor=owner).exists()


def test_a_country_that_is_not_one_is_refused_in_the_admin(client, owner):
    client.force_login(owner)
    data = {"name": "Acme", "service": "Hosting", "country": "Atlantis", "transfer_mechanism": "none"}
    response = client.post(reverse("admin:processors_processor_add"), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "not a country: Atlantis" in response.content.decode()
    assert not Processor.objects.exists()
