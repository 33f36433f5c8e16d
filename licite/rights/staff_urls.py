"""The DPO's pages: the rights requests (requests/) and the retention (retention/). Never under
rights/ or access/, which are the person's own pages, without login (licite.rights.urls)."""

from django.urls import path

from licite.rights import staff_views as views

urlpatterns = [
    path("requests/", views.rights_queue, name="rights_queue"),
    path("requests/new/", views.rights_request_new, name="rights_request_new"),
    path("requests/<int:pk>/", views.rights_request, name="rights_request"),
    path("requests/<int:pk>/state/", views.rights_move, name="rights_move"),
    path("requests/<int:pk>/extend/", views.rights_extend, name="rights_extend"),
    path("requests/<int:pk>/refuse/", views.rights_refuse, name="rights_refuse"),
    path("requests/<int:pk>/fulfil/", views.rights_fulfil, name="rights_fulfil"),
    path("requests/<int:pk>/lift/", views.rights_lift, name="rights_lift"),
    path("requests/<int:pk>/export/", views.rights_export, name="rights_export"),
    path("retention/", views.purge, name="purge"),
    path("retention/run/", views.purge_run, name="purge_run"),
]
