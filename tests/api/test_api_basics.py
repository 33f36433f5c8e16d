"""The API's common ground: tokens, roles, errors in one shape, every call audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from licite.api.actions import do_create_token, do_revoke_token
from licite.api.models import ApiToken
from licite.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_call_without_a_token_is_refused_with_a_json_error():
    response = Client().get("/api/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_token_acts_as_its_user_within_their_role(api_as):
    body = api_as("sales").get("/api/me").json()
    assert body["role"] == "sales"
    assert "export" not in body["permissions"]
    assert "view_prospects" in body["permissions"]


def test_the_token_is_stored_as_a_digest_never_in_clear(api_as):
    api = api_as("marketing")
    token = ApiToken.objects.get(user=api.user)
    assert token.digest != api.secret
    assert api.secret not in token.digest
    assert api.secret.startswith(token.prefix)


def test_a_revoked_token_no_longer_works(api_as):
    api = api_as("marketing")
    assert api.get("/api/me").status_code == 200
    do_revoke_token(None, ApiToken.objects.get(user=api.user))
    assert api.get("/api/me").status_code == 401


def test_an_expired_token_no_longer_works(django_user_model):
    user = django_user_model.objects.create_user("late", role="marketing")
    token, secret = do_create_token(None, user, "nightly", expires_at=timezone.now() + timedelta(minutes=5))
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Client().get("/api/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_a_deactivated_users_token_no_longer_works(api_as):
    api = api_as("marketing")
    api.user.is_active = False
    api.user.save()
    assert api.get("/api/me").status_code == 401


def test_every_call_is_audited_with_the_tokens_id_and_never_the_query(api_as):
    api = api_as("marketing")
    api.get("/api/me", {"q": "jeanne@example.com"})
    event = AuditEvent.objects.filter(action="api.called").latest("sequence")
    token = ApiToken.objects.get(user=api.user)
    assert (event.object_id, event.via, event.actor_id) == (str(token.pk), "api", api.user.pk)
    assert event.detail == {"method": "GET", "operation": "me", "status": 200}
    assert "jeanne" not in str(event.detail)


def test_health_needs_no_token():
    assert Client().get("/api/healthz").json() == {"status": "ok"}


def test_the_schema_and_its_documentation_are_served_by_the_app():
    schema = Client().get("/api/openapi.json").json()
    assert schema["info"]["title"] == "licite"
    docs = Client().get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in docs
    assert "cdn" not in docs.lower()


def test_calls_beyond_the_rate_are_refused_with_retry_after(api_as, settings):
    from licite.api.api import THROTTLE as throttle

    throttle.num_requests, throttle.duration = 2, 60
    try:
        client = api_as("marketing")
        assert [client.get("/api/me").status_code for _ in range(3)] == [200, 200, 429]
        refused = client.get("/api/me")
        assert refused.json()["code"] == "rate_limited"
        assert int(refused["Retry-After"]) >= 1
    finally:
        throttle.num_requests, throttle.duration = throttle.parse_rate(settings.LICITE_API_RATE)


def test_an_unknown_api_path_answers_the_apis_json_error(api_as):
    for method in ("get", "post"):
        response = getattr(api_as("marketing"), method)("/api/nowhere")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
