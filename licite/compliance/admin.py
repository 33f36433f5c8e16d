from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from licite.accounts.admin_access import ReadOnlyAdmin
from licite.compliance.models import Breach, KeyAcknowledgement
from licite.compliance.report import notification_text


@admin.register(Breach)
class BreachAdmin(ReadOnlyAdmin):
    """RULES H1b: the breach log is legal state, written by `licite breach` and audited, never by hand.
    It holds counts and categories, no one's personal data."""

    list_display = (
        "id",
        "found_at",
        "risk",
        "persons_count",
        "records_count",
        "cnil_clock",
        "persons_told_at",
    )
    list_filter = ("risk", "found_at")
    date_hierarchy = "found_at"

    @admin.display(description=_("CNIL notified"))
    def cnil_clock(self, breach: Breach) -> str:
        return notification_text(breach, timezone.now())


@admin.register(KeyAcknowledgement)
class KeyAcknowledgementAdmin(ReadOnlyAdmin):
    list_display = ("fingerprint", "acknowledged_by_label", "acknowledged_at")
