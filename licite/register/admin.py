from django.contrib import admin

from licite.register.models import ProcessingActivity


@admin.register(ProcessingActivity)
class ProcessingActivityAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "legal_basis", "keeps_professional_phone", "updated_at")
    list_filter = ("legal_basis", "keeps_professional_phone")
    search_fields = ("name", "purpose", "data_subjects")
