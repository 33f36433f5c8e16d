from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.http import HttpRequest, HttpResponse

from licite.accounts.admin_access import AuditedAdmin
from licite.accounts.models import Organisation, User
from licite.audit.actions import record


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):  # type: ignore[type-arg]
    """Who may see prospects follows from the role (RULES F5): every change of it is audited."""

    fieldsets = (*DjangoUserAdmin.fieldsets, ("Licite", {"fields": ("role",)}))  # type: ignore[misc]
    add_fieldsets = (*DjangoUserAdmin.add_fieldsets, ("Licite", {"fields": ("role",)}))
    list_display = ("username", "email", "role", "is_staff", "is_active", "last_login")
    list_filter = ("role", "is_staff", "is_superuser", "is_active")
    # Set by Django itself; typed in, they would also show as changed at every save (microseconds).
    readonly_fields = ("last_login", "date_joined")

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        """RULES B3: a user is who collected, imported and acted; deleting one would blank it on
        every record. A user who leaves is made inactive instead."""
        return False

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, id)
            record(request.user, "user.updated", user, fields=["password"], via="admin")
        return response


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ("legal_name", "siren", "contact_email", "dpo_name", "default_language")
    search_fields = ("legal_name", "siren")
    list_filter = ("default_language",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not Organisation.objects.exists() and super().has_add_permission(request)


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(AuditedAdmin, DjangoGroupAdmin):
    """A group grants permissions: its changes are audited like a user's."""
