"""The sources pages (issue 22): declare a source as `licite sources add` does, assess it with a
balancing test as `licite sources assess` does, see its tests and the imports it fed, download
its tests (RULES B3, B4, C4, F5)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from licite.audit.models import AuditEvent
from licite.prospects.models import BalancingTest, Source
from tests.conftest import HEADER, import_file

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}
SALON = {
    "name": "Salon Bois Nantes 2027", "kind": "event", "url": "https://bois.example/exposants",
    "method": "manual", "extraction_allowed": "unknown", "visibility": "public",
    "terms_reference": "", "notes": "",
}  # fmt: skip
TEST = {
    "interest": "Selling to exhibitors", "necessity": "Only their work address",
    "expectations": "Exhibitors publish contacts for partners", "safeguards": "Notice and objection",
    "conclusion": "favourable", "conclusion_text": "", "review_on": "",
}  # fmt: skip


@pytest.fixture
def marketer(django_user_model):
    return django_user_model.objects.create_user(
        "mia", "mia@acme.example", "correct horse battery", role="marketing"
    )


def test_a_salesperson_and_hr_staff_may_not_declare_sources(client, salesperson, outsider, source):
    """RULES F5: declaring sources is marketing's, the DPO's and the admin's, not sales'; sales see
    the list (they pick a source when they import), HR staff do not."""
    for user in (salesperson, outsider):
        client.force_login(user)
        assert client.get(reverse("source_list")).status_code == (200 if user == salesperson else 403)
        assert client.post(reverse("source_create"), SALON).status_code == 403
        assert client.post(reverse("source_assess", args=[source.pk]), TEST).status_code == 403
    assert not Source.objects.filter(name=SALON["name"]).exists()


def test_the_list_shows_each_source_its_latest_test_and_whether_it_may_feed_an_import(
    client, marketer, source
):
    client.force_login(marketer)
    body = client.get(reverse("source_list"), headers=EN).content.decode()
    assert "Salon Industrie Lyon 2026" in body
    assert "Favourable: the interest prevails" in body
    assert reverse("source_detail", args=[source.pk]) in body


def test_a_declared_source_is_saved_through_the_action_and_audited(client, marketer):
    client.force_login(marketer)
    response = client.post(reverse("source_create"), SALON, headers=EN)
    created = Source.objects.get(name=SALON["name"])
    assert response["Location"] == reverse("source_detail", args=[created.pk])
    assert created.kind == "event"
    assert AuditEvent.objects.filter(action="source.created", actor_id=marketer.pk).count() == 1
    page = client.get(response["Location"], headers=EN).content.decode()
    assert "No balancing test: a legitimate-interest import from this source is refused." in page


def test_linkedin_gets_its_terms_and_a_warning_whatever_is_declared(client, marketer):
    """RULES B4: as `licite sources add` does."""
    client.force_login(marketer)
    linkedin = SALON | {"name": "LinkedIn", "kind": "social_network", "url": "https://www.linkedin.com/in/",
                        "extraction_allowed": "yes"}  # fmt: skip
    response = client.post(reverse("source_create"), linkedin, headers=EN, follow=True)
    assert Source.objects.get(name="LinkedIn").extraction_allowed == "no"
    assert "LinkedIn&#x27;s terms say extraction allowed: no" in response.content.decode()


def test_a_method_the_platforms_terms_refuse_is_refused_naming_the_field(client, marketer):
    client.force_login(marketer)
    scraped = SALON | {"name": "LinkedIn", "kind": "social_network", "method": "automated"}
    body = client.post(reverse("source_create"), scraped, headers=EN).content.decode()
    assert 'id="method-error"' in body
    assert "Collection method: Source “LinkedIn” is LinkedIn" in body
    assert not Source.objects.filter(name="LinkedIn").exists()


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"name": ""}, "Name: This field is required."),
        ({"kind": "rumour"}, "Kind: Select a valid choice."),
        ({"url": "not a url"}, "URL: Enter a valid URL."),
        ({"name": "Salon Industrie Lyon 2026"}, "Name: A source with this name is already declared."),
    ],
)
def test_a_bad_source_form_names_the_field(client, marketer, source, change, error):
    client.force_login(marketer)
    body = client.post(reverse("source_create"), SALON | change, headers=EN).content.decode()
    assert error in body
    assert Source.objects.count() == 1


def test_an_assessment_is_recorded_through_the_action_and_shown_with_its_review_date(
    client, marketer, source
):
    client.force_login(marketer)
    response = client.post(reverse("source_assess", args=[source.pk]), TEST | {"review_on": "2099-06-30"})
    assert response["Location"] == reverse("source_detail", args=[source.pk])
    test = BalancingTest.objects.filter(source=source).latest("pk")
    assert (test.necessity, test.assessed_by, str(test.review_on)) == (
        "Only their work address",
        marketer,
        "2099-06-30",
    )
    assert AuditEvent.objects.filter(action="source.assessed", actor_id=marketer.pk).exists()
    page = client.get(response["Location"], headers=EN).content.decode()
    assert "2099-06-30" in page
    assert "Only their work address" in page


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"necessity": "   "}, "Necessity: This field is required."),
        ({"conclusion": "maybe"}, "Conclusion: Select a valid choice."),
        ({"review_on": "2001-01-01"}, "Review date: the review date must come after the test"),
    ],
)
def test_a_bad_assessment_names_the_field_and_records_nothing(client, marketer, source, change, error):
    client.force_login(marketer)
    before = BalancingTest.objects.count()
    body = client.post(reverse("source_assess", args=[source.pk]), TEST | change, headers=EN).content.decode()
    assert error in body
    assert BalancingTest.objects.count() == before


def test_the_detail_lists_the_imports_the_source_fed_with_their_counts(client, marketer, source, write_csv):
    import_file(write_csv(HEADER + "Jeanne;Dupont;jeanne.dupont@acme-industrie.example;;Acme;;;France\n"))
    client.force_login(marketer)
    body = client.get(reverse("source_detail", args=[source.pk]), headers=EN).content.decode()
    assert 'id="batches"' in body
    assert "prospects.csv" in body
    assert "<td>1</td>" in body


@pytest.mark.parametrize(("fmt", "start"), [("pdf", b"%PDF-"), ("html", b"<!doctype html")])
def test_the_balancing_tests_download_as_the_cli_writes_them_and_each_is_audited(
    client, marketer, source, fmt, start
):
    client.force_login(marketer)
    response = client.post(reverse("source_balancing", args=[source.pk]), {"format": fmt, "lang": "en"})
    assert response.status_code == 200
    assert response.content.lower().startswith(start.lower())
    assert response["Content-Disposition"].startswith("attachment;")
    assert AuditEvent.objects.filter(action="balancing.exported", actor_id=marketer.pk).count() == 1


def test_a_get_of_the_balancing_download_sends_to_the_form_and_writes_nothing(client, marketer, source):
    """A prefetcher or a crawler follows GETs: only the form's POST writes a download."""
    client.force_login(marketer)
    response = client.get(reverse("source_balancing", args=[source.pk]), {"format": "pdf"})
    assert response.status_code == 302
    assert response["Location"] == reverse("source_detail", args=[source.pk]) + "#balancing-export"
    assert not AuditEvent.objects.filter(action="balancing.exported").exists()
