from django.contrib import admin

from licite.accounts.admin_access import PersonalDataAdmin, ReadOnlyAdmin
from licite.campaigns.models import Campaign, ContactEvent, OutboundMessage


@admin.register(ContactEvent)
class ContactEventAdmin(PersonalDataAdmin):
    list_display = ("prospect", "kind", "channel", "initiated_by_prospect", "occurred_at")
    list_filter = ("kind", "channel", "initiated_by_prospect", "occurred_at")
    search_fields = ("prospect__email",)
    raw_id_fields = ("prospect",)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "audience", "status", "created_at", "queued_at")
    list_filter = ("audience", "status")
    search_fields = ("name", "purpose", "offer")


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ReadOnlyAdmin, PersonalDataAdmin):
    list_display = ("pk", "kind", "campaign", "status", "status_reason", "language", "queued_at", "sent_at")
    list_filter = ("kind", "status", "campaign", "language")
    search_fields = ("to_address", "status_reason")
    exclude = ("token",)
