"""A French page is French throughout: the reasons a source is refused for (a platform's terms,
the tool that copied it, the sanction), the import wizard's mapping messages (in the words of its
form, never `--map`), the dry run's dropped columns and warnings. The command line keeps its
English wording (licite.lib.refusals)."""

from __future__ import annotations

import html
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from licite.core.sources import KNOWN_PLATFORMS
from licite.ingest.columns import NO_EMAIL_COLUMN
from licite.lib import refusals
from licite.prospects.actions import do_save_source
from licite.prospects.models import Source
from tests.campaigns.test_campaigns import run_worker
from tests.conftest import ROOT
from tests.web.test_import_pages import token_of
from tests.web.test_refusals_in_french import cli_refusal, ingest_reasons, untranslated

FR = {"accept-language": "fr"}
EXPOSANTS = (ROOT / "examples" / "exposants.csv").read_bytes()
# English that must not reach a French page: licite's own words, never a name or a file's header.
ENGLISH = re.compile(
    r"--map|\bcolumns?\b|\brecognised\b|\bterms\b|\bmethod\b|(?<!a )\bsource '|\bis (?:LinkedIn|Kompass)\b|"
    r"\bdeliberation\b|\bUser Agreement, section\b|\bwere\b|\bdropped\b|\bfield\b"
)


@pytest.fixture
def home(settings, tmp_path):
    """The uploads' own home: the worker reads them there."""
    settings.LICITE_HOME = tmp_path / "home"
    return settings.LICITE_HOME


def english_in(text: str) -> list[str]:
    return ENGLISH.findall(text)


def text_of(response) -> str:
    """The page's text, as a reader sees it (tags removed, entities decoded)."""
    body = re.sub(r"(?s)<(script|style)\b.*?</\1>", "", response.content.decode())
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


# --- the sources: a platform's terms, and the tools that copy it (RULES B4) ------------------------


def stored_before_the_rule(name: str, **fields: str) -> Source:
    """A source saved as an older licite let it be, which the rule now refuses."""
    values = {"kind": "social_network", "extraction_allowed": "no", "method": "manual"} | fields
    return Source.objects.create(name=name, **values)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "french"),
    [
        (
            {"name": "LinkedIn", "url": "https://www.linkedin.com/", "method": "automated"},
            ["reconnue à son nom", "« Automatisée (aspiration, robot, extension) »", "« Manuelle »",
             "Conditions d'utilisation de LinkedIn", "sanction CNIL KASPR, délibération SAN-2024-020"],
        ),
        (
            {"name": "Contacts", "url": "https://lusha.com/", "method": "manual"},
            ["est Lusha, un outil qui copie LinkedIn (reconnue à son URL)",
             "ne peuvent être collectées par aucune méthode", "sanction CNIL KASPR"],
        ),
        (
            {"name": "Kompass", "method": "automated"},
            ["seulement « API », « Export », « Manuelle », « Achat »", "Conditions générales de Kompass"],
        ),
    ],
)  # fmt: skip
def test_a_source_a_platforms_terms_refuse_is_explained_in_french_on_its_page(client, owner, fields, french):
    source = stored_before_the_rule(**fields)
    client.force_login(owner)
    reasons = client.get(reverse("source_detail", args=[source.pk]), headers=FR).context["reasons"]
    assert len(reasons) == 1
    assert [words for words in french if words not in reasons[0]] == []
    assert english_in(reasons[0]) == []
    out = io.StringIO()
    with translation.override("fr"):  # the command line runs in English whatever is around it
        call_command("sources", "show", source.name, stdout=out)
    assert f"source {source.name!r} is " in out.getvalue()
    assert "its terms" in out.getvalue()


@pytest.mark.django_db
def test_a_directory_whose_terms_forbid_scraping_names_them_in_french(client, owner):
    """The platform's terms come from licite's table: said in French, the source's name as typed."""
    source = do_save_source(None, "Pages Jaunes plomberie", kind="directory", method="automated",
                            url="https://www.pagesjaunes.fr/").source  # fmt: skip
    client.force_login(owner)
    response = client.get(reverse("source_detail", args=[source.pk]), headers=FR)
    assert "Conditions d'utilisation de PagesJaunes (clause non vérifiée" in response.context["reasons"][0]
    assert english_in(response.context["reasons"][0]) == []
    assert "Conditions d'utilisation de PagesJaunes" in response.context["terms"]


@pytest.mark.django_db
def test_declaring_linkedin_says_in_french_that_its_terms_were_applied(client, owner):
    client.force_login(owner)
    form = {"name": "LinkedIn", "kind": "social_network", "url": "https://www.linkedin.com/in/",
            "method": "manual", "extraction_allowed": "yes", "visibility": "public"}  # fmt: skip
    response = client.post(reverse("source_create"), form, headers=FR, follow=True)
    said = [str(message) for message in response.context["messages"] if message.level_tag == "warning"]
    assert said[0].startswith("les conditions de LinkedIn disent « extraction permise » : « Non »")
    assert said[0].endswith("et non « Oui »")
    assert english_in(said[0]) == []


@pytest.mark.django_db
def test_a_method_linkedin_refuses_is_refused_in_french_beside_the_field(client, owner):
    client.force_login(owner)
    form = {"name": "LinkedIn", "kind": "social_network", "url": "", "method": "automated",
            "extraction_allowed": "no", "visibility": "public"}  # fmt: skip
    error = client.post(reverse("source_create"), form, headers=FR).context["form"].errors["method"][0]
    assert error.startswith("La source « LinkedIn » est LinkedIn (reconnue à son nom)")
    assert english_in(error) == []


def test_every_known_platforms_terms_and_every_source_reason_have_their_french():
    texts = [platform.terms_reference for platform in KNOWN_PLATFORMS]
    with translation.override("en"):
        texts += map(str, (*refusals.SOURCE_REFUSALS.values(), *refusals.RECOGNISED_BY.values()))
    assert untranslated(texts) == []


# --- the import wizard: its mapping, its dry run ----------------------------------------------------


def upload(client, source, content: bytes, name: str = "exposants.csv"):
    data = {"file": SimpleUploadedFile(name, content), "source": source.pk}
    return client.post(reverse("import_upload"), data, headers=FR)


def choose(client, token: str, fields: list[str]):
    """The mapping form sent with a field for each column, in file order."""
    data = {f"column_{index}": field for index, field in enumerate(fields)}
    return client.post(reverse("import_mapping", args=[token]), data, headers=FR)


@pytest.mark.django_db
def test_two_email_columns_are_named_in_french_with_the_forms_choices(client, salesperson, source, tmp_path):
    client.force_login(salesperson)
    token = token_of(upload(client, source, b"Email;Courriel;Nom\na@acme.example;b@acme.example;A\n"))
    problem = client.get(reverse("import_mapping", args=[token]), headers=FR).context["problem"]
    assert problem == (
        "exposants.csv : les colonnes 'Email' (colonne A) et 'Courriel' (colonne B) pourraient toutes deux "
        "être le champ « E-mail » : dans la liste Champ des colonnes, choisissez « E-mail » pour l'une et "
        "« Écartée (non conservée) » pour l'autre"
    )
    path = tmp_path / "exposants.csv"
    path.write_bytes(b"Email;Courriel;Nom\na@acme.example;b@acme.example;A\n")
    assert '--map "COLUMN=email"' in cli_refusal("import", str(path), "--source", source.name)


@pytest.mark.django_db
def test_a_comment_column_given_a_field_is_refused_in_the_forms_words(client, salesperson, source):
    """RULES B6: the wizard says which choice keeps it out, not which option to type."""
    client.force_login(salesperson)
    token = token_of(upload(client, source, EXPOSANTS))
    fields = ["first_name", "last_name", "email", "job_title", "company", "drop", "job_title", "country"]
    problem = choose(client, token, fields).context["problem"]
    assert "la colonne 'Commentaire' (colonne G) se lit comme un commentaire" in problem
    assert problem.endswith("choisissez « Écartée (non conservée) » pour elle")
    assert english_in(problem) == []


@pytest.mark.django_db
def test_a_field_chosen_for_two_columns_is_named_by_its_label(client, salesperson, source):
    client.force_login(salesperson)
    token = token_of(upload(client, source, EXPOSANTS))
    fields = ["first_name", "first_name", "email", "job_title", "company", "drop", "drop", "country"]
    response = choose(client, token, fields)
    problem = response.context["problem"]
    said = "le champ « Prénom » est choisi pour deux colonnes, 'Prénom' (colonne A) et 'Nom' (colonne B)"
    assert said in problem
    assert english_in(problem) == []
    assert english_in(text_of(response)) == []


@pytest.mark.django_db(transaction=True)  # the dry run runs in the worker: it commits
def test_a_file_without_email_column_is_refused_at_the_dry_run_in_french(client, salesperson, source, home):
    client.force_login(salesperson)
    token = token_of(upload(client, source, b"Nom;Soci\xc3\xa9t\xc3\xa9\nDupont;Acme\n"))
    client.get(reverse("import_check", args=[token]), headers=FR)
    run_worker()
    response = client.get(reverse("import_check", args=[token]), headers=FR)
    assert response.context["problem"] == (
        "exposants.csv : aucune colonne d'e-mail trouvée ; les en-têtes sont : 'Nom', 'Société'. "
        "Choisissez « E-mail » pour la colonne qui contient les adresses"
    )
    assert english_in(text_of(response)) == []


@pytest.mark.django_db(transaction=True)
def test_the_dry_run_names_dropped_columns_and_warnings_in_french(client, salesperson, source, home):
    content = EXPOSANTS.replace(b";France\n", b";Atlantide\n", 1)  # a country licite cannot recognise
    client.force_login(salesperson)
    token = token_of(upload(client, source, content))
    client.get(reverse("import_check", args=[token]), headers=FR)
    run_worker()
    response = client.get(reverse("import_check", args=[token]), headers=FR)
    assert response.context["dropped"] == [("'Téléphone' (colonne F)", 1), ("'Commentaire' (colonne G)", 2)]
    assert response.context["warnings"] == [
        "numéros de téléphone écartés : aucun traitement du registre ne déclare de téléphone professionnel "
        "(RULES B6)",
        "pays non reconnus, laissés vides : 1",
    ]
    assert [row["column"] for row in response.context["rejections"]] == ["E-mail"]
    assert english_in(text_of(response)) == []


def test_every_mapping_reason_of_the_command_line_has_the_wizards_wording_in_french():
    """A new `--map` reason must be said in the form's words too, else the wizard would print it."""
    with_option = {reason for reason in ingest_reasons() if "--map" in reason} | {NO_EMAIL_COLUMN}
    assert with_option - set(refusals.WIZARD_MAPPING) == set()
    with translation.override("en"):
        wizard = [str(text) for text in refusals.WIZARD_MAPPING.values()]
    assert [text for text in wizard if "--map" in text] == []
    assert untranslated(wizard) == []


def test_every_warning_of_an_import_report_has_its_french():
    assert untranslated(refusals.IMPORT_WARNINGS.values()) == []
