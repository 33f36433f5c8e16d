from django.urls import path

from licite.prospects import views

urlpatterns = [
    path("prospects/", views.prospect_list, name="prospect_list"),
    path("prospects/<int:pk>/", views.prospect_detail, name="prospect_detail"),
    path("prospects/<int:pk>/notice/", views.notice_preview, name="prospect_notice"),
    path("prospects/<int:pk>/contact/", views.record_contact, name="prospect_contact"),
    path("prospects/<int:pk>/restrict/", views.restrict, name="prospect_restrict"),
    path("prospects/<int:pk>/erase/", views.erase, name="prospect_erase"),
]
