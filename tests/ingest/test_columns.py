"""Mapping a file's headers to licite's fields, automatically and with --map."""

from __future__ import annotations

import pytest

from licite.ingest.columns import FIELDS, map_headers, normalize_header, parse_map_option
from licite.ingest.errors import IngestError, MappingError


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Prénom", "first_name"),
        ("Prenom", "first_name"),
        ("PRÉNOM ", "first_name"),
        ("First Name", "first_name"),
        ("firstname", "first_name"),
        ("first_name", "first_name"),
        ("Given name", "first_name"),
        ("Nom", "last_name"),
        ("Nom de famille", "last_name"),
        ("Last Name", "last_name"),
        ("Surname", "last_name"),
        ("E-mail", "email"),
        ("Email", "email"),
        ("e.mail", "email"),
        ("Courriel", "email"),
        ("Adresse e-mail", "email"),
        ("Adresse électronique", "email"),
        ("Mail", "email"),
        ("Email Address", "email"),
        ("Fonction", "job_title"),
        ("Poste", "job_title"),
        ("Titre", "job_title"),
        ("Job Title", "job_title"),
        ("Title", "job_title"),
        ("Position", "job_title"),
        ("Société", "company"),
        ("Societe", "company"),
        ("Entreprise", "company"),
        ("Organisation", "company"),
        ("Company", "company"),
        ("Company Name", "company"),
        ("Employer", "company"),
        ("Raison sociale", "company"),
        ("Site web", "company_domain"),
        ("Website", "company_domain"),
        ("Domaine", "company_domain"),
        ("Company domain", "company_domain"),
        ("Téléphone", "phone"),
        ("Tél.", "phone"),
        ("Phone", "phone"),
        ("Mobile", "phone"),
        ("Portable", "phone"),
        ("Pays", "country"),
        ("Country", "country"),
        ("Country/Region", "country"),
        ("Nom complet", "full_name"),
        ("Full name", "full_name"),
        ("Name", "full_name"),
    ],
)
def test_known_headers_map_to_their_field(header, field):
    mapping = map_headers(["Identifiant", header])

    assert mapping.field_index == {field: 1}
    assert mapping.dropped == [(0, "Identifiant")]


def test_headers_compare_without_case_accents_spaces_or_punctuation():
    assert normalize_header(" Adresse E-Mail ") == normalize_header("adresse_email") == "adresseemail"
    assert normalize_header("Œuvre") == "oeuvre"


def test_a_typical_french_export_is_mapped_and_the_rest_dropped():
    headers = [
        "Civilité", "Prénom", "Nom", "E-mail", "Fonction", "Société", "Site web", "Téléphone",
        "Pays", "Commentaire", "Date de naissance", "",
    ]  # fmt: skip

    mapping = map_headers(headers)

    assert mapping.field_index == {
        "email": 3,
        "first_name": 1,
        "last_name": 2,
        "job_title": 4,
        "company": 5,
        "company_domain": 6,
        "phone": 7,
        "country": 8,
    }
    assert mapping.dropped == [(0, "Civilité"), (9, "Commentaire"), (10, "Date de naissance"), (11, "")]
    assert mapping.warnings == []
    assert mapping.column_label(11) == "column L"
    assert mapping.header_of("email") == "E-mail"


def test_a_full_name_is_kept_only_without_first_and_last_names():
    assert map_headers(["Full name", "Email"]).field_index == {"email": 1, "full_name": 0}

    mapping = map_headers(["Name", "First name", "Last name", "Email"])

    assert "full_name" not in mapping.field_index
    assert mapping.dropped == [(0, "Name")]


def test_a_mobile_number_maps_to_phone_with_a_warning():
    mapping = map_headers(["Email", "Mobile"])

    assert mapping.field_index == {"email": 0, "phone": 1}
    assert mapping.warnings == [
        "column 'Mobile' is mapped to phone, but a mobile number is often personal: "
        "keep it only if it is a professional line"
    ]


def test_a_stronger_name_wins_over_a_weaker_one_for_the_same_field():
    mapping = map_headers(["Email", "Mobile", "Title", "Téléphone", "Job Title"])

    assert mapping.field_index == {"email": 0, "job_title": 4, "phone": 3}
    assert mapping.dropped == [(1, "Mobile"), (2, "Title")]
    assert mapping.warnings == []


def test_a_stronger_name_wins_even_after_two_weaker_ones():
    mapping = map_headers(["Mobile", "Portable", "Téléphone"])

    assert mapping.field_index == {"phone": 2}


def test_two_equally_good_columns_for_one_field_are_an_ambiguity_naming_both():
    with pytest.raises(MappingError) as caught:
        map_headers(["Nom", "E-mail", "Courriel"], file="prospects.csv")

    message = str(caught.value)
    assert message.startswith("prospects.csv: columns 'E-mail' (column B) and 'Courriel' (column C)")
    assert '--map "COLUMN=email"' in message


def test_map_overrides_an_automatic_choice_and_settles_an_ambiguity():
    mapping = map_headers(["Nom", "E-mail", "Courriel"], {"Courriel": "email"})

    assert mapping.field_index == {"email": 2, "last_name": 0}
    assert mapping.dropped == [(1, "E-mail")]


def test_map_can_drop_a_column_and_name_a_column_by_letter_or_any_case():
    mapping = map_headers(["Nom", "E-mail", "Courriel", "Divers"], {"courriel": "drop", "d": "job_title"})

    assert mapping.field_index == {"email": 1, "job_title": 3, "last_name": 0}
    assert mapping.dropped == [(2, "Courriel")]


def test_map_names_an_unknown_column_and_lists_the_headers():
    with pytest.raises(MappingError) as caught:
        map_headers(["Nom", "Email"], {"Mel": "email"}, file="p.csv")

    assert str(caught.value) == "p.csv: --map: no column 'Mel' in the file; its columns are 'Nom', 'Email'"


def test_map_names_an_unknown_field_and_lists_the_valid_ones():
    with pytest.raises(MappingError) as caught:
        map_headers(["Nom", "Email"], {"Nom": "surname"})

    message = caught.value.message
    assert "unknown field 'surname'" in message
    assert all(field in message for field in FIELDS)


def test_map_refuses_two_columns_for_one_field_naming_both():
    with pytest.raises(MappingError) as caught:
        map_headers(["Mail perso", "Mail pro"], {"Mail perso": "email", "Mail pro": "email"})

    assert "'Mail perso' (column A) and 'Mail pro' (column B)" in caught.value.message


def test_map_options_are_parsed():
    assert parse_map_option(["Adresse = email", "Nom du poste=Job-Title", "a=b=full name"]) == {
        "Adresse": "email",
        "Nom du poste": "job_title",
        "a=b": "full_name",
    }


@pytest.mark.parametrize("item", ["email", "=email", "Adresse=", " = "])
def test_a_malformed_map_option_is_refused(item):
    with pytest.raises(MappingError, match="--map expects COLUMN=FIELD"):
        parse_map_option([item])


def test_a_map_option_naming_a_column_twice_is_refused():
    with pytest.raises(IngestError, match="names column 'Nom' twice"):
        parse_map_option(["Nom=last_name", "Nom=full_name"])


@pytest.mark.parametrize(
    "header",
    ["Commentaire", "Commentaires", "COMMENTAIRES INTERNES", "Note", "Notes internes", "Remarque(s)",
     "Remarks", "Observations", "Texte libre", "Free text", "Mémo", "Comment", "Mes commentaires",
     "Personal notes", "Avis", "Historique", "Appréciation client", "Suivi commercial"],
)  # fmt: skip
def test_a_comment_column_is_never_mapped_onto_a_kept_field(header):
    with pytest.raises(MappingError) as caught:
        map_headers(["Email", header], {header: "company"}, file="p.csv")

    message = str(caught.value)
    assert message.startswith(
        f"p.csv: --map {header}=company: column '{header}' (column B) reads as a comment"
    )
    assert "RULES B6" in message


@pytest.mark.parametrize("header", ["Société", "Nom", "Fonction", "Téléphone", "Notoriété", "Pays"])
def test_a_header_that_is_no_comment_maps_as_asked(header):
    assert map_headers(["Email", header], {header: "company"}).field_index["company"] == 1


def test_a_comment_column_may_still_be_dropped_with_map():
    assert map_headers(["Email", "Commentaire"], {"Commentaire": "drop"}).field_index == {"email": 0}


@pytest.mark.django_db
def test_the_import_refuses_to_store_a_comment_under_a_kept_field(source, write_csv):
    from django.core.management import CommandError

    from licite.prospects.models import Prospect
    from tests.conftest import HEADER, import_file

    path = write_csv(HEADER + "Jeanne;Dupont;jeanne@acme.example;;;;Très bavarde;\n")
    with pytest.raises(CommandError, match=r"column 'Commentaire' \(column G\) reads as a comment.*RULES B6"):
        import_file(path, "--map", "Commentaire=company")
    assert Prospect.objects.count() == 0
