"""A campaign reaches the job titles its functions concern, as a French or English speaker reads
them; the preview says, for each excluded title, why; the organisation adds its own titles in the
admin (RULES C3, NESTOR)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from licite.accounts.models import Organisation
from licite.campaigns.actions import do_create_campaign, preview_campaign
from licite.prospects.models import Prospect
from tests.conftest import HEADER, import_file

pytestmark = pytest.mark.django_db(transaction=True)

TITLES = HEADER + (
    "Jeanne;Dupont;jeanne.dupont@acme-industrie.example;Acheteuse;Acme Industrie;;;France\n"
    "Paul;Martin;paul.martin@acme-industrie.example;Comptable;Acme Industrie;;;France\n"
    "Anne;Roux;anne.roux@acme-industrie.example;comptable;Acme Industrie;;;France\n"
    "Emily;Brown;emily.brown@northfield.example;Head of Sourcing;Northfield;;;Royaume-Uni\n"
    "Tom;Hill;tom.hill@northfield.example;Supply Planner;Northfield;;;Royaume-Uni\n"
    "Marc;Blanc;marc.blanc@acme-industrie.example;;Acme Industrie;;;France\n"
)


@pytest.fixture
def titled(organisation, source, write_csv):
    return import_file(write_csv(TITLES))


def campaign(functions: list[str], name: str = "Audit achats"):
    return do_create_campaign(
        None, name=name, purpose="Prospecting purchasing managers", offer="A purchasing audit",
        audience="b2b", functions=functions, subject_fr="Votre audit achats",
        subject_en="Your purchasing audit", body_fr="Nous auditons vos achats.",
        body_en="We audit your purchasing.",
    )  # fmt: skip


def eligible_titles(functions: list[str]) -> set[str]:
    preview = preview_campaign(campaign(functions), timezone.now())
    return set(Prospect.objects.filter(pk__in=preview.eligible).values_list("job_title", flat=True))


def test_the_readme_example_reaches_the_buyers_in_both_languages_and_genders(titled):
    assert eligible_titles(["achat", "procurement"]) == {"Acheteuse", "Head of Sourcing"}


def test_the_preview_says_for_each_excluded_title_why_with_counts(titled):
    campaign(["achat"])
    out = io.StringIO()
    call_command("campaign", "preview", "Audit achats", stdout=out)
    text = out.getvalue()
    assert (
        "3 excluded for their job title: matches none of the functions purchasing (achat, acheteur, "
        "buyer...) (RULES C3)" in text
    )
    assert "1 excluded for their job title: no job title (RULES C3)" in text
    rows = {tuple(cell.strip() for cell in line.strip("│ ").split("│")) for line in text.splitlines()}
    assert {("Comptable", "2"), ("Supply Planner", "1"), ("(none)", "1")} <= rows


def test_the_organisation_adds_its_own_titles_in_the_admin(titled, client, owner):
    client.force_login(owner)
    url = reverse("admin:accounts_organisation_change", args=[Organisation.objects.get().pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "singleton"}
    data["job_functions"] = json.dumps({"purchasing": ["supply planner"]})
    answer = client.post(url, data)
    assert answer.status_code == 302, answer.context["adminform"].form.errors
    assert eligible_titles(["achat"]) == {"Acheteuse", "Head of Sourcing", "Supply Planner"}


@pytest.mark.parametrize(
    ("language", "error"),
    [
        ("en", "Write an object that maps each function to a list of job titles"),
        ("fr", "Écrivez un objet qui associe à chaque fonction une liste d&#x27;intitulés de poste"),
    ],
)
def test_the_admin_refuses_additions_that_are_not_a_function_with_titles(
    titled, client, owner, language, error
):
    client.force_login(owner)
    url = reverse("admin:accounts_organisation_change", args=[Organisation.objects.get().pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "singleton"}
    data["job_functions"] = json.dumps({"purchasing": "supply planner"})
    answer = client.post(url, data, HTTP_ACCEPT_LANGUAGE=language)
    assert answer.status_code == 200
    assert error in answer.content.decode()
    assert Organisation.objects.get().job_functions == {}
