"""The accountability endpoints: the register of processing as a file (RULES H1), the compliance
check's findings, the audit chain's verification (RULES H); each for the roles the web allows."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from openpyxl import load_workbook
from pypdf import PdfReader

from licite.audit.actions import record
from licite.audit.models import AuditEvent
from tests.register.conftest import initialised  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def head_file(settings, tmp_path):
    """The audit chain's head file, of this test alone."""
    settings.AUDIT_HEAD_FILE = tmp_path / "audit_head"
    return settings.AUDIT_HEAD_FILE


def test_the_dpo_downloads_the_register_as_a_workbook_that_opens(api_as, initialised):  # noqa: F811
    response = api_as("dpo").get("/api/register", {"format": "xlsx", "lang": "en"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith('attachment; filename="register-')
    assert response["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    first = book.worksheets[0]
    assert any(row[1] == "Acme SAS" for row in first.iter_rows(values_only=True) if len(row) > 1)
    event = AuditEvent.objects.filter(action="register.exported").latest("sequence")
    assert (event.actor_label, event.detail["format"], event.detail["language"]) == ("api-dpo", "xlsx", "en")


def test_the_register_as_pdf_opens_and_names_the_controller(api_as, initialised):  # noqa: F811
    response = api_as("dpo").get("/api/register", {"format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="registre-')
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Acme SAS" in text


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
        ("html", "text/html"),
        ("md", "text/markdown"),
    ],
)
def test_every_format_of_the_command_is_served_with_its_content_type(api_as, initialised, fmt, content_type):  # noqa: F811
    response = api_as("admin").get("/api/register", {"format": fmt})
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert len(response.content) > 100


def test_an_unknown_format_is_a_422_naming_format_and_nothing_is_exported(api_as, initialised):  # noqa: F811
    response = api_as("dpo").get("/api/register", {"format": "docx"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["format"]
    assert not AuditEvent.objects.filter(action="register.exported").exists()


@pytest.mark.parametrize(
    ("method", "path"), [("get", "/api/register"), ("get", "/api/compliance"), ("post", "/api/audit/verify")]
)
@pytest.mark.parametrize("role", ["marketing", "sales", "communication", "other"])
def test_roles_without_the_permission_are_refused_and_nothing_is_audited_but_the_call(
    api_as, role, method, path
):
    response = getattr(api_as(role), method)(path)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    done = {"register.exported", "compliance.checked", "audit.verified"}
    assert not AuditEvent.objects.filter(action__in=done).exists()


def test_the_compliance_check_answers_each_finding_with_its_rule_and_is_audited(api_as, initialised):  # noqa: F811
    body = api_as("dpo").get("/api/compliance").json()
    checks = {check["code"]: check for check in body["checks"]}
    assert checks["no_dpo_contact"]["status"] == "ok"
    assert checks["no_dpo_contact"]["rule"] == "D1, H1"
    assert {check["status"] for check in body["checks"]} <= {"ok", "warning", "failure"}
    assert sum(body["counts"].values()) == len(body["checks"])
    event = AuditEvent.objects.get(action="compliance.checked")
    assert event.actor_label == "api-dpo"
    assert event.detail["not_passed"] == sorted(c for c, check in checks.items() if check["status"] != "ok")


def test_the_compliance_check_speaks_french_when_asked(api_as, initialised):  # noqa: F811
    english = api_as("dpo").get("/api/compliance").json()["checks"][0]["title"]
    french = api_as("dpo").get("/api/compliance", {"lang": "fr"}).json()["checks"][0]["title"]
    assert english != french


# Committed, so that the head file outside the database follows the chain.
@pytest.mark.django_db(transaction=True)
def test_an_intact_chain_verifies_and_the_verification_is_itself_an_entry(api_as):
    for number in range(3):
        record(None, "test.done", None, number=number)
    api = api_as("dpo")
    body = api.post("/api/audit/verify").json()
    assert body["intact"] is True
    assert body["first_broken"] is None
    entries = AuditEvent.objects.filter(action="audit.verified").latest("sequence").detail["entries"]
    assert body["entries"] == entries >= 3


# Committed, so that the head file outside the database follows the chain.
@pytest.mark.django_db(transaction=True)
def test_a_modified_entry_is_found_and_named_as_the_first_broken(api_as):
    written = [record(None, "test.done", None, number=number) for number in range(5)]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'test.forged' WHERE id = %s", [written[2].pk])
    body = api_as("dpo").post("/api/audit/verify").json()
    assert body["intact"] is False
    assert body["first_broken"] == written[2].sequence
    assert f"#{written[2].sequence}" in body["problem"]
    assert AuditEvent.objects.filter(action="audit.verified").latest("sequence").detail["intact"] is False
