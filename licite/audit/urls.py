from django.urls import path

from licite.audit import views

urlpatterns = [
    path("audit/", views.audit_trail, name="audit_trail"),
    path("audit/<int:pk>/", views.audit_event, name="audit_event"),
    path("audit/verify/", views.audit_verify, name="audit_verify"),
    path("audit/export/", views.audit_export, name="audit_export"),
]
