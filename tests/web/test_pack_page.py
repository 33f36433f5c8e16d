"""The inspection pack page: what the pack holds, and a POST that builds it with the same function
as `licite pack`, downloads the ZIP that `licite pack verify` checks, and leaves no file behind
(RULES H2, F5)."""

# The fixtures imported below are pytest's, received as arguments of the same name.
# ruff: noqa: F811
from __future__ import annotations

import hashlib
import tempfile
import zipfile

import pytest
from django.urls import reverse

from licite.audit.models import AuditEvent
from licite.compliance.pack import PARTS, verify_pack
from tests.register.conftest import initialised  # noqa: F401

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def audit_head(settings, tmp_path):
    settings.AUDIT_HEAD_FILE = tmp_path / "audit_head"


@pytest.fixture
def logged(client, dpo, initialised):
    client.force_login(dpo)
    return client


def downloaded(response, tmp_path):
    path = tmp_path / "downloaded.zip"
    path.write_bytes(b"".join(response.streaming_content))
    return path


@pytest.mark.parametrize("role", ["marketing", "sales", "communication", "other"])
def test_only_the_roles_that_read_the_audit_trail_get_the_pack(client, django_user_model, initialised, role):
    client.force_login(django_user_model.objects.create_user(f"u-{role}", role=role))
    assert client.get(reverse("pack")).status_code == 403
    assert client.post(reverse("pack"), {"lang": "fr"}).status_code == 403
    assert not AuditEvent.objects.filter(action="pack.generated").exists()


def test_the_page_lists_every_part_of_the_pack(logged):
    page = logged.get(reverse("pack"), headers=EN).content.decode()
    assert all(str(title) in page for _key, title, _builder in PARTS)
    assert 'id="build-pack"' in page


def test_the_downloaded_pack_verifies_and_is_recorded_with_its_sha256(logged, dpo, tmp_path, monkeypatch):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    response = logged.post(reverse("pack"), {"lang": "en", "since": "2026-01-01"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert 'filename="cnil-inspection-pack-' in response["Content-Disposition"]
    assert list(scratch.iterdir()) == []  # the ZIP unlinked once opened, its directory removed
    path = downloaded(response, tmp_path)
    result = verify_pack(path)
    assert result.problems == ()
    assert result.files == len(zipfile.ZipFile(path).namelist())
    event = AuditEvent.objects.filter(action="pack.generated").get()
    assert event.detail["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (event.actor, event.via, event.detail["language"]) == (dpo, "web", "en")
    assert event.detail["since"].startswith("2026-01-01")


def test_a_day_in_the_future_is_named_and_no_pack_is_built(logged):
    response = logged.post(reverse("pack"), {"lang": "fr", "since": "2999-01-01"}, headers=EN)
    assert response.status_code == 200
    assert 'id="since-error"' in response.content.decode()
    assert "This day is in the future." in response.content.decode()
    assert not AuditEvent.objects.filter(action="pack.generated").exists()


def test_without_the_organisation_s_profile_the_page_says_so(client, dpo):
    client.force_login(dpo)
    response = client.post(reverse("pack"), {"lang": "fr"}, headers=EN)
    assert response.status_code == 200
    assert "The organisation&#x27;s profile is not set" in response.content.decode()
