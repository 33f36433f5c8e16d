from django.urls import path

from licite.api import views

# Any logged-in user's own page (RULES F5): what a token may do follows from its user's role.
urlpatterns = [
    path("tokens/", views.token_list, name="api_tokens"),
    path("tokens/revoke/", views.token_revoke, name="api_token_revoke"),
]
