"""Each entry says from where the action came: the web, the command line, a worker, or code run
by none of them (RULES H)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_tasks import task

from licite.audit.actions import record
from licite.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_page_read_in_the_browser_is_recorded_as_from_the_web(client, owner):
    client.force_login(owner)
    assert client.get(reverse("admin:prospects_prospect_changelist")).status_code == 200
    assert AuditEvent.objects.get(action="prospect.listed").via == "web"


def test_a_command_records_its_actions_as_from_the_command_line(source):
    call_command("sources", "assess", source.name, "--interest", "i", "--expectations", "e",
                 "--safeguards", "s", "--necessity", "n", "--conclusion", "favourable",
                 stdout=io.StringIO())  # fmt: skip
    assert AuditEvent.objects.order_by("sequence").last().via == "cli"


@task()
def audited_job() -> None:
    record(None, "test.job_done")


@pytest.mark.django_db(transaction=True)  # the worker closes its connections between tasks
def test_a_background_job_records_its_actions_as_from_a_worker(head_file):
    audited_job.enqueue()
    call_command("worker", batch=True, stdout=io.StringIO(), stderr=io.StringIO())
    assert AuditEvent.objects.get(action="test.job_done").via == "worker"


def test_an_action_called_by_none_of_the_ways_in_is_recorded_as_internal():
    assert record(None, "test.done").via == "internal"
