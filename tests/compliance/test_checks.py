"""`licite compliance` catches each failure it names, and passes once it is put right (issue 21)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from licite.audit.models import AuditEvent
from licite.campaigns.actions import do_create_campaign
from licite.campaigns.models import Campaign, OutboundMessage
from licite.prospects.models import BalancingTest, Prospect, Source
from licite.register.models import ProcessingActivity
from licite.rights.models import ConsentRecord, RightsRequest
from tests.compliance.conftest import compliance, status

pytestmark = pytest.mark.django_db

LEA = "lea.petit@gmail.com"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_an_installation_in_order_passes_every_check(compliant):
    code, checks = compliance("--strict")
    assert {name: check["status"] for name, check in checks.items() if check["status"] != "ok"} == {}
    assert code == 0


def test_every_check_names_its_practice_its_rule_and_what_to_do(compliant):
    _code, checks = compliance()
    practices = {check["practice"] for check in checks.values()}
    six = {"lawful_basis", "purpose_limitation", "minimization", "retention", "access", "information"}
    assert six <= practices
    for check in checks.values():
        assert check["rule"]
        assert check["title"]
        assert "`licite " in check["what_to_do"] or "admin" in check["what_to_do"], check["code"]


def test_overdue_notices_fail_until_they_are_sent(compliant):
    Prospect.objects.update(notice_sent_at=None, notice_due_at=timezone.now() - timedelta(days=1))
    overdue = compliance()[1]["notices_overdue"]
    assert (overdue["status"], overdue["count"], overdue["rule"]) == ("failure", 4, "D2")
    Prospect.objects.update(notice_sent_at=F("collected_at"))
    assert status("notices_overdue") == "ok"


def _campaign_message_to(prospect: Prospect, sent_at) -> OutboundMessage:
    campaign = Campaign.objects.first() or do_create_campaign(
        None, name="Promo", purpose="Prospecting", offer="An offer", audience="b2c", functions=[],
        subject_fr="Offre", subject_en="Offer", body_fr="Bonjour", body_en="Hello",
    )  # fmt: skip
    return OutboundMessage.objects.create(
        kind=OutboundMessage.Kind.CAMPAIGN, campaign=campaign, prospect=prospect, key_hash=prospect.key_hash,
        language="fr", subject="Offre", token=f"t{prospect.pk}", status=OutboundMessage.Status.SENT,
        queued_at=sent_at, sent_at=sent_at,
    )  # fmt: skip


def _consent(prospect: Prospect, given_at) -> ConsentRecord:
    return ConsentRecord.objects.create(
        prospect=prospect, purpose="Offers", wording_version="v1", channel="email_link",
        requested_at=given_at - timedelta(days=1), given_at=given_at,
    )  # fmt: skip


def test_a_consumer_sent_a_campaign_without_proved_consent_fails(compliant):
    lea, now = Prospect.objects.get(email=LEA), timezone.now()
    _campaign_message_to(lea, now)
    assert status("consumers_without_consent") == "failure"
    _consent(lea, given_at=now - timedelta(days=1))
    assert status("consumers_without_consent") == "ok"


def test_a_consent_given_after_the_message_does_not_prove_it(compliant):
    lea, now = Prospect.objects.get(email=LEA), timezone.now()
    _campaign_message_to(lea, now - timedelta(days=3))
    _consent(lea, given_at=now - timedelta(days=1))
    assert status("consumers_without_consent") == "failure"


@pytest.mark.django_db(transaction=True)  # the purge scrubs the database file
def test_records_past_retention_warn_then_fail_two_days_on_and_pass_once_purged(compliant):
    jeanne = Prospect.objects.filter(email__startswith="jeanne")
    jeanne.update(retain_until=timezone.now() - timedelta(hours=1))
    assert status("past_retention") == "warning"
    jeanne.update(retain_until=timezone.now() - timedelta(days=3))
    assert compliance()[1]["past_retention"]["status"] == "failure"
    run("purge")
    assert status("past_retention") == "ok"


def test_a_source_whose_terms_forbid_automated_extraction_feeding_prospects_fails(compliant):
    Source.objects.update(method="automated", extraction_allowed="no")
    assert status("forbidden_sources_used") == "failure"
    Source.objects.update(method="manual")
    assert status("forbidden_sources_used") == "ok"


def test_a_source_restricted_to_the_persons_network_fails(compliant):
    Source.objects.update(visibility="restricted")
    assert status("forbidden_sources_used") == "failure"


def test_a_legitimate_interest_source_without_balancing_test_fails_and_an_old_one_warns(compliant):
    BalancingTest.objects.update(assessed_at=timezone.now() - timedelta(days=400))
    assert status("balancing_tests_missing") == "warning"
    BalancingTest.objects.all().delete()
    assert status("balancing_tests_missing") == "failure"
    run("sources", "assess", "Salon Industrie Lyon 2026", "--interest", "i", "--expectations", "e",
        "--safeguards", "s", "--necessity", "n", "--conclusion", "favourable")  # fmt: skip
    assert status("balancing_tests_missing") == "ok"


def test_a_processor_outside_the_eu_without_a_mechanism_fails(compliant):
    run("processors", "add", "Mailer Inc", "--service", "Sending emails", "--country", "IN",
        "--contract-date", "2026-01-15")  # fmt: skip
    assert status("processors_transfer_unsafe") == "failure"
    run("processors", "edit", "Mailer Inc", "--mechanism", "scc")
    assert status("processors_transfer_unsafe") == "ok"


def test_a_processor_without_an_art_28_contract_fails(compliant):
    run("processors", "add", "Hosting SAS", "--service", "Hosting", "--country", "FR")
    assert status("processors_without_contract") == "failure"
    run("processors", "edit", "Hosting SAS", "--contract-date", "2026-01-15")
    assert status("processors_without_contract") == "ok"


def test_a_us_processor_on_adequacy_warns_to_check_its_data_privacy_framework_certification(compliant):
    run("processors", "add", "Mailer Inc", "--service", "Sending emails", "--country", "US",
        "--mechanism", "adequacy", "--contract-date", "2026-01-15")  # fmt: skip
    assert status("processors_transfer_unsafe") == "ok"
    assert status("processors_adequacy_limited") == "warning"
    run("processors", "edit", "Mailer Inc", "--mechanism", "scc")
    assert status("processors_adequacy_limited") == "ok"


def test_a_source_whose_latest_balancing_test_is_unfavourable_fails_while_it_feeds_prospects(compliant):
    assess = ("sources", "assess", "Salon Industrie Lyon 2026", "--interest", "i", "--expectations", "e",
              "--safeguards", "s", "--necessity", "n")  # fmt: skip
    run(*assess, "--conclusion", "unfavourable")
    assert status("balancing_tests_unfavourable") == "failure"
    assert status("balancing_tests_missing") == "ok"
    run(*assess, "--conclusion", "favourable")
    assert status("balancing_tests_unfavourable") == "ok"


def test_an_unfavourable_test_of_a_source_feeding_no_interest_prospect_passes(compliant):
    run("sources", "assess", "Salon Industrie Lyon 2026", "--interest", "i", "--expectations", "e",
        "--safeguards", "s", "--necessity", "n", "--conclusion", "unfavourable")  # fmt: skip
    Prospect.objects.update(legal_basis="consent")
    assert status("balancing_tests_unfavourable") == "ok"


def test_phones_held_while_no_activity_declares_one_fail_under_minimization(compliant, write_csv):
    from tests.conftest import HEADER, import_file

    ProcessingActivity.objects.filter(legal_basis="legitimate_interest").update(keeps_professional_phone=True)
    import_file(write_csv(
        HEADER + "Marc;Leroy;marc.leroy@acme-industrie.example;Directeur technique;Acme Industrie;"
        "01 42 68 53 00;;France\n"
    ))  # fmt: skip
    assert Prospect.objects.exclude(phone="").count() == 1
    assert status("phones_without_purpose") == "ok"
    ProcessingActivity.objects.update(keeps_professional_phone=False)
    phones = compliance()[1]["phones_without_purpose"]
    assert (phones["status"], phones["count"], phones["practice"]) == ("failure", 1, "minimization")


def test_spam_complaints_are_a_matter_of_lawful_basis_not_minimization(compliant):
    assert compliance()[1]["spam_complaints"]["practice"] == "lawful_basis"


def test_a_user_of_no_prospect_role_holding_rights_on_prospects_warns(compliant, django_user_model):
    carol = django_user_model.objects.create_user("carol", "carol@acme.example", "x", role="other")
    assert status("access_without_need") == "ok"
    carol.user_permissions.add(Permission.objects.get(codename="view_prospect"))
    assert status("access_without_need") == "warning"
    carol.user_permissions.clear()
    carol.is_superuser = True
    carol.save()
    assert status("access_without_need") == "warning"
    carol.role = "sales"
    carol.save()
    assert status("access_without_need") == "ok"


def test_no_dpo_contact_warns_and_no_organisation_fails(compliant):
    from licite.accounts.models import Organisation

    Organisation.objects.update(dpo_name="", dpo_email="")
    assert status("no_dpo_contact") == "warning"
    run("init", "--dpo-name", "Jeanne Martin", "--dpo-email", "dpo@acme-conseil.example", "--no-input")
    assert status("no_dpo_contact") == "ok"
    Organisation.objects.all().delete()
    assert status("no_dpo_contact") == "failure"


def test_a_rights_request_past_its_due_day_fails(compliant):
    run("rights", "request", "paul.martin@acme-industrie.example", "--kind", "access", "--channel", "letter",
        "--received-on", (timezone.localdate() - timedelta(days=40)).isoformat())  # fmt: skip
    assert status("rights_overdue") == "failure"
    run("rights", "fulfil", str(RightsRequest.objects.get().pk))
    assert status("rights_overdue") == "ok"


def test_a_broken_audit_chain_fails(compliant):
    AuditEvent.objects.filter(sequence=1).update(action="tampered")
    assert status("audit_chain_broken") == "failure"


def test_an_unacknowledged_suppression_key_warns_until_its_fingerprint_is_typed_back(organisation, prospects):
    assert status("suppression_key_not_backed_up") == "warning"
    fingerprint = run("key", "fingerprint").split("fingerprint: ")[1].split()[0]
    run("key", "acknowledge", fingerprint.upper().replace("-", ""))
    assert status("suppression_key_not_backed_up") == "ok"


def test_a_fingerprint_of_another_key_is_refused(compliant):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="not the fingerprint of the suppression key in use"):
        run("key", "acknowledge", "0000-0000-0000-0000")
    with pytest.raises(CommandError, match="16 hexadecimal digits"):
        run("key", "acknowledge", "banana")


def test_the_acknowledgement_is_audited_with_the_fingerprint_only(compliant):
    event = AuditEvent.objects.get(action="suppression_key.acknowledged")
    assert set(event.detail) == {"fingerprint"}


def test_a_missing_or_replaced_suppression_key_fails(compliant, settings, tmp_path, monkeypatch):
    monkeypatch.delenv("LICITE_SUPPRESSION_KEY", raising=False)
    settings.LICITE_HOME = tmp_path  # no key file there
    assert status("suppression_key_missing") == "failure"
    settings.LICITE_HOME = tmp_path.parent
    (tmp_path.parent / "suppression_key").write_text("x" * 64)
    settings.SUPPRESSION_KEY = b"another key, not the one that hashed the prospects"
    assert status("suppression_key_missing") == "failure"


def test_the_purge_not_run_for_more_than_two_days_warns(compliant):
    assert status("purge_not_run") == "ok"
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        assert status("purge_not_run") == "warning"
        run("purge")
        assert status("purge_not_run") == "ok"


def test_a_b2b_campaign_sent_without_functions_fails(compliant):
    campaign = do_create_campaign(
        None, name="Everyone", purpose="Prospecting", offer="An offer", audience="b2b", functions=[],
        subject_fr="Offre", subject_en="Offer", body_fr="Bonjour", body_en="Hello",
    )  # fmt: skip
    assert status("campaigns_without_functions") == "ok"  # a draft has sent nothing
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.SENT)
    assert status("campaigns_without_functions") == "failure"
    Campaign.objects.filter(pk=campaign.pk).update(functions=["achat"])
    assert status("campaigns_without_functions") == "ok"


def test_prospects_held_on_a_basis_no_register_activity_declares_fail(compliant):
    ProcessingActivity.objects.filter(legal_basis="consent").delete()
    assert status("bases_without_activity") == "failure"


def test_spam_complaints_at_three_per_thousand_warn(compliant):
    from licite.rights.actions import do_suppress

    jeanne = Prospect.objects.get(email__startswith="jeanne")
    _campaign_message_to(jeanne, timezone.now())
    assert status("spam_complaints") == "ok"
    do_suppress(None, "emily.brown@northfield.example", "complaint", channel="webhook")
    assert status("spam_complaints") == "warning"
