"""Access and portability (RULES G2, GDPR art. 15, 20): everything held, in the person's language,
as a printable page and as JSON, through a signed link that expires (48 hours) or staff's export."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from licite.audit.models import AuditEvent
from licite.campaigns.actions import do_queue_campaign
from tests.campaigns.test_campaigns import EMILY, JEANNE, link, purchasing_campaign, run_worker

pytestmark = pytest.mark.django_db(transaction=True)


def rights(*args: str) -> str:
    out = io.StringIO()
    call_command("rights", *args, stdout=out)
    return out.getvalue()


def export(tmp_path, address: str, fmt: str = "json", *more: str) -> str:
    path = tmp_path / f"access.{fmt}"
    rights("access", address, "--out", str(path), "--format", fmt, *more)
    return path.read_text(encoding="utf-8")


def test_the_export_holds_the_data_its_sources_purposes_retention_and_rights(prospects, tmp_path):
    report = json.loads(export(tmp_path, JEANNE))
    assert report["held"] == "records"
    assert report["language"] == "fr"
    [record] = report["records"]
    data = {item["field"]: item["value"] for item in record["data"]}
    assert data["email"] == JEANNE
    assert data["job_title"] == "Directrice des achats"
    [source] = record["sources"]
    assert source["name"] == "Salon Industrie Lyon 2026"
    assert source["url"] == "https://salon.example/exposants"
    assert source["publicly_accessible"] is True
    assert source["collected_at"]
    processing = record["processing"]
    assert processing["purpose"] == "Prospection commerciale par courriel"
    assert processing["interest_pursued"] == "Développer notre activité auprès des entreprises"
    assert processing["recipients"] == "Équipe commerciale"
    assert record["retain_until"]
    assert "Trois ans" in record["retention_rule"]
    assert any("Opposition" in right for right in report["rights"])
    assert "CNIL" in report["complaint"]
    assert "cnil.fr" in report["complaint"]
    event = AuditEvent.objects.get(action="rights.access_exported")
    assert event.detail == {"format": "json", "held": "records", "records": 1}


def test_the_export_lists_messages_sent_and_contacts_initiated(prospects, smtp, tmp_path, client):
    do_queue_campaign(None, purchasing_campaign())
    run_worker()
    [message] = smtp.to(EMILY)
    client.get(link(message, r"https://licite\.example/r/[\w-]+").removeprefix("https://licite.example"))
    report = json.loads(export(tmp_path, EMILY))
    assert report["language"] == "en"
    [sent] = report["messages"]
    assert (sent["campaign"], sent["subject"]) == ("Audit achats", "Your purchasing audit")
    [contact] = report["contacts"]
    assert contact["kind"] == "Click on a link by the prospect"


def test_an_address_only_on_the_suppression_list_is_told_about_its_fingerprint(organisation, tmp_path):
    call_command("suppress", "add", JEANNE, "--reason", "objection", stdout=io.StringIO())
    page = export(tmp_path, JEANNE, "html", "--language", "fr")
    today = timezone.localdate()
    assert "Nous conservons une empreinte codée de votre adresse depuis le" in page
    assert str(today.year) in page
    assert "Réclamation" in page or "CNIL" in page
    report = json.loads(export(tmp_path, JEANNE, "json", "--language", "en"))
    assert report["held"] == "suppression_only"
    assert report["summary"].startswith("We keep a coded fingerprint of your address since")
    assert report["suppression"]["reason"] == "Objection"


def test_an_unknown_address_is_told_we_hold_no_data(organisation, tmp_path):
    report = json.loads(export(tmp_path, "nobody@acme.example", "json", "--language", "en"))
    assert (report["held"], report["summary"]) == ("nothing", "We hold no data about this address.")
    assert report["records"] == report["messages"] == []


def test_the_page_is_printable_and_in_english_for_an_english_speaker(prospects, tmp_path):
    page = export(tmp_path, EMILY, "html")
    assert '<html lang="en">' in page
    assert "@media print" in page
    assert "Where it comes from" in page
    assert "Salon Industrie Lyon 2026" in page
    assert "Commercial prospecting by email" in page
    assert re.findall(r"<link[^>]*>", page) == ['<link rel="icon" href="data:,">'], "no outside resource"
    assert "<script" not in page


def test_an_export_to_a_path_that_cannot_be_written_is_named(organisation, tmp_path):
    with pytest.raises(CommandError, match="--out: cannot write"):
        rights("access", JEANNE, "--out", str(tmp_path / "missing" / "x.html"))


def fulfil_access(address: str, kind: str = "access") -> int:
    out = rights("request", address, "--kind", kind, "--channel", "email")
    pk = re.search(r"Request (\d+) recorded", out).group(1)
    rights("fulfil", pk)
    run_worker()
    return int(pk)


def access_path(smtp, address: str) -> str:
    [message] = smtp.to(address)
    return link(message, r"https://licite\.example/access/[\w:-]+").removeprefix("https://licite.example")


def test_the_person_downloads_their_data_through_the_signed_link_and_each_download_is_audited(
    prospects, smtp, client
):
    pk = fulfil_access(JEANNE)
    path = access_path(smtp, JEANNE)
    page = client.get(path)
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    assert "Vos données" in page.content.decode()
    assert JEANNE in page.content.decode()
    data = client.get(path, {"format": "json"})
    assert data["Content-Type"] == "application/json"
    assert json.loads(data.content)["records"][0]["sources"][0]["name"] == "Salon Industrie Lyon 2026"
    downloads = AuditEvent.objects.filter(action="rights.access_downloaded").order_by("pk")
    assert [(e.object_id, e.detail["format"]) for e in downloads] == [(str(pk), "html"), (str(pk), "json")]
    assert client.head(path).status_code == 200
    assert downloads.count() == 2, "a link checker's HEAD downloads nothing"


def test_the_link_expires_after_48_hours_with_a_page_in_the_persons_language(prospects, smtp, client):
    fulfil_access(EMILY, "portability")
    path = access_path(smtp, EMILY)
    with time_machine.travel(timezone.now() + timedelta(hours=47), tick=False):
        assert client.get(path).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(hours=49), tick=False):
        expired = client.get(path, HTTP_ACCEPT_LANGUAGE="fr")
    assert expired.status_code == 410
    assert "This link has expired" in expired.content.decode()
    assert EMILY not in expired.content.decode()


def test_a_forged_or_altered_link_is_not_found(prospects, smtp, client):
    fulfil_access(JEANNE)
    path = access_path(smtp, JEANNE)
    pk, stamp, signature = path.removeprefix("/access/").split(":")
    forged = client.get(f"/access/{int(pk) + 1}:{stamp}:{signature}", HTTP_ACCEPT_LANGUAGE="en")
    assert forged.status_code == 404
    assert "This link is not valid" in forged.content.decode()
    assert client.get("/access/nothing").status_code == 404
    assert not AuditEvent.objects.filter(action="rights.access_downloaded").exists()


def test_the_link_shows_nothing_once_the_person_is_erased(prospects, smtp, client):
    fulfil_access(JEANNE)
    path = access_path(smtp, JEANNE)
    call_command("erase", JEANNE, stdout=io.StringIO())
    assert client.get(path).status_code == 404
