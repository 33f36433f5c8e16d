import csv
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from licite.accounts.admin_access import AuditedAdmin, PersonalDataAdmin, ReadOnlyAdmin
from licite.audit.actions import record
from licite.campaigns.models import ContactEvent
from licite.core.csvsafe import neutralize
from licite.core.sources import balancing_concerns
from licite.lib.refusals import terms_text
from licite.prospects.actions import SOURCE_FIELDS, do_save_source
from licite.prospects.models import BalancingTest, ImportBatch, Prospect, Provenance, Source
from licite.rights.actions import do_erase
from licite.rights.models import ConsentRecord, SuppressionReason


@admin.register(Source)
class SourceAdmin(AuditedAdmin):
    list_display = ("name", "kind", "method", "extraction_allowed", "visibility", "updated_at")
    list_filter = ("kind", "method", "extraction_allowed", "visibility")
    search_fields = ("name", "url", "terms_reference")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # The name is how `licite sources add` finds a source: renaming would make another one.
        return ("name",) if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """The same action as `licite sources add`: a known platform's terms apply (RULES B4); it
        writes the audit entry, with the names of the fields it was given."""
        names = form.changed_data if change else SOURCE_FIELDS
        values = {name: form.cleaned_data[name] for name in names if name in SOURCE_FIELDS}
        saved = do_save_source(request.user, obj.name, new=not change, **values)
        for name in (*SOURCE_FIELDS, "pk", "created_at", "updated_at"):
            setattr(obj, name, getattr(saved.source, name))
        obj._state.adding = False
        if saved.warnings:
            message = _(
                "The platform's own terms were applied: extraction recorded as “%(value)s” (%(terms)s)."
            )
            value = saved.source.get_extraction_allowed_display()
            terms = terms_text(saved.source.terms_reference)  # a known platform's, in the reader's language
            self.message_user(request, message % {"value": value, "terms": terms}, messages.WARNING)


@admin.register(BalancingTest)
class BalancingTestAdmin(AuditedAdmin):
    list_display = ("source", "activity", "conclusion", "assessed_by", "assessed_at", "review_on")
    list_filter = ("conclusion", "source", "assessed_at")
    search_fields = ("source__name", "interest")
    readonly_fields = ("what_weighs_against", "assessed_by", "assessed_at")
    exclude = ("concerns",)

    @admin.display(description=_("what weighs against"))
    def what_weighs_against(self, obj: BalancingTest) -> str:
        """The concerns in the reader's language, never their stored codes."""
        from licite.prospects.balancing import concern_texts

        return "; ".join(concern_texts(obj)) if obj.pk else "-"

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        """RULES C4: necessity is written, as on the command line (it may be empty only on the
        tests recorded before it was asked for)."""
        form = super().get_form(request, obj, change, **kwargs)
        form.base_fields["necessity"].required = True
        return form

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # RULES C4: what weighs against the interest is recomputed from the source's terms.
        obj.concerns = list(balancing_concerns(obj.source.extraction_allowed, obj.source.terms_reference))
        obj.assessed_by, obj.assessed_at = request.user, timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    """What an import did: written by the import only."""

    list_display = ("filename", "source", "status", "imported_by", "started_at", "finished_at")
    list_filter = ("status", "source", "started_at")
    search_fields = ("filename", "file_sha256")
    readonly_fields = ("report",)


class ProvenanceInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Provenance
    extra = 0
    fields = readonly_fields = ("source", "batch", "line_number", "page_url", "collected_at", "collector")
    can_delete = False

    @admin.display(description=_("collected by"))
    def collector(self, provenance: Provenance) -> str:
        """RULES B3: the user, or the operating system's user who ran the import (os:NAME)."""
        if provenance.collected_by is not None:
            return str(provenance.collected_by)
        return str((provenance.batch.report if provenance.batch else {}).get("imported_by", "")) or "-"

    # RULES B3: where a record came from is written by the import, never by hand.
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


EXPORT_FIELDS = (
    "email", "first_name", "last_name", "job_title", "company", "company_domain", "country", "audience",
    "legal_basis", "status", "collected_at", "notice_due_at", "notice_sent_at", "retain_until",
)  # fmt: skip


# Legal state: changed only by the actions that apply the rules, never by editing a field.
PROSPECT_LEGAL_STATE = (
    "email", "key_hash", "email_kind", "audience", "legal_basis", "status", "collected_at", "collected_by",
    "notice_due_at", "notice_sent_at", "last_contact_by_prospect_at", "retain_until",
)  # fmt: skip
ERASED_WITH_A_PROSPECT = (Provenance, ConsentRecord, ContactEvent)


@admin.register(Prospect)
class ProspectAdmin(AuditedAdmin, PersonalDataAdmin):
    """Names and company may be corrected (RULES B5), audited; the legal state is read-only; a
    prospect comes in only through the import gate, and a delete is the erasure (RULES G4)."""

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
    readonly_fields = PROSPECT_LEGAL_STATE
    actions = ("export_csv",)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # RULES B3, D2: only through the import (or the API), which applies the gate

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self._erase(request, [obj.key_hash], prospects=[obj.pk])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        ids = sorted(queryset.values_list("pk", flat=True))
        self._erase(request, queryset.values_list("key_hash", flat=True), prospects=ids)

    def _erase(self, request: HttpRequest, hashes: Any, **detail: Any) -> None:
        do_erase(request.user, list(hashes), SuppressionReason.ERASURE, "admin", "prospect.erased", **detail)
        self.message_user(
            request,
            _(
                "Erased: only the keyed hash of each address stays, on the suppression list, "
                "so that no import brings these persons back."
            ),
        )

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        """The erasure removes provenance, consent records and contact events with the prospect,
        though none of them may be deleted alone: no separate permission is asked for them."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        erased = {str(model._meta.verbose_name) for model in ERASED_WITH_A_PROSPECT}
        return deleted, counts, {str(p) for p in perms_needed} - erased, protected

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
class ProvenanceAdmin(ReadOnlyAdmin, PersonalDataAdmin):
    list_display = ("prospect", "source", "batch", "line_number", "collected_at")
    list_filter = ("source", "collected_at")
    search_fields = ("prospect__email", "page_url")
