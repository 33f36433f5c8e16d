"""`licite init` sets the organisation profile (the data controller) and the first admin."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from licite.accounts.models import Organisation, Role, User
from licite.audit.models import AuditEvent

PROFILE = dict(
    legal_name="Acme SAS",
    address="1 rue de la Paix, 75002 Paris",
    siren="912345675",
    contact_email="contact@acme.example",
    dpo_name="Jeanne Dupont",
    dpo_email="dpo@acme.example",
    interactive=False,
)


def init(capsys, **options):
    call_command("init", **options)
    return capsys.readouterr()


@pytest.mark.django_db
def test_init_stores_the_profile_and_creates_an_admin_with_a_printed_password(capsys):
    out = init(capsys, **PROFILE, admin_username="root", admin_email="root@acme.example").out
    organisation = Organisation.current()
    assert organisation.legal_name == "Acme SAS"
    assert organisation.has_dpo
    admin = User.objects.get(username="root")
    assert admin.is_superuser
    assert admin.role == Role.ADMIN
    password = out.split("password: ")[1].split()[0]
    assert admin.check_password(password)
    assert AuditEvent.objects.filter(action="organisation.created").count() == 1


@pytest.mark.django_db
def test_an_invalid_siren_is_refused_naming_the_flag():
    with pytest.raises(CommandError, match="--siren: 123456789 is not a valid SIREN"):
        call_command("init", **{**PROFILE, "siren": "123456789"})
    assert Organisation.current() is None


@pytest.mark.django_db
def test_a_missing_required_value_is_named_when_input_is_off():
    with pytest.raises(CommandError, match="missing --address, --siren, --contact-email"):
        call_command("init", legal_name="Acme SAS", interactive=False)


@pytest.mark.django_db
def test_init_without_a_dpo_warns(capsys):
    err = init(capsys, **{**PROFILE, "dpo_name": None, "dpo_email": None}).err
    assert "no DPO contact" in err


@pytest.mark.django_db
def test_running_init_again_updates_the_profile_and_audits_the_change(capsys):
    init(capsys, **PROFILE)
    init(capsys, legal_name="Acme Europe SAS", interactive=False)
    assert Organisation.objects.get().legal_name == "Acme Europe SAS"
    updated = AuditEvent.objects.get(action="organisation.updated")
    assert updated.detail == {"fields": ["legal_name"]}


@pytest.mark.django_db
def test_the_demo_init_is_repeatable_and_prints_the_same_login(capsys, settings, tmp_path):
    settings.LICITE_HOME = tmp_path
    first = init(capsys, demo=True).out
    second = init(capsys, demo=True).out
    assert first == second
    password = first.split("password ")[1].split()[0]
    assert User.objects.get(username="admin").check_password(password)
    assert Organisation.objects.count() == 1


@pytest.mark.django_db
def test_a_second_admin_with_the_same_name_is_refused(capsys):
    init(capsys, **PROFILE, admin_username="root")
    with pytest.raises(CommandError, match="already exists"):
        call_command("init", admin_username="root", interactive=False)


def test_init_asks_for_what_the_flags_do_not_give_in_a_terminal(tmp_path):
    """Run the real command on a pseudo-terminal and answer its prompts like a person."""
    import os
    import pty
    import subprocess
    import time

    from tests.conftest import LICITE, ROOT, run_licite

    env = {**os.environ, "LICITE_HOME": str(tmp_path), "LICITE_DATABASE_URL": ""}
    assert run_licite("migrate", "--noinput", env=env).returncode == 0
    leader, follower = pty.openpty()
    child = subprocess.Popen(
        [*LICITE, "init"], stdin=follower, stdout=follower, stderr=follower, cwd=ROOT, env=env
    )
    os.close(follower)
    answers = [
        "Acme SAS",
        "1 rue de la Paix, 75002 Paris",
        "912345675",
        "contact@acme.example",
        "Jeanne Dupont",
        "dpo@acme.example",
        "https://acme.example/privacy",
        "en",
    ]
    transcript = b""
    for answer in answers:
        deadline = time.monotonic() + 30
        while not transcript.rstrip().endswith(b":") and time.monotonic() < deadline:
            transcript += os.read(leader, 1024)
        os.write(leader, answer.encode() + b"\r")
        transcript = b""
    output = b""
    while True:
        try:
            chunk = os.read(leader, 1024)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    assert child.wait(timeout=30) == 0
    assert b"Organisation: Acme SAS (SIREN 912345675)" in output
    shown = run_licite(
        "shell",
        "-c",
        "from licite.accounts.models import Organisation as O; "
        "o = O.current(); print(o.dpo_email, o.default_language)",
        env=env,
    )
    assert shown.stdout.strip().splitlines()[-1].split() == ["dpo@acme.example", "en"]
