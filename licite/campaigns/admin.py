from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from licite.accounts.admin_access import AuditedAdmin, PersonalDataAdmin, ReadOnlyAdmin
from licite.campaigns.actions import do_create_campaign
from licite.campaigns.models import Campaign, ContactEvent, OutboundMessage, ScheduledRun, WorkerBeat


@admin.register(ContactEvent)
class ContactEventAdmin(ReadOnlyAdmin, PersonalDataAdmin):
    """RULES F1: contacts move the retention clock; they are recorded by `licite contact` and the
    worker, never typed in."""

    list_display = ("prospect", "kind", "channel", "initiated_by_prospect", "occurred_at")
    list_filter = ("kind", "channel", "initiated_by_prospect", "occurred_at")
    search_fields = ("prospect__email",)
    raw_id_fields = ("prospect",)


@admin.register(Campaign)
class CampaignAdmin(AuditedAdmin):
    list_display = ("name", "audience", "status", "created_at", "queued_at")
    list_filter = ("audience", "status")
    search_fields = ("name", "purpose", "offer")
    readonly_fields = ("status", "queued_at", "created_by", "created_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # Once queued, whom a campaign may reach (RULES C1, C3) is what its messages were checked against.
        if obj is not None and obj.status != Campaign.Status.DRAFT:
            return (*self.readonly_fields, "audience", "functions", "purpose")
        return tuple(self.readonly_fields)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        # The same action as `licite campaign create`, which writes the audit entry.
        created = do_create_campaign(request.user, **form.cleaned_data)
        obj.pk, obj.created_by, obj.created_at = created.pk, created.created_by, created.created_at
        obj._state.adding = False


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ReadOnlyAdmin, PersonalDataAdmin):
    list_display = ("id", "kind", "campaign", "status", "status_reason", "language", "queued_at", "sent_at")
    list_filter = ("kind", "status", "campaign", "language")
    search_fields = ("to_address", "status_reason")
    exclude = ("token",)


@admin.register(WorkerBeat)
class WorkerBeatAdmin(ReadOnlyAdmin):
    """The workers alive now: each writes its row every few seconds (docs/operations.md)."""

    list_display = ("host", "pid", "backend", "started_at", "beat_at")
    list_filter = ("backend", "host")
    search_fields = ("host",)


@admin.register(ScheduledRun)
class ScheduledRunAdmin(ReadOnlyAdmin):
    """Which worker enqueued each scheduled job, once per due time (docs/operations.md)."""

    list_display = ("job", "due_at", "enqueued_at", "worker")
    list_filter = ("job",)
    search_fields = ("job", "worker")
