"""A push the server cannot stage (its temporary folder gone or not a folder, its disk full): the
record is not at fault, so the answer is a 503 in the API's error shape, with Retry-After and a
message that says what to set right (TMPDIR), never a 500 and never a value of the record; and
nothing is stored (licite.prospects.push, licite.prospects.staging.StagingFailed)."""

from __future__ import annotations

import tempfile

import pytest

from licite.audit.models import AuditEvent
from tests.api.test_prospects_api import push, stored

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["not a folder", "gone"])
def broken_tmpdir(request, tmp_path, monkeypatch):
    """The system's temporary directory, broken as a real machine's can be."""
    path = tmp_path / "tmp"
    if request.param == "not a folder":
        path.write_text("")
    monkeypatch.setattr(tempfile, "tempdir", str(path))
    return path


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_push_that_cannot_be_staged_is_a_503_naming_the_problem_and_stores_nothing(
    api_as, source, broken_tmpdir, dry_run
):
    response = push(api_as("marketing"), dry_run=dry_run)
    assert response.status_code == 503, response.content
    body = response.json()
    assert body["code"] == "staging_failed"
    assert body["message"].startswith(
        f"cannot create the pushed record's scratch folder in {broken_tmpdir} ("
    )
    assert "nothing was stored" in body["message"]
    assert "TMPDIR" in body["message"]
    assert "jeanne" not in response.content.decode().lower()
    assert response["Retry-After"] == "60"
    assert stored() == (0, 0, 0)
    assert not AuditEvent.objects.filter(action__startswith="prospect.").exists()
    assert AuditEvent.objects.get(action="api.called").detail["status"] == 503


def test_the_same_push_succeeds_once_the_folder_is_back(api_as, source, broken_tmpdir):
    assert push(api_as("marketing")).status_code == 503
    broken_tmpdir.unlink(missing_ok=True)
    broken_tmpdir.mkdir()
    assert push(api_as("marketing")).status_code == 201
    assert stored() == (1, 1, 1)
    assert list(broken_tmpdir.iterdir()) == []
