"""The users pages (issue 22, RULES F5): an administrator invites a user, who chooses a password
from the link received by email; roles change, accounts are deactivated and reactivated (never
deleted) and a lost second factor is reset, each change an audit entry naming who, whom and what;
the last active administrator and one's own account are protected. Also the header's link to the
two-factor page, and the public pages an admin reaches between the password and the code."""

# The fixtures imported below are pytest's, received as arguments of the same name.
# ruff: noqa: F811
from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from licite.accounts.models import User
from licite.audit.models import AuditEvent
from tests.campaigns.conftest import organisation, smtp  # noqa: F401
from tests.conftest import free_port

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}
PASSWORD = "correct horse battery"
NEW_PASSWORD = "a long and fresh passphrase 42"


@pytest.fixture
def admin_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def dora(django_user_model):
    return django_user_model.objects.create_user("dora", "dora@acme.example", PASSWORD, role="dpo")


def invite(client, username="erin", email="erin@acme.example", role="marketing"):
    return client.post(
        reverse("user_invite"), {"username": username, "email": email, "role": role}, headers=EN
    )


def link_in(message) -> str:
    found = re.search(r"https?://\S+/welcome/\S+/", message.get_content())
    assert found is not None
    return found.group(0)


def audited(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("sequence"))


def errors(response) -> str:
    return " ".join(re.findall(r'<p class="error"[^>]*>([^<]*)</p>', response.content.decode()))


# --- access (RULES F5) -----------------------------------------------------------------------------


def test_the_users_pages_ask_to_log_in(client, owner):
    assert client.get(reverse("user_list"))["Location"].startswith(reverse("login"))
    assert client.post(reverse("user_deactivate", args=[owner.pk]))["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["sales", "marketing", "communication", "other"])
def test_roles_without_the_users_permission_are_refused_and_change_nothing(
    client, django_user_model, owner, role
):
    client.force_login(django_user_model.objects.create_user(f"user-{role}", role=role))
    pk = owner.pk
    assert client.get(reverse("user_list")).status_code == 403
    assert client.get(reverse("user_detail", args=[pk])).status_code == 403
    assert invite(client).status_code == 403
    assert client.post(reverse("user_role", args=[pk]), {"role": "other"}).status_code == 403
    assert client.post(reverse("user_deactivate", args=[pk])).status_code == 403
    assert client.post(reverse("user_reset_2fa", args=[pk])).status_code == 403
    owner.refresh_from_db()
    assert (owner.role, owner.is_active) == ("admin", True)
    assert not User.objects.filter(username="erin").exists()


def test_the_list_shows_each_account_with_its_role_and_state(admin_client, owner, dora, salesperson):
    salesperson.is_active = False
    salesperson.save()
    body = admin_client.get(reverse("user_list"), headers=EN).content.decode()
    assert re.search(r"dora</a></td>\s*<td>Data protection officer</td>\s*<td>Active</td>", body)
    assert re.search(r"bob</a></td>\s*<td>Sales</td>\s*<td><span class=\"danger\">Deactivated", body)
    assert re.search(r"alice</a></td>\s*<td>Administrator</td>\s*<td>Active</td>\s*<td>On</td>", body)


# --- inviting --------------------------------------------------------------------------------------


def test_an_invited_user_receives_a_link_chooses_a_password_and_logs_in(
    admin_client, owner, smtp, organisation
):
    response = invite(admin_client)
    erin = User.objects.get(username="erin")
    assert response["Location"] == reverse("user_detail", args=[erin.pk])
    assert (erin.role, erin.is_active, erin.has_usable_password()) == ("marketing", True, False)
    [mail] = smtp.to("erin@acme.example")
    assert "Hello erin," in mail.get_content()
    assert "Acme Conseil" in mail.get_content()
    link = link_in(mail).removeprefix("https://licite.example")
    visitor = Client()
    assert "Welcome, erin" in visitor.get(link, headers=EN).content.decode()
    assert (
        visitor.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})["Location"]
        == "/login/"
    )
    assert visitor.post("/login/", {"username": "erin", "password": NEW_PASSWORD})["Location"] == "/"
    [invited] = audited("user.invited")
    assert (invited.actor, invited.object_id, invited.detail) == (owner, str(erin.pk), {"role": "marketing"})
    assert audited("user.password_set")[0].actor == erin


def test_an_invitation_link_works_once(admin_client, smtp):
    invite(admin_client)
    link = link_in(smtp.messages[0]).removeprefix("https://licite.example")
    visitor = Client()
    visitor.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    again = visitor.get(link, headers=EN)
    assert again.status_code == 400
    assert "This link was already used or has expired." in again.content.decode()
    assert Client().get("/welcome/zz.not-a-token/").status_code == 400


def test_a_weak_or_mismatched_password_is_refused_naming_the_field(admin_client, smtp):
    invite(admin_client)
    link = link_in(smtp.messages[0]).removeprefix("https://licite.example")
    weak = Client().post(link, {"new_password1": "password", "new_password2": "password"}, headers=EN)
    assert "New password confirmation: This password is too short." in errors(weak)
    assert not User.objects.get(username="erin").has_usable_password()


def test_an_invitation_with_a_taken_username_or_a_bad_address_names_the_field(admin_client, smtp, dora):
    taken = invite(admin_client, username="Dora")
    assert "Username: A user with this username already exists." in errors(taken)
    bad = invite(admin_client, email="erin at acme")
    assert "Email: Enter a valid email address." in errors(bad)
    assert not User.objects.filter(username="erin").exists()
    assert smtp.messages == []
    assert audited("user.invited") == []


def test_an_invitation_that_cannot_be_mailed_keeps_nothing(admin_client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens there
    response = invite(admin_client)
    assert response.status_code == 200
    assert "The invitation could not be sent" in errors(response)
    assert not User.objects.filter(username="erin").exists()
    assert audited("user.invited") == []


# --- roles, deactivation, second factor ------------------------------------------------------------


def test_a_role_change_is_audited_with_the_old_and_new_role(admin_client, owner, salesperson):
    response = admin_client.post(reverse("user_role", args=[salesperson.pk]), {"role": "dpo"}, follow=True)
    salesperson.refresh_from_db()
    assert salesperson.role == "dpo"
    [changed] = audited("user.role_changed")
    assert (changed.actor, changed.object_id) == (owner, str(salesperson.pk))
    assert changed.detail == {"old_role": "sales", "new_role": "dpo"}
    assert response.status_code == 200


def test_django_admin_access_follows_the_administrator_role(admin_client, dora):
    admin_client.post(reverse("user_role", args=[dora.pk]), {"role": "admin"})
    dora.refresh_from_db()
    assert dora.is_staff
    assert dora.is_superuser
    admin_client.post(reverse("user_role", args=[dora.pk]), {"role": "other"})
    dora.refresh_from_db()
    assert not dora.is_staff
    assert not dora.is_superuser


def test_an_unknown_role_is_refused_naming_the_field(admin_client, salesperson):
    response = admin_client.post(
        reverse("user_role", args=[salesperson.pk]), {"role": "god"}, headers=EN, follow=True
    )
    assert "Role: choose one of the roles in the list." in response.content.decode()
    salesperson.refresh_from_db()
    assert salesperson.role == "sales"


def test_the_last_active_administrator_keeps_the_role_and_stays_active(admin_client, owner):
    demoted = admin_client.post(
        reverse("user_role", args=[owner.pk]), {"role": "sales"}, headers=EN, follow=True
    )  # the only admin steps down: nobody would be left to manage the accounts
    assert "alice is the last active administrator" in demoted.content.decode()
    admin_client.post(reverse("user_deactivate", args=[owner.pk]))
    owner.refresh_from_db()
    assert (owner.role, owner.is_active) == ("admin", True)
    assert audited("user.role_changed") == audited("user.deactivated") == []


def test_an_administrator_cannot_deactivate_themselves(admin_client, owner):
    response = admin_client.post(reverse("user_deactivate", args=[owner.pk]), headers=EN, follow=True)
    assert "You cannot deactivate your own account." in response.content.decode()
    owner.refresh_from_db()
    assert owner.is_active


def test_a_deactivated_user_cannot_log_in_and_is_kept_then_reactivated(admin_client, owner, salesperson):
    admin_client.post(reverse("user_deactivate", args=[salesperson.pk]))
    salesperson.refresh_from_db()
    assert not salesperson.is_active
    assert Client().post("/login/", {"username": "bob", "password": PASSWORD}).status_code == 200  # refused
    admin_client.post(reverse("user_reactivate", args=[salesperson.pk]))
    assert Client().post("/login/", {"username": "bob", "password": PASSWORD})["Location"] == "/"
    assert [(e.actor, e.object_id) for e in audited("user.deactivated") + audited("user.reactivated")] == [
        (owner, str(salesperson.pk)),
        (owner, str(salesperson.pk)),
    ]


def test_a_lost_second_factor_is_reset_and_set_up_again_at_the_next_login(admin_client, owner, dora):
    TOTPDevice.objects.create(user=dora, name="lost phone", confirmed=True)
    admin_client.post(reverse("user_reset_2fa", args=[dora.pk]))
    assert not TOTPDevice.objects.filter(user=dora).exists()
    [reset] = audited("user.second_factor_reset")
    assert (reset.actor, reset.object_id, reset.detail) == (owner, str(dora.pk), {"devices": 1})
    her = Client()
    her.post("/login/", {"username": "dora", "password": PASSWORD})
    assert her.get("/")["Location"].startswith(reverse("otp_setup"))


def test_no_audit_entry_of_a_user_change_holds_an_address(admin_client, smtp, salesperson):
    invite(admin_client)
    admin_client.post(reverse("user_role", args=[salesperson.pk]), {"role": "marketing"})
    admin_client.post(reverse("user_deactivate", args=[salesperson.pk]))
    details = [str(e.detail) for e in AuditEvent.objects.filter(action__startswith="user.")]
    assert len(details) == 3
    assert not [d for d in details if "@" in d]


# --- the header and the second factor --------------------------------------------------------------


def test_the_header_links_to_the_users_own_two_factor_page(client, salesperson):
    client.force_login(salesperson)
    body = client.get("/", headers=EN).content.decode()
    assert f'href="{reverse("otp_setup")}"' in body
    assert "Two-factor authentication" in body


def test_public_pages_stay_reachable_between_the_password_and_the_code(owner, organisation):
    client = Client()
    client.force_login(owner)  # Django's own: the password step only
    assert client.get("/privacy/").status_code == 200
    assert client.get(reverse("user_list"))["Location"].startswith(reverse("otp_setup"))


# --- the command line: the same actions --------------------------------------------------------------


def users_command(*args: str) -> str:
    out = io.StringIO()
    call_command("users", *args, stdout=out)
    return out.getvalue()


def test_the_command_invites_changes_a_role_and_deactivates_through_the_same_actions(owner, smtp):
    assert "erin invited as marketing" in users_command(
        "invite", "erin", "erin@acme.example", "--role", "marketing", "--as", "alice"
    )
    assert len(smtp.to("erin@acme.example")) == 1
    assert users_command("role", "erin", "sales", "--as", "alice") == "erin is now sales\n"
    assert users_command("deactivate", "erin", "--as", "alice") == "erin deactivated\n"
    assert "erin\tsales\tdeactivated" in users_command("list")
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="user.").order_by("sequence")] == [
        "user.invited", "user.role_changed", "user.deactivated",
    ]  # fmt: skip
    assert {e.actor for e in AuditEvent.objects.filter(action__startswith="user.")} == {owner}


def test_the_command_keeps_the_last_admin_and_refuses_roles_without_the_permission(owner, salesperson):
    with pytest.raises(CommandError, match="alice is the last active administrator"):
        users_command("role", "alice", "sales")
    with pytest.raises(CommandError, match="may not manage users"):
        users_command("deactivate", "alice", "--as", "bob")
    owner.refresh_from_db()
    assert (owner.role, owner.is_active) == ("admin", True)


def test_an_invitation_is_sent_again_with_a_new_link_while_no_password_is_chosen(admin_client, owner, smtp):
    invite(admin_client)
    erin = User.objects.get(username="erin")
    admin_client.post(reverse("user_invite_again", args=[erin.pk]))
    assert len(smtp.to("erin@acme.example")) == 2
    assert audited("user.invitation_resent")[0].actor == owner
    link = link_in(smtp.messages[-1]).removeprefix("https://licite.example")
    Client().post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    again = admin_client.post(reverse("user_invite_again", args=[erin.pk]), headers=EN, follow=True)
    assert "erin has no pending invitation." in again.content.decode()
    assert len(smtp.messages) == 2


def test_the_command_lists_users_under_the_names_of_its_columns(owner):
    assert users_command("list").splitlines() == ["username\trole\tstate", "alice\tadmin\tactive"]
