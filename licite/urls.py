from django.contrib import admin
from django.urls import include, path

from licite.register.views import privacy_policy

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("licite.web.urls")),
    path("", include("licite.campaigns.urls")),
    path("", include("licite.campaigns.staff_urls")),
    path("", include("licite.rights.urls")),
    path("", include("licite.rights.staff_urls")),
    path("", include("licite.prospects.urls")),
    path("", include("licite.audit.urls")),
    path("", include("licite.accounts.urls")),
    path("", include("licite.register.urls")),
    path("", include("licite.compliance.urls")),
    path("", include("licite.training.urls")),
    path("", include("licite.api.urls")),
    path("", include("licite.api.web_urls")),
    path("privacy/", privacy_policy, name="privacy_policy"),  # RULES D5, no login
    path("admin/", admin.site.urls),
    path("anymail/", include("anymail.urls")),
]
