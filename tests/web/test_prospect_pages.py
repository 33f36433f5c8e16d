"""The prospect pages: a list searched, filtered and paged by key without counting the table, a
detail page with the prospect's history whose every view is audited, and its actions (RULES B3,
F1, F5, G4, D1)."""

# The fixtures imported below are pytest's, received as arguments of the same name.
# ruff: noqa: F811
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from licite.audit.models import AuditEvent
from licite.campaigns.models import ContactEvent
from licite.prospects.models import Prospect
from licite.rights.models import RightsRequest, SuppressionEntry
from tests.campaigns.conftest import PROSPECTS, organisation, prospects  # noqa: F401
from tests.conftest import HEADER, import_file

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}
JEANNE = "jeanne.dupont@acme-industrie.example"


@pytest.fixture
def many(source, write_csv):
    """120 prospects, imported in one batch, so that the list has three pages."""
    rows = "".join(
        f"Jean;Nom{i:03};jean.nom{i:03}@acme-industrie.example;;Acme;;;France\n" for i in range(120)
    )
    return import_file(write_csv(HEADER + rows))


def listing(client, **params):
    return client.get(reverse("prospect_list"), params, headers=EN)


def emails(response) -> list[str]:
    return [p.email for p in response.context["page"].items]


def jeanne() -> Prospect:
    return Prospect.objects.get(email=JEANNE)


# --- access (RULES F5) ---------------------------------------------------------------------------


def test_the_list_asks_to_log_in(client):
    response = client.get(reverse("prospect_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_staff_with_no_prospecting_role_get_403_on_the_list_and_the_detail(client, outsider, prospects):
    client.force_login(outsider)
    assert listing(client).status_code == 403
    assert client.get(reverse("prospect_detail", args=[jeanne().pk])).status_code == 403
    assert client.get(reverse("prospect_notice", args=[jeanne().pk])).status_code == 403


def test_a_salesperson_may_not_erase_or_restrict(client, salesperson, prospects):
    client.force_login(salesperson)
    pk = jeanne().pk
    assert (
        client.post(reverse("prospect_erase", args=[pk]), {"reason": "erasure", "confirm": "on"}).status_code
        == 403
    )
    assert client.post(reverse("prospect_restrict", args=[pk]), {"channel": "letter"}).status_code == 403
    assert Prospect.objects.filter(pk=pk, status="active").exists()


# --- the list --------------------------------------------------------------------------------------


def test_the_list_pages_by_key_newest_first_and_never_counts_the_table(client, salesperson, many):
    client.force_login(salesperson)
    with CaptureQueriesContext(connection) as queries:
        first = listing(client)
    assert not [q for q in queries if "COUNT(" in q["sql"].upper()]
    assert len(emails(first)) == 50
    assert emails(first)[0] == "jean.nom119@acme-industrie.example"
    assert first.context["page"].before is None
    second = listing(client, after=first.context["page"].after)
    assert emails(second)[0] == "jean.nom069@acme-industrie.example"
    third = listing(client, after=second.context["page"].after)
    assert len(emails(third)) == 20
    assert third.context["page"].after is None
    assert emails(listing(client, before=second.context["page"].before)) == emails(first)
    assert 'id="next"' in second.content.decode()
    assert 'id="previous"' in second.content.decode()


def test_the_next_link_keeps_the_search_and_filters(client, salesperson, many):
    client.force_login(salesperson)
    page = listing(client, q="jean.nom1", audience="b2b")
    assert len(emails(page)) == 20  # nom100 to nom119: one page, no next link
    assert 'id="next"' not in page.content.decode()
    assert all(e.startswith("jean.nom1") for e in emails(page))


def test_a_bad_page_key_is_named_in_the_page_not_a_traceback(client, salesperson, many):
    client.force_login(salesperson)
    response = listing(client, after="abc")
    assert response.status_code == 200
    assert response.context["page"] is None
    assert 'id="after-error"' in response.content.decode()


def test_a_whole_address_finds_its_prospect_through_the_keyed_hash(client, salesperson, prospects):
    client.force_login(salesperson)
    assert emails(listing(client, q="  Jeanne.Dupont@ACME-industrie.example ")) == [JEANNE]


def test_the_beginning_of_an_address_finds_every_prospect_it_starts(client, salesperson, prospects):
    client.force_login(salesperson)
    assert emails(listing(client, q="Paul.M")) == ["paul.martin@acme-industrie.example"]


@pytest.mark.parametrize(
    ("field", "query", "found"),
    [("name", "dup", [JEANNE]), ("company", "northf", ["emily.brown@northfield.example"])],
)
def test_a_name_or_a_company_is_found_by_its_beginning(client, salesperson, prospects, field, query, found):
    client.force_login(salesperson)
    assert emails(listing(client, q=query, field=field)) == found


def test_an_address_that_is_not_one_is_an_error_naming_the_search_field(client, salesperson, prospects):
    client.force_login(salesperson)
    response = listing(client, q="jeanne@@acme")
    assert response.context["page"] is None
    assert "Search: Enter a whole valid address" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "found"),
    [
        ({"audience": "b2c"}, ["lea.petit@gmail.com"]),
        ({"basis": "consent"}, ["lea.petit@gmail.com"]),
        ({"status": "consent_pending"}, ["lea.petit@gmail.com"]),
        ({"notice": "overdue"}, []),
        ({"notice": "sent"}, []),
    ],
)
def test_each_filter_keeps_only_the_prospects_it_names(client, salesperson, prospects, params, found):
    client.force_login(salesperson)
    assert emails(listing(client, **params)) == found


def test_the_notice_filter_finds_the_notices_not_yet_due(client, salesperson, prospects):
    client.force_login(salesperson)
    assert len(emails(listing(client, notice="due"))) == 4


def test_the_source_filter_keeps_the_prospects_of_that_source(client, salesperson, prospects, write_csv):
    from licite.prospects.actions import do_save_source

    other = do_save_source(None, "Annuaire", kind="directory", method="manual", visibility="public").source
    client.force_login(salesperson)
    assert len(emails(listing(client, source=Prospect.objects.first().sources.get().pk))) == 4
    assert emails(listing(client, source=other.pk)) == []


# --- the detail page --------------------------------------------------------------------------------


def test_the_detail_shows_the_provenance_and_is_audited_without_the_address(client, salesperson, prospects):
    client.force_login(salesperson)
    prospect = jeanne()
    response = client.get(reverse("prospect_detail", args=[prospect.pk]), headers=EN)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Salon Industrie Lyon 2026" in page
    assert "prospects.csv" in page
    assert "line 2" in page
    viewed = AuditEvent.objects.filter(action="prospect.viewed").get()
    assert (viewed.object_id, viewed.actor, viewed.via) == (str(prospect.pk), salesperson, "web")
    assert "jeanne" not in str(viewed.detail).lower()


def test_an_unknown_prospect_is_a_404(client, salesperson, prospects):
    client.force_login(salesperson)
    assert client.get(reverse("prospect_detail", args=[999999])).status_code == 404


@pytest.mark.parametrize(
    ("lang", "heading"),
    [("", "Informations sur vos données personnelles"), ("en", "Information about your personal data")],
)
def test_the_notice_preview_is_in_the_persons_language_or_the_one_asked(
    client, salesperson, prospects, lang, heading
):
    client.force_login(salesperson)
    response = client.get(reverse("prospect_notice", args=[jeanne().pk]), {"lang": lang} if lang else {})
    assert heading in response.content.decode()
    assert "Salon Industrie Lyon 2026" in response.content.decode()
    assert AuditEvent.objects.filter(action="prospect.viewed", detail__page="notice preview").count() == 1


def test_recording_a_reply_restarts_the_retention_clock(client, salesperson, prospects):
    client.force_login(salesperson)
    before = jeanne().retain_until
    response = client.post(reverse("prospect_contact", args=[jeanne().pk]), {"kind": "reply"}, headers=EN)
    assert response.status_code == 302
    assert jeanne().retain_until > before
    assert ContactEvent.objects.filter(prospect=jeanne(), kind="reply", initiated_by_prospect=True).exists()
    assert AuditEvent.objects.filter(action="contact.recorded", object_id=str(jeanne().pk)).exists()


def test_an_open_is_not_a_contact_the_page_accepts(client, salesperson, prospects):
    client.force_login(salesperson)
    client.post(reverse("prospect_contact", args=[jeanne().pk]), {"kind": "open"})
    assert not ContactEvent.objects.exists()


def test_restricting_records_the_request_and_leaves_the_prospect_out_of_campaigns(client, owner, prospects):
    client.force_login(owner)
    response = client.post(
        reverse("prospect_restrict", args=[jeanne().pk]), {"channel": "letter", "note": "n"}
    )
    assert response.status_code == 302
    assert jeanne().status == "restricted"
    request = RightsRequest.objects.get()
    assert (request.kind, request.state, request.channel) == ("restriction", "fulfilled", "letter")


def test_erasing_asks_for_confirmation_first(client, owner, prospects):
    client.force_login(owner)
    url = reverse("prospect_erase", args=[jeanne().pk])
    assert JEANNE in client.get(url, headers=EN).content.decode()
    response = client.post(url, {"reason": "erasure"}, headers=EN)
    assert response.status_code == 200
    assert "I understand" in response.content.decode()
    assert 'id="confirm-error"' in response.content.decode()
    assert Prospect.objects.filter(email=JEANNE).exists()


def test_erasing_leaves_only_the_keyed_hash(client, owner, prospects):
    client.force_login(owner)
    digest = jeanne().key_hash
    response = client.post(
        reverse("prospect_erase", args=[jeanne().pk]), {"reason": "objection", "confirm": "on"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("prospect_list")
    assert not Prospect.objects.filter(email=JEANNE).exists()
    assert SuppressionEntry.objects.get(key_hash=digest).reason == "objection"


@pytest.mark.parametrize(("language", "title"), [("fr", "<h1>Prospects</h1>"), ("en", "<h1>Prospects</h1>")])
def test_the_list_speaks_french_and_english(client, salesperson, prospects, language, title):
    client.force_login(salesperson)
    page = client.get(reverse("prospect_list"), headers={"accept-language": language}).content.decode()
    assert title in page
    assert ("Rechercher" if language == "fr" else "Search") in page


def test_restricting_twice_is_refused_so_that_lifting_gives_back_the_first_status(client, owner, prospects):
    client.force_login(owner)
    url = reverse("prospect_restrict", args=[jeanne().pk])
    client.post(url, {"channel": "letter"})
    response = client.post(url, {"channel": "phone"}, headers=EN, follow=True)
    assert "already restricted" in response.content.decode()
    assert RightsRequest.objects.get().status_before_restriction == "active"


def test_a_notice_that_cannot_be_written_is_explained_in_one_line(client, salesperson, source, write_csv):
    import_file(write_csv(PROSPECTS))  # no organisation profile: the controller is unknown
    client.force_login(salesperson)
    response = client.get(reverse("prospect_notice", args=[jeanne().pk]), headers=EN)
    assert response.status_code == 200
    assert 'id="notice-problem"' in response.content.decode()
    assert AuditEvent.objects.filter(action="prospect.viewed").count() == 1


@pytest.mark.parametrize("few", [10_000, 0])  # taken from the index, or walked down the key
def test_the_overdue_filter_finds_the_notices_past_their_deadline(
    client, salesperson, prospects, monkeypatch, few
):
    from datetime import timedelta

    from django.utils import timezone

    monkeypatch.setattr("licite.prospects.search.FEW", few)
    Prospect.objects.filter(email=JEANNE).update(notice_due_at=timezone.now() - timedelta(days=1))
    client.force_login(salesperson)
    assert emails(listing(client, notice="overdue")) == [JEANNE]
