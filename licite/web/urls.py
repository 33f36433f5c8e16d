from django.contrib.auth import views as auth_views
from django.urls import path

from licite.web import security, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("login/code/", security.otp_verify, name="otp_verify"),  # the second factor (TOTP)
    path("account/two-factor/", security.otp_setup, name="otp_setup"),
    path("healthz", views.healthz, name="healthz"),
]
