import csv
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from licite.accounts.admin_access import PersonalDataAdmin
from licite.audit.actions import record
from licite.core.csvsafe import neutralize
from licite.core.sources import balancing_concerns
from licite.prospects.models import BalancingTest, ImportBatch, Prospect, Provenance, Source


class AuditedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Every change made in the admin is an audit entry naming the changed fields."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        action = f"{self.opts.model_name}.{'updated' if change else 'created'}"
        record(request.user, action, obj, fields=sorted(form.changed_data), via="admin")

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        record(request.user, f"{self.opts.model_name}.deleted", obj, via="admin")
        super().delete_model(request, obj)


@admin.register(Source)
class SourceAdmin(AuditedAdmin):
    list_display = ("name", "kind", "method", "extraction_allowed", "visibility", "updated_at")
    list_filter = ("kind", "method", "extraction_allowed", "visibility")
    search_fields = ("name", "url", "terms_reference")


@admin.register(BalancingTest)
class BalancingTestAdmin(AuditedAdmin):
    list_display = ("source", "assessed_by", "assessed_at")
    list_filter = ("source", "assessed_at")
    search_fields = ("source__name", "interest")
    readonly_fields = ("concerns", "assessed_by", "assessed_at")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # RULES C4: what weighs against the interest is recomputed from the source's terms.
        obj.concerns = list(balancing_concerns(obj.source.extraction_allowed, obj.source.terms_reference))
        obj.assessed_by, obj.assessed_at = request.user, timezone.now()
        super().save_model(request, obj, form, change)


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


EXPORT_FIELDS = (
    "email", "first_name", "last_name", "job_title", "company", "company_domain", "country", "audience",
    "legal_basis", "status", "collected_at", "notice_due_at", "notice_sent_at", "retain_until",
)  # fmt: skip


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
    actions = ("export_csv",)

    @admin.action(description=_("Export the selected prospects as CSV"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Prospect]) -> HttpResponse:
        """Every export is audited; cells a spreadsheet would run as formulas are neutralized."""
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="prospects.csv"'
        response.write("\ufeff")  # Excel reads UTF-8 only with a byte order mark
        writer = csv.writer(response, delimiter=";")
        writer.writerow(EXPORT_FIELDS)
        rows = list(queryset.values_list(*EXPORT_FIELDS))
        for row in rows:
            writer.writerow(["" if value is None else neutralize(str(value)) for value in row])
        record(request.user, "prospect.exported", None, count=len(rows), via="admin")
        return response


@admin.register(Provenance)
class ProvenanceAdmin(PersonalDataAdmin):
    list_display = ("prospect", "source", "batch", "line_number", "collected_at")
    list_filter = ("source", "collected_at")
    search_fields = ("prospect__email", "page_url")
