from django.contrib import admin

from licite.accounts.admin_access import ReadOnlyAdmin
from licite.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Tokens are created and revoked on the API tokens page and by `licite token` (both audited);
    the secret is never stored, only its digest, which is not shown either."""

    list_display = ("id", "user", "name", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at")
    list_filter = ("revoked_at", "expires_at")
    search_fields = ("name", "prefix", "user__username")
    exclude = ("digest",)
