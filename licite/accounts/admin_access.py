"""Admin base classes that apply the access rule (RULES F5) and audit every read of personal data."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest, HttpResponse

from licite.audit.actions import record


def may_see_prospects(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "may_see_prospects", False))


class PersonalDataAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Only the roles that need prospects see them (RULES F5); each detail read is audited."""

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


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """For records nobody may edit by hand (the audit trail, the suppression list)."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False
