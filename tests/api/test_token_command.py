"""`licite token create|list|revoke` (issue 23, RULES F5): the secret printed once with what the
token may do, a list that never shows a secret, revocation, and one-line errors."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from licite.api.actions import digest_of, do_create_token, do_revoke_token
from licite.api.models import ApiToken
from licite.audit.models import AuditEvent
from tests.conftest import run_licite

pytestmark = pytest.mark.django_db


def token(*args: str) -> str:
    out = io.StringIO()
    call_command("token", *args, stdout=out)
    return out.getvalue()


def me(secret: str):
    return Client().get("/api/me", headers={"Authorization": f"Bearer {secret}"})


def test_create_prints_the_secret_once_then_what_the_token_may_do(salesperson):
    out = token("create", "--user", "bob", "--name", "CRM sync")
    secret = out.splitlines()[0]
    created = ApiToken.objects.get()
    assert (created.user, created.name, created.digest) == (salesperson, "CRM sync", digest_of(secret))
    assert f"token {created.pk} for bob (role sales), never expires" in out
    assert "view_prospects, view_prospect_detail, import, create_campaigns, send_campaigns" in out
    assert "export" not in out
    assert "Authorization: Bearer <token>" in out
    assert me(secret).json()["username"] == "bob"
    event = AuditEvent.objects.get(action="api_token.created")
    assert (event.object_id, event.via) == (str(created.pk), "cli")


def test_create_with_an_expiry_date_works_until_the_end_of_that_day(salesperson):
    day = timezone.localdate() + timedelta(days=90)
    out = token("create", "--user", "bob", "--name", "nightly", "--expires", day.isoformat())
    assert f"expires at the end of {day.isoformat()}" in out
    assert timezone.localtime(ApiToken.objects.get().expires_at).date() == day


def test_a_token_for_a_role_without_api_permission_says_it_only_reaches_me(outsider):
    out = token("create", "--user", "carol", "--name", "whoami")
    assert "the role 'other' has no API permission: this token can only call /api/me" in out
    assert me(out.splitlines()[0]).json()["permissions"] == []


def test_list_shows_every_token_and_its_state_never_the_secret(salesperson, outsider):
    _, kept = do_create_token(None, salesperson, "CRM sync")
    gone, gone_secret = do_create_token(None, outsider, "old script")
    do_revoke_token(None, gone)
    late, _ = do_create_token(None, salesperson, "late", expires_at=timezone.now() + timedelta(days=1))
    ApiToken.objects.filter(pk=late.pk).update(expires_at=timezone.now() - timedelta(days=1))
    lines = token("list").splitlines()
    assert lines[0].split("\t") == [
        "id",
        "user",
        "name",
        "starts with",
        "created",
        "expires",
        "last used",
        "state",
    ]
    rows = {row.split("\t")[2]: row.split("\t") for row in lines[1:]}
    assert rows["CRM sync"][1] == "bob"
    assert rows["CRM sync"][7] == "active"
    assert rows["CRM sync"][3] == kept[:13]
    assert rows["CRM sync"][5] == "never"
    assert rows["old script"][7] == "revoked"
    assert rows["late"][7] == "expired"
    assert kept not in "\n".join(lines)
    assert gone_secret not in "\n".join(lines)


def test_list_of_one_user(salesperson, outsider):
    do_create_token(None, salesperson, "CRM sync")
    do_create_token(None, outsider, "whoami")
    lines = token("list", "--user", "carol").splitlines()
    assert [line.split("\t")[2] for line in lines[1:]] == ["whoami"]


def test_revoke_stops_the_token_and_a_second_revoke_is_an_error(salesperson):
    created, secret = do_create_token(None, salesperson, "CRM sync")
    assert token("revoke", str(created.pk)).strip() == f"token {created.pk} (CRM sync, bob) revoked"
    assert me(secret).status_code == 401
    assert AuditEvent.objects.get(action="api_token.revoked").via == "cli"
    with pytest.raises(CommandError, match=rf"^token {created.pk} was already revoked$"):
        token("revoke", str(created.pk))


BOB = ("create", "--user", "bob", "--name")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("create", "--user", "nobody", "--name", "x"), "--user: no user 'nobody'"),
        ((*BOB, "  "), "--name: a token needs a name that says what uses it"),
        ((*BOB, "x" * 101), "--name: a token's name has at most 100 characters"),
        ((*BOB, "x", "--expires", "31/12/2027"), "--expires: '31/12/2027' is not a date: write YYYY-MM-DD"),
        ((*BOB, "x", "--expires", "2020-01-01"), "--expires: the expiry date cannot be in the past"),
        (("list", "--user", "nobody"), "--user: no user 'nobody'"),
        (("revoke", "4242"), "no token 4242"),
    ],
)
def test_bad_input_is_one_clear_line_and_changes_nothing(salesperson, args, message):
    with pytest.raises(CommandError) as refused:
        token(*args)
    assert str(refused.value) == message
    assert not ApiToken.objects.exists()


def test_a_deactivated_user_gets_no_token(salesperson):
    salesperson.is_active = False
    salesperson.save()
    with pytest.raises(CommandError, match=r"^--user: bob is deactivated$"):
        token("create", "--user", "bob", "--name", "x")


def test_as_a_user_who_does_not_manage_users_one_handles_only_ones_own_tokens(salesperson, outsider):
    """RULES F5: --as bob may create, list and revoke bob's tokens; someone else's are the admin's."""
    secret = token("create", "--user", "bob", "--name", "mine", "--as", "bob").splitlines()[0]
    theirs, _ = do_create_token(None, outsider, "carol's")
    with pytest.raises(CommandError, match=r"^--user: bob may handle only their own tokens"):
        token("create", "--user", "carol", "--name", "x", "--as", "bob")
    with pytest.raises(CommandError, match=r"^no token"):
        token("revoke", str(theirs.pk), "--as", "bob")
    with pytest.raises(CommandError, match=r"^--user: bob may handle only their own tokens"):
        token("list", "--user", "carol", "--as", "bob")
    listed = token("list", "--as", "bob")
    assert "mine" in listed
    assert "carol's" not in listed
    assert me(secret).status_code == 200
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 2


def test_an_administrator_revokes_anyones_token(owner, outsider):
    theirs, _ = do_create_token(None, outsider, "carol's")
    token("revoke", str(theirs.pk), "--as", "alice")
    assert AuditEvent.objects.get(action="api_token.revoked").actor_id == owner.pk


def test_the_real_command_end_to_end(tmp_path):
    env = {"LICITE_HOME": str(tmp_path), "LICITE_DATABASE_URL": "", "LICITE_EMAIL_BACKEND": "console"}
    assert run_licite("migrate", "--noinput", env=env).returncode == 0
    assert (
        run_licite(
            "users", "invite", "henri", "henri@acme.example", "--role", "marketing", env=env
        ).returncode
        == 0
    )
    created = run_licite("token", "create", "--user", "henri", "--name", "CRM sync", env=env)
    assert created.returncode == 0, created.stderr
    secret = created.stdout.splitlines()[0]
    assert secret.startswith("licite_")
    listed = run_licite("token", "list", env=env)
    assert "\thenri\tCRM sync\t" in listed.stdout
    assert secret not in listed.stdout
    token_id = listed.stdout.splitlines()[1].split("\t")[0]
    assert run_licite("token", "revoke", token_id, env=env).returncode == 0
    again = run_licite("token", "revoke", token_id, env=env)
    assert again.returncode != 0
    assert again.stderr.strip() == f"CommandError: token {token_id} was already revoked"
    bad = run_licite("token", "create", "--user", "henri", "--name", "x", "--expires", "tomorrow", env=env)
    assert bad.stderr.strip() == "CommandError: --expires: 'tomorrow' is not a date: write YYYY-MM-DD"
    assert "Traceback" not in again.stderr + bad.stderr
