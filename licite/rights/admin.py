from django.conf import settings
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from licite.accounts.admin_access import PersonalDataAdmin, ReadOnlyAdmin
from licite.core.emails import InvalidEmail
from licite.core.suppression import suppression_hash
from licite.lib.keyhash import is_key_hash
from licite.rights.models import ConsentRecord, SuppressionEntry


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdmin, PersonalDataAdmin):
    """RULES G5: the proof of consent is written by the person's own click, never by hand."""

    list_display = (
        "prospect",
        "purpose",
        "wording_version",
        "channel",
        "requested_at",
        "given_at",
        "withdrawn_at",
    )
    list_filter = ("channel", "wording_version", "requested_at")
    search_fields = ("prospect__email", "purpose")
    raw_id_fields = ("prospect",)


@admin.register(SuppressionEntry)
class SuppressionEntryAdmin(ReadOnlyAdmin, PersonalDataAdmin):
    list_display = ("key_hash", "reason", "created_at", "keep_until")
    list_filter = ("reason", "created_at")
    search_fields = ("key_hash",)
    search_help_text = _(
        "Type an email address (it is hashed) or a whole keyed hash: only its entry is shown (RULES F4)."
    )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[SuppressionEntry], search_term: str
    ) -> tuple[QuerySet[SuppressionEntry], bool]:
        if "@" in search_term:
            try:
                digest = suppression_hash(search_term, settings.SUPPRESSION_KEY)
            except InvalidEmail:
                return queryset.none(), False
            return queryset.filter(key_hash=digest), False
        # A hash as the admin shows it, whole: never a part of one (it is stored as bytes).
        term = search_term.strip().lower()
        if not term:
            return queryset, False
        return (queryset.filter(key_hash=term) if is_key_hash(term) else queryset.none()), False
