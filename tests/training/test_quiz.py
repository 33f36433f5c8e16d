"""The staff awareness quiz (RULES H2, H3): graded against a pass mark, each result kept as proof
of training with the version of the question set, questions a DPO can extend through a file."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from licite.audit.models import AuditEvent
from licite.training.actions import current_questions
from licite.training.models import QuizResult
from licite.training.questions import OWN_QUESTIONS, read_file

pytestmark = pytest.mark.django_db
# The right answers of licite's own questions, in their order.
RIGHT = "abc,abcd,abd,b,b,c,abc,ab,abc,b,a,a"
THREE_WRONG = "a,abcd,abd,a,b,c,abc,ab,abc,b,c,a"  # 9/12 = 75 %


def quiz(*args: str) -> str:
    out = io.StringIO()
    call_command("quiz", *args, stdout=out)
    return out.getvalue()


def test_the_right_answers_pass_and_the_result_is_kept_with_the_question_set_version(owner):
    output = quiz("--lang", "en", "--answers", RIGHT, "--as", "alice")
    result = QuizResult.objects.get()
    assert (result.user, result.username, result.score, result.total) == (owner, "alice", 12, 12)
    assert (result.passed, result.pass_mark, result.language, result.missed) == (True, 80, "en", [])
    assert result.questions_version == current_questions().version
    assert "Score: 12/12 (100 %): passed (pass mark 80 %)." in output


def test_each_answer_is_followed_by_its_explanation_with_the_rule(owner):
    output = quiz("--lang", "fr", "--answers", THREE_WRONG, "--as", "alice")
    assert "Question 1 sur 12" in output
    assert "Faux : la bonne réponse était a, b, c." in output
    assert "Jamais la prison : c'est une peine que seul un tribunal pénal prononce (RULES H3)." in output
    assert "Score : 9/12 (75 %) : non réussi (seuil de réussite 80 %)." in output


def test_a_score_under_the_pass_mark_is_kept_as_not_passed_with_the_questions_missed(owner):
    quiz("--answers", THREE_WRONG, "--as", "alice")
    result = QuizResult.objects.get()
    assert (result.score, result.passed) == (9, False)
    assert result.missed == ["control-triggers", "complaints-2021", "objection-at-once"]


def test_the_pass_mark_is_a_setting(owner, settings):
    settings.LICITE_QUIZ_PASS_MARK = 75
    quiz("--answers", THREE_WRONG, "--as", "alice")
    assert QuizResult.objects.values_list("passed", "pass_mark").get() == (True, 75)


def test_a_question_with_several_right_answers_needs_all_of_them_and_no_other(owner):
    quiz("--answers", "ab,abcd,abcd," + RIGHT.split(",", 3)[3], "--as", "alice")
    assert QuizResult.objects.get().missed == ["control-triggers", "cnil-sanctions"]


def test_numbers_count_like_letters(owner):
    quiz("--answers", "123,1234,124,2,2,3,123,12,123,2,1,1", "--as", "alice")
    assert QuizResult.objects.get().score == 12


def test_taking_the_quiz_is_audited_with_counts_only(owner):
    quiz("--answers", RIGHT, "--as", "alice")
    event = AuditEvent.objects.get(action="training.quiz_taken")
    assert event.actor == owner
    assert event.object_id == str(QuizResult.objects.get().pk)
    assert event.detail == {
        "score": 12, "total": 12, "passed": True, "version": current_questions().version[:12]
    }  # fmt: skip


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ("a,b", "--answers: 12 questions but 2 answers given (comma-separated)"),
        ("z" + RIGHT[3:], "--answers: answer 1 (control-triggers): 'z' is not a choice (a to d, or 1 to 4)"),
        (RIGHT.replace(",b,c,", ",,c,", 1), "--answers: answer 5 (b2b-work-address): no choice given"),
        (RIGHT.replace(",b,c,", ",d,c,", 1), "--answers: answer 5 (b2b-work-address): 'd' is not a choice"),
    ],
)
def test_bad_answers_are_refused_in_one_line_and_nothing_is_recorded(owner, answers, message):
    with pytest.raises(CommandError) as refused:
        quiz("--answers", answers, "--as", "alice")
    assert str(refused.value).startswith(message)
    assert not QuizResult.objects.exists()


def test_the_quiz_is_taken_as_a_licite_user(db):
    with pytest.raises(CommandError, match="the quiz records a licite user's training"):
        quiz("--answers", RIGHT)
    assert not QuizResult.objects.exists()


def test_the_proof_of_training_survives_the_deletion_of_the_user(owner):
    quiz("--answers", RIGHT, "--as", "alice")
    owner.delete()
    result = QuizResult.objects.get()
    assert (result.user, result.username, result.passed) == (None, "alice", True)


def test_results_list_who_passed_when(owner, salesperson):
    quiz("--answers", RIGHT, "--as", "alice")
    quiz("--answers", THREE_WRONG, "--as", "bob")
    listed = json.loads(quiz("results", "--json"))
    assert [(row["user"], row["score"], row["passed"]) for row in listed] == [
        ("bob", 9, False),
        ("alice", 12, True),
    ]
    assert listed[1]["taken_at"] == QuizResult.objects.get(username="alice").taken_at.isoformat()
    table = quiz("results")
    assert "alice" in table
    assert "12/12" in table
    assert "not passed" in table


def test_licite_own_questions_cover_the_talk_and_each_explanation_cites_its_rule():
    questions = read_file(OWN_QUESTIONS)
    ids = {question.id for question in questions}
    assert {"control-triggers", "control-forms", "cnil-sanctions", "complaints-2021", "b2b-work-address",
            "b2c-consent", "first-message", "public-data", "linkedin-terms"} <= ids  # fmt: skip
    for question in questions:
        for wording in (question.fr, question.en):
            assert "(RULES " in wording.explanation, question.id
    assert sum(len(question.answers) > 1 for question in questions) >= 3
