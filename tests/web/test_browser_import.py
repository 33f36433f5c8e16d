"""A marketer imports a messy file through the wizard in a real browser (Debian's chromium through
Playwright): uploads it, changes a column's field, waits on the self-refreshing page while the
real worker runs the dry run, reads its report, confirms, and waits on the self-refreshing
progress page while the real worker imports it, until the batch's report shows; then declares
and assesses a source (RULES B3, B4, B6, C4). No JavaScript error nor CSP violation on the way.
Screenshots go to tests/artifacts/ for a person to look at."""

from __future__ import annotations

from pathlib import Path

import pytest

from licite.audit.models import AuditEvent
from licite.prospects.models import BalancingTest, ImportBatch, Prospect, Source
from tests.campaigns.test_campaigns import run_worker
from tests.web.browser import logged_in, screenshots
from tests.web.test_import_pages import MESSY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
shoot = screenshots("import")


@pytest.fixture
def marketer(django_user_model, settings, tmp_path):
    settings.LICITE_HOME = tmp_path / "home"  # the uploads' folder, the test's own
    return django_user_model.objects.create_user(
        "mia", "mia@acme.example", "correct horse battery", role="marketing"
    )


def test_a_marketer_imports_a_messy_file_through_the_wizard_and_reads_the_report(
    live_server, page, marketer, source, tmp_path
):
    logged_in(page, live_server, marketer)
    path = tmp_path / "exposants.csv"
    path.write_bytes(MESSY)
    page.goto(f"{live_server.url}/imports/new/")
    assert page.locator("h1").inner_text() == "Importer un fichier"
    page.set_input_files("#id_file", str(path))
    page.select_option("#id_source", str(source.pk))
    shoot(page, "upload-fr")
    page.click("#upload")
    page.wait_for_selector("#mapping-form")
    assert page.locator("#id_column_2").input_value() == "email"
    assert page.locator("#id_column_5").input_value() == "drop"  # the comment (RULES B6)
    page.select_option("#id_column_3", "drop")  # the job title is not needed (RULES B6)
    shoot(page, "mapping-fr")
    page.click("#check")
    page.wait_for_selector("#checking")  # the dry run runs in the worker, not in this request
    shoot(page, "checking-fr")
    run_worker()  # the page refreshes itself until the dry run's report is there
    page.wait_for_selector("#report-counts", timeout=15_000)
    assert page.locator("#rows-read").inner_text() == "6"
    assert page.locator("#created").inner_text() == "4"
    assert page.locator("#rejected").inner_text() == "1"
    assert page.locator("#rejections tbody td").first.inner_text() == "6"
    assert "Fonction" in page.locator("#dropped-columns").inner_text()
    shoot(page, "dry-run-fr")
    assert Prospect.objects.count() == 0
    page.click("#confirm")
    page.wait_for_selector("#progress")
    shoot(page, "progress-fr")
    run_worker()  # the page refreshes itself until the report is there
    batch = ImportBatch.objects.get()
    page.wait_for_url(f"{live_server.url}/imports/{batch.pk}/", timeout=15_000)
    assert page.locator("#created").inner_text() == "4"
    assert Prospect.objects.filter(job_title="").count() == 4
    shoot(page, "report-fr")
    page.goto(f"{live_server.url}/imports/")
    assert "exposants.csv" in page.locator("#imports").inner_text()
    shoot(page, "list-fr")


def test_a_bad_file_is_refused_in_the_page_in_a_narrow_screen(live_server, page, marketer, source, tmp_path):
    logged_in(page, live_server, marketer)
    page.set_viewport_size({"width": 375, "height": 740})
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    page.goto(f"{live_server.url}/imports/new/")
    page.set_input_files("#id_file", str(path))
    page.select_option("#id_source", str(source.pk))
    page.click("#upload")
    page.wait_for_selector("#file-error")
    assert "photo.csv : c'est une image PNG" in page.locator("#file-error").inner_text()  # in French
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(page, "refused-fr-375")


def test_a_marketer_declares_a_source_and_records_its_balancing_test(live_server, page, marketer):
    logged_in(page, live_server, marketer)
    page.goto(f"{live_server.url}/sources/")
    page.click("#new-source")
    page.fill("#id_name", "Salon Bois Nantes 2027")
    page.select_option("#id_kind", "event")
    page.fill("#id_url", "https://bois.example/exposants")
    page.select_option("#id_method", "manual")
    page.select_option("#id_extraction_allowed", "unknown")
    shoot(page, "source-form-fr")
    page.click("#save-source")
    page.wait_for_selector("#no-test")
    shoot(page, "source-new-fr")
    page.click("#assess")
    page.fill("#id_interest", "Vendre nos services aux exposants")
    page.fill("#id_necessity", "Seule l'adresse professionnelle est nécessaire")
    page.fill("#id_expectations", "Les exposants publient leurs contacts pour être joints")
    page.fill("#id_safeguards", "Notice et opposition en un clic")
    shoot(page, "assess-fr")
    page.click("#save-test")
    page.wait_for_selector(".balancing-test")
    source = Source.objects.get(name="Salon Bois Nantes 2027")
    assert BalancingTest.objects.filter(source=source, assessed_by=marketer).exists()
    shoot(page, "source-assessed-fr")
    with page.expect_download() as download:
        page.click("#balancing-html")  # a POST form: a prefetcher's GET writes no download
    assert Path(download.value.path()).read_text(encoding="utf-8").lower().startswith("<!doctype html")
    assert AuditEvent.objects.filter(action="balancing.exported", actor_id=marketer.pk).count() == 1
    page.goto(f"{live_server.url}/sources/")
    shoot(page, "sources-fr")
