from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from licite.accounts.models import Organisation, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):  # type: ignore[type-arg]
    fieldsets = (*DjangoUserAdmin.fieldsets, ("Licite", {"fields": ("role",)}))  # type: ignore[misc]
    add_fieldsets = (*DjangoUserAdmin.add_fieldsets, ("Licite", {"fields": ("role",)}))
    list_display = ("username", "email", "role", "is_staff", "is_active", "last_login")
    list_filter = ("role", "is_staff", "is_superuser", "is_active")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("legal_name", "siren", "contact_email", "dpo_name", "default_language")
    search_fields = ("legal_name", "siren")
    list_filter = ("default_language",)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return not Organisation.objects.exists() and super().has_add_permission(request)
