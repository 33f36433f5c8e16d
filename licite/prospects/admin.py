from django.contrib import admin

from licite.accounts.admin_access import PersonalDataAdmin
from licite.prospects.models import ImportBatch, Prospect, Provenance, Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "kind", "method", "extraction_allowed", "visibility", "updated_at")
    list_filter = ("kind", "method", "extraction_allowed", "visibility")
    search_fields = ("name", "url", "terms_reference")


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("filename", "source", "status", "imported_by", "started_at", "finished_at")
    list_filter = ("status", "source", "started_at")
    search_fields = ("filename", "file_sha256")
    readonly_fields = ("report",)


class ProvenanceInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Provenance
    extra = 0
    readonly_fields = ("source", "batch", "line_number", "page_url", "collected_at", "collected_by")
    can_delete = False


@admin.register(Prospect)
class ProspectAdmin(PersonalDataAdmin):
    list_display = (
        "email",
        "first_name",
        "last_name",
        "company",
        "audience",
        "legal_basis",
        "status",
        "notice_due_at",
        "retain_until",
    )
    list_filter = ("status", "audience", "legal_basis", "email_kind", "country", "sources")
    search_fields = ("email", "last_name", "company", "company_domain")
    date_hierarchy = "collected_at"
    inlines = (ProvenanceInline,)
    readonly_fields = (
        "email",
        "email_kind",
        "collected_at",
        "collected_by",
        "notice_due_at",
        "notice_sent_at",
        "last_contact_by_prospect_at",
        "retain_until",
    )


@admin.register(Provenance)
class ProvenanceAdmin(PersonalDataAdmin):
    list_display = ("prospect", "source", "batch", "line_number", "collected_at")
    list_filter = ("source", "collected_at")
    search_fields = ("prospect__email", "page_url")
