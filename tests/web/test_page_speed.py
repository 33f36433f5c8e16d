"""What keeps the pages of issue 22 fast at 1,000,000 prospects (bench/web_bench.py measures them
through the real server): a search is answered from an index, the dashboard's counts read no
table whole, and each page runs as many queries with many prospects as with a few."""

# The fixtures imported below are pytest's, received as arguments of the same name.
# ruff: noqa: F811
from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from licite.prospects import search
from licite.prospects.models import Prospect, Provenance
from licite.web import dashboard
from tests.campaigns.conftest import organisation, prospects  # noqa: F401
from tests.conftest import HEADER, import_file

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}


def sqlite_only() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the plans read here are SQLite's (PostgreSQL plans by its statistics)")


def plans(queries: CaptureQueriesContext) -> list[str]:
    """SQLite's plan of each query captured, one string a query (none on another database)."""
    found: list[str] = []
    if connection.vendor != "sqlite":
        return found
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            if query["sql"].startswith("SELECT"):
                cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
                found.append(" | ".join(row[-1] for row in cursor.fetchall()))
    return found


def reads_every_prospect(plan: str) -> bool:
    """A walk of the whole table, by no index: `SCAN prospects_prospect` with nothing after it."""
    return any(step.strip() == "SCAN prospects_prospect" for step in plan.split("|"))


def searched(client, user, **params):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("prospect_list"), params, headers=EN)
    assert response.status_code == 200
    return [p.email for p in response.context["page"].items], plans(queries)


# --- The search -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "query", "index", "found"),
    [
        ("company", "NORTHF", "prospect_company_lower", ["emily.brown@northfield.example"]),
        ("name", "dup", "prospect_last_name_lower", ["jeanne.dupont@acme-industrie.example"]),
    ],
)
def test_a_rare_name_or_company_is_found_from_the_index_of_its_lowered_column(
    client, salesperson, prospects, field, query, index, found
):
    sqlite_only()
    emails, query_plans = searched(client, salesperson, q=query, field=field)
    assert emails == found
    assert any(index in plan for plan in query_plans)
    assert not any(reads_every_prospect(plan) for plan in query_plans)


def test_a_beginning_many_share_is_found_by_walking_the_list_with_the_same_answer(
    client, salesperson, prospects, monkeypatch
):
    """Past search.FEW matches, sorting them all would cost more than the walk down the primary
    key, which stops at the first page of them."""
    from_index, _plans = searched(client, salesperson, q="acme", field="company")
    monkeypatch.setattr(search, "FEW", 1)
    walked, _plans = searched(client, salesperson, q="acme", field="company")
    assert (
        walked == from_index == ["paul.martin@acme-industrie.example", "jeanne.dupont@acme-industrie.example"]
    )


def test_the_beginning_of_an_address_is_found_from_the_address_index(client, salesperson, prospects):
    sqlite_only()
    emails, query_plans = searched(client, salesperson, q="Emily.b")
    assert emails == ["emily.brown@northfield.example"]
    assert any("prospect_email_unique" in plan for plan in query_plans)
    assert not any(reads_every_prospect(plan) for plan in query_plans)


# --- The dashboard ------------------------------------------------------------------------------


def test_the_dashboard_counts_bases_and_sources_without_reading_a_table_whole(prospects):
    sqlite_only()
    with CaptureQueriesContext(connection) as queries:
        bases, sources = dashboard.by_legal_basis(), dashboard.by_source()
    assert bases == dict(Prospect.objects.order_by().values_list("legal_basis").annotate(n=Count("pk")))
    fed = Provenance.objects.order_by().values_list("source_id").annotate(n=Count("prospect", distinct=True))
    assert [(pk, n) for pk, _name, n in sources] == list(fed)
    query_plans = plans(queries)
    assert not any(reads_every_prospect(plan) for plan in query_plans)
    assert any("COVERING INDEX provenance_source_prospect" in plan for plan in query_plans)


def test_the_bases_are_all_counted_even_at_zero(db):
    assert dashboard.by_legal_basis() == {"legitimate_interest": 0, "consent": 0}


# --- Queries a page, whatever the number of prospects ---------------------------------------------


def pages(source_id: int, key: int) -> dict[str, str]:
    """The pages bench/web_bench.py measures."""
    listing = reverse("prospect_list")
    return {
        "list": listing,
        "filtered": f"{listing}?basis=legitimate_interest&source={source_id}",
        "deep": f"{listing}?after={key}",
        "search address": f"{listing}?q=jeanne.dupont@acme-industrie.example",
        "search name": f"{listing}?q=Dupont&field=name",
        "search company": f"{listing}?q=Acme&field=company",
        "dashboard": reverse("home"),
    }


def queries_by_page(client, source_id: int, key: int) -> dict[str, int]:
    counts = {}
    for name, url in pages(source_id, key).items():
        client.get(url, headers=EN)  # what a running server already has (the dashboard's cache)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, headers=EN).status_code == 200
        counts[name] = len(queries)
    return counts


def test_each_page_runs_as_many_queries_with_many_prospects_as_with_a_few(
    client, salesperson, prospects, source, write_csv
):
    client.force_login(salesperson)
    key = Prospect.objects.order_by("-pk").values_list("pk", flat=True)[1]
    few = queries_by_page(client, source.pk, key)
    rows = "".join(
        f"Jean;Dupont{i:03};jean.dupont{i:03}@acme-industrie.example;;Acme {i};;;France\n" for i in range(150)
    )
    import_file(write_csv(HEADER + rows))
    assert Prospect.objects.count() > 150
    assert queries_by_page(client, source.pk, key) == few


def test_the_rows_built_by_the_view_escape_every_value_and_link_each_address_to_its_detail(
    client, salesperson, prospects
):
    Prospect.objects.filter(email="emily.brown@northfield.example").update(company="<b>Northfield</b> & Co")
    client.force_login(salesperson)
    html = client.get(reverse("prospect_list"), {"q": "emily"}, headers=EN).content.decode()
    assert "&lt;b&gt;Northfield&lt;/b&gt; &amp; Co" in html
    assert "<b>Northfield" not in html
    emily = Prospect.objects.get(email="emily.brown@northfield.example")
    assert (
        f'<a href="{reverse("prospect_detail", args=[emily.pk])}">emily.brown@northfield.example</a>' in html
    )
