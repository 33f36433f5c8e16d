"""The DPO keeps the register in a real browser (Debian's chromium through Playwright): edits an
activity (RULES H1, D4), downloads the register as a PDF and the CNIL inspection pack, which
verifies (RULES H2); no JavaScript error nor CSP violation on the way. Screenshots go to
tests/artifacts/ for a person to look at."""

# The fixtures imported below are pytest's, received as arguments of the same name.
# ruff: noqa: F811
from __future__ import annotations

import pytest

from licite.audit.models import AuditEvent
from licite.compliance.pack import verify_pack
from licite.processors.actions import do_save_processor
from licite.register.models import ProcessingActivity
from tests.register.conftest import initialised  # noqa: F401
from tests.web.browser import logged_in, screenshots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery"
shoot = screenshots("register")


@pytest.fixture
def dpo(django_user_model, initialised, settings, tmp_path):
    settings.AUDIT_HEAD_FILE = tmp_path / "audit_head"
    do_save_processor(None, "Mailer Inc", service="Sending emails", country="US")
    return django_user_model.objects.create_user("dora", "dora@acme.example", PASSWORD, role="dpo")


def test_the_dpo_edits_an_activity_exports_the_register_and_downloads_the_pack(
    live_server, page, dpo, tmp_path
):
    logged_in(page, live_server, dpo)
    page.goto(f"{live_server.url}/register/")
    assert page.locator("h1").inner_text() == "Registre des activités de traitement"
    shoot(page, "list-fr")
    page.click("text=Prospection commerciale B2B par courrier électronique")
    page.wait_for_selector("#fiche")
    shoot(page, "activity-fr")
    page.click("#edit-activity")
    page.fill("#id_purpose_en", "")
    page.click("#save")
    page.wait_for_selector("#purpose_en-error")
    shoot(page, "activity-error-fr")
    page.fill("#id_purpose_en", "Prospect purchasing managers by email")
    page.click("#save")
    page.wait_for_selector("#fiche")
    assert "Prospect purchasing managers by email" in page.locator("#fiche").inner_text()
    assert ProcessingActivity.objects.get(preset="b2b_prospecting").purpose_en.startswith(
        "Prospect purchasing"
    )

    page.goto(f"{live_server.url}/register/")
    page.select_option("#id_format", "pdf")
    with page.expect_download() as download:
        page.click("#export")
    pdf = tmp_path / "registre.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")

    page.goto(f"{live_server.url}/processors/")
    assert "Mailer Inc" in page.locator("#processors").inner_text()
    shoot(page, "processors-fr")

    page.goto(f"{live_server.url}/register/")
    page.click("#pack-link")
    page.wait_for_selector("#build-pack")
    shoot(page, "pack-fr")
    with page.expect_download(timeout=120_000) as download:
        page.click("#build-pack")
    zipped = tmp_path / "pack.zip"
    download.value.save_as(zipped)
    assert verify_pack(zipped).problems == ()
    assert AuditEvent.objects.filter(action="pack.generated").count() == 1


def test_the_register_and_an_activity_form_fit_a_narrow_phone_screen(live_server, page, dpo):
    logged_in(page, live_server, dpo)
    page.set_viewport_size({"width": 375, "height": 740})
    for path, name in (("/register/", "list-fr-375"), ("/register/new/", "new-fr-375")):
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        shoot(page, name)
