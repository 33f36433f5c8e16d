"""The sources endpoints: declare, change, read and assess a source through the same actions and
checks as the sources pages and `licite sources` (RULES B2-B4, C4), under the matrix (RULES F5)."""

from __future__ import annotations

import pytest

from licite.audit.models import AuditEvent
from licite.prospects.models import BalancingTest, ImportBatch, Source
from licite.register.models import ProcessingActivity
from tests.conftest import HEADER, import_file

pytestmark = pytest.mark.django_db
SALON = {
    "name": "Salon Bois Nantes 2027", "kind": "event", "url": "https://bois.example/exposants",
    "method": "manual", "extraction_allowed": "unknown",
}  # fmt: skip
TEST = {
    "interest": "Selling to exhibitors", "necessity": "Only their work address",
    "expectations": "Exhibitors publish contacts for partners", "safeguards": "Notice and objection",
    "conclusion": "favourable",
}  # fmt: skip


def fields_named(response) -> list[str]:
    assert response.status_code == 422, response.content
    return [error["field"] for error in response.json()["errors"]]


# --- access (RULES F5) ---------------------------------------------------------------------------


def test_staff_with_no_prospecting_role_get_403_on_every_source_endpoint(api_as, source):
    api = api_as("other")
    for response in (
        api.get("/api/sources"),
        api.get(f"/api/sources/{source.pk}"),
        api.get(f"/api/sources/{source.pk}/batches"),
        api.post("/api/sources", SALON),
        api.patch(f"/api/sources/{source.pk}", {"notes": "x"}),
        api.post(f"/api/sources/{source.pk}/balancing-tests", TEST),
    ):
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"
    assert not Source.objects.filter(name=SALON["name"]).exists()


def test_sales_see_the_sources_but_may_neither_declare_change_nor_assess_one(api_as, source):
    """As on the pages: sales pick a source when they import; declaring is marketing's and the DPO's."""
    sales = api_as("sales")
    assert sales.get("/api/sources").status_code == 200
    assert sales.post("/api/sources", SALON).json()["code"] == "forbidden"
    assert sales.patch(f"/api/sources/{source.pk}", {"notes": "x"}).status_code == 403
    assert sales.post(f"/api/sources/{source.pk}/balancing-tests", TEST).status_code == 403
    source.refresh_from_db()
    assert (source.notes, source.balancing_tests.count()) == ("", 1)


def test_the_dpo_declares_and_assesses_sources(api_as):
    dpo = api_as("dpo")
    created = dpo.post("/api/sources", SALON)
    assert created.status_code == 201
    assessed = dpo.post(f"/api/sources/{created.json()['id']}/balancing-tests", TEST)
    assert assessed.status_code == 201


# --- list and read ---------------------------------------------------------------------------------


def test_the_list_says_which_source_may_feed_a_legitimate_interest_import_and_why_not(api_as, source):
    api_as("marketing").post("/api/sources", SALON)
    body = api_as("sales").get("/api/sources").json()
    by_name = {item["name"]: item for item in body["items"]}
    assert by_name["Salon Industrie Lyon 2026"]["may_feed_legitimate_interest"] is True
    assert by_name["Salon Industrie Lyon 2026"]["latest_test"]["conclusion"] == "favourable"
    assert by_name[SALON["name"]]["may_feed_legitimate_interest"] is False
    assert by_name[SALON["name"]]["reasons"] == [
        f"no balancing test is recorded for source {SALON['name']!r} (RULES C4)"
    ]
    assert body["next"] is None


def test_the_list_is_paged_by_key(api_as, source):
    api = api_as("marketing")
    for n in range(3):
        api.post("/api/sources", SALON | {"name": f"Salon {n}"})
    first = api.get("/api/sources", {"limit": 2}).json()
    second = api.get("/api/sources", {"limit": 2, "after": first["next"]}).json()
    assert [item["name"] for item in first["items"] + second["items"]] == [
        "Salon 2", "Salon 1", "Salon 0", "Salon Industrie Lyon 2026",
    ]  # fmt: skip
    assert second["next"] is None


def test_a_sources_detail_has_its_terms_its_balancing_tests_and_the_imports_it_fed(api_as, source, write_csv):
    import_file(
        write_csv(HEADER + "Jeanne;Dupont;jeanne.dupont@acme-industrie.example;Acheteuse;Acme;;;France\n")
    )
    body = api_as("sales").get(f"/api/sources/{source.pk}").json()
    assert (body["name"], body["kind"], body["url"]) == (
        source.name,
        "event",
        "https://salon.example/exposants",
    )
    [test] = body["balancing_tests"]
    assert test["interest"] == "Selling our services to exhibitors"
    assert test["weighs_against"] == [
        "the source's terms were not checked: read them and record whether they allow reuse"
    ]
    [batch] = body["batches"]
    assert batch["id"] == ImportBatch.objects.get().pk
    assert (batch["rows_read"], batch["created"], batch["rejected"]) == (1, 1, 0)
    assert "jeanne" not in str(body).lower()


def test_the_imports_of_a_source_are_paged_by_key(api_as, source, write_csv):
    for n in range(3):
        import_file(
            write_csv(HEADER + f"A;B;a.b{n}@acme-industrie.example;Acheteur;Acme;;;France\n", f"{n}.csv")
        )
    api = api_as("sales")
    first = api.get(f"/api/sources/{source.pk}/batches", {"limit": 2}).json()
    rest = api.get(f"/api/sources/{source.pk}/batches", {"limit": 2, "after": first["next"]}).json()
    assert [b["filename"] for b in first["items"] + rest["items"]] == ["2.csv", "1.csv", "0.csv"]


def test_an_unknown_source_is_a_404(api_as):
    api = api_as("marketing")
    for response in (
        api.get("/api/sources/999999"),
        api.patch("/api/sources/999999", {"notes": "x"}),
        api.post("/api/sources/999999/balancing-tests", TEST),
    ):
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


# --- declare and change ------------------------------------------------------------------------------


def test_a_declared_source_is_saved_through_the_action_and_audited(api_as):
    api = api_as("marketing")
    response = api.post("/api/sources", SALON | {"terms_reference": "CGU art. 4"})
    assert response.status_code == 201
    created = Source.objects.get(name=SALON["name"])
    assert response.json()["id"] == created.pk
    assert (created.kind, created.method, created.terms_reference) == ("event", "manual", "CGU art. 4")
    assert response.json()["warnings"] == []
    event = AuditEvent.objects.get(action="source.created")
    assert (event.actor_id, event.object_id) == (api.user.pk, str(created.pk))


def test_linkedin_gets_its_terms_and_a_warning_whatever_is_declared(api_as):
    """RULES B4: a platform's terms only ever tighten what is declared."""
    linkedin = SALON | {"name": "LinkedIn", "kind": "social_network", "url": "https://www.linkedin.com/in/",
                        "extraction_allowed": "yes"}  # fmt: skip
    response = api_as("marketing").post("/api/sources", linkedin)
    assert response.status_code == 201
    assert Source.objects.get(name="LinkedIn").extraction_allowed == "no"
    assert response.json()["extraction_allowed"] == "no"
    assert "LinkedIn's terms say extraction allowed: no" in response.json()["warnings"][0]


def test_a_method_the_platforms_terms_refuse_is_a_422_naming_the_method(api_as):
    """RULES B4 (KASPR): no automated collection from LinkedIn."""
    scraped = SALON | {"name": "LinkedIn", "kind": "social_network", "method": "automated"}
    response = api_as("marketing").post("/api/sources", scraped)
    assert fields_named(response) == ["method"]
    assert "section 8.2" in response.json()["message"]
    assert not Source.objects.filter(name="LinkedIn").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "forum"}, "kind"),
        ({"url": "not an address"}, "url"),
        ({"name": "  "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"notes": "a\x00b"}, "notes"),
        ({"method": None}, "method"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_nothing_is_stored(api_as, change, field):
    response = api_as("marketing").post("/api/sources", SALON | change)
    assert field in fields_named(response)
    assert not Source.objects.exists()


def test_a_name_already_declared_is_a_422_naming_the_name(api_as, source):
    response = api_as("marketing").post("/api/sources", SALON | {"name": source.name, "kind": "website"})
    assert fields_named(response) == ["name"]
    source.refresh_from_db()
    assert source.kind == "event"


def test_a_change_touches_only_the_fields_given_and_is_audited(api_as, source):
    api = api_as("marketing")
    response = api.patch(f"/api/sources/{source.pk}", {"terms_reference": "Règlement du salon, art. 12"})
    assert response.status_code == 200
    source.refresh_from_db()
    assert (source.terms_reference, source.kind, source.url) == (
        "Règlement du salon, art. 12", "event", "https://salon.example/exposants",
    )  # fmt: skip
    event = AuditEvent.objects.filter(action="source.updated").latest("sequence")
    assert (event.actor_id, event.detail["fields"]) == (api.user.pk, ["terms_reference"])


def test_a_bad_change_is_a_422_naming_the_field_and_changes_nothing(api_as, source):
    api = api_as("marketing")
    assert fields_named(api.patch(f"/api/sources/{source.pk}", {"url": "nope", "notes": "n"})) == ["url"]
    assert fields_named(api.patch(f"/api/sources/{source.pk}", {"visibility": "secret"})) == ["visibility"]
    source.refresh_from_db()
    assert (source.url, source.notes) == ("https://salon.example/exposants", "")


def test_a_change_to_a_method_the_platforms_terms_refuse_is_a_422(api_as):
    api = api_as("marketing")
    linkedin = api.post("/api/sources", SALON | {"name": "LinkedIn", "kind": "social_network"}).json()
    assert fields_named(api.patch(f"/api/sources/{linkedin['id']}", {"method": "automated"})) == ["method"]
    assert Source.objects.get(name="LinkedIn").method == "manual"


# --- balancing tests (RULES C4) ----------------------------------------------------------------------


def test_a_balancing_test_is_recorded_and_lets_the_source_feed_an_import(api_as):
    api = api_as("marketing")
    created = api.post("/api/sources", SALON).json()
    assert created["may_feed_legitimate_interest"] is False
    response = api.post(f"/api/sources/{created['id']}/balancing-tests", TEST | {"review_on": "2099-01-31"})
    assert response.status_code == 201
    test = BalancingTest.objects.get(source_id=created["id"])
    assert (response.json()["id"], test.interest, test.review_on.isoformat()) == (
        test.pk, "Selling to exhibitors", "2099-01-31",
    )  # fmt: skip
    assert test.assessed_by == api.user
    assert response.json()["weighs_against"]  # terms not checked: said against the interest
    assert api.get(f"/api/sources/{created['id']}").json()["may_feed_legitimate_interest"] is True
    assert AuditEvent.objects.filter(action="source.assessed", actor_id=api.user.pk).count() == 1


def test_an_unfavourable_test_keeps_the_source_from_feeding_an_import(api_as, source):
    api = api_as("marketing")
    api.post(f"/api/sources/{source.pk}/balancing-tests", TEST | {"conclusion": "unfavourable"})
    body = api.get(f"/api/sources/{source.pk}").json()
    assert body["may_feed_legitimate_interest"] is False
    assert "persons' rights prevail" in body["reasons"][0]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"interest": "   "}, "interest"),
        ({"conclusion": "maybe"}, "conclusion"),
        ({"review_on": "2001-01-01"}, "review_on"),
        ({"review_on": "tomorrow"}, "review_on"),
        ({"activity": 999999}, "activity"),
    ],
)
def test_a_bad_balancing_test_is_a_422_naming_the_part(api_as, source, change, field):
    response = api_as("marketing").post(f"/api/sources/{source.pk}/balancing-tests", TEST | change)
    assert fields_named(response) == [field]
    assert source.balancing_tests.count() == 1


def test_a_test_for_an_activity_on_consent_is_refused_naming_the_activity(api_as, source):
    activity = ProcessingActivity.objects.create(
        name="Newsletter", purpose_fr="n", purpose_en="n", legal_basis="consent"
    )
    response = api_as("marketing").post(
        f"/api/sources/{source.pk}/balancing-tests", TEST | {"activity": activity.pk}
    )
    assert fields_named(response) == ["activity"]


def test_a_test_names_the_register_activity_it_is_for(api_as, source):
    activity = ProcessingActivity.objects.create(
        name="Prospection", purpose_fr="p", purpose_en="p", legal_basis="legitimate_interest"
    )
    response = api_as("marketing").post(
        f"/api/sources/{source.pk}/balancing-tests", TEST | {"activity": activity.pk}
    )
    assert (response.json()["activity"], response.json()["activity_name"]) == (activity.pk, "Prospection")
    assert BalancingTest.objects.get(pk=response.json()["id"]).activity == activity


def test_errors_are_in_english_whatever_language_the_caller_asks_for(api_as, source):
    """As the command line: an integrator's program reads one language."""
    api = api_as("marketing")
    refused = api.post("/api/sources", SALON | {"url": "nope"}, headers={"Accept-Language": "fr"})
    assert refused.json()["errors"] == [{"field": "url", "message": "Enter a valid URL."}]
    body = api.get(f"/api/sources/{source.pk}", headers={"Accept-Language": "fr"}).json()
    assert body["balancing_tests"][0]["weighs_against"] == [
        "the source's terms were not checked: read them and record whether they allow reuse"
    ]


def test_each_call_is_audited_under_its_operations_stable_name(api_as, source):
    api = api_as("marketing")
    api.post(f"/api/sources/{source.pk}/balancing-tests", TEST)
    api.get("/api/sources")
    calls = AuditEvent.objects.filter(action="api.called").order_by("sequence")
    assert [event.detail["operation"] for event in calls] == ["sources_assess", "sources_list"]
