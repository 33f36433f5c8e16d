from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from licite.accounts.admin_access import AuditedAdmin

admin.site.site_header = _("licite administration")
admin.site.site_title = "licite"
admin.site.index_title = _("Records and settings")


# Registered before django-otp's own admin (licite.web comes first in INSTALLED_APPS), which
# then stands aside: that one shows every device's secret key and lets an admin add a device to
# anyone's account. Here an admin can only see devices and remove a lost one (audited): its
# owner sets a new one up at the next login.
@admin.register(TOTPDevice)
class TOTPDeviceAdmin(AuditedAdmin):
    list_display = ("user", "name", "confirmed")
    fields = ("user", "name", "confirmed")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def administrators_only(request: HttpRequest) -> bool:
    """Django's admin is for administrators only, a tool of last resort (issue 22, RULES F5):
    an active member of staff whose role is admin; anyone else is sent to its login page."""
    user = request.user
    return bool(user.is_active and user.is_staff and getattr(user, "role", "") == "admin")


admin.site.has_permission = administrators_only  # type: ignore[method-assign]
