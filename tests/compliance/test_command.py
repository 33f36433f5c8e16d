"""The real `licite compliance` process: its exit codes for cron and CI, its table, its JSON, its audit
entry, and the document the inspection pack keeps."""

from __future__ import annotations

import json
import os
import sqlite3

import pytest
from django.utils import timezone

from licite.compliance.checks import CheckResult, run_checks
from licite.compliance.report import compliance_document
from licite.lib.documents import render
from tests.conftest import run_licite

PROFILE = ("--legal-name", "Acme SAS", "--address", "1 rue de la Paix, 75002 Paris", "--siren", "912345675",
           "--contact-email", "contact@acme.example", "--no-input")  # fmt: skip


@pytest.fixture
def home(tmp_path):
    env = {"LICITE_HOME": str(tmp_path / "home"), "LICITE_DATABASE_URL": "", "TMPDIR": str(tmp_path),
           "LICITE_EMAIL_BACKEND": "console", "LICITE_SUPPRESSION_KEY": ""}  # fmt: skip
    assert run_licite("migrate", "--noinput", env=env).returncode == 0
    return env


def test_the_exit_code_is_2_on_a_failure_1_on_a_warning_with_strict_0_when_all_pass(home, tmp_path):
    # A fresh installation: no organisation profile, a failure.
    result = run_licite("compliance", env=home)
    assert result.returncode == 2, result.stderr
    assert "Failure" in result.stdout
    assert "licite init" in result.stdout
    # The profile without a DPO, the key's backup not acknowledged: warnings only.
    assert run_licite("init", *PROFILE, env=home).returncode == 0
    assert run_licite("compliance", env=home).returncode == 0
    strict = run_licite("compliance", "--strict", env=home)
    assert strict.returncode == 1, strict.stdout + strict.stderr
    # Put right: every check passes, strict or not.
    assert run_licite("init", "--dpo-name", "Jeanne Martin", "--dpo-email", "dpo@acme.example", "--no-input",
                      env=home).returncode == 0  # fmt: skip
    fingerprint = run_licite("key", "fingerprint", env=home).stdout.split("fingerprint: ")[1].split()[0]
    assert run_licite("key", "acknowledge", fingerprint, env=home).returncode == 0
    passed = run_licite("compliance", "--strict", "--json", env=home)
    assert passed.returncode == 0, passed.stdout
    report = json.loads(passed.stdout)
    assert report["status"] == "ok"
    assert report["exit_code"] == 0
    assert all(check["status"] == "ok" for check in report["checks"])
    with sqlite3.connect(tmp_path / "home" / "licite.sqlite3") as database:
        query = "SELECT detail FROM audit_auditevent WHERE action = 'compliance.checked' ORDER BY sequence"
        runs = database.execute(query).fetchall()
    assert len(runs) == 4
    assert json.loads(runs[-1][0])["not_passed"] == []


def test_the_table_is_grouped_by_practice_and_speaks_french_when_asked(home):
    english = run_licite("compliance", env={**home, "COLUMNS": "200"})
    for practice in ("Lawful basis", "Purpose limitation", "Minimization", "Retention",
                     "Access limited to those who need it", "Information of the persons"):  # fmt: skip
        assert practice in english.stdout
    french = run_licite("compliance", "--lang", "fr", env={**home, "COLUMNS": "200"})
    assert "Base légale" in french.stdout
    assert "Non conforme" in french.stdout


@pytest.mark.django_db
def test_the_pack_document_lists_every_check_by_practice_in_the_chosen_language():
    results = run_checks(timezone.now())
    assert all(isinstance(result, CheckResult) for result in results)
    french = render(compliance_document(results, "fr"), "md").decode()
    assert "Contrôle de conformité" in french
    assert "Base légale" in french
    english = render(compliance_document(results, "en"), "html").decode()
    assert "Compliance check" in english
    assert "licite init" in english
    assert render(compliance_document(results, "en"), "pdf").startswith(b"%PDF")


def test_the_command_has_its_help_with_an_example():
    result = run_licite("compliance", "--help", env={"LICITE_HOME": os.environ.get("LICITE_HOME", "")})
    assert "--strict" in result.stdout
    assert "example:" in result.stdout
