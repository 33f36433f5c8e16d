"""The import wizard (issue 22): upload, the column mapping the CLI would detect, shown and
editable, the dry run's report, the import in the worker, and the batches with their reports.
A bad upload gets the CLI's message in the page and nothing is stored (RULES B3, B6, F5)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError
from django.urls import reverse

from licite.audit.models import AuditEvent
from licite.prospects import uploads
from licite.prospects.actions import do_save_source
from licite.prospects.models import ImportBatch, Prospect, Provenance
from tests.campaigns.test_campaigns import run_worker
from tests.conftest import import_file

pytestmark = pytest.mark.django_db(transaction=True)  # the worker runs here: it commits
EN = {"accept-language": "en"}
STATE_FILES = ("state.json", ".lock")  # the wizard's state, no personal data
# Windows-1252, semicolons, CRLF, a comment column (RULES B6: dropped), an address with spaces and
# capitals, a row twice, an address that is none (line 6).
MESSY = (
    "Prénom;Nom;E-mail;Fonction;Société;Commentaire;Pays\r\n"
    "Jeanne;Dupont;jeanne.dupont@acme-industrie.example;Directrice des achats;Acme Industrie;"
    "Très sympa, rappeler après l'été;France\r\n"
    "Paul;Martin; Paul.Martin@ACME-Industrie.example ;Acheteur;Acme Industrie;;France\r\n"
    "Emily;Brown;emily.brown@northfield.example;Head of Procurement;Northfield;;Royaume-Uni\r\n"
    "Léa;Petit;lea.petit@gmail.com;;;;France\r\n"
    "Jean;Sansmail;pas-une-adresse;Acheteur;Acme Industrie;;France\r\n"
    "Jeanne;Dupont;jeanne.dupont@acme-industrie.example;Directrice des achats;Acme Industrie;;France\r\n"
).encode("cp1252")


@pytest.fixture(autouse=True)
def home(settings, tmp_path):
    """Uploads go under a LICITE_HOME of the test's own."""
    settings.LICITE_HOME = tmp_path / "home"
    return settings.LICITE_HOME


def post_file(client, content: bytes, source, name: str = "exposants.csv", **extra):
    data = {"file": SimpleUploadedFile(name, content), "source": source.pk, **extra}
    return client.post(reverse("import_upload"), data, headers=EN)


def token_of(response) -> str:
    found = re.search(r"/imports/new/([^/]+)/", response["Location"])
    assert found is not None
    return found.group(1)


def pending_of(token: str) -> uploads.PendingUpload:
    pending = uploads.load(token)
    assert pending is not None
    return pending


def stored_files(home: Path) -> list[Path]:
    return [path for path in (home / "imports").rglob("*") if path.is_file()] if home.exists() else []


def dry_run(client, token: str):
    """The check page, once the worker has run the dry run it queued."""
    client.get(reverse("import_check", args=[token]), headers=EN)
    run_worker()
    return client.get(reverse("import_check", args=[token]), headers=EN)


def uploaded(client, salesperson, source, content: bytes = MESSY) -> str:
    client.force_login(salesperson)
    response = post_file(client, content, source)
    assert response.status_code == 302, response.content.decode()[-2000:]
    return token_of(response)


# --- access (RULES F5) -----------------------------------------------------------------------------


def test_staff_with_no_prospecting_role_may_not_upload_nor_see_the_imports(client, outsider, source):
    client.force_login(outsider)
    assert client.get(reverse("import_upload")).status_code == 403
    assert post_file(client, MESSY, source).status_code == 403
    assert client.get(reverse("import_list")).status_code == 403


def test_another_user_cannot_go_on_with_someones_upload(client, salesperson, owner, source):
    token = uploaded(client, salesperson, source)
    client.force_login(owner)
    assert client.get(reverse("import_mapping", args=[token])).status_code == 404
    assert client.post(reverse("import_confirm", args=[token])).status_code == 404


# --- upload and mapping ------------------------------------------------------------------------------


def test_an_upload_is_kept_under_a_random_name_readable_by_licite_alone(client, salesperson, source, home):
    token = uploaded(client, salesperson, source)
    [data] = [path for path in stored_files(home) if path.name not in STATE_FILES]
    assert data.parent.name == token
    assert len(token) >= 30
    assert data.name == "exposants.csv"
    assert data.stat().st_mode & 0o077 == 0


def test_the_mapping_is_the_one_the_cli_detects_and_the_comment_is_dropped(client, salesperson, source):
    token = uploaded(client, salesperson, source)
    response = client.get(reverse("import_mapping", args=[token]), headers=EN)
    form = response.context["form"]
    chosen = {form[name].label: form[name].value() for name in form.fields}
    assert chosen == {
        "Prénom": "first_name", "Nom": "last_name", "E-mail": "email", "Fonction": "job_title",
        "Société": "company", "Commentaire": "drop", "Pays": "country",
    }  # fmt: skip


def test_a_changed_mapping_is_what_the_dry_run_uses(client, salesperson, source):
    token = uploaded(client, salesperson, source)
    choices = {f"column_{i}": f for i, f in enumerate(
        ["first_name", "last_name", "email", "drop", "company", "drop", "country"])}  # fmt: skip
    response = client.post(reverse("import_mapping", args=[token]), choices, headers=EN)
    assert response["Location"] == reverse("import_check", args=[token])
    report = dry_run(client, token).context["report"]
    assert "job_title" not in report.columns
    assert [item["column"] for item in report.dropped_columns] == [
        "'Fonction' (column D)",
        "'Commentaire' (column F)",
    ]


def test_two_columns_for_one_field_are_refused_naming_both(client, salesperson, source):
    token = uploaded(client, salesperson, source)
    choices = {f"column_{i}": "drop" for i in range(7)} | {"column_2": "email", "column_3": "email"}
    response = client.post(reverse("import_mapping", args=[token]), choices, headers=EN)
    assert response.status_code == 200
    assert (
        "the field “Email” is chosen for two columns, 'E-mail' (column C) and 'Fonction' (column D)"
        in (response.context["problem"])
    )
    assert pending_of(token).overrides == {}


def test_a_mapping_without_an_email_column_is_refused(client, salesperson, source):
    token = uploaded(client, salesperson, source)
    choices = {f"column_{i}": "drop" for i in range(7)}
    response = client.post(reverse("import_mapping", args=[token]), choices, headers=EN)
    assert "No column is mapped to the email" in response.content.decode()


def test_an_unknown_field_in_the_mapping_is_refused_naming_the_column(client, salesperson, source):
    token = uploaded(client, salesperson, source)
    choices = {f"column_{i}": "drop" for i in range(7)} | {"column_2": "email", "column_0": "shoe_size"}
    body = client.post(reverse("import_mapping", args=[token]), choices, headers=EN).content.decode()
    assert 'id="column_0-error"' in body
    assert "Prénom: Select a valid choice." in body


def test_a_comment_column_may_not_be_kept(client, salesperson, source):
    """RULES B6: free text about people is never stored, whatever field it is given."""
    token = uploaded(client, salesperson, source)
    choices = {f"column_{i}": "drop" for i in range(7)} | {"column_2": "email", "column_5": "job_title"}
    response = client.post(reverse("import_mapping", args=[token]), choices, headers=EN)
    assert "reads as a comment or free text" in response.context["problem"]


def test_two_columns_the_cli_finds_ambiguous_are_left_to_the_user_to_choose(client, salesperson, source):
    token = uploaded(client, salesperson, source, b"Email;Courriel;Nom\na@acme.example;b@acme.example;X\n")
    response = client.get(reverse("import_mapping", args=[token]), headers=EN)
    assert "could both be the field “Email”" in response.context["problem"]
    choices = {"column_0": "email", "column_1": "drop", "column_2": "last_name"}
    assert client.post(reverse("import_mapping", args=[token]), choices).status_code == 302


# --- bad uploads: the CLI's message, nothing stored ---------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.csv", "empty.csv: the file is empty"),
        (b"%PDF-1.4 not a table", "list.pdf", "list.pdf: this is a PDF document"),
        (b"Email;Email\nx@acme.example;y@acme.example\n", "twice.csv", "twice.csv, line 1, column 'Email': "
         "duplicated header: 'Email' (column A) and 'Email' (column B) have the same name"),
    ],
)  # fmt: skip
def test_a_bad_file_gets_the_clis_message_naming_the_file_field_and_nothing_stays(
    client, salesperson, source, home, content, name, message
):
    client.force_login(salesperson)
    response = post_file(client, content, source, name=name)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="file-error"' in body
    assert message in response.context["form"].errors["file"][0]
    assert stored_files(home) == []


def test_a_bad_line_found_by_the_dry_run_is_named_and_the_file_deleted(client, salesperson, source, home):
    token = uploaded(client, salesperson, source, b"Email;Nom\nx@acme.example;A;extra\n")
    response = dry_run(client, token)
    assert response.context["problem"] == (
        "exposants.csv, line 2: value 'extra': this line has 3 values but the header has 2 columns "
        "(a value in column C, which has no header; is there an unquoted semicolon inside a value?)"
    )
    assert stored_files(home) == []
    assert ImportBatch.objects.count() == 0


def test_the_messages_are_the_ones_the_cli_prints(client, salesperson, source, home, tmp_path):
    path = tmp_path / "list.pdf"
    path.write_bytes(b"%PDF-1.4 not a table")
    with pytest.raises(CommandError) as cli:
        import_file(str(path))
    client.force_login(salesperson)
    response = post_file(client, path.read_bytes(), source, name="list.pdf")
    assert response.context["form"].errors["file"] == [str(cli.value)]


def test_a_source_the_gate_refuses_is_named_and_nothing_is_stored(client, salesperson, home):
    """RULES C4: no balancing test, no legitimate-interest import."""
    bare = do_save_source(
        None, "Annuaire", kind="directory", method="manual", extraction_allowed="yes"
    ).source
    client.force_login(salesperson)
    response = post_file(client, MESSY, bare)
    assert 'id="source-error"' in response.content.decode()
    assert "This source may not feed an import" in response.context["form"].errors["source"][0]
    assert stored_files(home) == []


def test_a_collection_date_in_the_future_is_refused_naming_the_field(client, salesperson, source):
    client.force_login(salesperson)
    response = post_file(client, MESSY, source, collected_on="2999-01-01")
    assert 'id="collected_on-error"' in response.content.decode()


def test_a_missing_file_is_named(client, salesperson, source):
    client.force_login(salesperson)
    response = client.post(reverse("import_upload"), {"source": source.pk}, headers=EN)
    assert "File: This field is required." in response.content.decode()


def test_an_unknown_or_swept_upload_sends_back_to_the_upload_page(client, salesperson):
    client.force_login(salesperson)
    response = client.get(reverse("import_check", args=["no-such-upload-0123456789abc"]))
    assert response["Location"] == reverse("import_upload")


# --- the dry run ---------------------------------------------------------------------------------------


def test_the_dry_run_reports_what_the_cli_dry_run_reports_and_stores_nothing(
    client, salesperson, source, tmp_path
):
    token = uploaded(client, salesperson, source)
    response = dry_run(client, token)
    report = response.context["report"]
    path = tmp_path / "exposants.csv"
    path.write_bytes(MESSY)
    cli = import_file(str(path), "--dry-run")
    for key in ("rows_read", "created", "duplicates_in_file", "rejected", "dropped_columns", "rejections"):
        assert getattr(report, key) == cli[key], key
    body = response.content.decode()
    assert re.search(r"<td>6</td><td>Email</td><td>pas-une-adresse</td>", body)  # the field's label
    assert "&#x27;Commentaire&#x27; (column F)" in body
    assert Prospect.objects.count() == 0
    assert ImportBatch.objects.count() == 0


# --- confirm: the worker imports, the batch keeps the report ----------------------------------------


def test_confirmed_the_worker_imports_the_file_deletes_it_and_the_batch_shows_the_report(
    client, salesperson, source, home
):
    token = uploaded(client, salesperson, source)
    dry_run(client, token)
    response = client.post(reverse("import_confirm", args=[token]))
    assert response["Location"] == reverse("import_progress", args=[token])
    waiting = client.get(response["Location"], headers=EN)
    assert '<meta http-equiv="refresh"' in waiting.content.decode()
    assert Prospect.objects.count() == 0  # not in the web request: in the worker
    run_worker()
    done = client.get(reverse("import_progress", args=[token]), headers=EN)
    batch = ImportBatch.objects.get()
    assert done["Location"] == reverse("import_detail", args=[batch.pk])
    assert Prospect.objects.count() == 4
    assert set(Provenance.objects.values_list("batch", "source")) == {(batch.pk, source.pk)}
    assert batch.imported_by == salesperson
    assert not [path for path in stored_files(home) if path.name not in STATE_FILES]
    page = client.get(done["Location"], headers=EN).content.decode()
    assert '<dd id="created">4</dd>' in page
    assert '<dd id="rejected">1</dd>' in page
    assert "&#x27;Commentaire&#x27; (column F)" in page
    entry = AuditEvent.objects.get(action="import.completed")
    assert entry.actor_id == salesperson.pk


def test_the_list_of_imports_shows_each_batch_with_its_counts(client, salesperson, source, tmp_path):
    path = tmp_path / "exposants.csv"
    path.write_bytes(MESSY)
    import_file(str(path))
    client.force_login(salesperson)
    body = client.get(reverse("import_list"), headers=EN).content.decode()
    batch = ImportBatch.objects.get()
    assert reverse("import_detail", args=[batch.pk]) in body
    assert "exposants.csv" in body
    assert "<td>4</td>" in body  # created


def test_a_cancelled_upload_is_deleted_at_once(client, salesperson, source, home):
    token = uploaded(client, salesperson, source)
    client.post(reverse("import_cancel", args=[token]))
    assert stored_files(home) == []
    assert uploads.load(token) is None


def test_an_upload_left_for_a_day_is_swept(client, salesperson, source, home):
    token = uploaded(client, salesperson, source)
    uploads.sweep(now=pending_of(token).created + uploads.KEPT_SECONDS + 60)
    assert stored_files(home) == []


def test_a_failed_import_in_the_worker_says_why_without_the_files_values(client, salesperson, source):
    token = uploaded(client, salesperson, source)
    pending = pending_of(token)
    dry_run(client, token)
    pending.path.write_bytes(b"Email\n" + b"x@acme.example\n" + b"\x00secret@leak.example\n")
    client.post(reverse("import_confirm", args=[token]))
    run_worker()
    page = client.get(reverse("import_progress", args=[token]), headers=EN).content.decode()
    assert 'id="import-error"' in page
    assert "leak.example" not in page
    assert Prospect.objects.count() == 0
    assert not pending.path.exists()
