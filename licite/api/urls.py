from django.urls import path

from licite.api.api import api

urlpatterns = [path("api/", api.urls)]
