from django.contrib import admin

from licite.accounts.admin_access import ReadOnlyAdmin
from licite.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("sequence", "at", "actor_label", "action", "object_type", "object_id", "via")
    list_filter = ("action", "object_type", "via", "at")
    search_fields = ("actor_label", "action", "object_id")
    date_hierarchy = "at"
