from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from licite.accounts.models import Organisation
from licite.prospects.models import Prospect, ProspectStatus, Source
from licite.rights.models import SuppressionEntry


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The dashboard: counts only, so that reading it discloses no personal data."""
    context: dict[str, object] = {"organisation": Organisation.current()}
    if getattr(request.user, "may_see_prospects", False):  # RULES F5
        now = timezone.now()
        prospects = Prospect.objects.all()
        unsent = prospects.filter(notice_sent_at__isnull=True)
        labels = dict(ProspectStatus.choices)
        context.update(
            may_see_prospects=True,
            prospect_count=prospects.count(),
            by_status=[
                (labels.get(row["status"], row["status"]), row["n"])
                for row in prospects.values("status").annotate(n=Count("id")).order_by("status")
            ],
            # RULES D2: a notice past its deadline is a breach; one due within a week is urgent.
            notices_overdue=unsent.filter(notice_due_at__lt=now).count(),
            notices_due_soon=unsent.filter(
                notice_due_at__gte=now, notice_due_at__lte=now + timedelta(days=7)
            ).count(),
            expiring_soon=prospects.filter(retain_until__lte=now + timedelta(days=30)).count(),
            source_count=Source.objects.count(),
            suppressed_count=SuppressionEntry.objects.count(),
        )
    return render(request, "web/home.html", context)


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
