"""`licite init` writes the register's four preset activities once; they are then the DPO's
(RULES H1)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from licite.audit.models import AuditEvent
from licite.register.models import ProcessingActivity
from licite.register.presets import B2B, B2C, PRESETS, RIGHTS, SUPPRESSION
from tests.register.conftest import PROFILE

pytestmark = pytest.mark.django_db


def test_init_writes_the_four_presets_each_with_its_legal_basis(initialised):
    bases = dict(ProcessingActivity.objects.values_list("preset", "legal_basis"))
    assert bases == {
        B2B: "legitimate_interest",
        B2C: "consent",
        SUPPRESSION: "legal_obligation",
        RIGHTS: "legal_obligation",
    }
    assert AuditEvent.objects.filter(action="register.preset_written").count() == 4


def test_every_preset_is_valid_and_written_in_french_and_english(initialised):
    for activity in ProcessingActivity.objects.all():
        activity.full_clean()
        assert activity.purpose_fr != activity.purpose_en
        assert activity.legal_basis_justification_fr
        assert activity.legal_basis_justification_en
        for row in activity.rows("data_categories"):
            assert row["retention_fr"], (activity.preset, row["category"])
            assert row["retention_en"], (activity.preset, row["category"])


def test_b2b_prospecting_states_the_interest_pursued_and_the_three_year_retention(initialised):
    b2b = ProcessingActivity.objects.get(preset=B2B)
    assert "Développer notre activité" in b2b.interest_pursued_fr
    assert b2b.rows("data_categories")[0]["retention_en"].startswith("3 years from collection")


def test_a_second_init_keeps_what_the_dpo_edited(initialised):
    ProcessingActivity.objects.filter(preset=B2B).update(purpose_fr="Notre texte", purpose_en="Our text")
    call_command("init", legal_name="Acme Europe SAS", interactive=False, stdout=io.StringIO())
    assert ProcessingActivity.objects.get(preset=B2B).purpose_en == "Our text"
    assert ProcessingActivity.objects.count() == 4


def test_a_preset_the_dpo_deleted_is_not_written_again(initialised):
    ProcessingActivity.objects.filter(preset=RIGHTS).delete()
    call_command("init", **PROFILE, stdout=io.StringIO())
    assert not ProcessingActivity.objects.filter(preset=RIGHTS).exists()


def test_the_demo_after_init_reuses_the_presets_and_links_its_sources():
    call_command("init", demo=True, stdout=io.StringIO())
    call_command("demo", count=10, seed=4, stdout=io.StringIO())
    assert sorted(ProcessingActivity.objects.values_list("preset", flat=True)) == sorted(PRESETS)
    assert ProcessingActivity.objects.get(preset=B2B).sources.count() == 5


def test_an_activity_of_an_older_demo_becomes_the_preset_without_a_twin(db):
    ProcessingActivity.objects.create(
        name="Prospection commerciale B2B par courrier électronique", purpose_fr="Ancien", purpose_en="Old",
        legal_basis="legitimate_interest", data_subjects="Prospects",
    )  # fmt: skip
    call_command("init", **PROFILE, stdout=io.StringIO())
    b2b = ProcessingActivity.objects.get(preset=B2B)
    assert b2b.purpose_en == "Old"
    assert ProcessingActivity.objects.count() == 4
