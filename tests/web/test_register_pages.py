"""The register pages: the activities with the live figures the export quotes, an activity's
fiche and form written through do_save_activity, the organisation's contacts, the export by the
same function as `licite register export` (RULES H1, D4, B7, F5)."""

# The fixtures imported below are pytest's, received as arguments of the same name.
# ruff: noqa: F811
from __future__ import annotations

import pytest
from django.urls import reverse
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

from licite.accounts.models import Organisation
from licite.audit.models import AuditEvent
from licite.register.models import ProcessingActivity
from tests.conftest import HEADER, import_file
from tests.register.conftest import initialised  # noqa: F401

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}
PASSWORD = "correct horse battery"
B2B_FR = "Prospection commerciale B2B par courrier électronique"
ROWS = HEADER + "".join(
    f"Jeanne;Dupont;jeanne.dupont{n}@acme-industrie.example;Directrice achats;Acme;;;France\n"
    for n in range(3)
)


@pytest.fixture
def logged(client, dpo, initialised):
    client.force_login(dpo)
    return client


def b2b() -> ProcessingActivity:
    return ProcessingActivity.objects.get(preset="b2b_prospecting")


def form_data(activity: ProcessingActivity, **changes: object) -> dict[str, object]:
    """What the edit form posts back unchanged, with `changes` on top."""
    from licite.register.forms import ActivityForm

    form = ActivityForm(instance=activity)
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if name == "sources":
            value = [source.pk for source in value or []]
        if isinstance(value, bool):
            value = "on" if value else ""
        data[name] = "" if value is None else value
    data.update(changes)
    return {key: value for key, value in data.items() if value not in ("", [])}


# --- access (RULES F5) ---------------------------------------------------------------------------


def test_the_register_asks_to_log_in(client, initialised):
    response = client.get(reverse("register"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_salesperson_may_neither_read_edit_nor_export_the_register(client, salesperson, initialised):
    client.force_login(salesperson)
    pk = b2b().pk
    for url in (reverse("register"), reverse("activity_detail", args=[pk]), reverse("register_export")):
        assert client.get(url).status_code == 403
    assert client.post(reverse("activity_edit", args=[pk]), {"name": "x"}).status_code == 403
    assert client.post(reverse("register_export"), {"format": "xlsx", "lang": "fr"}).status_code == 403
    assert not AuditEvent.objects.filter(action="register.exported").exists()
    assert b2b().name == B2B_FR


# --- the register and a fiche ----------------------------------------------------------------------


def test_the_register_lists_each_activity_with_its_live_figures_and_the_contacts(logged, source, write_csv):
    import_file(write_csv(ROWS))
    response = logged.get(reverse("register"), headers=EN)
    page = response.content.decode()
    assert response.status_code == 200
    assert B2B_FR in page
    assert "Records held: <strong>3</strong>" in page
    assert all(contact in page for contact in ("Acme SAS", "Jeanne Dupont", "dpo@acme.example"))
    assert "jeanne.dupont0@" not in page  # counts only, never an address


def test_an_activity_s_fiche_shows_its_fields_and_figures(logged, source, write_csv):
    import_file(write_csv(ROWS))
    response = logged.get(reverse("activity_detail", args=[b2b().pk]), headers=EN)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Prospecter par courrier électronique" in page
    assert "Legitimate interest (art. 6.1.f)" in page
    assert "Civil status, identity, identification data, images" in page
    assert "Records held" in page


def test_an_unknown_activity_is_a_404(logged):
    assert logged.get(reverse("activity_detail", args=[999999])).status_code == 404


# --- editing (RULES H1, D4, B7) ---------------------------------------------------------------------


def test_an_edit_goes_through_the_action_and_is_audited_with_the_field_names_only(logged, dpo):
    activity = b2b()
    data = form_data(activity, purpose_fr="Prospecter les acheteurs", purpose_en="Prospect buyers")
    response = logged.post(reverse("activity_edit", args=[activity.pk]), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("activity_detail", args=[activity.pk])
    activity.refresh_from_db()
    assert (activity.purpose_fr, activity.purpose_en) == ("Prospecter les acheteurs", "Prospect buyers")
    event = AuditEvent.objects.filter(action="processingactivity.updated").get()
    assert (event.object_id, event.actor, event.via) == (str(activity.pk), dpo, "web")
    assert event.detail["fields"] == ["purpose_en", "purpose_fr"]
    assert "acheteurs" not in str(event.detail)


def test_unchanged_categories_keep_their_retention_texts_and_a_new_one_is_added(logged):
    activity = b2b()
    before = {row["category"]: row for row in activity.rows("data_categories")}
    ticked = [*before, "economic"]
    logged.post(reverse("activity_edit", args=[activity.pk]), form_data(activity, data_categories=ticked))
    after = {
        row["category"]: row for row in ProcessingActivity.objects.get(pk=activity.pk).rows("data_categories")
    }
    assert list(after) == [key for key in ticked if key in after]
    assert set(after) == {*before, "economic"}
    assert all(after[key] == before[key] for key in before)
    assert after["economic"]["retention_fr"] == ""


def test_lists_are_one_item_a_line_and_transfers_are_checked_as_the_cli_does(logged):
    activity = b2b()
    data = form_data(
        activity,
        sub_purposes_fr="Envoyer l'offre\n\n  Relancer  ",
        sub_purposes_en="Send the offer\nFollow up",
        transfers="Postmark | États-Unis | scc | https://postmarkapp.com/dpa",
    )
    assert logged.post(reverse("activity_edit", args=[activity.pk]), data).status_code == 302
    activity.refresh_from_db()
    assert activity.sub_purposes_fr == ["Envoyer l'offre", "Relancer"]
    assert activity.transfers == [
        {
            "recipient": "Postmark",
            "country": "États-Unis",
            "safeguard": "scc",
            "link": "https://postmarkapp.com/dpa",
        }
    ]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"purpose_en": ""}, "purpose_en", "Purpose (English): This field is required."),
        ({"retention_en": ""}, "retention_en", "Retention period or criteria (English): Write this text"),
        (
            {"transfers": "Postmark ; US"},
            "transfers",
            "Line 1: write recipient | country | safeguard | link.",
        ),
        ({"transfers": "Acme | Atlantis | scc"}, "transfers", "not a country: Atlantis"),
        ({"transfers": "Acme | India | adequacy"}, "transfers", "No adequacy decision covers IN"),
        ({"sub_purposes_en": "a\nb\nc\nd\ne\nf"}, "sub_purposes_en", "Write at most 5 sub-purposes"),
        ({"interest_pursued_fr": "", "interest_pursued_en": ""}, "interest_pursued_fr", "Required under"),
    ],
)
def test_a_bad_edit_names_the_field_and_stores_nothing(logged, changes, field, message):
    activity = b2b()
    data = {key: value for key, value in form_data(activity, **changes).items() if value != ""}
    response = logged.post(reverse("activity_edit", args=[activity.pk]), data, headers=EN)
    page = response.content.decode()
    assert response.status_code == 200
    assert f'id="{field}-error"' in page
    assert message in page.replace("&#x27;", "'")
    assert ProcessingActivity.objects.get(pk=activity.pk).updated_at == activity.updated_at
    assert not AuditEvent.objects.filter(action="processingactivity.updated").exists()


def test_a_new_activity_is_created_and_listed(logged):
    data = {
        "name": "Gestion des salons",
        "reference": "RT-09",
        "purpose_fr": "Inviter les clients aux salons",
        "purpose_en": "Invite customers to trade fairs",
        "legal_basis": "contract",
        "person_categories": ["customers"],
        "data_categories": ["identity", "professional_life"],
        "security_measures": ["access_control"],
        "software": "licite",
    }
    response = logged.post(reverse("activity_create"), data)
    created = ProcessingActivity.objects.get(name="Gestion des salons")
    assert response["Location"] == reverse("activity_detail", args=[created.pk])
    assert [row["category"] for row in created.rows("data_categories")] == ["identity", "professional_life"]
    assert AuditEvent.objects.filter(action="processingactivity.created", object_id=str(created.pk)).exists()
    assert "Gestion des salons" in logged.get(reverse("register")).content.decode()


def test_a_new_activity_without_a_name_or_persons_names_the_fields(logged):
    response = logged.post(reverse("activity_create"), {"legal_basis": "contract"}, headers=EN)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="name-error"' in page
    assert 'id="purpose_fr-error"' in page
    assert ProcessingActivity.objects.count() == 4


# --- the organisation's contacts ---------------------------------------------------------------------


def test_the_contacts_are_changed_through_do_set_organisation(logged):
    from licite.register.forms import OrganisationForm

    form = OrganisationForm(instance=Organisation.current())
    data = {name: value for name, value in form.initial.items() if name in form.fields and value is not None}
    data.update(dpo_name="Marc Durand", dpo_phone="+33 1 40 00 00 00")
    response = logged.post(reverse("register_organisation"), data)
    assert response.status_code == 302
    organisation = Organisation.objects.get()
    assert (organisation.dpo_name, organisation.dpo_phone) == ("Marc Durand", "+33 1 40 00 00 00")
    event = AuditEvent.objects.filter(action="organisation.updated").get()
    assert event.detail["fields"] == ["dpo_name", "dpo_phone"]


def test_a_bad_siren_is_named_in_the_contacts_form(logged):
    from licite.register.forms import OrganisationForm

    data = {
        k: v for k, v in OrganisationForm(instance=Organisation.current()).initial.items() if v is not None
    }
    data.update(siren="123")
    response = logged.post(reverse("register_organisation"), data, headers=EN)
    assert response.status_code == 200
    assert 'id="siren-error"' in response.content.decode()
    assert Organisation.objects.get().siren == "912345675"


# --- the export (the same function as `licite register export`) -------------------------------------


def test_the_xlsx_export_reads_back_with_the_live_figures_and_is_audited(logged, source, write_csv, tmp_path):
    import_file(write_csv(ROWS))
    response = logged.post(reverse("register_export"), {"format": "xlsx", "lang": "fr"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'attachment; filename="registre-' in response["Content-Disposition"]
    path = tmp_path / "registre.xlsx"
    path.write_bytes(response.content)
    book = CalamineWorkbook.from_path(str(path))
    first = book.get_sheet_by_name("Registre").to_python()
    assert any(row[:2] == [B2B_FR, "RT-01"] for row in first)
    fiche = book.get_sheet_by_name(next(name for name in book.sheet_names if name.startswith("RT-01")))
    assert next(row[1] for row in fiche.to_python() if row and row[0] == "Fiches détenues") == 3
    event = AuditEvent.objects.filter(action="register.exported").get()
    assert (event.detail["format"], event.detail["language"], event.via) == ("xlsx", "fr", "web")


def test_the_pdf_export_in_english_is_text_a_person_reads(logged, tmp_path):
    response = logged.post(reverse("register_export"), {"format": "pdf", "lang": "en"})
    assert response.content.startswith(b"%PDF")
    path = tmp_path / "register.pdf"
    path.write_bytes(response.content)
    text = "".join(page.extract_text() for page in PdfReader(str(path)).pages)
    assert "Register of processing activities" in text


def test_a_get_with_the_format_shows_the_form_and_exports_nothing(logged):
    """A link prefetcher or a crawler follows GETs: only the form's POST writes a download."""
    response = logged.get(reverse("register_export"), {"format": "xlsx", "lang": "fr"}, headers=EN)
    page = response.content.decode()
    assert response.status_code == 200
    assert '<form method="post"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert not AuditEvent.objects.filter(action="register.exported").exists()


def test_the_export_page_offers_every_format(logged):
    page = logged.get(reverse("register_export"), headers=EN).content.decode()
    for fmt in ("xlsx", "ods", "pdf", "html", "md"):
        assert f'value="{fmt}"' in page


def test_a_bad_format_is_named_in_the_page_and_nothing_is_exported(logged):
    response = logged.post(reverse("register_export"), {"format": "docx", "lang": "de"}, headers=EN)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="format-error"' in page
    assert 'id="lang-error"' in page
    assert not AuditEvent.objects.filter(action="register.exported").exists()
