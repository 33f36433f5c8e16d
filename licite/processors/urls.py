from django.urls import path

from licite.processors import views

urlpatterns = [
    path("processors/", views.processor_list, name="processor_list"),
    path("processors/new/", views.processor_create, name="processor_create"),
    path("processors/<int:pk>/", views.processor_detail, name="processor_detail"),
    path("processors/<int:pk>/edit/", views.processor_edit, name="processor_edit"),
    path("processors/<int:pk>/remove/", views.processor_remove, name="processor_remove"),
]
