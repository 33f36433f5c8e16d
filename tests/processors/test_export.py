"""The processors and transfers as a document (licite.processors.export), for the register and the
inspection pack: a transfer without a ground is flagged in it (RULES B7)."""

from __future__ import annotations

import pytest

from licite.lib.documents import Notice, Table, render
from licite.processors.actions import do_save_processor
from licite.processors.export import processors_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def processors():
    do_save_processor(None, "Acme Cloud", service="Hosting", country="US")
    do_save_processor(None, "Postmark", service="Sending emails", country="US", transfer_mechanism="scc",
                      contract_date="2026-01-15", contract_reference="DPA-2026")  # fmt: skip
    do_save_processor(None, "OVHcloud", service="Backups", country="FR")


def test_the_document_flags_the_us_processor_without_a_mechanism_only(processors):
    document = processors_document("en")
    table = document.sections[0].blocks[0]
    assert isinstance(table, Table)
    flags = {row[0]: row[-1] for row in table.rows}
    assert flags == {
        "Acme Cloud": "Outside the EU/EEA without a transfer mechanism (RULES B7)",
        "OVHcloud": "ok",
        "Postmark": "ok",
    }
    notices = document.sections[1].blocks
    assert [notice.text for notice in notices if isinstance(notice, Notice)] == [
        "Acme Cloud (US): Outside the EU/EEA without a transfer mechanism (RULES B7)"
    ]


def test_the_document_speaks_french_and_renders_in_every_format(processors):
    document = processors_document("fr")
    markdown = render(document, "md").decode()
    assert "Sous-traitants et transferts hors UE/EEE" in markdown
    assert "Hors UE/EEE sans mécanisme de transfert (RULES B7)" in markdown
    assert "Clauses contractuelles types" in markdown
    assert "2026-01-15 DPA-2026" in markdown
    assert "Acme Cloud" in render(document, "html").decode()
    assert render(document, "pdf").startswith(b"%PDF")


def test_the_document_warns_to_check_the_certification_of_a_us_processor_on_adequacy():
    do_save_processor(
        None, "Mailer Inc", service="Sending emails", country="US", transfer_mechanism="adequacy"
    )
    document = processors_document("en")
    table = document.sections[0].blocks[0]
    assert isinstance(table, Table)
    assert "Data Privacy Framework: check the certification" in table.rows[0][-1]
    notices = [block for block in document.sections[1].blocks if isinstance(block, Notice)]
    assert [notice.level for notice in notices] == ["warning"]
    assert notices[0].text.startswith("Mailer Inc (US): Adequacy only for organisations certified")
    french = render(processors_document("fr"), "md").decode()
    assert "Data Privacy Framework" in french
    assert "vérifiez la certification" in french


def test_without_processors_the_document_says_so():
    document = processors_document("en")
    assert "No processor is declared." in render(document, "md").decode()
    assert "Every transfer outside the EU/EEA has a ground." in render(document, "md").decode()
