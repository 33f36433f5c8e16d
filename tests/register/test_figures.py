"""The register's live figures come from the database at export time, in a few aggregate queries
(RULES H1)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from licite.prospects.models import Prospect, Source
from licite.register.figures import live_figures
from licite.register.models import ProcessingActivity
from licite.register.presets import B2B, RIGHTS, SUPPRESSION
from licite.rights.actions import do_receive_request, do_suppress
from licite.rights.models import RightsRequest
from tests.conftest import HEADER, import_file

pytestmark = pytest.mark.django_db


def rows(count, start=0):
    return HEADER + "".join(
        f"Jeanne;Dupont;jeanne.dupont{n}@acme-industrie.example;Directrice achats;Acme;;;France\n"
        for n in range(start, start + count)
    )


def figures(now=None):
    activities = list(ProcessingActivity.objects.all())
    return activities, live_figures(activities, now or timezone.now())


def b2b(found):
    activities, register = found
    return register.for_activity(next(a for a in activities if a.preset == B2B))


def test_records_are_counted_by_source_with_the_oldest_collection(initialised, source, write_csv):
    import_file(write_csv(rows(3)))
    held = b2b(figures())
    assert held.records == 3
    assert held.by_source == (("Salon Industrie Lyon 2026", 3),)
    assert held.oldest == Prospect.objects.order_by("collected_at").first().collected_at


def test_an_activity_naming_its_sources_counts_only_their_records(initialised, source, write_csv):
    import_file(write_csv(rows(3)))
    other = Source.objects.create(name="Annuaire", kind="directory", method="manual")
    ProcessingActivity.objects.get(preset=B2B).sources.add(other)
    assert b2b(figures()).records == 0


def test_notices_past_their_deadline_are_counted_as_overdue(initialised, source, write_csv):
    import_file(write_csv(rows(3)))
    assert (b2b(figures()).notices_due, b2b(figures()).notices_overdue) == (3, 0)
    Prospect.objects.filter(pk=Prospect.objects.first().pk).update(
        notice_due_at=timezone.now() - timedelta(days=1)
    )
    assert (b2b(figures()).notices_due, b2b(figures()).notices_overdue) == (2, 1)


def test_the_suppression_list_activity_counts_its_entries_by_reason(initialised):
    do_suppress(None, "someone@acme.example", "objection")
    do_suppress(None, "other@acme.example", "bounce")
    activities, register = figures()
    found = register.for_activity(next(a for a in activities if a.preset == SUPPRESSION))
    assert found.entries == 2
    assert dict(found.by_reason) == {"objection": 1, "bounce": 1}


def test_rights_requests_answered_after_their_due_day_are_late(initialised):
    now = timezone.now()
    on_time = do_receive_request(None, "a@acme.example", "access", "email")
    late = do_receive_request(None, "b@acme.example", "access", "email")
    do_receive_request(None, "c@acme.example", "access", "email", received_at=now - timedelta(days=40))
    RightsRequest.objects.filter(pk=on_time.pk).update(state="fulfilled", closed_at=now)
    RightsRequest.objects.filter(pk=late.pk).update(state="fulfilled", closed_at=now + timedelta(days=40))
    activities, register = figures(now)
    found = register.for_activity(next(a for a in activities if a.preset == RIGHTS))
    assert (found.received, found.answered_in_time, found.answered_late, found.open_overdue) == (3, 1, 1, 1)


@pytest.mark.django_db(transaction=True)  # the purge scrubs the database file, outside a transaction
def test_the_last_purge_and_what_it_erased_come_from_its_audit_entries(initialised, source, write_csv):
    import_file(write_csv(rows(2)))
    assert figures()[1].purge.last_at is None
    Prospect.objects.filter(pk=Prospect.objects.first().pk).update(
        retain_until=timezone.now() - timedelta(days=1)
    )
    call_command("purge", stdout=io.StringIO())
    purge = figures()[1].purge
    assert purge.last_at is not None
    assert purge.erased_last_year == 1


def test_the_figures_take_as_many_queries_for_many_records_as_for_few(
    initialised, source, write_csv, django_assert_max_num_queries
):
    import_file(write_csv(rows(2)))
    activities = list(ProcessingActivity.objects.prefetch_related("sources"))
    with django_assert_max_num_queries(10):
        live_figures(activities, timezone.now())
    import_file(write_csv(rows(40, start=2), name="more.csv"))
    with django_assert_max_num_queries(10):
        assert live_figures(activities, timezone.now()).records == 42


def test_a_notice_due_this_very_moment_is_not_yet_overdue_as_the_compliance_check_counts_it(
    initialised, source, write_csv
):
    import_file(write_csv(rows(1)))
    now = timezone.now()
    Prospect.objects.update(notice_due_at=now)
    assert (b2b(figures(now)).notices_due, b2b(figures(now)).notices_overdue) == (1, 0)


def test_the_register_counts_rights_requests_as_the_inspection_pack_does(initialised):
    from licite.rights import statistics

    now = timezone.now()
    refused = do_receive_request(None, "a@acme.example", "erasure", "email")
    unrecorded = do_receive_request(None, "b@acme.example", "access", "email")
    do_receive_request(None, "c@acme.example", "access", "email", received_at=now - timedelta(days=40))
    RightsRequest.objects.filter(pk=refused.pk).update(
        state="refused", refusal_reason="unfounded", closed_at=now
    )
    RightsRequest.objects.filter(pk=unrecorded.pk).update(state="fulfilled", closed_at=None)
    activities, register = figures(now)
    found = register.for_activity(next(a for a in activities if a.preset == RIGHTS))
    totals = statistics.rights_totals(today=timezone.localdate(now))
    assert (found.answered_in_time, found.answered_late, found.open_overdue) == (
        totals[statistics.MET],
        totals[statistics.MISSED],
        totals[statistics.OVERDUE],
    )
    assert found.answered_in_time == 2
