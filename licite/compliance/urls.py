from django.urls import path

from licite.compliance import views

urlpatterns = [
    path("compliance/", views.compliance_check, name="compliance"),
    path("compliance/key/", views.key_acknowledge, name="key_acknowledge"),
    path("breaches/", views.breach_list, name="breach_list"),
    path("breaches/new/", views.breach_create, name="breach_create"),
    path("breaches/<int:pk>/", views.breach_detail, name="breach_detail"),
    path("breaches/<int:pk>/edit/", views.breach_update, name="breach_update"),
    path("breaches/<int:pk>/notify/", views.breach_notify, name="breach_notify"),
    path("breaches/<int:pk>/waive/", views.breach_waive, name="breach_waive"),
    path("breaches/<int:pk>/tell/", views.breach_tell, name="breach_tell"),
    path("breaches/<int:pk>/not-told/", views.breach_not_told, name="breach_not_told"),
]
