from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("licite.web.urls")),
    path("", include("licite.campaigns.urls")),
    path("", include("licite.rights.urls")),
    path("admin/", admin.site.urls),
    path("anymail/", include("anymail.urls")),
]
