"""The dashboard: its charts count what the database holds, each role sees only its part (RULES
F5), in French and English, and the app's shell around it (navigation by permission, language
switch, logout) works without a script."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from licite.audit.actions import record
from licite.prospects.models import LegalBasis, Prospect, ProspectStatus, Provenance
from licite.rights.models import ConsentRecord
from licite.web import charts, dashboard

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    """The cached compliance result of one test's database must not serve the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def dpo(django_user_model, settings):
    settings.LICITE_REQUIRE_2FA = False  # the second factor has its own tests (tests/web)
    return django_user_model.objects.create_user(
        "dora", "dora@acme.example", "correct horse battery", role="dpo"
    )


@pytest.fixture
def organisation(db):
    from licite.accounts.actions import do_set_organisation

    organisation, _created = do_set_organisation(
        None, legal_name="Acme Conseil SAS", address="1 rue de la Paix, 75002 Paris",
        siren="912345675", contact_email="contact@acme-conseil.example", default_language="fr",
    )  # fmt: skip
    return organisation


@pytest.fixture
def demo(db):
    call_command("demo", count=60, seed=7)


def dashboard_page(client, user, language="en"):
    client.force_login(user)
    response = client.get(reverse("home"), headers={"accept-language": language})
    assert response.status_code == 200
    return response.content.decode()


def bars(html: str, chart_id: str) -> dict[str, int]:
    """The bars of one chart, by key: what each SVG bar says in its data-value attribute."""
    match = re.search(rf'<svg [^>]*id="{chart_id}".*?</svg>', html, re.S)
    assert match, f"no chart {chart_id}"
    return {key: int(value) for key, value in re.findall(r'data-key="([^"]*)" data-value="(\d+)"', match[0])}


# --- The charts count what the database holds -------------------------------------------------


def test_the_prospect_charts_count_the_database_by_basis_status_and_source(client, salesperson, demo):
    html = dashboard_page(client, salesperson)
    assert bars(html, "chart-basis") == {
        basis: Prospect.objects.filter(legal_basis=basis).count() for basis in LegalBasis.values
    }
    assert bars(html, "chart-status") == {
        status: Prospect.objects.filter(status=status).count() for status in ProspectStatus.values
    }
    by_source = bars(html, "chart-source")
    assert by_source
    for key, value in by_source.items():
        source_id = int(key.removeprefix("source-"))
        assert value == Provenance.objects.filter(source_id=source_id).values("prospect").distinct().count()


def test_the_notice_chart_counts_unsent_notices_overdue_and_due(client, salesperson, demo):
    now = timezone.now()
    unsent = Prospect.objects.filter(notice_sent_at__isnull=True)
    unsent.filter(pk__in=unsent.values("pk")[:3]).update(notice_due_at=now - timedelta(days=2))
    html = dashboard_page(client, salesperson)
    week = now + timedelta(days=7)
    assert bars(html, "chart-notices") == {
        "overdue": unsent.filter(notice_due_at__lt=now).count(),
        "due_soon": unsent.filter(notice_due_at__gte=now, notice_due_at__lte=week).count(),
        "due_later": unsent.filter(notice_due_at__gt=week).count(),
    }
    assert bars(html, "chart-notices")["overdue"] >= 3


def test_the_consent_funnel_counts_asked_given_refused_and_expired(client, salesperson, demo, settings):
    consents = ConsentRecord.objects.all()
    assert consents.exists()
    old = timezone.now() - timedelta(days=settings.LICITE_CONSENT_DELAY_DAYS + 1)
    pending = consents.filter(given_at__isnull=True, refused_at__isnull=True, withdrawn_at__isnull=True)
    ConsentRecord.objects.filter(pk__in=pending.values("pk")[:2]).update(requested_at=old)
    html = dashboard_page(client, salesperson)
    assert bars(html, "chart-consent") == {
        "asked": consents.count(),
        "given": consents.filter(given_at__isnull=False, withdrawn_at__isnull=True).count(),
        "refused": consents.filter(Q(refused_at__isnull=False) | Q(withdrawn_at__isnull=False)).count(),
        "expired": pending.filter(requested_at__lt=old + timedelta(days=1)).count(),
    }


def test_the_retention_chart_counts_twelve_months_ahead(client, salesperson, demo):
    soon = timezone.now() + timedelta(days=40)
    Prospect.objects.filter(pk__in=Prospect.objects.values("pk")[:5]).update(retain_until=soon)
    html = dashboard_page(client, salesperson)
    months = bars(html, "chart-retention")
    assert len(months) == 12
    assert months[f"{timezone.localtime(soon):%Y-%m}"] >= 5
    in_a_year = dashboard.month_starts(timezone.localtime())[-1]
    assert (
        sum(months.values())
        == Prospect.objects.filter(
            retain_until__gte=timezone.now() - timedelta(minutes=1), retain_until__lt=in_a_year
        ).count()
    )


def test_the_rights_chart_shows_overdue_requests_in_red_to_the_dpo(client, dpo, organisation):
    from licite.rights.actions import do_receive_request

    long_ago = timezone.now() - timedelta(days=45)
    do_receive_request(None, "jeanne@acme.example", "access", "letter", received_at=long_ago)
    do_receive_request(None, "paul@acme.example", "erasure", "letter")
    html = dashboard_page(client, dpo)
    assert bars(html, "chart-rights") == {"overdue": 1, "due_soon": 0, "due_later": 1}
    assert re.search(r'class="bar tone-bad" data-key="overdue"', html)
    assert 'id="rights-overdue"' in html


# --- Each role sees only what its job needs (RULES F5) -----------------------------------------


def test_a_person_without_access_to_prospects_sees_no_figure_at_all(client, outsider, demo):
    html = dashboard_page(client, outsider)
    assert "data-value" not in html
    assert 'id="prospect-count"' not in html
    assert "Your role gives no access to prospects" in html


def test_a_salesperson_sees_prospect_charts_but_not_rights_nor_compliance(client, salesperson, demo):
    html = dashboard_page(client, salesperson)
    assert 'id="chart-basis"' in html
    assert 'id="chart-rights"' not in html
    assert 'id="compliance"' not in html


def test_the_dpo_sees_each_failing_check_with_what_to_do_and_a_link_to_fix_it(client, dpo, demo):
    unsent = Prospect.objects.filter(notice_sent_at__isnull=True)
    Prospect.objects.filter(pk__in=unsent.values("pk")[:2]).update(
        notice_due_at=timezone.now() - timedelta(days=90)
    )
    html = dashboard_page(client, dpo)
    finding = re.search(r'<li class="card finding failure" data-code="notices_overdue">.*?</li>', html, re.S)
    assert finding, "the overdue notices are a failure of the compliance check"
    with translation.override("en"):
        assert escape(str(dashboard.check_details()["notices_overdue"].what_to_do)) in finding[0]
    assert f'href="{reverse("prospect_list")}?notice=overdue"' in finding[0]


# --- The compliance check is cached until the next audit entry ---------------------------------


def test_the_compliance_result_is_kept_until_an_action_writes_an_audit_entry(dpo, demo):
    now = timezone.now()
    Prospect.objects.filter(pk__in=Prospect.objects.values("pk")[:2]).update(
        notice_sent_at=None, notice_due_at=now - timedelta(days=90)
    )
    first = {finding.code for finding in dashboard.compliance(now)}
    assert "notices_overdue" in first
    Prospect.objects.update(notice_sent_at=now)  # behind the actions' back: no audit entry
    assert {finding.code for finding in dashboard.compliance(now)} == first  # from the cache
    record(None, "notice.sent")
    assert "notices_overdue" not in {finding.code for finding in dashboard.compliance(now)}


def test_the_prospect_figures_are_kept_until_the_next_audit_entry(demo):
    now = timezone.now()
    total = dashboard.prospect_figures(now).total
    Prospect.objects.filter(pk__in=Prospect.objects.values("pk")[:4]).delete()  # no audit entry
    assert dashboard.prospect_figures(now).total == total  # from the cache
    record(None, "prospect.erased")
    assert dashboard.prospect_figures(now).total == total - 4


def test_a_read_written_to_the_trail_does_not_make_the_figures_count_again(demo):
    """Opening, listing or exporting prospects is audited but changes no figure: the key stays."""
    now = timezone.now()
    total = dashboard.prospect_figures(now).total
    Prospect.objects.filter(pk__in=Prospect.objects.values("pk")[:4]).delete()  # no audit entry
    for action in ("prospect.viewed", "prospect.listed", "register.exported", "login.succeeded", "logout"):
        record(None, action)
    assert dashboard.prospect_figures(now).total == total  # still from the cache
    record(None, "prospect.erased")
    assert dashboard.prospect_figures(now).total == total - 4


def test_nothing_is_cached_while_the_audit_trail_is_empty(db):
    assert dashboard.prospect_figures(timezone.now()).total == 0
    call_command("demo", count=10, seed=3)
    from licite.audit.models import AuditEvent

    AuditEvent.objects.all().delete()
    assert dashboard.prospect_figures(timezone.now()).total == Prospect.objects.count() > 0


def test_the_dashboard_runs_a_few_queries_once_the_compliance_check_is_cached(
    client, dpo, demo, django_assert_max_num_queries
):
    """The same number whatever the data's size; the compliance check, cached, adds none."""
    client.force_login(dpo)
    client.get(reverse("home"))
    with django_assert_max_num_queries(25):
        client.get(reverse("home"))


# --- In French and English ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fr", ["Tableau de bord", "Prospects par base légale", "Demandes de consentement", "En retard"]),
        ("en", ["Dashboard", "Prospects by legal basis", "Consent requests", "Overdue"]),
    ],
)
def test_the_dashboard_speaks_french_and_english(client, dpo, demo, language, words):
    html = dashboard_page(client, dpo, language)
    assert f'<html lang="{language}">' in html
    for word in words:
        assert word in html


# --- The shell: navigation, language, logout, no inline code ------------------------------------


def test_the_navigation_links_only_to_pages_the_role_may_open(client, salesperson, outsider):
    sales = dashboard_page(client, salesperson)
    assert 'data-nav="prospect_list"' in sales
    assert 'data-nav="user_list"' not in sales
    other = dashboard_page(client, outsider)
    # The quiz is everyone's; so is the API tokens page (a token of theirs opens /api/me alone).
    assert re.findall(r'data-nav="([^"]+)"', other) == ["home", "quiz", "api_tokens"]


def test_every_navigation_link_leads_to_an_existing_page(client, dpo):
    html = dashboard_page(client, dpo)
    links = re.findall(r'<a href="([^"]+)" data-nav=', html)
    assert reverse("home") in links
    for link in links:
        assert client.get(link).status_code == 200, link


def test_the_header_names_the_organisation_and_logs_out_with_a_post(client, salesperson, organisation):
    html = dashboard_page(client, salesperson)
    assert f'id="organisation-name">{organisation.legal_name}<' in html
    assert re.search(rf'<form method="post" action="{reverse("logout")}"', html)
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_the_language_switch_is_a_plain_form_with_a_button_per_language(client, salesperson):
    html = dashboard_page(client, salesperson, "en")
    assert re.search(r'<button type="submit" name="language" value="fr"', html)
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert response.status_code == 302
    assert "Tableau de bord" in client.get(reverse("home")).content.decode()


def test_the_dashboard_has_no_inline_script_or_style_and_a_skip_link(client, dpo, demo):
    html = dashboard_page(client, dpo)
    assert "<script" not in html
    assert "style=" not in html
    assert not re.search(r"\son[a-z]+=", html)  # no onchange, onclick...
    assert '<a class="skip" href="#main">' in html
    assert '<main id="main"' in html


# --- The charts themselves ----------------------------------------------------------------------


def test_a_chart_escapes_its_labels_and_titles():
    svg = charts.bar_chart("c", "<b>title</b>", [charts.Bar("k", '<script>alert("x")</script>', 3)])
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "<b>" not in svg


def test_a_chart_has_a_title_and_a_description_for_screen_readers():
    svg = charts.funnel(
        "consent", "Consent", [charts.Bar("asked", "Asked", 10), charts.Bar("given", "Given", 4)]
    )
    assert 'role="img"' in svg
    assert 'aria-labelledby="consent-title consent-desc"' in svg
    assert '<title id="consent-title">Consent</title>' in svg
    assert '<desc id="consent-desc">Asked: 10; Given: 4</desc>' in svg
    assert "4 (40 %)" in svg


def test_a_chart_of_zeros_draws_no_bar_and_no_division_by_zero():
    svg = charts.stacked_bar("n", "Notices", [charts.Bar("a", "A", 0), charts.Bar("b", "B", 0)])
    assert 'class="part' not in svg  # nothing to draw
    assert re.findall(r'data-key="(\w)" data-value="0"', svg) == ["a", "b"]  # the legend says 0
    columns = charts.monthly_columns("m", "Months", [charts.Bar("2027-01", "Jan", 0, detail="January 2027")])
    assert 'height="0.0"' in columns
    assert "<title>January 2027: 0</title>" in columns


def test_a_chart_refuses_an_unknown_tone():
    with pytest.raises(ValueError, match="unknown tone"):
        charts.Bar("k", "label", 1, "purple")
