"""The admin: every model registered, searchable and filterable; prospects only for the roles
that need them (RULES F5), and every read of a prospect's detail audited."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from licite.audit.models import AuditEvent
from licite.core.suppression import suppression_hash
from licite.prospects.models import Prospect
from licite.rights.models import SuppressionEntry

pytestmark = pytest.mark.django_db
LICITE_MODELS = [
    m
    for m in apps.get_models()
    if m._meta.app_label in {"accounts", "prospects", "campaigns", "rights", "register", "audit", "api"}
]


@pytest.fixture
def demo_data(owner):
    call_command("demo", count=60, seed=4)


@pytest.mark.parametrize("model", LICITE_MODELS, ids=lambda m: m._meta.label)
def test_every_model_is_registered_searchable_and_filterable(model):
    model_admin = admin.site._registry.get(model)
    assert model_admin is not None
    assert model_admin.search_fields
    assert model_admin.list_filter


@pytest.mark.parametrize("model", LICITE_MODELS, ids=lambda m: m._meta.label)
def test_every_changelist_answers_a_search_and_a_filter(client, owner, demo_data, model):
    client.force_login(owner)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert client.get(url).status_code == 200
    assert client.get(url, {"q": "martin"}).status_code == 200


@pytest.mark.parametrize("role", ["dpo", "marketing", "sales", "communication", "other"])
def test_only_administrators_may_open_the_admin(client, django_user_model, demo_data, role):
    """Issue 22: Django's admin stays for administrators, as a tool of last resort (RULES F5)."""
    user = django_user_model.objects.create_user(
        "zoe", password="correct horse battery", role=role, is_staff=True
    )
    client.force_login(user)
    prospect = Prospect.objects.first()
    for url in (
        reverse("admin:index"),
        reverse("admin:prospects_prospect_changelist"),
        reverse("admin:prospects_prospect_change", args=[prospect.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_an_administrator_sees_prospects_and_each_read_is_audited(client, owner, demo_data):
    client.force_login(owner)
    prospect = Prospect.objects.first()
    response = client.get(reverse("admin:prospects_prospect_change", args=[prospect.pk]))
    assert response.status_code == 200
    assert prospect.email.encode() in response.content
    event = AuditEvent.objects.get(action="prospect.viewed")
    assert (event.actor, event.object_id) == (owner, str(prospect.pk))
    assert prospect.email not in str(event.detail)


def test_the_audit_trail_cannot_be_edited_or_deleted(client, owner, demo_data):
    client.force_login(owner)
    event = AuditEvent.objects.first()
    assert client.get(reverse("admin:audit_auditevent_change", args=[event.pk])).status_code == 200
    assert (
        client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_suppression_list_is_searched_by_address_never_listed_by_it(client, owner, demo_data):
    client.force_login(owner)
    url = reverse("admin:rights_suppressionentry_changelist")
    found = client.get(url, {"q": "Opposed.Person3@ancien-client.example "})
    assert found.context["cl"].result_count == 1
    assert client.get(url, {"q": "someone.else@ancien-client.example"}).context["cl"].result_count == 0
    [entry] = found.context["cl"].result_list
    assert entry.key_hash == suppression_hash(
        "opposed.person3@ancien-client.example", settings.SUPPRESSION_KEY
    )


def test_the_suppression_list_is_searched_by_a_whole_keyed_hash_never_by_a_part(client, owner, demo_data):
    client.force_login(owner)
    url = reverse("admin:rights_suppressionentry_changelist")
    digest = suppression_hash("opposed.person3@ancien-client.example", settings.SUPPRESSION_KEY)
    assert client.get(url, {"q": digest.upper()}).context["cl"].result_count == 1
    assert client.get(url, {"q": digest[:12]}).context["cl"].result_count == 0
    assert client.get(url, {"q": ""}).context["cl"].result_count == SuppressionEntry.objects.count() > 1


def test_a_list_page_of_prospects_is_one_audit_entry_with_its_filters_and_count(client, owner, demo_data):
    client.force_login(owner)
    url = reverse("admin:prospects_prospect_changelist")
    response = client.get(url, {"status__exact": "active"})
    shown = len(response.context["cl"].result_list)
    event = AuditEvent.objects.get(action="prospect.listed")
    assert event.actor == owner
    assert event.detail == {
        "shown": shown,
        "matching": Prospect.objects.filter(status="active").count(),
        "page": 1,
        "filters": {"status__exact": "active"},
        "searched": False,
        "via": "admin",
    }
    assert shown > 1


def test_a_search_is_audited_without_its_text(client, owner, demo_data):
    client.force_login(owner)
    address = Prospect.objects.first().email
    response = client.get(reverse("admin:prospects_prospect_changelist"), {"q": address})
    assert response.context["cl"].result_count == 1
    event = AuditEvent.objects.get(action="prospect.listed")
    assert (event.detail["searched"], event.detail["shown"]) == (True, 1)
    assert address not in str(event.detail)
    assert address.split("@")[0] not in str(event.detail)


@pytest.mark.parametrize(
    "model",
    ["prospects_provenance", "rights_consentrecord", "campaigns_contactevent", "campaigns_outboundmessage"],
)
def test_every_list_that_shows_personal_data_is_audited(client, owner, demo_data, model):
    client.force_login(owner)
    client.get(reverse(f"admin:{model}_changelist"))
    assert AuditEvent.objects.filter(action=f"{model.split('_', 1)[1]}.listed", actor=owner).count() == 1
