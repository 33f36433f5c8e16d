"""Whoever prospects may record an objection received by phone, letter or a CRM, and in the same
way on a prospect's page, through the API and with `licite suppress add --as` (RULES G3, F5:
honouring an objection must never be harder than receiving one). An erasure request (GDPR art.
17) stays the rights handler's, and HR staff may do neither, in any of the three ways."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from licite.api.actions import do_create_token
from licite.audit.models import AuditEvent
from licite.core.permissions import MATRIX, Perm, allowed, perm_to_suppress
from licite.prospects.models import Prospect
from licite.rights.models import SuppressionEntry
from tests.conftest import HEADER, import_file

pytestmark = pytest.mark.django_db
JEANNE = "jeanne.dupont@acme.example"
EN = {"accept-language": "en"}


@pytest.fixture
def jeanne(source, write_csv) -> Prospect:
    import_file(write_csv(HEADER + f"Jeanne;Dupont;{JEANNE};DAF;Acme;;;\n"))
    return Prospect.objects.get(email=JEANNE)


def api_of(user) -> Client:
    _, secret = do_create_token(None, user, "crm")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def suppressed(reason: str) -> bool:
    return SuppressionEntry.objects.filter(reason=reason).exists() and not Prospect.objects.exists()


# --- the matrix -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(MATRIX))
def test_every_role_that_sees_prospects_may_record_an_objection_and_no_other(role):
    assert allowed(role, Perm.RECORD_OBJECTION) == allowed(role, Perm.VIEW_PROSPECTS)


@pytest.mark.parametrize("reason", ["objection", "withdrawal", "bounce", "complaint", "manual"])
def test_an_objection_a_withdrawal_a_bounce_or_a_complaint_needs_only_to_record_an_objection(reason):
    assert perm_to_suppress(reason) == Perm.RECORD_OBJECTION


def test_an_erasure_request_needs_the_permission_to_handle_rights():
    assert perm_to_suppress("erasure") == Perm.HANDLE_RIGHTS


# --- on the prospect's page -----------------------------------------------------------------------


def test_a_salesperson_records_an_objection_from_the_prospects_page(client, salesperson, jeanne):
    client.force_login(salesperson)
    detail = client.get(reverse("prospect_detail", args=[jeanne.pk]), headers=EN).content.decode()
    assert 'id="erase-link"' in detail
    page = client.get(reverse("prospect_erase", args=[jeanne.pk]), headers=EN)
    assert [value for value, _label in page.context["form"].fields["reason"].choices] == [
        "objection",
        "withdrawal",
    ]
    response = client.post(
        reverse("prospect_erase", args=[jeanne.pk]), {"reason": "objection", "confirm": "on"}
    )
    assert response.status_code == 302
    assert suppressed("objection")
    assert AuditEvent.objects.get(action="suppression.added").actor == salesperson


def test_a_salesperson_may_not_fulfil_an_erasure_request_from_the_page(client, salesperson, jeanne):
    client.force_login(salesperson)
    response = client.post(
        reverse("prospect_erase", args=[jeanne.pk]), {"reason": "erasure", "confirm": "on"}
    )
    assert response.status_code == 403
    assert Prospect.objects.filter(pk=jeanne.pk).exists()


def test_hr_staff_may_not_open_the_page(client, outsider, jeanne):
    client.force_login(outsider)
    assert client.get(reverse("prospect_erase", args=[jeanne.pk])).status_code == 403


# --- through the API ------------------------------------------------------------------------------


def test_a_sales_token_records_an_objection_but_not_an_erasure_request(salesperson, jeanne):
    api = api_of(salesperson)
    erasure = api.post(
        "/api/suppression", {"email": JEANNE, "reason": "erasure"}, content_type="application/json"
    )
    assert erasure.status_code == 403
    assert erasure.json()["message"] == "the role 'sales' does not have the permission 'handle_rights'"
    assert Prospect.objects.exists()
    objection = api.post(
        "/api/suppression", {"email": JEANNE, "reason": "objection"}, content_type="application/json"
    )
    assert objection.status_code == 201
    assert suppressed("objection")


def test_an_hr_token_may_record_nothing(outsider, jeanne):
    response = api_of(outsider).post(
        "/api/suppression", {"email": JEANNE, "reason": "objection"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["message"] == "the role 'other' does not have the permission 'record_objection'"
    assert Prospect.objects.exists()


# --- on the command line --------------------------------------------------------------------------


def test_suppress_add_as_a_salesperson_records_the_objection(salesperson, jeanne):
    out = io.StringIO()
    call_command("suppress", "add", JEANNE, "--reason", "objection", "--as", "bob", stdout=out)
    assert suppressed("objection")
    assert AuditEvent.objects.get(action="suppression.added").actor == salesperson


def test_suppress_add_as_a_salesperson_refuses_an_erasure_request_in_one_line(salesperson, jeanne):
    with pytest.raises(CommandError) as raised:
        call_command("suppress", "add", JEANNE, "--reason", "erasure", "--as", "bob")
    assert str(raised.value) == (
        "--as: bob has the role 'sales', which may not handle rights (RULES F5, docs/access.md)"
    )
    assert Prospect.objects.exists()


def test_suppress_add_as_hr_staff_is_refused(outsider, jeanne):
    with pytest.raises(
        CommandError, match=r"^--as: carol has the role 'other', which may not record objection "
    ):
        call_command("suppress", "add", JEANNE, "--reason", "objection", "--as", "carol")
    assert Prospect.objects.exists()


def test_suppress_check_as_a_salesperson_answers_as_the_api_does(salesperson):
    with pytest.raises(SystemExit) as exited:
        call_command("suppress", "check", JEANNE, "--as", "bob", stdout=io.StringIO())
    assert exited.value.code == 1  # not suppressed: answered, not refused
