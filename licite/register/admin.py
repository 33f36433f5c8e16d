from django.contrib import admin

from licite.accounts.admin_access import AuditedAdmin
from licite.register.models import ProcessingActivity


@admin.register(ProcessingActivity)
class ProcessingActivityAdmin(AuditedAdmin):
    list_display = ("name", "legal_basis", "keeps_professional_phone", "updated_at")
    list_filter = ("legal_basis", "keeps_professional_phone")
    search_fields = ("name", "purpose_fr", "purpose_en", "data_subjects")
