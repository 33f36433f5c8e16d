"""`licite demo` fills an empty database with a realistic, fictitious data set."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from licite.core.clocks import notice_due_at
from licite.prospects.models import Prospect, ProspectStatus, Provenance, Source
from licite.register.models import ProcessingActivity
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


def test_the_demo_activities_are_written_in_french_and_english():
    call_command("demo", count=10, seed=4)
    activities = ProcessingActivity.objects.all()
    assert activities.count() == 2
    for activity in activities:
        activity.full_clean()  # a text in one language only is refused (RULES D4)
        assert activity.purpose_fr != activity.purpose_en


@pytest.mark.parametrize(
    ("language", "purpose"),
    [
        ("fr", "Prospecter des entreprises par courrier électronique pour nos services de conseil."),
        ("en", "Prospecting companies for our consulting services by email."),
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
