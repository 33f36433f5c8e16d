from django.contrib import admin

from licite.accounts.admin_access import AuditedAdmin
from licite.register.models import ProcessingActivity


@admin.register(ProcessingActivity)
class ProcessingActivityAdmin(AuditedAdmin):
    """The register, edited by the DPO (RULES H1); `licite register export` writes it out."""

    list_display = ("name", "reference", "legal_basis", "keeps_professional_phone", "updated_at")
    list_filter = ("legal_basis", "keeps_professional_phone")
    search_fields = ("name", "reference", "purpose_fr", "purpose_en", "data_subjects")
    filter_horizontal = ("sources",)
    readonly_fields = ("created_at", "updated_at")
