"""`licite processors`: the processors, their Art. 28 contracts and their transfers (RULES B7)."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from licite.audit.models import AuditEvent
from licite.processors.models import Processor
from tests.conftest import run_licite

pytestmark = pytest.mark.django_db

FLAG = "TRANSFER WITHOUT GROUND"


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("processors", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def add(name: str, country: str, *extra: str) -> tuple[str, str]:
    return run("add", name, "--service", "Hosting", "--country", country, *extra)


def test_a_processor_is_declared_with_its_contract_and_country():
    out, err = add("OVHcloud", "France", "--contract-date", "2026-01-15", "--contract-reference", "DPA 2026")
    assert "Processor added: OVHcloud" in out
    assert err == ""
    ovh = Processor.objects.get()
    assert (ovh.country, ovh.transfer_mechanism, str(ovh.contract_date)) == ("FR", "none", "2026-01-15")


def test_a_us_processor_without_a_mechanism_is_flagged_on_adding_and_in_the_list():
    _, err = add("Acme Cloud", "US")
    assert "warning: Outside the EU/EEA without a transfer mechanism (RULES B7)" in err
    add("Postmark", "US", "--mechanism", "scc")
    add("OVHcloud", "FR")
    out, _ = run("list")
    assert f"{FLAG}: Acme Cloud" in out
    assert f"{FLAG}: Postmark" not in out
    assert f"{FLAG}: OVHcloud" not in out
    assert out.count(FLAG) == 1
    assert "FLAGGED" in out  # the table's column


def test_show_flags_the_transfer_and_says_the_contract_is_missing():
    add("Acme Cloud", "US")
    out, _ = run("show", "Acme Cloud")
    assert "Art. 28 contract:   MISSING" in out
    assert f"transfer:           {FLAG}: Outside the EU/EEA" in out


def test_adequacy_claimed_for_a_country_without_a_decision_is_flagged():
    _, err = add("Bangalore Data", "IN", "--mechanism", "adequacy")
    assert "No adequacy decision for this country" in err


def test_editing_the_mechanism_clears_the_flag():
    add("Acme Cloud", "US")
    out, err = run("edit", "Acme Cloud", "--mechanism", "scc")
    assert "Processor updated: Acme Cloud" in out
    assert err == ""
    assert Processor.objects.get().transfer_flag is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--country", "Atlantis"), "--country: not a country: Atlantis"),
        (
            ("--country", "US", "--mechanism", "trust-us"),
            "--transfer-mechanism: Value 'trust-us' is not a valid choice.",
        ),
        (("--country", "FR", "--activity", "Nope"), "--activity: no processing activity named 'Nope'"),
        (("--country", "FR", "--contract-date", "15/01/2026"), "--contract-date:"),
        (
            ("--country", "FR", "--contract-date", "2099-01-15"),
            "--contract-date: 2099-01-15 is in the future",
        ),
    ],
)
def test_bad_input_is_refused_in_one_line(args, message):
    with pytest.raises(CommandError) as refused:
        run("add", "Acme", "--service", "Hosting", *args)
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)
    assert not Processor.objects.exists()


def test_a_contract_date_in_the_future_is_refused_on_editing_too():
    add("OVHcloud", "FR", "--contract-date", "2026-01-15")
    with pytest.raises(CommandError, match="--contract-date: 2099-01-15 is in the future"):
        run("edit", "OVHcloud", "--contract-date", "2099-01-15")
    assert str(Processor.objects.get().contract_date) == "2026-01-15"


def test_a_us_processor_on_adequacy_is_told_to_check_its_data_privacy_framework_certification():
    _, err = add("Mailer Inc", "US", "--mechanism", "adequacy")
    assert "warning: Adequacy only for organisations certified under the EU-US Data Privacy Framework" in err
    out, _ = run("list")
    assert "CHECK THE TRANSFER: Mailer Inc: Adequacy only for organisations certified" in out
    assert FLAG not in out
    out, _ = run("show", "Mailer Inc")
    assert "transfer:           CHECK THE TRANSFER: Adequacy only for" in out


def test_a_canadian_processor_on_adequacy_is_told_the_decision_covers_pipeda_organisations():
    _, err = add("Maple Hosting", "CA", "--mechanism", "adequacy")
    assert "commercial organisations subject to PIPEDA" in err
    _, err = add("Swiss Hosting", "CH", "--mechanism", "adequacy")
    assert err == ""


def test_a_processor_serves_the_activities_of_the_register():
    from licite.register.models import ProcessingActivity

    activity = ProcessingActivity.objects.create(
        name="Prospection B2B", purpose_fr="p", purpose_en="p", legal_basis="legitimate_interest"
    )
    add("Brevo", "FR", "--activity", "Prospection B2B")
    assert list(Processor.objects.get().activities.all()) == [activity]
    out, _ = run("show", "Brevo")
    assert "activities:         Prospection B2B" in out


def test_every_change_is_audited_with_ids_and_field_names_only():
    add("Acme Cloud", "US")
    run("edit", "Acme Cloud", "--mechanism", "scc")
    run("remove", "Acme Cloud")
    events = list(AuditEvent.objects.order_by("sequence"))
    assert [event.action for event in events] == [
        "processor.created",
        "processor.updated",
        "processor.removed",
    ]
    assert events[0].detail == {
        "fields": ["country", "service", "transfer_mechanism"],
        "transfer_flagged": True,
    }
    assert events[1].detail == {"fields": ["transfer_mechanism"], "transfer_flagged": False}
    assert not Processor.objects.exists()


def test_an_unknown_processor_names_the_known_ones():
    add("OVHcloud", "FR")
    with pytest.raises(CommandError, match="no processor named 'Ovh'; known processors: OVHcloud"):
        run("show", "Ovh")


def test_the_real_command_refuses_a_bad_country_in_one_line_without_a_traceback(tmp_path):
    env = {"LICITE_HOME": str(tmp_path), "LICITE_DATABASE_URL": "", "LICITE_EMAIL_BACKEND": "console"}
    assert run_licite("migrate", "--noinput", env=env).returncode == 0
    refused = run_licite(
        "processors", "add", "Acme", "--service", "Hosting", "--country", "Atlantis", env=env
    )
    assert refused.returncode != 0
    assert refused.stderr.strip() == "CommandError: --country: not a country: Atlantis"
    listed = run_licite("processors", "add", "Acme", "--service", "Hosting", "--country", "US", env=env)
    assert listed.returncode == 0, listed.stderr
    assert f"{FLAG}: Acme" in run_licite("processors", "list", env=env).stdout
