"""A French reader meets licite's refusals in French in a real browser (Debian's chromium through
Playwright): a file with a bad line, then a dry run's rejected rows; the file, line and value
stay as they are. No JavaScript error nor CSP violation. Screenshots go to tests/artifacts/."""

# The fixtures imported below are pytest's, received as arguments of the same name.
# ruff: noqa: F811
from __future__ import annotations

from pathlib import Path

import pytest

from tests.campaigns.test_campaigns import run_worker
from tests.web.browser import logged_in, screenshots
from tests.web.test_browser_import import marketer  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
shoot = screenshots("refusal")


def checked(page, live_server, path: Path, source) -> None:
    """Upload `path`, keep the mapping detected, and run the dry run."""
    page.goto(f"{live_server.url}/imports/new/")
    page.set_input_files("#id_file", str(path))
    page.select_option("#id_source", str(source.pk))
    page.click("#upload")
    page.wait_for_selector("#mapping-form")
    page.click("#check")
    run_worker()  # the dry run runs in the worker; the page refreshes itself until it is done


def test_a_french_reader_gets_the_bad_line_and_the_rejected_rows_in_french(
    live_server, page, marketer, source, tmp_path
):
    logged_in(page, live_server, marketer)
    bad = tmp_path / "exposants.csv"
    bad.write_bytes(b"Email;Nom\nx@acme.example;A;extra\n")
    checked(page, live_server, bad, source)
    page.wait_for_selector("#check-error", timeout=15_000)
    said = page.locator("#check-error").inner_text()
    assert said.startswith("exposants.csv, ligne 2 : valeur 'extra' : cette ligne a 3 valeurs")
    assert "y a-t-il un point-virgule sans guillemets dans une valeur ?" in said
    shoot(page, "bad-line-fr")
    rejected = tmp_path / "salon.csv"
    rejected.write_bytes(b"Email;Nom\njeanne@acme.example;Dupont\npas-une-adresse;Martin\n")
    checked(page, live_server, rejected, source)
    page.wait_for_selector("#rejections", timeout=15_000)
    assert "adresse invalide : @ manquant" in page.locator("#rejections").inner_text()
    shoot(page, "rejections-fr")
