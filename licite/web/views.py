from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from licite.accounts.models import Organisation
from licite.core.compliance import FAILURE
from licite.core.permissions import Perm
from licite.prospects.models import LegalBasis, ProspectStatus
from licite.web import charts, dashboard
from licite.web.access import can
from licite.web.charts import Bar
from licite.web.navigation import url_of

TOP_SOURCES = 8  # the largest sources get a bar each; the others share one


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The dashboard: counts only, each part shown to the roles whose job needs it (RULES F5)."""
    now = timezone.now()
    context: dict[str, Any] = {"organisation": Organisation.current()}
    if can(request.user, Perm.VIEW_PROSPECTS):
        context.update(_prospect_figures(now))
    if can(request.user, Perm.HANDLE_RIGHTS):
        context.update(_rights_figures(now))
    if can(request.user, Perm.EDIT_REGISTER) or can(request.user, Perm.READ_AUDIT):
        context["findings"] = _findings(now, with_counts=can(request.user, Perm.VIEW_PROSPECTS))
        context["compliance_url"] = url_of(("compliance", "compliance_check"))
    return render(request, "web/home.html", context)


def _prospect_figures(now: datetime) -> dict[str, Any]:
    """RULES F5: only for the roles that may see prospects."""
    figures = dashboard.prospect_figures(now)
    return {
        "may_see_prospects": True,
        "prospect_count": figures.total,
        "source_count": figures.source_count,
        "suppressed_count": figures.suppressed,
        "notices_overdue": figures.notices.overdue,
        "notices_due_soon": figures.notices.due_soon,
        "prospect_charts": [
            _chart(
                charts.bar_chart, "chart-basis", _("Prospects by legal basis"), _basis_bars(figures.bases)
            ),
            _chart(charts.bar_chart, "chart-source", _("Prospects by source"), _source_bars(figures.sources)),
            _chart(
                charts.bar_chart, "chart-status", _("Prospects by status"), _status_bars(figures.statuses)
            ),
            _chart(
                charts.stacked_bar,
                "chart-notices",
                _("Notices not yet sent (RULES D2)"),
                _notice_bars(figures.notices),
            ),
            _chart(charts.funnel, "chart-consent", _("Consent requests"), _consent_bars(figures.consent)),
            _chart(
                charts.monthly_columns,
                "chart-retention",
                _("Retention ending, month by month (RULES F1)"),
                _retention_bars(figures.retention),
            ),
        ],
    }


def _basis_bars(bases: dict[str, int]) -> list[Bar]:
    labels = dict(LegalBasis.choices)
    return [Bar(key, str(labels[key]), n) for key, n in bases.items()]


def _source_bars(rows: list[tuple[int, str, int]]) -> list[Bar]:
    bars = [Bar(f"source-{pk}", name, n) for pk, name, n in rows[:TOP_SOURCES]]
    rest = sum(n for _pk, _name, n in rows[TOP_SOURCES:])
    if rest:
        bars.append(Bar("other", _("Other sources"), rest, "muted"))
    return bars


def _status_bars(statuses: dict[str, int]) -> list[Bar]:
    labels = dict(ProspectStatus.choices)
    tones: dict[str, str] = {ProspectStatus.CONSENT_PENDING: "warn", ProspectStatus.RESTRICTED: "muted"}
    return [Bar(key, str(labels[key]), n, tones.get(key, "")) for key, n in statuses.items()]


def _notice_bars(notices: dashboard.Notices) -> list[Bar]:
    return [
        Bar("overdue", _("Overdue"), notices.overdue, "bad"),
        Bar("due_soon", _("Due within 7 days"), notices.due_soon, "warn"),
        Bar("due_later", _("Due later"), notices.due_later),
    ]


def _consent_bars(funnel: dashboard.ConsentFunnel) -> list[Bar]:
    return [
        Bar("asked", _("Asked"), funnel.asked),
        Bar("given", _("Given"), funnel.given, "good"),
        Bar("refused", _("Refused or withdrawn"), funnel.refused, "muted"),
        Bar("expired", _("Expired without an answer (to erase)"), funnel.expired, "bad"),
    ]


def _retention_bars(months: list[tuple[datetime, int]]) -> list[Bar]:
    return [
        Bar(f"{start:%Y-%m}", date_format(start, "M"), n, detail=date_format(start, "F Y"))
        for start, n in months
    ]


def _rights_figures(now: datetime) -> dict[str, Any]:
    due = dashboard.rights_due(timezone.localdate(now))
    bars = [
        Bar("overdue", _("Overdue"), due.overdue, "bad"),
        Bar("due_soon", _("Due within 7 days"), due.due_soon, "warn"),
        Bar("due_later", _("Due later"), due.due_later),
    ]
    return {
        "rights_overdue": due.overdue,
        "rights_chart": _chart(charts.bar_chart, "chart-rights", _("Open rights requests (RULES G1)"), bars),
        "rights_url": url_of(("rights_queue", "rights_list", "rights_requests")),
    }


def _findings(now: datetime, with_counts: bool) -> list[dict[str, Any]]:
    """The compliance check's failures then warnings, each with what to do and where."""
    details = dashboard.check_details()
    found = sorted(dashboard.compliance(now), key=lambda finding: finding.status != FAILURE)
    return [
        {
            "code": finding.code,
            "failure": finding.status == FAILURE,
            "title": details[finding.code].title,
            "rule": details[finding.code].rule,
            "what_to_do": details[finding.code].what_to_do,
            "count": _found(finding.count) if with_counts else "",
            "url": dashboard.fix_url(finding.code),
        }
        for finding in found
        if finding.code in details
    ]


def _found(count: int) -> str:
    return ngettext("%(count)d found", "%(count)d found", count) % {"count": count}


Draw = Callable[[str, str, list[Bar]], str]


def _chart(draw: Draw, chart_id: str, title: str, bars: list[Bar]) -> dict[str, str | SafeString]:
    """A chart for the page: its visible title, and its SVG (which charts.py escaped: safe)."""
    return {"id": chart_id, "title": title, "svg": mark_safe(draw(chart_id, title, bars))}  # noqa: S308


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
