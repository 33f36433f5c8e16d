from django.contrib import admin

from licite.accounts.admin_access import PersonalDataAdmin
from licite.campaigns.models import ContactEvent


@admin.register(ContactEvent)
class ContactEventAdmin(PersonalDataAdmin):
    list_display = ("prospect", "kind", "channel", "initiated_by_prospect", "occurred_at")
    list_filter = ("kind", "channel", "initiated_by_prospect", "occurred_at")
    search_fields = ("prospect__email",)
    raw_id_fields = ("prospect",)
