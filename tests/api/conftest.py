"""An API client per role: a real user, a real token, the real HTTP stack (Django's client)."""

from __future__ import annotations

import pytest
from django.test import Client


class Api:
    """Django's test client with the token's Authorization header on every call."""

    def __init__(self, secret: str, user) -> None:
        self.client = Client()
        self.secret = secret
        self.user = user

    def _headers(self, headers: dict | None) -> dict:
        return {"Authorization": f"Bearer {self.secret}", **(headers or {})}

    def get(self, path: str, data: dict | None = None, headers: dict | None = None):
        return self.client.get(path, data, headers=self._headers(headers))

    def post(self, path: str, json: object = None, headers: dict | None = None, **extra):
        if "data" in extra:  # multipart, for uploads
            return self.client.post(path, extra.pop("data"), headers=self._headers(headers), **extra)
        return self.client.post(path, json, content_type="application/json", headers=self._headers(headers))

    def put(self, path: str, json: object = None, headers: dict | None = None):
        return self.client.put(path, json, content_type="application/json", headers=self._headers(headers))

    def patch(self, path: str, json: object = None, headers: dict | None = None):
        return self.client.patch(path, json, content_type="application/json", headers=self._headers(headers))

    def delete(self, path: str, headers: dict | None = None):
        return self.client.delete(path, headers=self._headers(headers))


@pytest.fixture
def api_as(db, django_user_model):
    """`api_as("marketing")`: an API client whose token belongs to a new user of that role."""
    from licite.api.actions import do_create_token

    made: dict[str, Api] = {}

    def make(role: str) -> Api:
        if role not in made:
            user = django_user_model.objects.create_user(f"api-{role}", f"api-{role}@acme.example", role=role)
            _, secret = do_create_token(None, user, f"{role} integration")
            made[role] = Api(secret, user)
        return made[role]

    return make
