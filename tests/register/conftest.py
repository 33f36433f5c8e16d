from __future__ import annotations

import io

import pytest
from django.core.management import call_command

PROFILE = dict(
    legal_name="Acme SAS",
    address="1 rue de la Paix",
    postcode="75002",
    city="Paris",
    country="France",
    phone="+33 1 42 00 00 00",
    siren="912345675",
    contact_email="contact@acme.example",
    dpo_name="Jeanne Dupont",
    dpo_email="dpo@acme.example",
    dpo_company="DPO Conseil SARL",
    interactive=False,
)


@pytest.fixture
def initialised(db):
    """An organisation set up by `licite init`, which writes the register's presets."""
    call_command("init", **PROFILE, stdout=io.StringIO())
