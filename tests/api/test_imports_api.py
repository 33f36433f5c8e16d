"""Imports through the API (issue 23): the web wizard's path, its upload kept under a token
folder, the dry run or the import in the real worker, the CLI's messages for a bad file, and
the report without the file's values (RULES B3, B6, F5)."""

# The fixtures imported below are pytest's, received as arguments of the same name.
# ruff: noqa: F811
from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError

from licite.audit.models import AuditEvent
from licite.prospects.actions import do_save_source
from licite.prospects.models import ImportBatch, Prospect, Provenance
from tests.campaigns.test_campaigns import run_worker
from tests.conftest import import_file
from tests.web.test_import_pages import (
    MESSY,
    STATE_FILES,
    home,  # noqa: F401  (the test's own LICITE_HOME)
    stored_files,
)
from tests.web.test_import_worker import dead_pid, left_running

pytestmark = pytest.mark.django_db(transaction=True)  # the worker runs here: it commits
SOURCE = "Salon Industrie Lyon 2026"


def upload(api, content: bytes = MESSY, name: str = "exposants.csv", **fields):
    data = {"file": SimpleUploadedFile(name, content), "source": SOURCE, **fields}
    return api.post("/api/imports", data=data)


def data_files(home) -> list:
    return [path for path in stored_files(home) if path.name not in STATE_FILES]


def imported(api, **fields) -> dict:
    """An upload run by the worker: its state once done."""
    created = upload(api, **fields)
    assert created.status_code == 202, created.content.decode()
    run_worker()
    return api.get(created["Location"]).json()


# --- upload: 202 at once, the work in the worker --------------------------------------------------


def test_an_upload_answers_202_at_once_with_the_link_to_follow(api_as, source, home):
    api = api_as("marketing")
    response = upload(api)
    assert response.status_code == 202
    body = response.json()
    assert body["state"] == "queued"
    assert response["Location"] == body["url"] == f"/api/imports/{body['id']}"
    assert body["report_url"] == f"/api/imports/{body['id']}/report"
    assert (body["batch"], body["counts"], body["dry_run"]) == (None, None, False)
    [data] = data_files(home)
    assert data.parent.name == body["id"]
    assert data.stat().st_mode & 0o077 == 0
    assert Prospect.objects.count() == 0  # not in the request: in the worker


def test_the_worker_imports_it_and_the_state_gives_the_batch_and_counts(api_as, source, home):
    api = api_as("sales")
    body = imported(api)
    batch = ImportBatch.objects.get()
    assert (body["state"], body["batch"], body["error"]) == ("done", batch.pk, None)
    assert body["counts"] == {
        "rows_read": 6, "created": 4, "updated": 0, "unchanged": 0, "duplicates_in_file": 1,
        "suppressed": 0, "expired": 0, "rejected": 1,
    }  # fmt: skip
    assert Prospect.objects.count() == 4
    assert set(Provenance.objects.values_list("batch", "source")) == {(batch.pk, source.pk)}
    assert batch.imported_by == api.user
    assert AuditEvent.objects.get(action="import.completed").actor_id == api.user.pk
    assert data_files(home) == []  # RULES B6: the file went with its import


def test_the_report_gives_counts_dropped_columns_and_rejected_rows_without_their_value(api_as, source):
    api = api_as("marketing")
    body = imported(api)
    response = api.get(body["report_url"])
    report = response.json()
    assert report["counts"]["created"] == 4
    assert report["batch"] == ImportBatch.objects.get().pk
    assert report["columns"]["email"] == "E-mail"
    assert report["dropped_columns"] == [{"column": "'Commentaire' (column F)", "values": 1}]
    assert report["rejections"] == [{"line": 6, "column": "email", "reason": "invalid address: missing @"}]
    assert report["by_email_kind"] == {"nominative": 3, "private": 1}
    assert "pas-une-adresse" not in response.content.decode()


def test_the_same_file_again_is_done_with_nothing_to_do_naming_the_first_batch(api_as, source):
    api = api_as("marketing")
    first = imported(api)
    again = imported(api)
    assert again["state"] == "done"
    assert again["batch"] == first["batch"]
    assert "already imported" in again["already_imported"]
    assert Prospect.objects.count() == 4


def test_a_dry_run_reports_stores_nothing_and_its_file_goes(api_as, source, home, tmp_path):
    api = api_as("marketing")
    body = imported(api, dry_run="true")
    assert (body["state"], body["dry_run"], body["batch"]) == ("done", True, None)
    report = api.get(body["report_url"]).json()
    path = tmp_path / "exposants.csv"
    path.write_bytes(MESSY)
    cli = import_file(str(path), "--dry-run")
    for key in ("rows_read", "created", "duplicates_in_file", "rejected"):
        assert report["counts"][key] == cli[key], key
    assert report["dropped_columns"] == cli["dropped_columns"]
    assert [row["line"] for row in report["rejections"]] == [row["line"] for row in cli["rejections"]]
    assert Prospect.objects.count() == 0
    assert ImportBatch.objects.count() == 0
    assert data_files(home) == []  # nobody will confirm it (RULES B6)


def test_the_mapping_is_applied_as_map_is(api_as, source):
    api = api_as("marketing")
    body = imported(api, mapping=json.dumps({"Fonction": "drop", "Pays": "Country"}))
    report = api.get(body["report_url"]).json()
    assert "job_title" not in report["columns"]
    assert report["columns"]["country"] == "Pays"
    assert not Prospect.objects.exclude(job_title="").exists()


def test_a_collection_date_is_the_one_the_records_keep(api_as, source):
    api = api_as("marketing")
    imported(api, collected_on="2026-01-05")
    assert {f"{p.collected_at:%Y-%m-%d}" for p in Provenance.objects.all()} == {"2026-01-05"}


# --- bad input: the CLI's message, nothing kept ---------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"", "empty.csv"),
        (b"%PDF-1.4 not a table", "list.pdf"),
        (b"Email;Email\nx@acme.example;y@acme.example\n", "twice.csv"),
    ],
)
def test_a_bad_file_gets_the_clis_message_and_nothing_stays(api_as, source, home, tmp_path, content, name):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError) as cli:
        import_file(str(path))
    response = upload(api_as("marketing"), content, name)
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["message"]) == ("bad_file", str(cli.value))
    assert body["errors"] == [{"field": "file", "message": str(cli.value)}]
    assert stored_files(home) == []


def test_a_bad_line_found_by_the_dry_run_fails_it_naming_line_and_value(api_as, source, home):
    api = api_as("marketing")
    body = imported(api, content=b"Email;Nom\nx@acme.example;A;extra\n", dry_run="true")
    assert body["state"] == "failed"
    assert body["error"] == (
        "exposants.csv, line 2: value 'extra': this line has 3 values but the header has 2 columns "
        "(a value in column C, which has no header; is there an unquoted semicolon inside a value?)"
    )
    report = api.get(body["report_url"])
    assert (report.status_code, report.json()["code"]) == (422, "import_failed")
    assert stored_files(home) == [] or data_files(home) == []


def test_a_file_without_an_email_column_is_refused_naming_the_mapping(api_as, source, home):
    response = upload(api_as("marketing"), b"Nom;Pays\nDupont;France\n")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "mapping"
    assert "no email column found; the headers are: 'Nom', 'Pays'" in response.json()["message"]
    assert stored_files(home) == []


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ('{"Prénom": "shoe_size"}', "unknown field 'shoe_size'"),
        ('{"Fax": "email"}', "'Fax'"),
        ("[1, 2]", "expected a JSON object"),
        ("{not json", "expected a JSON object"),
    ],
)
def test_a_bad_mapping_is_refused_naming_the_field(api_as, source, home, mapping, message):
    response = upload(api_as("marketing"), mapping=mapping)
    assert response.status_code == 422
    body = response.json()
    assert body["errors"][0]["field"] == "mapping"
    assert message in body["message"]
    assert data_files(home) == []


def test_an_unknown_source_is_refused_naming_the_field(api_as, source, home):
    response = upload(api_as("marketing"), source="Nowhere")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "source", "message": "no source named 'Nowhere': declare it first"}
    ]
    assert stored_files(home) == []


def test_a_source_the_gate_refuses_is_refused_with_its_rule(api_as, home):
    """RULES C4: no balancing test, no legitimate-interest import."""
    do_save_source(None, "Annuaire", kind="directory", method="manual", extraction_allowed="yes")
    response = upload(api_as("marketing"), source="Annuaire")
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["rule"], body["errors"][0]["field"]) == ("source_refused", "C4", "source")
    assert "no balancing test" in body["message"]
    assert stored_files(home) == []


def test_a_collection_date_in_the_future_is_refused_naming_the_field(api_as, source, home):
    response = upload(api_as("marketing"), collected_on="2999-01-01")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "collected_on"
    assert stored_files(home) == []


def test_a_missing_file_is_refused_naming_the_field(api_as, source):
    response = api_as("marketing").post("/api/imports", data={"source": SOURCE})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"


# --- access (RULES F5) ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["other", "communication"])
def test_a_role_without_the_import_permission_is_forbidden_and_nothing_is_kept(api_as, source, home, role):
    api = api_as(role)
    response = upload(api)
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    assert stored_files(home) == []
    assert api.get("/api/imports/" + "x" * 32).status_code == 403


def test_another_user_cannot_follow_someones_import(api_as, source):
    token = upload(api_as("marketing")).json()["id"]
    other = api_as("sales")
    assert other.get(f"/api/imports/{token}").status_code == 404
    assert other.get(f"/api/imports/{token}/report").status_code == 404


def test_an_unknown_import_is_a_404(api_as):
    response = api_as("marketing").get("/api/imports/no-such-upload-0123456789abc")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_the_report_of_an_import_still_queued_is_a_409(api_as, source):
    api = api_as("marketing")
    body = upload(api).json()
    response = api.get(body["report_url"])
    assert (response.status_code, response.json()["code"]) == (409, "not_done")


def test_an_import_whose_worker_died_is_reported_failed_and_its_file_deleted(api_as, source, home):
    api = api_as("marketing")
    token = upload(api).json()["id"]
    left_running(token, dead_pid())  # what a worker killed in the middle of the import leaves
    body = api.get(f"/api/imports/{token}").json()
    assert body["state"] == "failed"
    assert body["error"].startswith("its worker was stopped")
    assert data_files(home) == []
