"""The quiz's questions, read from TOML files a DPO can extend, and the grading of answers.

licite's own questions are in questions.toml beside this module; the organisation's own, in the
file LICITE_QUIZ_FILE names, are asked after them. A malformed file is refused with one line
naming the file, the question and the field. Nothing here imports Django.
"""

from __future__ import annotations

import hashlib
import json
import string
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

LANGUAGES = ("fr", "en")
OWN_QUESTIONS = Path(__file__).resolve().parent / "questions.toml"
LETTERS = string.ascii_lowercase


class QuizFileError(Exception):
    """A questions file cannot be read or a question in it is malformed."""

    def __init__(self, path: Path, message: str, question: str = "", field: str = "") -> None:
        where = "".join(
            (f"{path}", f": question {question!r}" if question else "", f": {field}" if field else "")
        )
        super().__init__(f"{where}: {message}")


class AnswerError(ValueError):
    """An answer that names no choice of its question."""


@dataclass(frozen=True, slots=True)
class Wording:
    """A question in one language."""

    text: str
    choices: tuple[str, ...]
    explanation: str


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    answers: frozenset[int]  # the indices of the right choices, from 0
    fr: Wording
    en: Wording

    def in_language(self, language: str) -> Wording:
        return self.fr if language == "fr" else self.en

    def is_right(self, chosen: frozenset[int]) -> bool:
        """Right only when exactly the right choices are chosen: all of them, and no other."""
        return chosen == self.answers

    @property
    def answer_letters(self) -> str:
        return letters(self.answers)


@dataclass(frozen=True, slots=True)
class QuestionSet:
    questions: tuple[Question, ...]

    @property
    def version(self) -> str:
        """A hash of every question's wording and answers: a result says which set it was taken on."""
        canonical = json.dumps([_plain(question) for question in self.questions], sort_keys=True,
                               ensure_ascii=False)  # fmt: skip
        return hashlib.sha256(canonical.encode()).hexdigest()

    def __len__(self) -> int:
        return len(self.questions)


def _plain(question: Question) -> dict[str, Any]:
    return {**asdict(question), "answers": sorted(question.answers)}


def letters(indices: Iterable[int]) -> str:
    return "".join(LETTERS[index] for index in sorted(indices))


def load_questions(extra: Path | None = None) -> QuestionSet:
    """licite's questions, then those of `extra` (LICITE_QUIZ_FILE); ids are unique across both."""
    questions = list(read_file(OWN_QUESTIONS))
    if extra is not None:
        seen = {question.id for question in questions}
        for question in read_file(extra):
            if question.id in seen:
                raise QuizFileError(extra, "this id is already used by another question", question.id, "id")
            seen.add(question.id)
            questions.append(question)
    return QuestionSet(tuple(questions))


def read_file(path: Path) -> list[Question]:
    """The questions of one file, or a QuizFileError naming the file, the question and the field."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise QuizFileError(path, f"cannot read it ({exc.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise QuizFileError(path, f"not valid TOML ({exc})") from None
    entries = data.get("questions")
    if not isinstance(entries, list) or not entries:
        raise QuizFileError(path, "no questions: write each one as a [[questions]] table")
    questions: list[Question] = []
    for number, entry in enumerate(entries, 1):
        question = _question(path, entry, number)
        if any(question.id == other.id for other in questions):
            raise QuizFileError(path, "this id is used twice", question.id, "id")
        questions.append(question)
    return questions


def _question(path: Path, entry: Any, number: int) -> Question:
    if not isinstance(entry, dict):
        raise QuizFileError(path, f"question number {number} is not a table")
    raw_id = entry.get("id")
    if not isinstance(raw_id, str) or not raw_id.strip():
        raise QuizFileError(path, "missing or empty", f"number {number}", "id")
    ident = raw_id.strip()
    fr, en = (_wording(path, ident, entry.get(language), language) for language in LANGUAGES)
    if len(fr.choices) != len(en.choices):
        raise QuizFileError(
            path, f"{len(fr.choices)} choices in French but {len(en.choices)} in English", ident, "choices"
        )
    return Question(ident, _answers(path, ident, entry.get("answers"), len(fr.choices)), fr, en)


def _wording(path: Path, ident: str, table: Any, language: str) -> Wording:
    if not isinstance(table, dict):
        raise QuizFileError(path, f"missing: write a [questions.{language}] table", ident, language)
    text = _text(path, ident, table, language, "text")
    explanation = _text(path, ident, table, language, "explanation")
    choices = table.get("choices")
    if not isinstance(choices, list) or len(choices) < 2:
        raise QuizFileError(path, "expected a list of at least 2 choices", ident, f"{language}.choices")
    if len(choices) > len(LETTERS):
        raise QuizFileError(path, f"at most {len(LETTERS)} choices", ident, f"{language}.choices")
    if not all(isinstance(choice, str) and choice.strip() for choice in choices):
        raise QuizFileError(path, "every choice must be a non-empty text", ident, f"{language}.choices")
    return Wording(text, tuple(choice.strip() for choice in choices), explanation)


def _text(path: Path, ident: str, table: dict[str, Any], language: str, field: str) -> str:
    value = table.get(field)
    if not isinstance(value, str) or not value.strip():
        raise QuizFileError(path, "missing or empty", ident, f"{language}.{field}")
    return value.strip()


def _answers(path: Path, ident: str, raw: Any, count: int) -> frozenset[int]:
    expected = f'expected a list of letters from a to {LETTERS[count - 1]}, such as ["b"] or ["a", "c"]'
    if not isinstance(raw, list) or not raw:
        raise QuizFileError(path, expected, ident, "answers")
    indices = set()
    for answer in raw:
        if not isinstance(answer, str) or answer.strip().lower() not in LETTERS[:count]:
            raise QuizFileError(path, f"{answer!r} is not a choice; {expected}", ident, "answers")
        indices.add(LETTERS.index(answer.strip().lower()))
    return frozenset(indices)


def parse_answer(raw: str, choices: int) -> frozenset[int]:
    """The choices an answer names: letters ("ac") or numbers from 1 ("13"), spaces aside."""
    chosen = set()
    for character in raw.strip().lower():
        if character in " +/;":
            continue
        if character in LETTERS[:choices]:
            chosen.add(LETTERS.index(character))
        elif character.isdigit() and 1 <= int(character) <= choices:
            chosen.add(int(character) - 1)
        else:
            raise AnswerError(
                f"{character!r} is not a choice (a to {LETTERS[choices - 1]}, or 1 to {choices})"
            )
    if not chosen:
        raise AnswerError("no choice given")
    return frozenset(chosen)


def parse_answers(raw: str, questions: Sequence[Question]) -> list[frozenset[int]]:
    """All the answers at once, comma-separated in the order of the questions ("a,bc,2,...")."""
    parts = raw.split(",")
    if len(parts) != len(questions):
        raise AnswerError(f"{len(questions)} questions but {len(parts)} answers given (comma-separated)")
    answers = []
    for number, (part, question) in enumerate(zip(parts, questions, strict=True), 1):
        try:
            answers.append(parse_answer(part, len(question.fr.choices)))
        except AnswerError as exc:
            raise AnswerError(f"answer {number} ({question.id}): {exc}") from None
    return answers


@dataclass(frozen=True, slots=True)
class Grade:
    score: int
    total: int
    missed: tuple[str, ...]  # the ids of the questions answered wrong

    def passed(self, pass_mark: int) -> bool:
        """Whether the score reaches the pass mark, a percentage."""
        return self.total > 0 and self.score * 100 >= pass_mark * self.total


def grade(questions: Sequence[Question], answers: Sequence[frozenset[int]]) -> Grade:
    if len(answers) != len(questions):
        raise AnswerError(f"{len(questions)} questions but {len(answers)} answers")
    missed = tuple(q.id for q, chosen in zip(questions, answers, strict=True) if not q.is_right(chosen))
    return Grade(len(questions) - len(missed), len(questions), missed)
