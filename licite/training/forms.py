"""The quiz as a form: one group of check boxes per question, in the reader's language."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from licite.training.questions import QuestionSet


class QuizForm(forms.Form):
    """Every question of the set, each answered by ticking one or several choices; `version`
    names the question set the page showed, so that answers are never graded against another."""

    version = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, questions: QuestionSet, language: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.fields["version"].initial = questions.version
        for number, question in enumerate(questions.questions, 1):
            wording = question.in_language(language)
            self.fields[self.name_of(number)] = forms.TypedMultipleChoiceField(
                label=wording.text,
                choices=list(enumerate(wording.choices)),
                coerce=int,
                widget=forms.CheckboxSelectMultiple,
                error_messages={"required": _("Tick at least one choice.")},
            )

    @staticmethod
    def name_of(number: int) -> str:
        return f"q{number}"

    def clean_version(self) -> str:
        version: str = self.cleaned_data["version"]
        if version != self.questions.version:
            raise forms.ValidationError(
                _("The questions changed since this page was opened: answer the new ones.")
            )
        return version

    def answers(self) -> list[frozenset[int]]:
        """The choices ticked, question by question, as licite.training.questions.grade takes them."""
        return [
            frozenset(self.cleaned_data[self.name_of(number)]) for number in range(1, len(self.questions) + 1)
        ]
