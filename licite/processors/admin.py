from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from licite.accounts.admin_access import AuditedAdmin
from licite.processors.models import Processor


@admin.register(Processor)
class ProcessorAdmin(AuditedAdmin):
    """Every change is audited; the model's clean refuses a country that is not one (RULES B7)."""

    list_display = ("name", "service", "country", "transfer_mechanism", "contract_date", "transfer")
    list_filter = ("transfer_mechanism", "country")
    search_fields = ("name", "service", "contract_reference")
    filter_horizontal = ("activities",)

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        """The country may be typed as a name ("Allemagne"): the model makes it its ISO code."""
        if db_field.name == "country":
            kwargs["max_length"] = 100
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=_("transfer"))
    def transfer(self, obj: Processor) -> str:
        """RULES B7: a transfer outside the EU/EEA without a valid ground, flagged in the list; one
        on an adequacy decision that covers some organisations only, to check."""
        flag = obj.transfer_flag if obj.transfer_flag is not None else obj.transfer_caution
        return f"⚠ {flag}" if flag is not None else "✓"
