"""What the admin may change by hand: never the legal state (consent, status, basis, audience,
clocks), which only actions change; every change that remains is audited with the names of the
fields changed; a delete is the one erasure (RULES G4), or is not offered."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.forms import MultiWidget
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from licite.accounts.admin_access import AuditedAdmin
from licite.audit.models import AuditEvent
from licite.campaigns.models import Campaign, OutboundMessage
from licite.prospects.models import Prospect, ProspectStatus, Source
from licite.rights.models import ConsentRecord, SuppressionEntry
from tests.conftest import HEADER, import_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_data(owner):
    call_command("demo", count=60, seed=4)
    # A consumer asked lately and not answered yet (a small demo may have none): the tests below
    # try to give their consent by hand.
    waiting = ConsentRecord.objects.order_by("-requested_at").first()
    ConsentRecord.objects.filter(pk=waiting.pk).update(given_at=None, evidence={})
    Prospect.objects.filter(pk=waiting.prospect_id).update(status=ProspectStatus.CONSENT_PENDING)


def form_data(response: Any) -> dict[str, Any]:
    """The data a browser would post back from an admin change form, unchanged."""
    data: dict[str, Any] = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    for form in forms:
        for name, field in form.fields.items():
            _put(data, form.add_prefix(name), field.widget, form[name].value())
            if field.show_hidden_initial:  # a field with a callable default says what it showed
                _put(data, form.add_initial_prefix(name), field.widget, form[name].value())
    return data


def _put(data: dict[str, Any], key: str, widget: Any, value: Any) -> None:
    if isinstance(widget, MultiWidget):
        for index, part in enumerate(widget.decompress(value)):
            data[f"{key}_{index}"] = "" if part is None else str(part)
    elif isinstance(value, bool):
        if value:
            data[key] = "on"
    elif isinstance(value, list | tuple):
        data[key] = [str(v) for v in value]
    elif value is not None:
        data[key] = str(value)


def change(client: Any, url: str, **values: Any) -> Any:
    data = {**form_data(client.get(url)), **values}
    return client.post(url, data)


def consumer_waiting_for_consent() -> Prospect:
    return Prospect.objects.filter(status=ProspectStatus.CONSENT_PENDING, consents__isnull=False).first()


def test_a_consent_record_cannot_be_given_or_added_by_hand(client, owner, demo_data):
    client.force_login(owner)
    consent = ConsentRecord.objects.filter(given_at__isnull=True).first()
    url = reverse("admin:rights_consentrecord_change", args=[consent.pk])
    assert client.get(url).status_code == 200, "it may be read"
    answer = client.post(url, {"given_at_0": "2026-01-01", "given_at_1": "10:00", "evidence": "{}"})
    assert answer.status_code == 403
    assert client.get(reverse("admin:rights_consentrecord_add")).status_code == 403
    consent.refresh_from_db()
    assert consent.given_at is None


def test_a_prospects_status_basis_audience_and_clocks_cannot_be_edited(client, owner, demo_data):
    client.force_login(owner)
    prospect = consumer_waiting_for_consent()
    url = reverse("admin:prospects_prospect_change", args=[prospect.pk])
    answer = change(
        client,
        url,
        status="active",
        legal_basis="legitimate_interest",
        audience="b2b",
        retain_until_0="2099-01-01",
        retain_until_1="00:00",
        first_name="Corrigé",
    )
    assert answer.status_code == 302, answer.context and answer.context["adminform"].form.errors
    after = Prospect.objects.get(pk=prospect.pk)
    assert (after.status, after.legal_basis, after.audience, after.retain_until) == (
        prospect.status,
        prospect.legal_basis,
        prospect.audience,
        prospect.retain_until,
    )
    assert after.first_name == "Corrigé", "a name may still be corrected (RULES B5)"


def test_a_prospects_correction_is_audited_with_field_names_never_values(client, owner, demo_data):
    client.force_login(owner)
    prospect = Prospect.objects.first()
    url = reverse("admin:prospects_prospect_change", args=[prospect.pk])
    change(client, url, company="Nouvelle Société", job_title="Acheteuse")
    event = AuditEvent.objects.get(action="prospect.updated")
    assert (event.actor, event.object_id) == (owner, str(prospect.pk))
    assert event.detail == {"fields": ["company", "job_title"], "via": "admin"}


def test_no_prospect_is_added_by_hand_past_the_import_gate(client, owner, demo_data):
    client.force_login(owner)
    assert client.get(reverse("admin:prospects_prospect_add")).status_code == 403


@pytest.mark.parametrize(
    "model",
    ["prospects_provenance", "rights_consentrecord", "campaigns_contactevent", "campaigns_outboundmessage"],
)
def test_records_that_a_delete_could_not_erase_cannot_be_deleted(client, owner, demo_data, model):
    client.force_login(owner)
    model_admin = next(
        a for m, a in admin.site._registry.items() if f"{m._meta.app_label}_{m._meta.model_name}" == model
    )
    target = model_admin.model.objects.first() or _outbox_message(Prospect.objects.first(), "sent")
    answer = client.post(reverse(f"admin:{model}_delete", args=[target.pk]), {"post": "yes"})
    assert answer.status_code == 403
    assert model_admin.model.objects.filter(pk=target.pk).exists()


def test_contact_events_are_read_only_because_they_move_the_retention_clock(client, owner, demo_data):
    client.force_login(owner)
    assert client.get(reverse("admin:campaigns_contactevent_add")).status_code == 403


def _outbox_message(prospect: Prospect, status: str) -> OutboundMessage:
    return OutboundMessage.objects.create(
        kind="campaign" if status == "queued" else "consent_request",
        prospect=prospect, key_hash=prospect.key_hash, to_address=prospect.email,
        to_domain=prospect.email.rpartition("@")[2], language="fr", subject="Offre",
        body_text=f"Bonjour {prospect.first_name}", body_html=f"<p>{prospect.email}</p>",
        token=f"{status}-{prospect.pk}", status=status, queued_at=timezone.now(),
    )  # fmt: skip


def test_deleting_a_prospect_in_the_admin_is_the_erasure(client, owner, source, write_csv):
    import_file(write_csv(HEADER + "Jeanne;Dupont;jeanne.dupont@acme.example;DAF;Acme;;;\n"))
    prospect = Prospect.objects.get()
    _outbox_message(prospect, "sent")
    _outbox_message(prospect, "queued")
    client.force_login(owner)
    url = reverse("admin:prospects_prospect_delete", args=[prospect.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Prospect.objects.exists()
    assert SuppressionEntry.objects.get(key_hash=prospect.key_hash).reason == "erasure"
    outbox = list(OutboundMessage.objects.values("status", "to_address", "body_text", "body_html"))
    assert {m["status"] for m in outbox} == {"sent", "cancelled"}
    assert all(m["to_address"] == m["body_text"] == m["body_html"] == "" for m in outbox)
    event = AuditEvent.objects.get(action="prospect.erased")
    assert event.actor == owner
    assert (event.detail["erased_prospects"], event.detail["cancelled_messages"]) == (1, 1)
    assert "jeanne" not in str(event.detail).lower()
    again = import_file(write_csv(HEADER + "J;D;Jeanne.Dupont@acme.example;;;;;\n", name="again.csv"))
    assert again["suppressed"] == 1
    assert not Prospect.objects.exists(), "the next import does not bring the person back"


def test_deleting_selected_prospects_erases_them_all_in_one_audit_entry(client, owner, demo_data):
    client.force_login(owner)
    chosen = list(Prospect.objects.values_list("pk", "key_hash")[:5])
    answer = client.post(
        reverse("admin:prospects_prospect_changelist"),
        {"action": "delete_selected", "_selected_action": [pk for pk, _ in chosen], "post": "yes"},
    )
    assert answer.status_code == 302
    assert not Prospect.objects.filter(pk__in=[pk for pk, _ in chosen]).exists()
    assert SuppressionEntry.objects.filter(key_hash__in=[h for _, h in chosen], reason="erasure").count() == 5
    event = AuditEvent.objects.get(action="prospect.erased")
    assert (event.detail["erased_prospects"], event.detail["entries"]) == (5, 5)
    assert sorted(event.detail["prospects"]) == sorted(pk for pk, _ in chosen)


def test_every_admin_that_may_change_records_audits_the_changes(owner):
    request = RequestFactory().get("/admin/")
    request.user = owner
    editable = [
        model_admin
        for model_admin in admin.site._registry.values()
        if model_admin.has_change_permission(request) or model_admin.has_add_permission(request)
    ]
    assert {a.model._meta.model_name for a in editable} >= {"user", "source", "campaign", "prospect"}
    assert [a for a in editable if not isinstance(a, AuditedAdmin)] == []


def test_a_role_change_is_audited_with_the_field_name(client, owner, salesperson):
    client.force_login(owner)
    url = reverse("admin:accounts_user_change", args=[salesperson.pk])
    assert change(client, url, role="other").status_code == 302
    event = AuditEvent.objects.get(action="user.updated")
    assert (event.actor, event.object_id, event.detail["fields"]) == (owner, str(salesperson.pk), ["role"])


def test_a_source_saved_in_the_admin_gets_its_platforms_terms(client, owner):
    client.force_login(owner)
    answer = client.post(
        reverse("admin:prospects_source_add"),
        {
            "name": "LinkedIn",
            "kind": "social_network",
            "url": "https://www.linkedin.com/company/acme",
            "method": "manual",
            "extraction_allowed": "yes",
            "visibility": "public",
            "terms_reference": "",
            "notes": "",
        },
    )
    assert answer.status_code == 302, answer.context and answer.context["adminform"].form.errors
    source = Source.objects.get(name="LinkedIn")
    assert source.extraction_allowed == "no", "LinkedIn User Agreement 8.2 (RULES B4)"
    assert "8.2" in source.terms_reference
    event = AuditEvent.objects.get(action="source.created")
    assert (event.actor, event.object_id) == (owner, str(source.pk))


CAMPAIGN = {
    "name": "Audit achats",
    "purpose": "Prospection B2B",
    "audience": "b2b",
    "offer": "Un audit de vos achats",
    "functions": '["achats"]',
    "subject_fr": "Votre audit achats",
    "subject_en": "Your purchasing audit",
    "body_fr": "Bonjour",
    "body_en": "Hello",
    "link_url": "",
}


def test_a_campaign_made_in_the_admin_goes_through_the_action_and_its_status_is_read_only(client, owner):
    client.force_login(owner)
    answer = client.post(reverse("admin:campaigns_campaign_add"), {**CAMPAIGN, "status": "sent"})
    assert answer.status_code == 302, answer.context and answer.context["adminform"].form.errors
    campaign = Campaign.objects.get()
    assert (campaign.status, campaign.created_by) == ("draft", owner)
    assert AuditEvent.objects.get(action="campaign.created").actor == owner
    url = reverse("admin:campaigns_campaign_change", args=[campaign.pk])
    assert change(client, url, status="sent", offer="Un audit gratuit").status_code == 302
    campaign.refresh_from_db()
    assert (campaign.status, campaign.offer) == ("draft", "Un audit gratuit")
    assert AuditEvent.objects.get(action="campaign.updated").detail["fields"] == ["offer"]


def test_a_user_is_never_deleted_so_that_what_they_collected_still_names_them(client, owner, salesperson):
    """RULES B3: deactivate a user who leaves; a delete would blank every collector it names."""
    client.force_login(owner)
    url = reverse("admin:accounts_user_delete", args=[salesperson.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert type(salesperson).objects.filter(pk=salesperson.pk).exists()


def test_a_password_change_is_audited_without_the_password(client, owner, salesperson):
    client.force_login(owner)
    url = reverse("admin:auth_user_password_change", args=[salesperson.pk])
    secret = "another horse battery staple"
    answer = client.post(url, {"password1": secret, "password2": secret, "usable_password": "true"})
    assert answer.status_code == 302
    event = AuditEvent.objects.get(action="user.updated")
    assert (event.object_id, event.detail["fields"]) == (str(salesperson.pk), ["password"])
    assert secret not in str(event.detail)
