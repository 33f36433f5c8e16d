"""Admin base classes that apply the access rule (RULES F5), audit every read of personal data
(detail pages and list pages alike) and every change made by hand (the names of the fields
changed, never their values)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from licite.audit.actions import record

REDACTED = "…"  # a filter value that may be personal data (a typed address) is never stored


def may_see_prospects(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "may_see_prospects", False))


class AuditedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Every change made in the admin is an audit entry naming the changed fields."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        self.record_change(request, obj, form, change)

    def record_change(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        action = f"{self.opts.model_name}.{'updated' if change else 'created'}"
        record(request.user, action, obj, fields=sorted(form.changed_data), via="admin")

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        record(request.user, f"{self.opts.model_name}.deleted", obj, via="admin")
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        ids = sorted(queryset.values_list("pk", flat=True))
        record(request.user, f"{self.opts.model_name}.deleted", None, ids=ids, count=len(ids), via="admin")
        super().delete_queryset(request, queryset)


class PersonalDataAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Only the roles that need prospects see them (RULES F5); each detail read and each list
    page shown is audited."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_see_prospects(request) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_see_prospects(request) and super().has_view_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_see_prospects(request) and super().has_change_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return may_see_prospects(request) and super().has_add_permission(request, *args)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_see_prospects(request) and super().has_delete_permission(request, obj)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            target = self.get_object(request, object_id)
            if target is not None:
                record(request.user, f"{self.opts.model_name}.viewed", target, via="admin")
        return response

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """One entry per list page shown: its filters and how many rows it shows, not one per row.
        A search term may be an address: the entry says a search was made, never its text."""
        response = super().changelist_view(request, extra_context)
        context = response.context_data if isinstance(response, TemplateResponse) else None
        changelist = (context or {}).get("cl")
        if isinstance(changelist, ChangeList):
            record(
                request.user,
                f"{self.opts.model_name}.listed",
                None,
                shown=len(changelist.result_list),
                matching=changelist.result_count,
                page=changelist.page_num,
                filters=self._audited_filters(changelist),
                searched=bool(changelist.query),
                via="admin",
            )
        return response

    def _audited_filters(self, changelist: ChangeList) -> dict[str, Any]:
        known = self._filter_fields()
        filters: dict[str, Any] = {}
        for name, values in changelist.filter_params.items():
            field = name.split("__")[0]
            shown = values if field in known else REDACTED
            filters[name] = shown[0] if isinstance(shown, list) and len(shown) == 1 else shown
        return filters

    def _filter_fields(self) -> set[str]:
        """The names the list's own filters use: their values are choices, ids or dates."""
        names = {self.date_hierarchy} if self.date_hierarchy else set()
        for item in self.list_filter:
            if isinstance(item, str):
                names.add(item.split("__")[0])
            elif isinstance(item, tuple):
                names.add(str(item[0]).split("__")[0])
            else:
                names.add(str(getattr(item, "parameter_name", "")))
        return names


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """For records nobody may edit by hand (the audit trail, the suppression list, the outbox,
    consent records and the other legal state that only actions change)."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False
