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
from licite.prospects.models import Prospect, Source
from licite.rights.models import SuppressionEntry


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The dashboard: counts only, so that reading it discloses no personal data."""
    context: dict[str, object] = {"organisation": Organisation.current()}
    if getattr(request.user, "may_see_prospects", False):  # RULES F5
        soon = timezone.now() + timedelta(days=7)
        prospects = Prospect.objects.all()
        context.update(
            may_see_prospects=True,
            prospect_count=prospects.count(),
            by_status=prospects.values("status").annotate(n=Count("id")).order_by("status"),
            notices_due_soon=prospects.filter(notice_sent_at__isnull=True, notice_due_at__lte=soon).count(),
            expiring_soon=prospects.filter(retain_until__lte=timezone.now() + timedelta(days=30)).count(),
            source_count=Source.objects.count(),
            suppressed_count=SuppressionEntry.objects.count(),
        )
    return render(request, "web/home.html", context)


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
