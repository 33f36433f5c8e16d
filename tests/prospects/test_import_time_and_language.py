"""What an import decides about time (RULES F1) and language (RULES D4), on both of its paths."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from licite.accounts.models import Organisation
from licite.campaigns.notices import notice_language
from licite.prospects.models import ImportBatch, Prospect, Provenance
from tests.conftest import import_file

pytestmark = pytest.mark.django_db

# The last row's note: read by polars, the file is gated column by column; a quoted line break
# sends it to the csv module, row by row.
PATHS = {"columns": "une note", "rows": '"une note\nsur deux lignes"'}
HEADER = "Prénom;Nom;E-mail;Pays;Langue;Commentaire\n"


def csv_for(write_csv, rows: str, path: str) -> str:
    last = f"Marc;Blanc;marc@blanc.example;;;{PATHS[path]}\n"
    return str(write_csv(HEADER + rows + last, name=f"{path}.csv"))


def four_years_ago() -> str:
    return (timezone.now() - timedelta(days=4 * 365)).date().isoformat()


@pytest.mark.parametrize("path", PATHS)
def test_a_list_collected_four_years_ago_is_reported_expired_and_nothing_is_kept(source, write_csv, path):
    rows = "Jeanne;Dupont;jeanne@acme.example;France;;\n;;pas-une-adresse;;;\n"
    report = import_file(csv_for(write_csv, rows, path), "--collected-on", four_years_ago())
    assert report["path"] == path
    assert (report["rows_read"], report["expired"], report["rejected"], report["created"]) == (3, 2, 1, 0)
    assert (report["unchanged"], report["duplicates_in_file"]) == (0, 0)
    assert any("retention ended" in warning and "RULES F1" in warning for warning in report["warnings"])
    assert not any("overdue" in warning for warning in report["warnings"])
    assert (Prospect.objects.count(), Provenance.objects.count()) == (0, 0)
    assert ImportBatch.objects.get().report["expired"] == 2


def test_a_file_refused_as_expired_imports_again_once_its_collection_date_is_corrected(source, write_csv):
    """A mistyped --collected-on must not make the file look imported already."""
    path = csv_for(write_csv, "Jeanne;Dupont;jeanne@acme.example;France;;\n", "columns")
    assert import_file(path, "--collected-on", four_years_ago())["created"] == 0
    day = (timezone.now() - timedelta(days=30)).date().isoformat()
    again = import_file(path, "--collected-on", day)
    assert (again["already_imported"], again["created"]) == ("", 2)
    assert import_file(path, "--collected-on", day)["already_imported"], "the kept import is the file's"


def test_the_report_table_says_how_many_rows_had_expired(source, write_csv):
    out = io.StringIO()
    path = csv_for(write_csv, "Jeanne;Dupont;jeanne@acme.example;France;;\n", "columns")
    call_command("import", path, "--source", source.name, "--collected-on", four_years_ago(), stdout=out)
    line = next(line for line in out.getvalue().splitlines() if "expired" in line)
    assert "expired (retention ended, RULES F1)" in line
    assert line.rstrip(" │|").endswith("2")


def test_a_list_collected_within_three_years_is_kept(source, write_csv):
    day = (timezone.now() - timedelta(days=2 * 365)).date().isoformat()
    report = import_file(
        csv_for(write_csv, "Jeanne;Dupont;jeanne@acme.example;;;\n", "columns"), "--collected-on", day
    )
    assert (report["expired"], report["created"]) == (0, 2)


@pytest.mark.parametrize("path", PATHS)
def test_without_a_country_the_company_domain_s_country_code_decides_the_language(source, write_csv, path):
    rows = (
        "Ann;Lee;ann.lee@acme.co.uk;;;\n"  # a country code other than French-speaking: English
        "Luc;Roy;luc.roy@acme.be;;;\n"  # a French-speaking one: French
        "Eva;Kim;eva.kim@acme.com;;;\n"  # generic: the organisation's default, decided when writing
        "Zoé;Roux;zoe.roux@orange.fr;;;\n"  # a free mailbox: generic
        "Tom;Ash;tom.ash@acme-uk.co.uk;France;;\n"  # the country first
        "Ivy;Bell;ivy.bell@acme.fr;;English;\n"  # the file's language before everything
        "Ida;Gro;ida.gro@acme.de;;Deutsch;\n"  # neither fr nor en: left to the domain, and said
    )
    report = import_file(csv_for(write_csv, rows, path))
    assert report["path"] == path
    languages = dict(Prospect.objects.values_list("email", "language"))
    assert languages == {
        "ann.lee@acme.co.uk": "en", "luc.roy@acme.be": "fr", "eva.kim@acme.com": "", "zoe.roux@orange.fr": "",
        "tom.ash@acme-uk.co.uk": "fr", "ivy.bell@acme.fr": "en", "ida.gro@acme.de": "en",
        "marc@blanc.example": "",
    }  # fmt: skip
    assert report["columns"]["language"] == "Langue"
    assert any(
        warning.startswith("1 languages were neither French nor English") for warning in report["warnings"]
    )


def test_a_prospect_with_no_sign_of_a_language_is_written_to_in_the_organisation_s(source, write_csv):
    import_file(csv_for(write_csv, "Eva;Kim;eva.kim@acme.com;;;\nAnn;Lee;ann.lee@acme.co.uk;;;\n", "columns"))
    organisation = Organisation(default_language="fr")
    assert notice_language(Prospect.objects.get(email="eva.kim@acme.com"), organisation) == "fr"
    assert notice_language(Prospect.objects.get(email="ann.lee@acme.co.uk"), organisation) == "en"


@pytest.mark.parametrize("path", PATHS)
def test_a_re_import_that_states_a_language_updates_the_known_prospect(source, write_csv, path):
    import_file(csv_for(write_csv, "Eva;Kim;eva.kim@acme.com;;;\n", path))
    assert Prospect.objects.get(email="eva.kim@acme.com").language == ""
    last = f"Marc;Blanc;marc@blanc.example;;;{PATHS[path]}\n"
    again = HEADER + "Eva;Kim;eva.kim@acme.com;;English;\n" + last
    report = import_file(str(write_csv(again, name=f"again-{path}.csv")))
    assert report["updated"] == 1
    assert Prospect.objects.get(email="eva.kim@acme.com").language == "en"
