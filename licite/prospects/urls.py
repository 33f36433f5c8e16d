from django.urls import path

from licite.prospects import import_views, source_views, views

urlpatterns = [
    path("prospects/", views.prospect_list, name="prospect_list"),
    path("prospects/<int:pk>/", views.prospect_detail, name="prospect_detail"),
    path("prospects/<int:pk>/notice/", views.notice_preview, name="prospect_notice"),
    path("prospects/<int:pk>/contact/", views.record_contact, name="prospect_contact"),
    path("prospects/<int:pk>/restrict/", views.restrict, name="prospect_restrict"),
    path("prospects/<int:pk>/erase/", views.erase, name="prospect_erase"),
    # The import wizard: its steps are keyed by the upload's random token (licite.prospects.uploads).
    path("imports/", import_views.import_list, name="import_list"),
    path("imports/new/", import_views.upload, name="import_upload"),
    path("imports/new/<str:token>/", import_views.mapping, name="import_mapping"),
    path("imports/new/<str:token>/check/", import_views.check, name="import_check"),
    path("imports/new/<str:token>/confirm/", import_views.confirm, name="import_confirm"),
    path("imports/new/<str:token>/cancel/", import_views.cancel, name="import_cancel"),
    path("imports/new/<str:token>/progress/", import_views.progress, name="import_progress"),
    path("imports/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("sources/", source_views.source_list, name="source_list"),
    path("sources/new/", source_views.source_create, name="source_create"),
    path("sources/<int:pk>/", source_views.source_detail, name="source_detail"),
    path("sources/<int:pk>/assess/", source_views.source_assess, name="source_assess"),
    path("sources/<int:pk>/balancing/", source_views.source_balancing, name="source_balancing"),
]
