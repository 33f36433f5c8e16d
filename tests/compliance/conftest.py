"""The compliance check's fixtures: an installation where every check passes, and a way to read one check."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import F

from licite.compliance.actions import current_fingerprint
from tests.campaigns.conftest import organisation, prospects, smtp  # noqa: F401


def compliance(*args: str) -> tuple[int, dict[str, dict[str, Any]]]:
    """Run `licite compliance --json` in process: its exit code and its checks by code."""
    out = io.StringIO()
    code = 0
    try:
        call_command("compliance", "--json", *args, stdout=out)
    except SystemExit as exc:
        code = int(exc.code or 0)
    report = json.loads(out.getvalue())
    assert report["exit_code"] == code
    return code, {check["code"]: check for check in report["checks"]}


def status(code: str) -> str:
    return str(compliance()[1][code]["status"])


@pytest.fixture
def compliant(organisation, prospects):  # noqa: F811
    """Prospects imported from a source with its balancing test, the organisation with its DPO and
    activities, the key's backup acknowledged, the purge run, everyone informed."""
    from licite.prospects.models import Prospect

    Prospect.objects.update(notice_sent_at=F("collected_at"))
    call_command("key", "acknowledge", current_fingerprint(), stdout=io.StringIO())
    call_command("purge", stdout=io.StringIO())
    return prospects
