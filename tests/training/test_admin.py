"""The proof of training in the admin: read-only, since only the quiz writes it (RULES H)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from licite.training.models import QuizResult
from tests.training.test_quiz import RIGHT

pytestmark = pytest.mark.django_db


def test_the_admin_lists_the_results_and_refuses_to_add_change_or_delete_one(client, owner):
    call_command("quiz", "--answers", RIGHT, "--as", "alice", stdout=io.StringIO())
    result = QuizResult.objects.get()
    client.force_login(owner)
    listing = client.get("/admin/training/quizresult/")
    assert listing.status_code == 200
    assert "alice" in listing.content.decode()
    assert client.get("/admin/training/quizresult/add/").status_code == 403
    assert client.post(f"/admin/training/quizresult/{result.pk}/change/", {"score": 0}).status_code == 403
    assert client.post(f"/admin/training/quizresult/{result.pk}/delete/", {"post": "yes"}).status_code == 403
    assert QuizResult.objects.get().score == 12
