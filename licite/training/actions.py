"""The staff quiz's use cases: recording a result (RULES H2, H3)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from licite.audit.actions import record
from licite.training.models import QuizResult
from licite.training.questions import QuestionSet, grade, load_questions


class NotAStaffMember(ValueError):
    """The quiz proves a person's training: it is taken as a licite user."""


def current_questions() -> QuestionSet:
    """licite's questions and the organisation's own (LICITE_QUIZ_FILE)."""
    return load_questions(settings.LICITE_QUIZ_FILE)


def do_record_quiz(
    actor: Any, questions: QuestionSet, answers: Sequence[frozenset[int]], language: str
) -> QuizResult:
    """Grade the actor's answers against the pass mark (LICITE_QUIZ_PASS_MARK) and keep the result
    as proof of their training, with the version of the question set they answered."""
    if not getattr(actor, "pk", None):
        raise NotAStaffMember("the quiz records a licite user's training: name one with --as USER")
    result = grade(questions.questions, answers)
    pass_mark = settings.LICITE_QUIZ_PASS_MARK
    with transaction.atomic():
        quiz = QuizResult.objects.create(
            user=actor, username=actor.username, score=result.score, total=result.total,
            pass_mark=pass_mark, passed=result.passed(pass_mark), language=language,
            questions_version=questions.version, missed=list(result.missed), taken_at=timezone.now(),
        )  # fmt: skip
        record(actor, "training.quiz_taken", quiz, score=quiz.score, total=quiz.total, passed=quiz.passed,
               version=quiz.questions_version[:12])  # fmt: skip
    return quiz
