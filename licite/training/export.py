"""The staff training records as a document, for the inspection pack (RULES H2, H3)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from licite.accounts.models import PROSPECT_ROLES
from licite.lib.documents import Bullets, Document, Fields, Notice, Paragraph, Section, Table
from licite.training.actions import current_questions
from licite.training.models import QuizResult
from licite.training.questions import LETTERS, QuestionSet


def training_document(language: str) -> Document:
    """Who took the quiz when, with which score, who has not passed it yet, and the questions."""
    with translation.override(language):
        questions = current_questions()
        results = list(QuizResult.objects.all())
        return Document(
            title=_("Staff training records"),
            language=language,
            subtitle=_("Awareness quiz on prospecting and the CNIL's controls (RULES H2, H3)"),
            generated_at=timezone.now(),
            sections=(
                _quiz_section(questions),
                _results_section(results),
                _untrained_section(results),
                _questions_section(questions, language),
            ),
        )


def _quiz_section(questions: QuestionSet) -> Section:
    rows = (
        (_("Questions"), str(len(questions))),
        (_("Pass mark"), f"{settings.LICITE_QUIZ_PASS_MARK} %"),
        (_("Question set version"), questions.version[:12]),
    )
    text = _(
        "Each member of staff answers every question in the terminal (licite quiz); each answer is "
        "explained with the rule it applies, and the result is kept as proof of training."
    )
    return Section(_("The quiz"), (Paragraph(text), Fields(rows)))


def _results_section(results: list[QuizResult]) -> Section:
    if not results:
        return Section(_("Results"), (Paragraph(_("No one has taken the quiz yet.")),))
    headers = (_("Staff member"), _("Date"), _("Score"), _("Result"), _("Language"), _("Question set"))
    rows = tuple(
        (
            result.username,
            _when(result),
            f"{result.score}/{result.total}",
            _("passed") if result.passed else _("not passed"),
            result.language,
            result.questions_version[:12],
        )
        for result in results
    )
    return Section(_("Results"), (Table(headers, rows),))


def _untrained_section(results: list[QuizResult]) -> Section:
    """The active users who see prospects (RULES F5) and have never passed the quiz."""
    passed = {result.user_id for result in results if result.passed}
    users = get_user_model().objects.filter(is_active=True, role__in=PROSPECT_ROLES).order_by("username")
    missing = [user.username for user in users if user.pk not in passed]
    heading = _("Staff who see prospects without a passed quiz")
    if not missing:
        return Section(
            heading, (Notice(_("Every user who sees prospects has passed the quiz."), level="ok"),)
        )
    return Section(heading, (Notice(_("%(count)d users have not passed it yet.") % {"count": len(missing)}),
                             Bullets(tuple(missing))))  # fmt: skip


def _questions_section(questions: QuestionSet, language: str) -> Section:
    parts = []
    right = _("right answer")
    for number, question in enumerate(questions.questions, 1):
        wording = question.in_language(language)
        choices = tuple(
            f"{letter}) {choice}" + (f" ({right})" if index in question.answers else "")
            for index, (letter, choice) in enumerate(zip(LETTERS, wording.choices, strict=False))
        )
        parts.append(Section(f"{number}. {wording.text}", (Bullets(choices), Paragraph(wording.explanation))))
    return Section(_("Questions and answers"), sections=tuple(parts))


def _when(result: QuizResult) -> str:
    return formats.date_format(timezone.localtime(result.taken_at), "DATETIME_FORMAT")
