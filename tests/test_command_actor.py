"""Who runs a command: `--as USER`, else the operating system's user; audited, and the collector
of what an import stores (RULES B3)."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from licite.audit.models import AuditEvent
from licite.prospects.models import ImportBatch, Prospect, Provenance
from tests.conftest import HEADER, import_file, run_licite

pytestmark = pytest.mark.django_db

ROWS = HEADER + "Jeanne;Dupont;jeanne.dupont@acme.example;;Acme;;;France\nPaul;Roy;paul@acme.example;;;;;\n"


def test_an_import_run_as_a_user_records_them_as_importer_collector_and_actor(source, write_csv, salesperson):
    report = import_file(write_csv(ROWS), "--as", "bob")
    batch = ImportBatch.objects.get(pk=report["batch"])
    assert batch.imported_by == salesperson
    assert set(Prospect.objects.values_list("collected_by", flat=True)) == {salesperson.pk}
    assert set(Provenance.objects.values_list("collected_by", flat=True)) == {salesperson.pk}
    event = AuditEvent.objects.get(action="import.completed")
    assert (event.actor, event.actor_label) == (salesperson, "bob")


def test_without_as_the_user_named_like_the_system_s_user_runs_the_command(
    source, write_csv, salesperson, monkeypatch
):
    monkeypatch.setenv("LOGNAME", "bob")
    import_file(write_csv(ROWS))
    assert set(Provenance.objects.values_list("collected_by", flat=True)) == {salesperson.pk}
    assert AuditEvent.objects.get(action="import.completed").actor == salesperson


def test_a_system_user_who_is_no_licite_user_is_audited_and_shown_as_collector_by_name(
    source, write_csv, monkeypatch, client, owner
):
    monkeypatch.setenv("LOGNAME", "jdoe")
    report = import_file(write_csv(ROWS))
    assert report["created"] == 2
    event = AuditEvent.objects.get(action="import.completed")
    assert (event.actor, event.actor_label) == (None, "os:jdoe")
    assert ImportBatch.objects.get().report["imported_by"] == report["imported_by"] == "os:jdoe"
    assert set(Provenance.objects.values_list("collected_by", flat=True)) == {None}
    client.force_login(owner)
    page = client.get(reverse("admin:prospects_prospect_change", args=[Prospect.objects.first().pk]))
    assert "os:jdoe" in page.content.decode()  # RULES B3: the provenance names who collected it


def test_an_unknown_user_is_refused_before_anything_is_imported(source, write_csv):
    with pytest.raises(CommandError, match=r"^--as: no active user 'nobody'$"):
        import_file(write_csv(ROWS), "--as", "nobody")
    assert not ImportBatch.objects.exists()


def test_an_inactive_user_is_refused(source, write_csv, salesperson):
    salesperson.is_active = False
    salesperson.save(update_fields=["is_active"])
    with pytest.raises(CommandError, match="--as: no active user 'bob'"):
        import_file(write_csv(ROWS), "--as", "bob")


def test_as_is_accepted_after_a_subcommand_and_the_change_is_audited_as_that_user(django_user_model):
    marketer = django_user_model.objects.create_user("mia", role="marketing")
    call_command(
        "sources", "add", "Annuaire CCI", "--kind", "directory", "--method", "manual",
        "--extraction-allowed", "unknown", "--as", "mia",
    )  # fmt: skip
    assert AuditEvent.objects.filter(action__startswith="source.").get().actor == marketer


def test_a_user_whose_role_may_not_do_it_is_refused_in_one_line(source, write_csv, outsider):
    """RULES F5: HR or finance may not import prospects, even from the command line."""
    with pytest.raises(CommandError, match=r"^--as: carol has the role 'other', which may not import "):
        import_file(write_csv(ROWS), "--as", "carol")
    assert not Prospect.objects.exists()


def test_the_matrix_is_checked_per_subcommand(salesperson):
    """Sales may see the sources but not declare one; export is not theirs either (RULES F5)."""
    call_command("sources", "list", "--as", "bob", stdout=io.StringIO())
    with pytest.raises(CommandError, match="which may not declare sources"):
        call_command(
            "sources", "add", "Annuaire CCI", "--kind", "directory", "--method", "manual",
            "--extraction-allowed", "unknown", "--as", "bob",
        )  # fmt: skip
    assert not AuditEvent.objects.filter(action__startswith="source.").exists()


def test_the_real_command_refuses_a_role_in_one_line_without_a_traceback(tmp_path):
    env = {"LICITE_HOME": str(tmp_path), "LICITE_DATABASE_URL": "", "LICITE_EMAIL_BACKEND": "console"}
    assert run_licite("migrate", "-v", "0", env=env).returncode == 0
    create = "from licite.accounts.models import User; User.objects.create_user('hr', role='other')"
    assert run_licite("shell", "-c", create, env=env).returncode == 0
    result = run_licite("rights", "list", "--as", "hr", env=env)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "CommandError: --as: hr has the role 'other', which may not handle rights (RULES F5, docs/access.md)"
    ]


def test_the_suppression_list_audits_the_staff_member_who_added_an_address(owner):
    call_command("suppress", "add", "jean.dupont@example.fr", "--reason", "objection", "--as", "alice")
    assert AuditEvent.objects.get(action="suppression.added").actor == owner


def test_the_real_command_names_an_unknown_user_in_one_line(tmp_path):
    env = {"LICITE_HOME": str(tmp_path), "LICITE_DATABASE_URL": "", "LICITE_EMAIL_BACKEND": "console"}
    assert run_licite("migrate", "-v", "0", env=env).returncode == 0
    result = run_licite("sources", "list", "--as", "nobody", env=env)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == ["CommandError: --as: no active user 'nobody'"]
