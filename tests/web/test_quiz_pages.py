"""The staff quiz in the browser: any member of staff answers it in their language, reads why each
missed answer was wrong, and the result is recorded as `licite quiz` records it; the DPO sees who
took it and who has not passed it (RULES H2, H3, F5)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from licite.audit.models import AuditEvent
from licite.training.actions import current_questions
from licite.training.models import QuizResult

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}
FR = {"accept-language": "fr"}


def answers(wrong: int = 0, skip: int = 0) -> dict[str, object]:
    """The right answers, but the first `wrong` questions answered wrong and question `skip` left out."""
    questions = current_questions()
    data: dict[str, object] = {"version": questions.version}
    for number, question in enumerate(questions.questions, 1):
        chosen = set(question.answers)
        if number <= wrong:
            chosen = set(range(len(question.en.choices))) - chosen or {0, 1}
        if number != skip:
            data[f"q{number}"] = [str(index) for index in sorted(chosen)]
    return data


def take(client, data, **headers):
    return client.post(reverse("quiz"), data, headers=headers or EN, follow=True)


def test_the_quiz_asks_to_log_in(client):
    response = client.get(reverse("quiz"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_staff_with_no_prospecting_role_take_the_quiz_too(client, outsider):
    client.force_login(outsider)
    response = client.get(reverse("quiz"), headers=EN)
    assert response.status_code == 200
    first = current_questions().questions[0]
    assert escape(first.en.text) in response.content.decode()
    assert 'id="results-link"' not in response.content.decode()  # the results are the DPO's


def test_the_questions_come_in_the_reader_s_language(client, salesperson):
    client.force_login(salesperson)
    first = current_questions().questions[0]
    html = client.get(reverse("quiz"), headers=FR).content.decode()
    assert escape(first.fr.text) in html
    assert escape(first.en.text) not in html


def test_a_question_left_unanswered_is_named_and_nothing_is_recorded(client, salesperson):
    client.force_login(salesperson)
    response = take(client, answers(skip=3))
    assert 'id="q3-error">Question 3: Tick at least one choice.' in response.content.decode()
    assert not QuizResult.objects.exists()


def test_answers_to_a_question_set_since_changed_are_not_graded(client, salesperson):
    client.force_login(salesperson)
    response = take(client, {**answers(), "version": "0" * 64})
    assert 'id="version-error">The questions changed since this page was opened' in response.content.decode()
    assert not QuizResult.objects.exists()


def test_all_right_answers_pass_and_are_recorded_as_proof_of_training(client, salesperson):
    client.force_login(salesperson)
    response = take(client, answers())
    html = response.content.decode()
    result = QuizResult.objects.get()
    total = len(current_questions())
    assert (result.user, result.score, result.total, result.passed, result.language) == (
        salesperson,
        total,
        total,
        True,
        "en",
    )
    assert f"Score: {total}/{total}" in html
    assert "Every answer was right." in html
    assert AuditEvent.objects.get(action="training.quiz_taken").actor == salesperson


def test_each_missed_answer_is_explained_with_the_right_choice(client, salesperson):
    client.force_login(salesperson)
    html = take(client, answers(wrong=2), **FR).content.decode()
    questions = current_questions().questions
    result = QuizResult.objects.get()
    assert result.missed == [questions[0].id, questions[1].id]
    assert result.language == "fr"
    assert escape(questions[0].fr.explanation) in html
    assert escape(questions[1].fr.explanation) in html
    assert escape(questions[2].fr.explanation) not in html


def test_a_user_sees_only_their_own_result(client, salesperson, outsider):
    client.force_login(salesperson)
    take(client, answers())
    client.force_login(outsider)
    html = client.get(reverse("quiz"), {"taken": QuizResult.objects.get().pk}, headers=EN).content.decode()
    assert 'id="quiz-result"' not in html
    assert 'id="quiz-form"' in html


# --- the results (RULES H2, H3) ------------------------------------------------------------------


@pytest.mark.parametrize("role", ["sales", "marketing", "communication", "other"])
def test_only_those_who_read_the_audit_see_the_results(client, django_user_model, role):
    client.force_login(django_user_model.objects.create_user(f"u-{role}", role=role))
    assert client.get(reverse("quiz_results")).status_code == 403


def test_a_quiz_taken_is_seen_in_the_results_and_the_untrained_are_named(
    client, salesperson, dpo, django_user_model
):
    django_user_model.objects.create_user("erin", role="marketing")
    client.force_login(salesperson)
    take(client, answers())
    client.force_login(dpo)
    response = client.get(reverse("quiz_results"), headers=EN)
    html = response.content.decode()
    assert response.status_code == 200
    total = len(current_questions())
    assert "<td>bob</td>" in html
    assert f"<td>{total}/{total}</td>" in html
    untrained = html[html.index('id="untrained"') : html.index("</section>", html.index('id="untrained"'))]
    assert "<li>erin</li>" in untrained
    assert "<li>dora</li>" in untrained
    assert "bob" not in untrained


def test_the_results_page_by_key_without_a_count(client, dpo):
    from django.utils import timezone

    QuizResult.objects.bulk_create(
        QuizResult(username=f"user{i:02}", score=1, total=2, pass_mark=80, passed=False, language="en",
                   questions_version="v", taken_at=timezone.now())
        for i in range(55)
    )  # fmt: skip
    client.force_login(dpo)
    first = client.get(reverse("quiz_results"), headers=EN)
    assert len(first.context["page"].items) == 50
    second = client.get(reverse("quiz_results"), {"after": first.context["page"].after}, headers=EN)
    assert [r.username for r in second.context["page"].items] == [f"user{i:02}" for i in range(4, -1, -1)]
