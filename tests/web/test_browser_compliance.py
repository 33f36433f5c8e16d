"""The DPO's accountability pages in a real browser (Debian's chromium through Playwright): the
compliance check of a fresh demo and the key's backup acknowledged (RULES H1, F4), a breach
recorded and notified against its 72-hour clock (RULES H1b), the staff quiz taken and seen in the
results (RULES H2, H3); no JavaScript error nor CSP violation on the way. Screenshots go to
tests/artifacts/ for a person to look at."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from licite.compliance.actions import current_fingerprint
from licite.compliance.models import Breach, KeyAcknowledgement
from licite.training.actions import current_questions
from licite.training.models import QuizResult
from tests.web.browser import logged_in, screenshots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
shoot = screenshots("compliance")


@pytest.fixture
def fresh_demo(db, settings, tmp_path):
    """What `make run` sets up: the organisation, then the demo data (and an audit head of its
    own: another test's trail, flushed from the database, would leave its head behind)."""
    settings.AUDIT_HEAD_FILE = tmp_path / "audit_head"
    call_command("init", demo=True, stdout=io.StringIO())
    call_command("demo", count=60, seed=7, stdout=io.StringIO())


def test_the_dpo_reads_the_compliance_check_and_acknowledges_the_key(live_server, page, dpo, fresh_demo):
    logged_in(page, live_server, dpo)
    page.goto(f"{live_server.url}/compliance/")
    assert page.locator("h1").inner_text() == "Contrôle de conformité"
    assert page.locator("li.check").count() == 23
    assert page.locator("li.check.failure").all_inner_texts() == []
    key = page.locator('li.check[data-code="suppression_key_not_backed_up"]')
    assert "Attention" in key.inner_text()
    shoot(page, "check-fr")
    key.locator("a.fix").click()
    page.fill("#id_fingerprint", "0000-0000-0000-0000")
    page.click("#acknowledge")
    page.wait_for_selector("#fingerprint-error")
    page.fill("#id_fingerprint", current_fingerprint())
    page.click("#acknowledge")
    page.wait_for_selector("#key-acknowledged")
    assert KeyAcknowledgement.objects.count() == 1
    assert "Conforme" in page.locator('li.check[data-code="suppression_key_not_backed_up"]').inner_text()
    shoot(page, "key-acknowledged-fr")


def test_the_dpo_records_a_breach_and_notifies_it_against_the_clock(live_server, page, dpo):
    logged_in(page, live_server, dpo)
    page.goto(f"{live_server.url}/breaches/")
    page.click("#new-breach")
    found = timezone.localtime() - timedelta(hours=20)
    page.fill("#id_found_at", found.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_data_concerned", "adresses professionnelles, noms")
    page.fill("#id_persons_count", "40")
    page.fill("#id_records_count", "40")
    page.fill("#id_consequences", "messages non sollicités")
    page.fill("#id_measures", "lien de partage révoqué")
    page.check("#id_risk_1")
    page.click("#save-breach")  # no nature ticked: the page names the field, nothing is recorded
    page.wait_for_selector("#nature-error")
    assert not Breach.objects.exists()
    shoot(page, "breach-form-error-fr")
    page.check("#id_nature_0")
    page.click("#save-breach")
    page.wait_for_selector("#notify")
    assert "51 heures restantes" in page.locator("#cnil").inner_text()
    shoot(page, "breach-detail-fr")
    page.click("#notify-submit")
    page.wait_for_selector(".messages")
    assert Breach.objects.get().cnil_notified_at is not None
    page.goto(f"{live_server.url}/breaches/")
    assert page.locator(".clock.notified").count() == 1
    shoot(page, "breach-list-fr")


def test_a_late_breach_shows_in_red_and_the_pages_fit_a_phone(live_server, page, dpo):
    found = (timezone.localtime() - timedelta(hours=90)).strftime("%Y-%m-%d %H:%M")
    call_command(
        "breach", "add", "--found-at", found,
        "--nature", "availability", "--data", "fichier clients", "--persons", "3", "--records", "3",
        "--consequences", "perte", "--measures", "restauration", "--risk", "high", stdout=io.StringIO(),
    )  # fmt: skip
    logged_in(page, live_server, dpo)
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{live_server.url}/breaches/")
    overdue = page.locator(".clock.overdue")
    assert "heures de retard" in overdue.inner_text()
    assert overdue.evaluate("element => getComputedStyle(element).color") == "rgb(180, 35, 24)"
    shoot(page, "breach-list-overdue-375")
    for path in ("/compliance/", "/training/", f"/breaches/{Breach.objects.get().pk}/"):
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
    shoot(page, "breach-detail-375")


def test_a_salesperson_takes_the_quiz_and_the_dpo_sees_the_result(live_server, page, salesperson, dpo):
    logged_in(page, live_server, salesperson)
    page.goto(f"{live_server.url}/training/")
    questions = current_questions().questions
    assert page.locator("fieldset.question").count() == len(questions)
    shoot(page, "quiz-fr")
    for number, question in enumerate(questions, 1):
        chosen = (
            question.answers
            if number > 1
            else {i for i in range(len(question.fr.choices))} - question.answers
        )
        for index in chosen:
            page.check(f"#id_q{number}_{index}")
    page.click("#submit-quiz")
    page.wait_for_selector("#quiz-result")
    assert questions[0].fr.explanation in page.locator(".missed").inner_text()
    result = QuizResult.objects.get()
    assert (result.username, result.score) == ("bob", len(questions) - 1)
    shoot(page, "quiz-result-fr")
    logged_in(page, live_server, dpo)
    page.goto(f"{live_server.url}/training/results/")
    assert "bob" in page.locator("#results").inner_text()
    shoot(page, "quiz-results-fr")
