"""The audit trail viewer (RULES H): the entries newest first, filtered and paged by key, the
result of the last chain verification, one entry's detail, and the export of `licite audit
export`. The entries hold ids and counts, never personal data; the actor is a username."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from licite.audit.actions import do_export, do_verify, last_verification
from licite.audit.models import AuditEvent
from licite.core.permissions import Perm
from licite.web.access import requires
from licite.web.forms import PageKeyField
from licite.web.paging import keyset_page, query_without_keys

PAGE_SIZE = 50
DAY = forms.DateInput(attrs={"type": "date"})


class AuditFilterForm(forms.Form):
    """Each filter is answered by an index: the action's, the time's, the object's, or the primary
    key walked down until a page of matches is found."""

    action = forms.CharField(
        label=gettext_lazy("Action"), max_length=60, required=False, help_text=gettext_lazy("or its start")
    )
    actor = forms.CharField(label=gettext_lazy("Actor"), max_length=150, required=False)
    since = forms.DateField(label=gettext_lazy("From"), required=False, widget=DAY)
    until = forms.DateField(label=gettext_lazy("To"), required=False, widget=DAY)
    object_type = forms.CharField(label=gettext_lazy("Object type"), max_length=60, required=False)
    object_id = forms.CharField(label=gettext_lazy("Object id"), max_length=64, required=False)
    after = PageKeyField()
    before = PageKeyField()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", gettext_lazy("The end of the range comes before its start."))
        if data.get("object_id") and not data.get("object_type"):
            self.add_error("object_type", gettext_lazy("Give the object type with the object id."))
        return data

    def filtered(self) -> QuerySet[AuditEvent]:
        data = self.cleaned_data
        events = AuditEvent.objects.all()
        action = (data.get("action") or "").strip()
        if action:
            # A range of the action's index, where LIKE would scan (as the prospects' search).
            events = events.filter(action__gte=action, action__lt=action + "\U0010ffff")
        if (data.get("actor") or "").strip():
            events = events.filter(actor_label=data["actor"].strip())
        if data.get("since"):
            events = events.filter(at__gte=_day_start(data["since"]))
        if data.get("until"):
            events = events.filter(at__lt=_day_start(data["until"] + dt.timedelta(days=1)))
        if (data.get("object_type") or "").strip():
            events = events.filter(object_type=data["object_type"].strip().lower())
        if (data.get("object_id") or "").strip():
            events = events.filter(object_id=data["object_id"].strip())
        return events


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@require_GET
@requires(Perm.READ_AUDIT)
def audit_trail(request: HttpRequest) -> HttpResponse:
    """RULES H: who did what to which record, newest first, 50 a page, without counting the table."""
    form = AuditFilterForm(request.GET)
    page = None
    if form.is_valid():
        data = form.cleaned_data
        page = keyset_page(form.filtered(), after=data["after"], before=data["before"], size=PAGE_SIZE)
    return render(
        request,
        "audit/trail.html",
        {"form": form, "page": page, "query": query_without_keys(request), "verification": _verification()},
    )


def _verification() -> dict[str, Any] | None:
    """The last verification's result, as `do_verify` recorded it."""
    event = last_verification()
    if event is None:
        return None
    return {
        "event": event,
        "intact": bool(event.detail.get("intact")),
        "entries": event.detail.get("entries", 0),
        "problem": event.detail.get("problem", ""),
    }


@require_GET
@requires(Perm.READ_AUDIT)
def audit_event(request: HttpRequest, pk: int) -> HttpResponse:
    """One entry, with its hashes, and the entries about the same object."""
    event = get_object_or_404(AuditEvent, pk=pk)
    same_object: Any = []
    if event.object_type and event.object_id:
        same_object = AuditEvent.objects.filter(
            Q(object_type=event.object_type, object_id=event.object_id), ~Q(pk=event.pk)
        ).order_by("-pk")[:20]
    return render(
        request,
        "audit/event.html",
        {"event": event, "detail": sorted(event.detail.items()) if isinstance(event.detail, dict) else [],
         "same_object": same_object},
    )  # fmt: skip


@require_POST
@requires(Perm.READ_AUDIT)
def audit_verify(request: HttpRequest) -> HttpResponse:
    """RULES H: walk the whole chain now (seconds at a million entries: on demand, not per view)."""
    intact, _entries, _problem = do_verify(request.user)
    if intact:
        messages.success(request, _("Chain verified: it is intact."))
    else:
        messages.error(request, _("Chain verified: it is broken. See where below."))
    return redirect("audit_trail")


@require_POST
@requires(Perm.READ_AUDIT)
def audit_export(request: HttpRequest) -> HttpResponse:
    """The trail as JSON lines with the hashes, as `licite audit export` writes it; itself an entry."""
    typed = request.POST.get("since", "").strip()
    try:
        since = _day_start(dt.date.fromisoformat(typed)) if typed else None
    except ValueError:
        messages.error(request, _("From: enter a date as YYYY-MM-DD."))
        return redirect("audit_trail")
    handle, name = tempfile.mkstemp(prefix="licite-audit-", suffix=".jsonl")
    os.close(handle)
    path = Path(name)
    try:
        do_export(request.user, path, since)
        stream = path.open("rb")
    finally:
        path.unlink()  # the open file stays readable until the response is sent
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = FileResponse(stream, as_attachment=True, filename=f"licite-audit-{stamp}.jsonl",
                            content_type="application/x-ndjson")  # fmt: skip
    return cast(HttpResponse, response)  # streamed: `requires` passes it on all the same
