"""The register's pages, with the processors' and the inspection pack's (RULES H1, B7, H2):
one module that licite/urls.py includes."""

from django.urls import include, path

from licite.compliance import pack_views
from licite.register import views

urlpatterns = [
    path("register/", views.register, name="register"),
    path("register/new/", views.activity_create, name="activity_create"),
    path("register/organisation/", views.organisation_edit, name="register_organisation"),
    path("register/export/", views.register_export, name="register_export"),
    path("register/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("register/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("", include("licite.processors.urls")),
    path("pack/", pack_views.pack, name="pack"),
]
