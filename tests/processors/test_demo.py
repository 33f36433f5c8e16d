"""The demo shows a lawful state: its email provider is a declared processor in the EU, and its
balancing tests have every part (RULES B7, C4)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from licite.processors.models import Processor
from licite.prospects.balancing import stale_tests
from licite.prospects.models import BalancingTest

pytestmark = pytest.mark.django_db


def test_the_demo_declares_its_email_provider_and_complete_balancing_tests():
    call_command("demo", count=40, seed=3, stdout=io.StringIO())
    brevo = Processor.objects.get(email_backend="brevo")
    assert (brevo.country, brevo.transfer_flag) == ("FR", None)
    assert brevo.activities.filter(legal_basis="legitimate_interest").exists()
    tests = list(BalancingTest.objects.all())
    assert tests
    assert all(test.necessity and test.conclusion == "favourable" and test.activity_id for test in tests)
    assert stale_tests(timezone.now()) == []
