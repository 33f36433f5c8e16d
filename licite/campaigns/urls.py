from django.urls import path

from licite.campaigns import views

urlpatterns = [
    path("u/<str:token>", views.unsubscribe, name="unsubscribe"),
    path("consent/<str:token>", views.consent, name="consent"),
    path("r/<str:token>", views.click, name="click"),
    path("stay/<str:token>", views.stay, name="stay"),
]
