from django.urls import path

from licite.accounts import views

urlpatterns = [
    path("users/", views.user_list, name="user_list"),
    path("users/invite/", views.user_invite, name="user_invite"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/role/", views.user_role, name="user_role"),
    path("users/<int:pk>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("users/<int:pk>/reactivate/", views.user_reactivate, name="user_reactivate"),
    path("users/<int:pk>/invite-again/", views.user_invite_again, name="user_invite_again"),
    path("users/<int:pk>/two-factor/reset/", views.user_reset_second_factor, name="user_reset_2fa"),
    # Opened by the invited person before they can log in: no login asked.
    path("welcome/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
