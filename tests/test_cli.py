"""`licite` wraps Django's commands: its help lists them, each of its own has an example, and at a
terminal it shows its own output, not the log lines of a service."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands

from licite.cli import DJANGO_COMMANDS
from tests.conftest import HEADER, LICITE, ROOT, run_licite
from tests.prospects.test_import_interrupted import prepared

OWN_COMMANDS = sorted(name for name, app in get_commands().items() if app.startswith("licite"))


def test_licite_help_lists_every_command_with_a_one_line_help():
    result = run_licite("--help")
    assert result.returncode == 0
    listed = {line.split()[0]: line for line in result.stdout.splitlines() if line.startswith("  ")}
    for name in [*OWN_COMMANDS, *DJANGO_COMMANDS]:
        assert name in listed, name
        assert len(listed[name].split()) > 2, f"{name} has no help text"


def test_licite_has_its_own_commands():
    assert {"init", "demo", "serve"} <= set(OWN_COMMANDS)


@pytest.mark.parametrize("name", OWN_COMMANDS)
def test_each_licite_command_help_ends_with_an_example(name):
    result = run_licite(name, "--help")
    assert result.returncode == 0
    example = result.stdout.split("example:\n", 1)[1].strip()
    assert f"licite {name}" in example


def test_an_unknown_command_is_named_without_a_traceback():
    result = run_licite("frobnicate")
    assert result.returncode != 0
    assert "Unknown command: 'frobnicate'" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [("sources", "list"), ("suppress", "check", "jean.dupont@example.fr")])
def test_a_database_not_migrated_yet_says_to_migrate_without_a_traceback(tmp_path, command):
    result = run_licite(*command, env={"LICITE_HOME": str(tmp_path), "LICITE_DATABASE_URL": ""})
    assert result.returncode != 0
    assert "is not set up for this version of licite: run `licite migrate` first" in result.stderr
    assert str(tmp_path / "licite.sqlite3") in result.stderr
    assert "Traceback" not in result.stderr


def test_a_database_that_cannot_be_reached_is_named_without_a_traceback(tmp_path):
    url = f"postgres://licite@/licite?host={tmp_path / 'no-server-here'}"
    result = run_licite("sources", "list", env={"LICITE_HOME": str(tmp_path), "LICITE_DATABASE_URL": url})
    assert result.returncode != 0
    assert "cannot open the database (" in result.stderr
    assert "check LICITE_DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_refuses_a_database_not_migrated_yet(tmp_path):
    result = run_licite(
        "serve", "--bind", "127.0.0.1:0", env={"LICITE_HOME": str(tmp_path), "LICITE_DATABASE_URL": ""}
    )
    assert result.returncode != 0
    assert "the database has unapplied migrations: run `licite migrate` first" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_command_leaves_its_objects_frozen_for_the_interpreter_s_teardown(tmp_path):
    # Without it the teardown scans every object of Django and polars again (0.2 s a command).
    code = "import gc, licite.cli; licite.cli.main(['licite', 'check']); print(gc.get_freeze_count())"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
        env={**os.environ, "LICITE_HOME": str(tmp_path), "LICITE_DATABASE_URL": "",
             "LICITE_EMAIL_BACKEND": "console"},  # no licite.E001: this test is about the teardown
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert int(result.stdout.split()[-1]) > 10_000


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path):
    """`licite --help | head -1`: the reader is gone before licite has written all it had."""
    env = {**os.environ, "LICITE_HOME": str(tmp_path), "LICITE_DATABASE_URL": ""}
    read, write = os.pipe()
    os.close(read)  # nobody reads: the first write breaks the pipe
    try:
        licite = subprocess.run(
            [*LICITE, "--help"],
            stdout=write,
            stderr=subprocess.PIPE,
            env=env,
            timeout=60,
        )
    finally:
        os.close(write)
    assert "Traceback" not in licite.stderr.decode()
    assert licite.returncode == 141


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """A migrated home with the source "Salon" ready for a legitimate-interest import."""
    return prepared(tmp_path_factory.mktemp("terminal"))


def import_one(env: dict[str, str], folder: Path, email: str) -> subprocess.CompletedProcess[str]:
    path = folder / f"{email.split('@')[0]}.csv"
    path.write_text(f"{HEADER}Anne;Roux;{email};Acheteuse;Roux Industrie;;;France\n", encoding="utf-8")
    done: subprocess.CompletedProcess[str] = run_licite("import", str(path), "--source", "Salon", env=env)
    return done


def test_a_clean_import_prints_its_report_and_nothing_on_standard_error(home, tmp_path):
    done = import_one(home, tmp_path, "anne.roux@roux-industrie.example")
    assert done.returncode == 0, done.stderr
    assert "created" in done.stdout
    assert done.stderr == ""


def test_licite_log_level_debug_shows_a_command_s_log_at_the_terminal(home, tmp_path):
    done = import_one({**home, "LICITE_LOG_LEVEL": "debug"}, tmp_path, "marc.roux@roux-industrie.example")
    assert done.returncode == 0, done.stderr
    assert " INFO licite.import import batch=" in done.stderr
    assert "roux" not in done.stderr  # ids and counts only


def test_the_worker_keeps_its_log_on_standard_error(home):
    done = run_licite("worker", "--batch", env=home)
    assert done.returncode == 0, done.stderr
    assert " INFO django_tasks_db Starting worker" in done.stderr
