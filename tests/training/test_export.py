"""The staff training records for the inspection pack (RULES H2, H3): who passed when, who sees
prospects without having passed, and the questions with their answers, in French and English."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from licite.lib.documents import Bullets, Notice, Table, render
from licite.training.export import training_document
from tests.training.test_quiz import RIGHT, THREE_WRONG

pytestmark = pytest.mark.django_db


def take(username: str, answers: str) -> None:
    call_command("quiz", "--answers", answers, "--as", username, stdout=io.StringIO())


def test_the_records_list_each_result_and_who_sees_prospects_without_a_pass(owner, salesperson, outsider):
    take("alice", RIGHT)
    take("bob", THREE_WRONG)
    document = training_document("en")
    results, untrained = document.sections[1], document.sections[2]
    [table] = results.blocks
    assert isinstance(table, Table)
    assert [(row[0], row[2], row[3]) for row in table.rows] == [
        ("bob", "9/12", "not passed"),
        ("alice", "12/12", "passed"),
    ]
    notice, names = untrained.blocks
    assert isinstance(notice, Notice)
    assert isinstance(names, Bullets)
    assert names.items == ("bob",)  # carol's role gives no access to prospects (RULES F5)


def test_the_records_read_in_french_with_the_questions_and_their_right_answers(owner):
    take("alice", RIGHT)
    html = render(training_document("fr"), "html").decode()
    assert "Registre de formation du personnel" in html
    assert "réussi" in html
    assert "Chaque utilisateur ayant accès aux prospects a réussi le questionnaire." in html
    assert "Une peine de prison pour les dirigeants</li>" in html
    assert "La publication de sa décision (bonne réponse)" in html


def test_without_results_the_records_say_so(db):
    markdown = render(training_document("en"), "md").decode()
    assert "No one has taken the quiz yet." in markdown
