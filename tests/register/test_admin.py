"""The DPO completes the register's activities in the admin: each list is checked against the
CNIL's, and each change is audited by the names of the fields changed (RULES H1)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from licite.audit.models import AuditEvent
from licite.register.models import ProcessingActivity
from licite.register.presets import B2B
from tests.web.test_admin_changes import form_data

pytestmark = pytest.mark.django_db


def edit(client, activity, **values):
    url = reverse("admin:register_processingactivity_change", args=[activity.pk])
    return client.post(url, {**form_data(client.get(url)), **values})


def test_the_dpo_adds_a_transfer_and_the_change_is_audited_by_field_name(initialised, client, owner):
    client.force_login(owner)
    b2b = ProcessingActivity.objects.get(preset=B2B)
    transfer = [
        {"recipient": "Mailer Inc.", "country": "US", "safeguard": "scc", "link": "https://m.example/dpa"}
    ]
    response = edit(client, b2b, transfers=json.dumps(transfer))
    assert response.status_code == 302
    assert ProcessingActivity.objects.get(pk=b2b.pk).transfers == transfer
    entry = AuditEvent.objects.filter(action="processingactivity.updated").latest("sequence")
    assert entry.detail["fields"] == ["transfers"]


def test_a_data_category_outside_the_cnil_list_is_refused_in_the_admin(initialised, client, owner):
    client.force_login(owner)
    b2b = ProcessingActivity.objects.get(preset=B2B)
    response = edit(client, b2b, data_categories=json.dumps([{"category": "hobbies"}]))
    assert response.status_code == 200
    assert "Catégories inconnues : hobbies" in response.content.decode()  # the admin speaks French
    assert ProcessingActivity.objects.get(pk=b2b.pk).rows("data_categories")[0]["category"] == "identity"
