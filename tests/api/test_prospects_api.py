"""The prospects through the API: a push passes the gate of a file import and answers as an import
of its row would; search, detail, restrict and erase do what the web's pages do, under the same
permissions (RULES A-C, B3, B6, F1, F4, F5, G4)."""

# The fixtures imported below are pytest's, received as arguments of the same name.
# ruff: noqa: F811
from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from licite.audit.models import AuditEvent
from licite.prospects.models import ImportBatch, Prospect, Provenance
from licite.register.models import ProcessingActivity
from licite.rights.actions import do_suppress
from licite.rights.models import RightsRequest, SuppressionEntry
from tests.campaigns.conftest import organisation, prospects  # noqa: F401
from tests.conftest import HEADER, import_file

pytestmark = pytest.mark.django_db
SALON = "Salon Industrie Lyon 2026"
JEANNE = "jeanne.dupont@acme-industrie.example"
RECORD = {
    "email": "Jeanne.Dupont@Acme-Industrie.example",
    "first_name": "Jeanne",
    "last_name": "Dupont",
    "job_title": "Directrice des achats",
    "company": "Acme Industrie",
    "country": "France",
    "source": SALON,
}


def push(api, **changes):
    return api.post("/api/prospects", {**RECORD, **changes})


def stored() -> tuple[int, int, int]:
    """Prospects, batches and provenance rows: what a push may leave behind."""
    return Prospect.objects.count(), ImportBatch.objects.count(), Provenance.objects.count()


def jeanne() -> Prospect:
    return Prospect.objects.get(email=JEANNE)


# --- push: created, updated, unchanged ----------------------------------------------------------------


def test_a_pushed_record_is_created_with_its_basis_clocks_and_provenance(api_as, source):
    response = push(api_as("marketing"))
    assert response.status_code == 201
    body = response.json()
    prospect = jeanne()
    assert body["id"] == prospect.pk
    assert (body["outcome"], body["dry_run"], body["source"]) == ("created", False, SALON)
    assert (body["email_kind"], body["legal_basis"], body["status"]) == (
        "nominative",
        "legitimate_interest",
        "active",
    )
    assert (prospect.legal_basis, prospect.country, prospect.job_title) == (
        "legitimate_interest",
        "FR",
        "Directrice des achats",
    )
    assert body["notice_due_at"].startswith(f"{prospect.notice_due_at:%Y-%m-%d}")
    assert body["retain_until"].startswith(f"{prospect.retain_until:%Y-%m-%d}")
    provenance = Provenance.objects.get(prospect=prospect)
    assert (provenance.source, provenance.batch_id, provenance.batch.filename) == (
        source,
        body["batch"],
        "api-push.csv",
    )
    assert provenance.collected_by.username == "api-marketing"


def test_a_private_mailbox_is_a_consumer_whose_basis_is_consent(api_as, source):
    body = push(api_as("sales"), email="lea.petit@gmail.com").json()
    assert (body["email_kind"], body["audience"], body["legal_basis"], body["status"]) == (
        "private",
        "b2c",
        "consent",
        "consent_pending",
    )


def test_pushed_again_a_record_is_unchanged_and_with_new_values_updated_never_re_skipped(api_as, source):
    api = api_as("marketing")
    first = push(api).json()
    retain_until = jeanne().retain_until
    again = push(api)
    assert (again.status_code, again.json()["outcome"], again.json()["id"]) == (200, "unchanged", first["id"])
    changed = push(api, job_title="Directrice financière")
    assert (changed.status_code, changed.json()["outcome"]) == (200, "updated")
    assert jeanne().job_title == "Directrice financière"
    # RULES F1b: an update of the record is no contact from the person: retention is not renewed.
    assert jeanne().retain_until == retain_until
    assert Provenance.objects.filter(prospect=jeanne()).count() == 3


def test_a_phone_is_dropped_with_a_warning_unless_an_activity_declares_it(api_as, source):
    body = push(api_as("marketing"), phone="01 42 00 00 00").json()
    assert jeanne().phone == ""
    assert any("RULES B6" in warning for warning in body["warnings"])


def test_a_phone_is_kept_when_the_purpose_declares_it(api_as, source):
    ProcessingActivity.objects.create(
        name="B2B", purpose_fr="p", purpose_en="p", legal_basis="legitimate_interest", data_subjects="d",
        retention_fr="3 ans", retention_en="3y", keeps_professional_phone=True,
    )  # fmt: skip
    push(api_as("marketing"), phone="01 42 00 00 00")
    assert jeanne().phone == "+33142000000"


def test_quotes_delimiters_and_line_breaks_in_a_value_pass_as_in_a_file(api_as, source):
    push(api_as("marketing"), company='Acme; "Les Forges", Lyon|Nord', job_title="Directrice\nachats\r\n")
    assert (jeanne().company, jeanne().job_title) == ('Acme; "Les Forges", Lyon|Nord', "Directrice achats")


def test_a_nul_character_is_a_422_naming_its_field(api_as, source):
    response = push(api_as("marketing"), first_name="Je\x00anne")
    assert (response.status_code, [e["field"] for e in response.json()["errors"]]) == (422, ["first_name"])
    assert stored() == (0, 0, 0)


def test_a_collection_date_sets_the_clocks_as_the_import_does(api_as, source):
    day = timezone.localdate() - timedelta(days=10)
    body = push(api_as("marketing"), collected_on=day.isoformat()).json()
    assert timezone.localtime(jeanne().collected_at).date() == day
    assert body["collected_at"].startswith(day.isoformat())


# --- push: what the gate refuses -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "rule"),
    [
        ("jeanne@@acme-industrie.example", "B5"),
        ("jeanne dupont@acme-industrie.example", "B5"),
        ("   ", "B5"),
        ("jeanne@acme-\u0456ndustrie.example", "A4"),  # a Cyrillic i (U+0456): a look-alike domain
    ],
)
def test_a_record_the_gate_refuses_answers_422_with_the_reason_an_import_of_its_row_gives(
    api_as, source, write_csv, address, rule
):
    response = push(api_as("marketing"), email=address)
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["rule"], body["errors"][0]["field"]) == ("refused", rule, "email")
    assert stored() == (0, 0, 0)
    report = import_file(write_csv(HEADER + f"Jeanne;Dupont;{address};;Acme;;;France\n"))
    assert body["message"] == body["errors"][0]["message"] == report["rejections"][0]["reason"]


def test_an_empty_address_is_refused_as_an_import_words_a_row_without_one(api_as, source):
    body = api_as("marketing").post("/api/prospects", {"email": "", "source": SALON}).json()
    assert (body["code"], body["message"], body["errors"][0]["field"]) == (
        "refused",
        "no email address",
        "email",
    )
    assert stored() == (0, 0, 0)


def test_a_suppressed_address_answers_422_and_stores_nothing(api_as, source):
    do_suppress(None, JEANNE, "objection")
    response = push(api_as("marketing"))
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["rule"], body["errors"][0]["field"]) == ("suppressed", "F4", "email")
    assert stored() == (0, 0, 0)
    refused = AuditEvent.objects.get(action="prospect.push_refused")
    assert (refused.via, refused.detail["code"]) == ("api", "suppressed")


def test_a_record_collected_more_than_three_years_ago_is_expired_and_not_kept(api_as, source):
    long_ago = date.today().replace(year=date.today().year - 4)
    body = push(api_as("marketing"), collected_on=long_ago.isoformat()).json()
    assert (body["code"], body["rule"], body["errors"][0]["field"]) == ("expired", "F1", "collected_on")
    assert stored() == (0, 0, 0)


def test_a_collection_date_in_the_future_is_a_422_naming_it(api_as, source):
    tomorrow = timezone.localdate() + timedelta(days=1)
    body = push(api_as("marketing"), collected_on=tomorrow.isoformat()).json()
    assert (body["code"], body["errors"][0]["field"]) == ("invalid", "collected_on")
    assert stored() == (0, 0, 0)


@pytest.mark.parametrize(
    ("visibility", "rule", "reason"),
    [("public", "C4", "no balancing test"), ("restricted", "B4", "restricted to their own network")],
)
def test_a_source_that_may_not_feed_an_import_is_refused_with_its_rule(api_as, db, visibility, rule, reason):
    from licite.prospects.actions import do_save_source

    do_save_source(None, "Annuaire", kind="directory", method="manual", visibility=visibility)
    body = push(api_as("marketing"), source="Annuaire").json()
    assert (body["code"], body["rule"], body["errors"][0]["field"]) == ("source_refused", rule, "source")
    assert reason in body["message"]
    assert stored() == (0, 0, 0)


def test_an_unknown_source_is_a_422_naming_it(api_as, source):
    body = push(api_as("marketing"), source="Nowhere").json()
    assert (body["code"], body["errors"][0]["field"]) == ("invalid", "source")


def test_a_field_the_purpose_does_not_need_is_refused_naming_it(api_as, source):
    response = push(api_as("marketing"), comment="très sympa")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["comment"]
    assert "sympa" not in response.content.decode()
    assert stored() == (0, 0, 0)


def test_a_dry_run_answers_as_the_push_would_and_stores_nothing(api_as, source):
    api = api_as("marketing")
    with time_machine.travel(timezone.now(), tick=False):  # both in the same second, as dates go
        dry = push(api, dry_run=True)
        assert dry.status_code == 201
        assert stored() == (0, 0, 0)
        real = push(api).json()
    expected = {**real, "id": None, "batch": None, "dry_run": True}
    assert dry.json() == expected
    again = push(api, dry_run=True, job_title="DAF")
    assert (again.status_code, again.json()["outcome"], again.json()["id"]) == (200, "updated", real["id"])
    assert jeanne().job_title == "Directrice des achats"


@pytest.mark.parametrize("role", ["other", "communication"])
def test_roles_that_may_not_import_get_403_and_nothing_is_stored(api_as, source, role):
    response = push(api_as(role))
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    assert stored() == (0, 0, 0)


def test_the_audit_trail_holds_the_push_with_via_api_and_no_address(api_as, source):
    api = api_as("sales")
    body = push(api).json()
    pushed = AuditEvent.objects.get(action="prospect.pushed")
    assert (pushed.via, pushed.actor, pushed.object_id) == ("api", api.user, str(body["id"]))
    assert pushed.detail == {"outcome": "created", "batch": body["batch"]}
    imported = AuditEvent.objects.get(action="import.completed")
    assert (imported.via, imported.object_id) == ("api", str(body["batch"]))
    called = AuditEvent.objects.filter(action="api.called").latest("sequence")
    assert called.detail["operation"] == "prospects_push"
    trail = str(list(AuditEvent.objects.values("detail", "object_id", "actor_label"))).lower()
    assert "jeanne" not in trail


def test_the_temporary_file_is_gone_after_the_push(api_as, source, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    push(api_as("marketing"))
    push(api_as("marketing"), email="x@@y")
    assert list(tmp_path.iterdir()) == []


def test_the_record_is_written_where_only_licite_may_read_it():
    from licite.prospects.push import _one_row_file

    with _one_row_file({"email": "jeanne@acme.example", "company": 'Acme "Nord"'}) as path:
        assert (path.stat().st_mode & 0o777, path.parent.stat().st_mode & 0o777) == (0o600, 0o700)
        assert path.read_text() == '"email","company"\n"jeanne@acme.example","Acme ""Nord"""\n'
    assert not path.parent.exists()


# --- search --------------------------------------------------------------------------------------------


@pytest.fixture
def many(source, write_csv):
    """120 prospects, imported in one batch, so that the list has three pages."""
    rows = "".join(
        f"Jean;Nom{i:03};jean.nom{i:03}@acme-industrie.example;;Acme;;;France\n" for i in range(120)
    )
    return import_file(write_csv(HEADER + rows))


def emails(response) -> list[str]:
    return [item["email"] for item in response.json()["items"]]


def test_the_search_pages_by_key_newest_first(api_as, many):
    api = api_as("sales")
    first = api.get("/api/prospects")
    assert first.status_code == 200
    assert (len(emails(first)), emails(first)[0]) == (50, "jean.nom119@acme-industrie.example")
    second = api.get("/api/prospects", {"after": first.json()["next"]})
    assert emails(second)[0] == "jean.nom069@acme-industrie.example"
    third = api.get("/api/prospects", {"after": second.json()["next"], "limit": 50})
    assert (len(emails(third)), third.json()["next"]) == (20, None)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "  Jeanne.Dupont@ACME-industrie.example "},
        {"q": "Paul.M"},
        {"q": "dup", "field": "name"},
        {"q": "northf", "field": "company"},
        {"audience": "b2c"},
        {"basis": "consent"},
        {"status": "consent_pending"},
        {"notice": "due"},
        {"notice": "overdue"},
        {"audience": "b2b", "q": "acme", "field": "company"},
    ],
)
def test_the_search_finds_what_the_web_list_finds_for_the_same_filters(
    client, salesperson, api_as, prospects, params
):
    client.force_login(salesperson)
    page = client.get(reverse("prospect_list"), params)
    on_the_web = [p.email for p in page.context["page"].items]
    assert emails(api_as("sales").get("/api/prospects", params)) == on_the_web
    assert on_the_web or params.get("notice") == "overdue"


def test_the_source_filter_keeps_the_prospects_of_that_source(api_as, prospects, source):
    from licite.prospects.actions import do_save_source

    other = do_save_source(None, "Annuaire", kind="directory", method="manual", visibility="public").source
    api = api_as("marketing")
    assert len(emails(api.get("/api/prospects", {"source": source.pk}))) == 4
    assert emails(api.get("/api/prospects", {"source": other.pk})) == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": "jeanne@@acme"}, "q"),
        ({"basis": "whim"}, "basis"),
        ({"limit": 0}, "limit"),
        ({"field": "x"}, "field"),
    ],
)
def test_a_bad_search_is_a_422_naming_the_field(api_as, prospects, params, field):
    response = api_as("sales").get("/api/prospects", params)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_staff_without_prospect_access_get_403_on_the_search_and_the_detail(api_as, prospects):
    api = api_as("other")
    assert api.get("/api/prospects").json()["code"] == "forbidden"
    response = api.get(f"/api/prospects/{jeanne().pk}")
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    assert "jeanne" not in response.content.decode()
    assert not AuditEvent.objects.filter(action="prospect.viewed").exists()


# --- one prospect -------------------------------------------------------------------------------------


def test_the_detail_holds_the_provenance_and_is_audited_as_the_web_detail(api_as, prospects, source):
    api = api_as("sales")
    prospect = jeanne()
    response = api.get(f"/api/prospects/{prospect.pk}")
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["email"], body["legal_basis"]) == (prospect.pk, JEANNE, "legitimate_interest")
    [provenance] = body["provenance"]
    assert (provenance["source"], provenance["source_id"], provenance["file"], provenance["line"]) == (
        SALON,
        source.pk,
        "prospects.csv",
        2,
    )
    assert (body["consents"], body["contacts"]) == ([], [])
    viewed = AuditEvent.objects.get(action="prospect.viewed")
    assert (viewed.object_id, viewed.actor, viewed.via, viewed.detail) == (
        str(prospect.pk),
        api.user,
        "api",
        {"page": "detail"},
    )


def test_a_consent_request_and_a_reply_are_in_the_detail(api_as, prospects):
    from licite.campaigns.actions import do_record_contact

    do_record_contact(None, jeanne(), "reply")
    contacts = api_as("marketing").get(f"/api/prospects/{jeanne().pk}").json()["contacts"]
    assert [(c["kind"], c["initiated_by_prospect"]) for c in contacts] == [("reply", True)]


def test_an_unknown_prospect_is_a_404(api_as, prospects):
    api = api_as("dpo")
    for response in (
        api.get("/api/prospects/999999"),
        api.post("/api/prospects/999999/restrict", {"channel": "letter"}),
        api.post("/api/prospects/999999/erase", {"reason": "erasure"}),
    ):
        assert (response.status_code, response.json()["code"]) == (404, "not_found")


# --- restrict, erase ----------------------------------------------------------------------------------


def test_the_dpo_restricts_a_prospect_as_the_detail_pages_button_does(api_as, prospects):
    api = api_as("dpo")
    response = api.post(
        f"/api/prospects/{jeanne().pk}/restrict", {"channel": "letter", "note": "courrier du 3"}
    )
    assert response.status_code == 200
    assert jeanne().status == "restricted"
    request = RightsRequest.objects.get()
    assert response.json() == {"id": jeanne().pk, "status": "restricted", "request": request.pk}
    assert (request.kind, request.state, request.channel, request.status_before_restriction) == (
        "restriction",
        "fulfilled",
        "letter",
        "active",
    )
    again = api.post(f"/api/prospects/{jeanne().pk}/restrict", {"channel": "phone"})
    assert (again.status_code, again.json()["code"]) == (409, "already_restricted")
    assert RightsRequest.objects.count() == 1


def test_a_restriction_needs_a_channel_the_person_used(api_as, prospects):
    response = api_as("dpo").post(f"/api/prospects/{jeanne().pk}/restrict", {"channel": "web"})
    assert [e["field"] for e in response.json()["errors"]] == ["channel"]
    assert jeanne().status == "active"


@pytest.mark.parametrize("role", ["sales", "marketing", "other"])
def test_roles_that_do_not_handle_rights_may_not_restrict_or_erase(api_as, prospects, role):
    api = api_as(role)
    pk = jeanne().pk
    assert api.post(f"/api/prospects/{pk}/restrict", {"channel": "letter"}).json()["code"] == "forbidden"
    response = api.post(f"/api/prospects/{pk}/erase", {"reason": "erasure"})
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    assert jeanne().status == "active"
    assert not SuppressionEntry.objects.exists()


def test_erasing_leaves_only_the_keyed_hash_and_a_push_never_brings_the_person_back(api_as, prospects):
    digest = jeanne().key_hash
    response = api_as("dpo").post(f"/api/prospects/{jeanne().pk}/erase", {"reason": "objection"})
    assert response.status_code == 200
    assert response.json()["erased_prospects"] == 1
    assert not Prospect.objects.filter(email=JEANNE).exists()
    assert SuppressionEntry.objects.get(key_hash=digest).reason == "objection"
    assert push(api_as("marketing")).json()["code"] == "suppressed"
    assert not Prospect.objects.filter(email=JEANNE).exists()


def test_an_erasure_needs_a_reason(api_as, prospects):
    response = api_as("dpo").post(f"/api/prospects/{jeanne().pk}/erase", {})
    assert [e["field"] for e in response.json()["errors"]] == ["reason"]
    assert Prospect.objects.filter(email=JEANNE).exists()
