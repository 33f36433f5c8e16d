"""The organisation's own questions (LICITE_QUIZ_FILE), asked after licite's; a malformed file is
refused with one line naming the file, the question and the field."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from licite.training.actions import current_questions
from licite.training.models import QuizResult
from tests.conftest import run_licite
from tests.training.test_quiz import RIGHT

pytestmark = pytest.mark.django_db

OWN = """
[[questions]]
id = "our-crm-export"
answers = ["b"]

[questions.fr]
text = "Peut-on prospecter les contacts exportés du CRM d'un partenaire ?"
choices = ["Oui, librement", "Non, pas sans base légale ni information des personnes"]
explanation = "Chaque source doit être licite et nommée (RULES B2, B3)."

[questions.en]
text = "May we prospect the contacts exported from a partner's CRM?"
choices = ["Yes, freely", "No, not without a legal basis and informing the persons"]
explanation = "Each source must be lawful and named (RULES B2, B3)."
"""


@pytest.fixture
def own_file(tmp_path, settings):
    path = tmp_path / "questions.toml"
    path.write_text(OWN, encoding="utf-8")
    settings.LICITE_QUIZ_FILE = path
    return path


def quiz(*args: str) -> str:
    out = io.StringIO()
    call_command("quiz", *args, stdout=out)
    return out.getvalue()


def test_the_organisation_s_questions_are_asked_after_licite_s(owner, own_file, settings):
    output = quiz("--lang", "en", "--answers", RIGHT + ",b", "--as", "alice")
    assert "Question 13 of 13  May we prospect the contacts exported from a partner's CRM?" in output
    result = QuizResult.objects.get()
    assert (result.score, result.total) == (13, 13)
    assert result.questions_version == current_questions().version
    own_file.write_text(OWN.replace('answers = ["b"]', 'answers = ["a"]'), encoding="utf-8")
    assert current_questions().version != result.questions_version
    settings.LICITE_QUIZ_FILE = None
    assert len(current_questions()) == 12
    assert current_questions().version != result.questions_version


BAD = {
    "not TOML": ("[[questions]\nid = 1", "not valid TOML"),
    "no questions": ('title = "quiz"\n', "no questions: write each one as a [[questions]] table"),
    "no id": (OWN.replace('id = "our-crm-export"\n', ""), "question 'number 1': id: missing or empty"),
    "no English": (OWN[: OWN.index("[questions.en]")], "question 'our-crm-export': en: missing"),
    "no explanation": (
        OWN.replace('explanation = "Each source must be lawful and named (RULES B2, B3)."', ""),
        "question 'our-crm-export': en.explanation: missing or empty",
    ),
    "one choice": (
        OWN.replace(
            'choices = ["Yes, freely", "No, not without a legal basis and informing the persons"]',
            'choices = ["Yes"]',
        ),
        "question 'our-crm-export': en.choices: expected a list of at least 2 choices",
    ),
    "choices differ": (
        OWN.replace('"Yes, freely", ', '"Yes, freely", "Maybe", '),
        "question 'our-crm-export': choices: 2 choices in French but 3 in English",
    ),
    "answer out of range": (
        OWN.replace('answers = ["b"]', 'answers = ["c"]'),
        "question 'our-crm-export': answers: 'c' is not a choice",
    ),
    "id of licite": (
        OWN.replace("our-crm-export", "cnil-sanctions"),
        "question 'cnil-sanctions': id: this id is already used by another question",
    ),
}


@pytest.mark.parametrize("case", BAD)
def test_a_malformed_file_is_refused_naming_file_question_and_field(owner, own_file, case):
    text, message = BAD[case]
    own_file.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        quiz("--answers", RIGHT + ",b", "--as", "alice")
    assert str(refused.value).startswith(f"{own_file}: ")
    assert message in str(refused.value)
    assert not QuizResult.objects.exists()


def test_the_real_command_says_it_in_one_line(tmp_path):
    path = tmp_path / "ours.toml"
    path.write_text(BAD["answer out of range"][0], encoding="utf-8")
    result = run_licite(
        "quiz", "--answers", "a", env={"LICITE_HOME": str(tmp_path), "LICITE_QUIZ_FILE": str(path)}
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"CommandError: {path}: question 'our-crm-export': answers: 'c' is not a choice; "
        'expected a list of letters from a to b, such as ["b"] or ["a", "c"]'
    ]


def test_a_quiz_file_that_does_not_exist_stops_licite_naming_the_variable(tmp_path):
    missing = tmp_path / "missing.toml"
    result = run_licite(
        "quiz", "results", env={"LICITE_HOME": str(tmp_path), "LICITE_QUIZ_FILE": str(missing)}
    )
    assert result.returncode == 2
    assert result.stderr.strip() == f"licite: configuration error: LICITE_QUIZ_FILE: no file {missing}"
