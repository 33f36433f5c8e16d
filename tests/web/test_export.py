"""The admin's CSV export: audited, and safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from licite.audit.models import AuditEvent
from licite.prospects.models import Prospect
from tests.conftest import HEADER, import_file

pytestmark = pytest.mark.django_db


def test_an_export_neutralizes_formulas_and_is_audited(client, owner, source, write_csv):
    import_file(write_csv(HEADER + '=HYPERLINK("http://x");+cmd;zoe@b.example;-2+3;@SUM(A1);;;\n'))
    client.force_login(owner)
    response = client.post(
        reverse("admin:prospects_prospect_changelist"),
        {"action": "export_csv", "_selected_action": [p.pk for p in Prospect.objects.all()]},
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header, zoe = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert header[0] == "email"
    assert (zoe["first_name"], zoe["last_name"], zoe["job_title"], zoe["company"]) == (
        '\'=HYPERLINK("http://x")',
        "'+cmd",
        "'-2+3",
        "'@SUM(A1)",
    )
    event = AuditEvent.objects.get(action="prospect.exported")
    assert (event.actor, event.detail["count"]) == (owner, 1)
