from django.urls import path

from licite.rights import views

urlpatterns = [
    path("rights/", views.public_request, name="rights_public"),
    # The first segment of a public link with a token is masked in logs (licite.lib.logmask).
    path("rights/<str:token>", views.confirm, name="rights_confirm"),
    path("access/<str:token>", views.access, name="rights_access"),
]
