"""`licite demo` fills an empty database with a realistic, fictitious data set."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from django.utils import timezone

from licite.campaigns.models import ContactEvent
from licite.core.clocks import notice_due_at
from licite.prospects.models import Prospect, ProspectStatus, Provenance, Source
from licite.register.models import ProcessingActivity
from licite.register.presets import PRESETS
from licite.rights.models import ConsentRecord, SuppressionEntry

pytestmark = pytest.mark.django_db


def test_demo_creates_prospects_with_provenance_and_clocks(capsys):
    call_command("demo", count=120, seed=1)
    assert "prospects" in capsys.readouterr().out
    prospects = Prospect.objects.all()
    assert 100 <= prospects.count() <= 120
    assert not prospects.filter(provenance__isnull=True).exists()
    assert Provenance.objects.values("source").distinct().count() >= 3
    sample = prospects.first()
    assert sample.notice_due_at == notice_due_at(sample.collected_at)
    assert not prospects.filter(retain_until__lt=F("collected_at")).exists()


def test_demo_mixes_work_role_and_private_addresses_with_their_legal_basis():
    call_command("demo", count=300, seed=2)
    kinds = set(Prospect.objects.values_list("email_kind", flat=True))
    assert kinds == {"nominative", "generic", "private"}
    assert not Prospect.objects.filter(email_kind="private", legal_basis="legitimate_interest").exists()
    assert Prospect.objects.filter(status=ProspectStatus.CONSENT_PENDING).exists()
    assert ConsentRecord.objects.exists()
    assert SuppressionEntry.objects.exists()


def test_demo_uses_only_reserved_domains_or_marked_private_mailboxes():
    call_command("demo", count=200, seed=3)
    for email in Prospect.objects.values_list("email", flat=True):
        assert email.endswith(".example") or "licitedemo" in email, email


def test_demo_refuses_a_database_that_holds_prospects():
    call_command("demo", count=10)
    with pytest.raises(CommandError, match="already holds"):
        call_command("demo", count=10)


def test_demo_if_empty_leaves_a_filled_database_alone(capsys):
    call_command("demo", count=10)
    before = Prospect.objects.count()
    call_command("demo", count=10, if_empty=True)
    assert Prospect.objects.count() == before


def test_the_same_seed_gives_the_same_people():
    call_command("demo", count=50, seed=9)
    first = sorted(Prospect.objects.values_list("email", "first_name", "job_title"))
    Prospect.objects.all().delete()
    call_command("demo", count=50, seed=9)
    assert sorted(Prospect.objects.values_list("email", "first_name", "job_title")) == first


def test_demo_people_companies_and_titles_come_from_many_french_and_english_names():
    call_command("demo", count=300, seed=2)
    prospects = Prospect.objects.all()
    for field, at_least in (("first_name", 100), ("last_name", 100), ("job_title", 60)):
        assert prospects.values(field).distinct().count() >= at_least, field
    assert {"fr", "en"} <= set(prospects.values_list("language", flat=True))
    for domain in prospects.exclude(email_kind="private").values_list("company_domain", flat=True):
        assert domain.endswith(".example"), domain


def test_another_seed_gives_other_companies():
    call_command("demo", count=40, seed=1)
    first = set(Prospect.objects.values_list("company", flat=True))
    Prospect.objects.all().delete()
    call_command("demo", count=40, seed=2)
    assert not first & set(Prospect.objects.values_list("company", flat=True))


def test_the_demo_holds_buyers_for_its_sample_purchasing_campaign():
    call_command("demo", count=100, seed=4)
    titles = Prospect.objects.filter(legal_basis="legitimate_interest").values_list("job_title", flat=True)
    assert any("chat" in title.lower() or "procurement" in title.lower() for title in titles)


def test_every_demo_prospect_is_marked_as_demo_data():
    call_command("demo", count=100, seed=4)
    demo = Prospect.objects.filter(provenance__batch__report__demo=True).distinct()
    assert demo.count() == Prospect.objects.count()


def test_every_source_of_the_demo_s_legitimate_interest_prospects_has_its_balancing_test():
    call_command("demo", count=200, seed=4)
    sources = Source.objects.filter(prospects__legal_basis="legitimate_interest").distinct()
    assert sources.count() >= 3
    for source in sources:
        assert source.balancing_tests.exists(), source.name


def test_the_demo_activities_are_the_register_s_presets_written_in_french_and_english():
    call_command("demo", count=10, seed=4)
    activities = ProcessingActivity.objects.all()
    assert sorted(activities.values_list("preset", flat=True)) == sorted(PRESETS)
    for activity in activities:
        activity.full_clean()  # a text in one language only is refused (RULES D4)
        assert activity.purpose_fr != activity.purpose_en


@pytest.mark.parametrize(
    ("language", "purpose"),
    [
        ("fr", "Prospecter par courrier électronique des professionnels, à leur adresse professionnelle"),
        ("en", "Prospecting professionals by email, at their work address"),
    ],
)
def test_a_demo_notice_is_in_one_language_only(language, purpose):
    call_command("init", demo=True, stdout=io.StringIO())
    call_command("demo", count=50, seed=4)
    prospect = Prospect.objects.filter(legal_basis="legitimate_interest").first()
    out = io.StringIO()
    call_command("notice", "preview", prospect.email, "--lang", language, stdout=out)
    assert purpose in out.getvalue()
    other = ProcessingActivity.objects.get(legal_basis="legitimate_interest")
    assert getattr(other, f"purpose_{'en' if language == 'fr' else 'fr'}") not in out.getvalue()
    assert getattr(other, f"retention_{'en' if language == 'fr' else 'fr'}") not in out.getvalue()


def test_no_demo_date_lies_in_the_future():
    """A notice sent, a consent given or a contact made tomorrow would show an impossible state."""
    call_command("demo", stdout=io.StringIO())
    now = timezone.now()
    assert not Prospect.objects.filter(notice_sent_at__gt=now).exists()
    assert not Prospect.objects.filter(collected_at__gt=now).exists()
    assert not ContactEvent.objects.filter(occurred_at__gt=now).exists()
    assert not ConsentRecord.objects.filter(given_at__gt=now).exists()


def test_a_fresh_demo_passes_the_compliance_check_with_warnings_only():
    """`make run` (init --demo, then demo): a lawful installation, not failures out of the box."""
    from licite.compliance.checks import run_checks
    from licite.core.compliance import FAILURE, WARNING

    call_command("init", demo=True, stdout=io.StringIO())
    call_command("demo", stdout=io.StringIO())
    results = run_checks(timezone.now())
    assert [(r.code, r.count) for r in results if r.status == FAILURE] == []
    assert {r.code for r in results if r.status == WARNING} <= {
        "purge_not_run",
        "suppression_key_not_backed_up",
    }


def test_the_demo_still_has_notices_to_send_before_their_deadline():
    from licite.prospects.models import notice_overdue

    call_command("demo", stdout=io.StringIO())
    now = timezone.now()
    assert not Prospect.objects.filter(notice_overdue(now)).exists()
    assert Prospect.objects.filter(notice_sent_at__isnull=True, notice_due_at__gt=now).exists()


def test_the_demo_s_breach_log_holds_one_breach_notified_within_72_hours():
    from licite.compliance.models import Breach

    call_command("demo", count=12, seed=22)
    breach = Breach.objects.get()
    assert breach.cnil_notified_at is not None
    assert breach.cnil_notified_at <= breach.deadline
