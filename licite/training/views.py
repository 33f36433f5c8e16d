"""The staff quiz in the browser (RULES H2, H3): any member of staff takes it in their language
and reads why each missed answer was wrong; the DPO sees who took it, and who has not passed it.
The result is recorded by the same action as `licite quiz` (do_record_quiz)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_GET, require_http_methods

from licite.accounts.models import PROSPECT_ROLES
from licite.core.permissions import Perm
from licite.training.actions import current_questions, do_record_quiz
from licite.training.forms import QuizForm
from licite.training.models import QuizResult
from licite.training.questions import LETTERS, QuestionSet, QuizFileError
from licite.web.access import requires
from licite.web.paging import keyset_page, page_key

PAGE_SIZE = 50


def _language() -> str:
    """RULES D4: the quiz in the reader's language, French or English."""
    language = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
    return language if language in ("fr", "en") else "en"


@require_http_methods(["GET", "POST"])
@login_required
def quiz(request: HttpRequest) -> HttpResponse:
    """Every question; once answered, the score and the explanation of each missed answer. Any
    logged-in user: the quiz shows no prospect data."""
    try:
        questions = current_questions()
    except QuizFileError as exc:
        return render(request, "training/quiz.html", {"problem": str(exc)})
    language = _language()
    form = QuizForm(questions, language, request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = do_record_quiz(request.user, questions, form.answers(), language)
        return redirect(f"{reverse('quiz')}?taken={result.pk}")
    context: dict[str, Any] = {"form": form, "pass_mark": settings.LICITE_QUIZ_PASS_MARK}
    if request.method == "GET":
        context["result"] = _own_result(request)
        if context["result"] is not None:
            context["missed"] = _missed(questions, context["result"], language)
    return render(request, "training/quiz.html", context)


def _own_result(request: HttpRequest) -> QuizResult | None:
    """The result just recorded (?taken=ID): the user's own, never another's."""
    taken = page_key(request, "taken")
    if taken is None or request.user.pk is None:
        return None
    return QuizResult.objects.filter(pk=taken, user_id=request.user.pk).first()


def _missed(questions: QuestionSet, result: QuizResult, language: str) -> list[dict[str, Any]]:
    """Each missed question, its right choices and why (when the set is still the one answered)."""
    if result.questions_version != questions.version:
        return []
    missed = set(result.missed)
    rows = []
    for number, question in enumerate(questions.questions, 1):
        if question.id in missed:
            wording = question.in_language(language)
            right = [f"{LETTERS[i]}) {wording.choices[i]}" for i in sorted(question.answers)]
            rows.append({"number": number, "text": wording.text, "right": right, "why": wording.explanation})
    return rows


@require_GET
@requires(Perm.READ_AUDIT)
def quiz_results(request: HttpRequest) -> HttpResponse:
    """The proof of training: who took the quiz when, with which score, 50 a page; and the staff
    who see prospects (RULES F5) without a passed quiz."""
    after, before = (page_key(request, name) for name in ("after", "before"))
    page = keyset_page(QuizResult.objects.all(), after=after, before=before, size=PAGE_SIZE)
    return render(request, "training/results.html", {"page": page, "untrained": _untrained()})


def _untrained() -> list[str]:
    """The usernames of the active users who see prospects and never passed the quiz."""
    passed = QuizResult.objects.filter(passed=True, user__isnull=False).values("user")
    users = get_user_model().objects.filter(is_active=True, role__in=PROSPECT_ROLES).exclude(pk__in=passed)
    return list(users.order_by("username").values_list("username", flat=True))
