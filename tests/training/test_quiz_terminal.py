"""`licite quiz` in the terminal, through the real process: each question asked on the standard
input, a bad answer asked again, each explanation shown, the result recorded and listed."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.conftest import LICITE, ROOT, run_licite
from tests.training.test_quiz import RIGHT


@pytest.fixture
def home(tmp_path):
    env = {"LICITE_HOME": str(tmp_path), "LICITE_DATABASE_URL": "", "LICITE_EMAIL_BACKEND": "console",
           "DJANGO_SUPERUSER_PASSWORD": "correct horse battery"}  # fmt: skip
    assert run_licite("migrate", "-v", "0", env=env).returncode == 0
    created = run_licite(
        "createsuperuser", "--noinput", "--username", "dana", "--email", "dana@acme.example", env=env
    )
    assert created.returncode == 0, created.stderr
    return env


def answer(env: dict[str, str], typed: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*LICITE, "quiz", *args, "--as", "dana"], input=typed, capture_output=True, text=True, timeout=120,
        cwd=ROOT, env={**os.environ, **env}, check=False,
    )  # fmt: skip


def test_a_member_of_staff_answers_in_the_terminal_and_the_result_is_listed(home):
    typed = "\n".join(["abc", "e", "a b c d", *RIGHT.split(",")[2:]]) + "\n"
    result = answer(home, typed, "--lang", "fr")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("Votre réponse : ") == 13  # the bad "e" is asked again
    assert (
        "Ce n'est pas un choix de cette question : tapez des lettres de a à d, par exemple b ou ac."
        in result.stdout
    )
    assert "Les trois : une plainte, l'actualité ou le hasard" in result.stdout
    assert "Score : 12/12 (100 %) : réussi (seuil de réussite 80 %)." in result.stdout
    listed = run_licite("quiz", "results", "--json", env=home)
    [row] = json.loads(listed.stdout)
    assert (row["user"], row["score"], row["total"], row["passed"], row["language"]) == (
        "dana",
        12,
        12,
        True,
        "fr",
    )


def test_input_that_ends_early_records_nothing_and_says_so_in_one_line(home):
    result = answer(home, "abc\nabcd\n", "--lang", "en")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "CommandError: no answer: the input ended before the last question (nothing recorded)"
    ]
    assert json.loads(run_licite("quiz", "results", "--json", env=home).stdout) == []


def test_answers_given_at_once_are_graded_by_the_real_command(home):
    result = run_licite("quiz", "--lang", "en", "--answers", RIGHT, "--as", "dana", env=home)
    assert result.returncode == 0, result.stderr
    assert "Score: 12/12 (100 %): passed (pass mark 80 %). Recorded as proof of training." in result.stdout
