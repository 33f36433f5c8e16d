"""The API tokens page (issue 23, RULES F5): any logged-in user creates tokens that act as them
within their role, reads the secret once, and revokes them; an administrator sees everyone's
tokens and revokes any (offboarding). Every change is the action's audit entry."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from licite.api.actions import digest_of, do_create_token, do_revoke_token
from licite.api.models import ApiToken
from licite.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}


@pytest.fixture
def teammate(django_user_model):
    return django_user_model.objects.create_user("erin", "erin@acme.example", "correct horse battery",
                                                 role="marketing")  # fmt: skip


def create(client, name="CRM sync", expires=""):
    return client.post(reverse("api_tokens"), {"name": name, "expires": expires}, headers=EN)


def secret_in(response) -> str:
    found = re.search(r'<code id="secret"[^>]*>(licite_[^<]+)</code>', response.content.decode())
    assert found is not None, "the answer shows no secret"
    return found.group(1)


def me(secret: str):
    return Client().get("/api/me", headers={"Authorization": f"Bearer {secret}"})


def errors(response) -> str:
    return " ".join(re.findall(r'<p class="error"[^>]*>([^<]*)</p>', response.content.decode()))


def revoke(client, token: ApiToken):
    return client.post(reverse("api_token_revoke"), {"token": token.pk}, headers=EN)


# --- who may open the page --------------------------------------------------------------------------


def test_the_page_asks_to_log_in(client):
    assert client.get(reverse("api_tokens"))["Location"].startswith(reverse("login"))
    assert create(client)["Location"].startswith(reverse("login"))
    assert client.post(reverse("api_token_revoke"), {"token": 1})["Location"].startswith(reverse("login"))
    assert not ApiToken.objects.exists()


def test_an_administrator_gives_the_second_factor_before_reaching_the_page(owner):
    client = Client()  # Django's own: logs in with the password only
    client.force_login(owner)
    response = client.get(reverse("api_tokens"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("otp_setup"))


@pytest.mark.parametrize("role", ["admin", "dpo", "marketing", "sales", "communication", "other"])
def test_every_role_reaches_the_page_and_finds_it_in_the_menu(client, django_user_model, role):
    client.force_login(django_user_model.objects.create_user(f"user-{role}", role=role))
    assert client.get(reverse("api_tokens"), headers=EN).status_code == 200
    assert 'data-nav="api_tokens"' in client.get(reverse("home")).content.decode()


# --- creating a token -------------------------------------------------------------------------------


def test_a_user_creates_a_token_whose_secret_is_shown_once_and_works(client, salesperson):
    client.force_login(salesperson)
    response = create(client)
    assert response.status_code == 200
    secret = secret_in(response)
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.digest, token.expires_at) == (
        salesperson,
        "CRM sync",
        digest_of(secret),
        None,
    )
    assert "no-store" in response["Cache-Control"]
    assert f"Authorization: Bearer {secret}" in response.content.decode()
    assert me(secret).json()["username"] == "bob"
    event = AuditEvent.objects.get(action="api_token.created")
    assert (event.actor_id, event.object_id) == (salesperson.pk, str(token.pk))


def test_the_secret_is_never_kept_nor_shown_again(client, salesperson):
    client.force_login(salesperson)
    secret = secret_in(create(client))
    page = client.get(reverse("api_tokens"), headers=EN).content.decode()
    assert secret not in page
    assert ApiToken.objects.get().prefix in page
    assert secret not in str(dict(client.session))
    assert secret not in str(AuditEvent.objects.values_list("detail", flat=True))


def test_a_token_with_an_expiry_date_works_until_the_end_of_that_day(client, salesperson):
    client.force_login(salesperson)
    day = timezone.localdate() + timedelta(days=30)
    assert create(client, expires=day.isoformat()).status_code == 200
    expires_at = timezone.localtime(ApiToken.objects.get().expires_at)
    assert expires_at.date() == day
    assert (expires_at.hour, expires_at.minute) == (23, 59)


def test_a_token_may_expire_tonight_but_not_yesterday(client, salesperson):
    client.force_login(salesperson)
    assert create(client, expires=timezone.localdate().isoformat()).status_code == 200
    yesterday = timezone.localdate() - timedelta(days=1)
    response = create(client, name="old", expires=yesterday.isoformat())
    assert "Expires: The expiry date cannot be in the past." in errors(response)
    assert ApiToken.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "expires", "field", "message"),
    [
        ("", "", "Name", "This field is required."),
        ("   ", "", "Name", "This field is required."),
        ("x" * 101, "", "Name", "Ensure this value has at most 100 characters (it has 101)."),
        ("CRM sync", "31/02/2027", "Expires", "Enter a valid date."),
        ("CRM sync", "2027-02-31", "Expires", "Enter a valid date."),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(client, salesperson, name, expires, field, message):
    client.force_login(salesperson)
    response = create(client, name, expires)
    assert response.status_code == 200
    assert f"{field}: {message}" in errors(response)
    assert 'id="secret"' not in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_deactivated_user_cannot_be_given_a_token_by_a_stale_page(client, salesperson):
    """The check of the action itself, reached when the user was deactivated meanwhile."""
    client.force_login(salesperson)
    salesperson.is_active = False
    salesperson.save()
    assert create(client)["Location"].startswith(reverse("login"))
    assert not ApiToken.objects.exists()


# --- what the page shows -----------------------------------------------------------------------------


def test_the_page_says_what_a_token_of_this_role_may_do(client, salesperson):
    client.force_login(salesperson)
    page = client.get(reverse("api_tokens"), headers=EN).content.decode()
    assert "Send campaigns" in page
    assert "Record an objection received by another channel" in page
    assert "Export prospects" not in page
    assert 'id="no-permission"' not in page
    assert 'href="/api/docs"' in page


def test_every_permission_has_its_words_on_the_page():
    from licite.api.views import PERM_LABELS
    from licite.core.permissions import Perm

    assert set(PERM_LABELS) == set(Perm), "a permission the page would not name"


def test_a_user_whose_role_has_no_api_permission_may_hold_a_token_for_me_only(client, outsider):
    client.force_login(outsider)
    page = client.get(reverse("api_tokens"), headers=EN).content.decode()
    assert "only /api/me" in page
    assert 'id="no-permission"' in page
    secret = secret_in(create(client))
    assert me(secret).json()["permissions"] == []


def test_the_list_shows_each_tokens_state(client, salesperson):
    client.force_login(salesperson)
    now = timezone.now()
    active, _ = do_create_token(None, salesperson, "active one", expires_at=now + timedelta(days=3))
    revoked, _ = do_create_token(None, salesperson, "revoked one")
    do_revoke_token(None, revoked)
    expired, _ = do_create_token(None, salesperson, "expired one", expires_at=now + timedelta(days=1))
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=now - timedelta(days=1))
    page = client.get(reverse("api_tokens"), headers=EN).content.decode()
    rows = {
        pk: re.search(rf'<tr id="token-{pk}"[^>]*>(.*?)</tr>', page, re.S)
        for pk in (active.pk, revoked.pk, expired.pk)
    }
    assert "Active" in rows[active.pk].group(1)
    assert 'class="revoke"' in rows[active.pk].group(1)
    assert "Revoked" in rows[revoked.pk].group(1)
    assert 'class="revoke"' not in rows[revoked.pk].group(1)
    assert "Expired" in rows[expired.pk].group(1)


def test_the_page_speaks_french(client, salesperson):
    client.force_login(salesperson)
    page = client.get(reverse("api_tokens"), headers={"accept-language": "fr"}).content.decode()
    assert "<h1>Jetons d'API</h1>" in page.replace("&#x27;", "'")


# --- revoking ------------------------------------------------------------------------------------------


def test_a_user_confirms_then_revokes_their_token_which_stops_working(client, salesperson):
    client.force_login(salesperson)
    token, secret = do_create_token(salesperson, salesperson, "CRM sync")
    confirm = client.get(reverse("api_token_revoke"), {"token": token.pk}, headers=EN)
    assert confirm.status_code == 200
    assert "CRM sync" in confirm.content.decode()
    assert me(secret).status_code == 200  # asking is not revoking
    response = revoke(client, token)
    assert response["Location"] == reverse("api_tokens")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert me(secret).status_code == 401
    assert AuditEvent.objects.get(action="api_token.revoked").actor_id == salesperson.pk


def test_revoking_twice_says_it_was_revoked_already(client, salesperson):
    client.force_login(salesperson)
    token, _ = do_create_token(None, salesperson, "CRM sync")
    revoke(client, token)
    page = client.get(revoke(client, token)["Location"], headers=EN).content.decode()
    assert "was already revoked" in page
    assert AuditEvent.objects.filter(action="api_token.revoked").count() == 1


def test_a_teammate_neither_sees_nor_revokes_another_users_token(client, salesperson, teammate):
    token, secret = do_create_token(None, teammate, "Erin's form")
    client.force_login(salesperson)
    page = client.get(reverse("api_tokens"), headers=EN).content.decode()
    assert "Erin" not in page
    assert token.prefix not in page
    assert client.get(reverse("api_token_revoke"), {"token": token.pk}).status_code == 404
    assert revoke(client, token).status_code == 404
    assert me(secret).status_code == 200


@pytest.mark.parametrize("value", ["", "abc", "99999", "1e3", "-1"])
def test_revoking_an_unknown_token_answers_404(client, salesperson, value):
    client.force_login(salesperson)
    assert client.post(reverse("api_token_revoke"), {"token": value}).status_code == 404
    assert client.get(reverse("api_token_revoke"), {"token": value}).status_code == 404


def test_an_administrator_sees_every_users_tokens_and_revokes_any(client, owner, teammate):
    token, secret = do_create_token(None, teammate, "Erin's form")
    client.force_login(owner)
    page = client.get(reverse("api_tokens"), headers=EN).content.decode()
    everyone = re.search(r'<section id="all-tokens".*?</section>', page, re.S)
    assert everyone is not None
    assert "erin" in everyone.group(0)
    assert token.prefix in everyone.group(0)
    assert revoke(client, token)["Location"] == reverse("api_tokens")
    assert me(secret).status_code == 401
    event = AuditEvent.objects.get(action="api_token.revoked")
    assert (event.actor_id, event.detail["user"]) == (owner.pk, teammate.pk)


def test_a_dpo_does_not_manage_other_users_tokens(client, dpo, teammate):
    """Managing accounts is the administrator's job (RULES F5): the DPO sees only their own."""
    token, _ = do_create_token(None, teammate, "Erin's form")
    client.force_login(dpo)
    page = client.get(reverse("api_tokens"), headers=EN).content.decode()
    assert 'id="all-tokens"' not in page
    assert token.prefix not in page
    assert revoke(client, token).status_code == 404
