from django.urls import path

from licite.campaigns import staff_views

urlpatterns = [
    path("campaigns/", staff_views.campaign_list, name="campaign_list"),
    path("campaigns/new/", staff_views.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", staff_views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/send/", staff_views.campaign_send, name="campaign_send"),
    path("campaigns/<int:pk>/settle/", staff_views.campaign_settle, name="campaign_settle"),
]
