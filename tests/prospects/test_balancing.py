"""RULES C4: the written balancing test, per purpose and source: interest, necessity, reasonable
expectations, the source's terms, safeguards, conclusion, author, date and review date."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from licite.prospects.balancing import stale_tests
from licite.prospects.models import BalancingTest, Prospect, Source
from licite.register.models import ProcessingActivity
from tests.conftest import HEADER

pytestmark = pytest.mark.django_db

PARTS = (
    "--interest", "Selling our audits to exhibitors",
    "--necessity", "Only the work address and job are kept",
    "--expectations", "Exhibitors publish a contact to be reached",
    "--safeguards", "Notice in the first message, one-click objection",
)  # fmt: skip


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("sources", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def annuaire():
    run("add", "Annuaire", "--kind", "directory", "--method", "manual", "--extraction-allowed", "no",
        "--terms", "Conditions générales, article 7")  # fmt: skip
    return Source.objects.get(name="Annuaire")


@pytest.fixture
def b2b():
    return ProcessingActivity.objects.create(
        name="Prospection B2B", purpose_fr="p", purpose_en="p", legal_basis="legitimate_interest"
    )


def assess(*extra: str, name: str = "Annuaire") -> tuple[str, str]:
    return run("assess", name, *PARTS, *extra)


def test_a_test_records_every_part_and_is_reviewed_one_year_later_by_default(annuaire, b2b, owner):
    reasoning = ("--conclusion-text", "Relates to their trade")
    out, _ = assess("--conclusion", "favourable", *reasoning, "--activity", b2b.name, "--as", "alice")
    test = BalancingTest.objects.get()
    today = timezone.localdate()
    assert (test.activity, test.conclusion, test.assessed_by) == (b2b, "favourable", owner)
    assert test.necessity == "Only the work address and job are kept"
    assert test.review_on == today.replace(year=today.year + 1)
    assert f"review by {test.review_on:%Y-%m-%d}" in out


def test_show_gives_every_part_with_the_source_s_terms(annuaire, b2b):
    assess(
        "--conclusion", "unfavourable", "--conclusion-text", "Their terms forbid it", "--activity", b2b.name
    )
    out, _ = run("show", "Annuaire")
    for label, value in (
        ("Purpose (processing activity):", "Prospection B2B"),
        ("Necessity:", "Only the work address and job are kept"),
        ("Reasonable expectations of the persons:", "Exhibitors publish a contact to be reached"),
        ("Source's terms:", "Conditions générales, article 7"),
        ("Conclusion:", "Unfavourable: the persons' rights prevail"),
        ("Reasoning of the conclusion:", "Their terms forbid it"),
    ):
        assert f"  {label:<40}{value}\n" in out
    assert "weighs against: the source's terms forbid extraction (Conditions générales, article 7)" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--necessity", " "), "--necessity: this part of the balancing test must be written"),
        (("--conclusion", "maybe"), "--conclusion: expected favourable or unfavourable, not 'maybe'"),
        (("--activity", "Nope"), "--activity: no processing activity named 'Nope'"),
        (("--review-date", "tomorrow"), "--review-date: not a date (YYYY-MM-DD): 'tomorrow'"),
        (("--review-date", "2020-01-01"), "--review-date: the review date must come after the test"),
    ],
)
def test_a_bad_or_empty_part_is_refused_in_one_line(annuaire, args, message):
    with pytest.raises(CommandError) as refused:
        run("assess", "Annuaire", *PARTS, "--conclusion", "favourable", *args)
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)
    assert not BalancingTest.objects.exists()


def test_a_test_for_a_purpose_on_consent_is_refused(annuaire):
    ProcessingActivity.objects.create(name="B2C", purpose_fr="p", purpose_en="p", legal_basis="consent")
    with pytest.raises(
        CommandError, match="--activity: activity 'B2C' rests on consent, not on legitimate interest"
    ):
        assess("--conclusion", "favourable", "--activity", "B2C")


def test_an_unfavourable_conclusion_refuses_a_legitimate_interest_import(write_csv):
    run("add", "Salon", "--kind", "event", "--method", "manual", "--extraction-allowed", "yes")
    assess("--conclusion", "unfavourable", name="Salon")
    path = write_csv(HEADER + "Jeanne;Dupont;jeanne.dupont@acme.example;;;;;\n")
    with pytest.raises(CommandError, match="concludes that the persons' rights prevail"):
        call_command("import", path, "--source", "Salon", stdout=io.StringIO())
    assert not Prospect.objects.exists()
    assess("--conclusion", "favourable", name="Salon")  # a new test, reviewed, that concludes for it
    call_command("import", path, "--source", "Salon", stdout=io.StringIO())
    assert Prospect.objects.count() == 1


def test_stale_tests_names_sources_without_a_test_or_past_their_review(write_csv, source):
    """For the compliance check: the legitimate-interest sources whose test is missing or old."""
    from licite.prospects.actions import do_save_source

    call_command("import", write_csv(HEADER + "A;B;a.b@acme.example;;;;;\n"), "--source", source.name,
                 stdout=io.StringIO())  # fmt: skip
    untested = do_save_source(None, "Annuaire", kind="directory", method="manual").source
    BalancingTest.objects.filter(source=source).delete()
    assert [s.name for s, _ in stale_tests(timezone.now())] == [source.name]  # holds prospects, no test
    assess(
        "--conclusion",
        "favourable",
        "--review-date",
        str(date.today() + timedelta(days=30)),
        name=source.name,
    )
    assert stale_tests(timezone.now()) == []
    assert (
        untested.balancing_tests.count() == 0
    )  # no prospect, never assessed: not a legitimate-interest source
    later = timezone.now() + timedelta(days=31)
    assert [(s.name, t.review_on) for s, t in stale_tests(later)] == [
        (source.name, date.today() + timedelta(days=30))
    ]


def test_a_test_more_than_a_year_old_is_stale_even_with_a_later_review_date(source):
    test = source.balancing_tests.get()
    test.review_on = test.review_on + timedelta(days=400)
    test.save()
    assert stale_tests(timezone.now() + timedelta(days=370)) == [(source, test)]


def test_a_test_written_just_after_midnight_in_paris_is_reviewed_a_year_from_that_day(annuaire):
    """00:30 in Paris is still the day before in UTC: the review date counts from the day the
    DPO lives (LICITE_TIME_ZONE), as every date licite shows."""
    with time_machine.travel(datetime(2026, 12, 5, 0, 30, tzinfo=ZoneInfo("Europe/Paris")), tick=False):
        test = BalancingTest.objects.create(
            source=annuaire, interest="i", necessity="n", expectations="e", safeguards="s",
            conclusion="favourable", assessed_at=timezone.now(),
        )  # fmt: skip
    assert test.review_on == date(2027, 12, 5)
    assert str(test).endswith("(2026-12-05)")


def test_a_test_added_in_the_admin_needs_its_necessity_and_is_reviewed_a_year_later(client, owner, annuaire):
    from django.urls import reverse

    client.force_login(owner)
    url = reverse("admin:prospects_balancingtest_add")
    data = {
        "source": annuaire.pk,
        "interest": "i",
        "expectations": "e",
        "safeguards": "s",
        "conclusion": "favourable",
    }
    assert client.post(url, data).status_code == 200  # refused: no necessity
    assert not BalancingTest.objects.exists()
    assert client.post(url, {**data, "necessity": "n"}).status_code == 302
    today = timezone.localdate()
    assert BalancingTest.objects.get().review_on == today.replace(year=today.year + 1)


def test_the_longest_label_of_show_is_followed_by_a_space(annuaire):
    assess("--conclusion", "favourable")
    out, _ = run("show", "Annuaire")
    assert "Reasonable expectations of the persons: Exhibitors publish" in out


def test_what_weighs_against_is_stored_as_a_code_and_worded_in_the_reader_s_language(annuaire):
    from django.utils import translation

    from licite.prospects.balancing import concern_texts

    assess("--conclusion", "unfavourable")
    test = BalancingTest.objects.get()
    assert test.concerns == ["terms_forbid_extraction"]
    with translation.override("fr"):
        (french,) = concern_texts(test)
    assert "Conditions générales, article 7" in french
    assert "forbid" not in french


def test_a_concern_recorded_as_an_english_sentence_before_the_codes_is_worded_in_french(annuaire):
    from django.utils import translation

    from licite.prospects.balancing import concern_texts

    assess("--conclusion", "favourable")
    test = BalancingTest.objects.get()
    test.concerns = ["the source's terms were not checked: read them and record whether they allow reuse"]
    with translation.override("fr"):
        (french,) = concern_texts(test)
    assert "not checked" not in french


def test_the_admin_words_what_weighs_against_in_the_reader_s_language(client, owner, annuaire):
    from django.urls import reverse

    assess("--conclusion", "unfavourable")
    test = BalancingTest.objects.get()
    client.force_login(owner)
    page = client.get(
        reverse("admin:prospects_balancingtest_change", args=[test.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "terms_forbid_extraction" not in page
    assert "les conditions d" in page
