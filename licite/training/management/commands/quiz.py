from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from rich.markup import escape
from rich.table import Table

from licite.lib.commands import LiciteCommand
from licite.training.actions import NotAStaffMember, current_questions, do_record_quiz
from licite.training.models import QuizResult
from licite.training.questions import (
    LETTERS,
    AnswerError,
    Question,
    QuestionSet,
    QuizFileError,
    parse_answer,
    parse_answers,
)
from licite.training.questions import letters as as_letters


class Command(LiciteCommand):
    help = (
        "Take the staff awareness quiz, or list who passed it when: the proof of training (RULES H2, H3).\n\n"
        "The quiz asks each question in the terminal, explains its answer with the rule, grades the "
        "whole against LICITE_QUIZ_PASS_MARK and records the result for the user --as names. "
        "--answers gives every answer at once, comma-separated in the order of the questions: "
        "letters or numbers, several for several choices (a,bc,2,...). The questions are licite's "
        "(licite/training/questions.toml) then the organisation's own (LICITE_QUIZ_FILE)."
    )
    example = (
        "licite quiz --lang fr --as alice; licite quiz --answers abc,abcd,... --as bob; "
        "licite quiz results --json"
    )
    examples = {
        "results": "licite quiz results",
    }

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--lang", choices=("fr", "en"), help="The quiz's language (default LICITE_LANGUAGE)"
        )
        parser.add_argument("--answers", help="Every answer at once, comma-separated: a,bc,2,...")
        commands = parser.add_subparsers(dest="subcommand", metavar="{results}")
        results = commands.add_parser(
            "results", help="Who took the quiz when, with the score: the proof of training"
        )
        results.add_argument("--json", action="store_true", help="Print the results as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "results":
            self._results(options["json"])
            return
        try:
            questions = current_questions()
        except QuizFileError as exc:
            raise CommandError(str(exc)) from None
        if not getattr(self.actor, "pk", None):
            raise CommandError(
                f"the quiz records a licite user's training: {self.actor} is none; name one with --as USER"
            )
        language = options["lang"] or settings.LANGUAGE_CODE
        given = self._given(options["answers"], questions)
        with translation.override(language):
            answers = self._ask(questions, language, given)
            try:
                result = do_record_quiz(self.actor, questions, answers, language)
            except NotAStaffMember as exc:
                raise CommandError(str(exc)) from None
            self._summary(result)

    def _given(self, raw: str | None, questions: QuestionSet) -> list[frozenset[int]] | None:
        if raw is None:
            return None
        try:
            return parse_answers(raw, questions.questions)
        except AnswerError as exc:
            raise CommandError(f"--answers: {exc}") from None

    def _ask(
        self, questions: QuestionSet, language: str, given: Sequence[frozenset[int]] | None
    ) -> list[frozenset[int]]:
        console = self.console()
        console.print(_("Staff awareness quiz: %(count)d questions. Type the letter of each right "
                        "choice: one or several (b, or ac).") % {"count": len(questions)})  # fmt: skip
        answers = []
        for number, question in enumerate(questions.questions, 1):
            wording = question.in_language(language)
            heading = _("Question %(number)d of %(count)d") % {"number": number, "count": len(questions)}
            console.print(f"\n[bold]{heading}[/bold]  {escape(wording.text)}")
            for letter, choice in zip(LETTERS, wording.choices, strict=False):
                console.print(f"  {letter}) {escape(choice)}")
            chosen = given[number - 1] if given is not None else self._read_answer(question)
            if given is not None:
                console.print(_("Your answer: %(letters)s") % {"letters": as_letters(chosen)})
            self._explain(question, chosen, language)
            answers.append(chosen)
        return answers

    def _read_answer(self, question: Question) -> frozenset[int]:
        """Ask until the answer names choices of the question; stop if the input ends."""
        while True:
            self.stdout.write(_("Your answer: "), ending="")
            self.stdout.flush()
            line = sys.stdin.readline()
            if not line:
                raise CommandError("no answer: the input ended before the last question (nothing recorded)")
            try:
                return parse_answer(line, len(question.fr.choices))
            except AnswerError:
                last = LETTERS[len(question.fr.choices) - 1]
                self.stdout.write(
                    _("Not a choice of this question: type letters from a to %(last)s, such as b or ac.")
                    % {"last": last}
                )

    def _explain(self, question: Question, chosen: frozenset[int], language: str) -> None:
        console = self.console()
        if question.is_right(chosen):
            right = _("Right.")
            console.print(f"[green]✓ {right}[/green]")
        else:
            wrong = _("Wrong: the answer was %(letters)s.") % {"letters": ", ".join(question.answer_letters)}
            console.print(f"[red]✗ {wrong}[/red]")
        console.print(f"  {escape(question.in_language(language).explanation)}")

    def _summary(self, result: QuizResult) -> None:
        percent = round(100 * result.score / result.total)
        values = {"score": result.score, "total": result.total, "percent": percent, "mark": result.pass_mark}
        line = (
            _("Score: %(score)d/%(total)d (%(percent)d %%): passed (pass mark %(mark)d %%).")
            if result.passed
            else _("Score: %(score)d/%(total)d (%(percent)d %%): not passed (pass mark %(mark)d %%).")
        )
        self.console().print(f"\n[bold]{line % values}[/bold] " + _("Recorded as proof of training."))

    def _results(self, as_json: bool) -> None:
        results = list(QuizResult.objects.all())
        if as_json:
            self.stdout.write(json.dumps([_as_dict(result) for result in results], indent=2))
            return
        if not results:
            self.stdout.write("No one has taken the quiz yet.")
            return
        table = Table("user", "taken at", "score", "result", "language", "question set")
        for result in results:
            table.add_row(
                result.username, timezone.localtime(result.taken_at).strftime("%Y-%m-%d %H:%M"),
                f"{result.score}/{result.total}", "passed" if result.passed else "not passed",
                result.language, result.questions_version[:12],
            )  # fmt: skip
        self.console().print(table)


def _as_dict(result: QuizResult) -> dict[str, Any]:
    return {
        "user": result.username,
        "taken_at": result.taken_at.isoformat(),
        "score": result.score,
        "total": result.total,
        "pass_mark": result.pass_mark,
        "passed": result.passed,
        "language": result.language,
        "questions_version": result.questions_version,
        "missed": result.missed,
    }
