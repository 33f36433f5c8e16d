"""`licite pack` writes the CNIL inspection pack: every part, an index with each file's SHA-256,
SHA256SUMS that `sha256sum -c` checks, no address of the database anywhere (RULES H, F4)."""

from __future__ import annotations

import base64
import email
import email.policy
import hashlib
import io
import re
import subprocess
import zipfile
import zlib
from datetime import datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import formats, timezone, translation

from licite.audit.models import AuditEvent
from licite.compliance.pack import PARTS
from licite.prospects.models import Prospect, Source
from licite.rights.actions import do_receive_request
from licite.rights.models import ConsentRecord, RightsRequest, SuppressionEntry

pytestmark = pytest.mark.django_db(transaction=True)

MY_PARTS = ("notices", "rights", "retention", "suppression", "consent", "audit", "security")


@pytest.fixture
def demo(settings, tmp_path, owner):
    """The demo's organisation, activities, sources and people, and two rights requests."""
    settings.AUDIT_HEAD_FILE = tmp_path / "audit_head"
    settings.LICITE_BASE_URL = "https://licite.example"
    call_command(
        "init", legal_name="Demo Conseil SAS", address="1 rue de la Paix, 75002 Paris", siren="912345675",
        contact_email="contact@demo-conseil.example", dpo_name="Jeanne Martin",
        dpo_email="dpo@demo-conseil.example", default_language="fr", interactive=False, stdout=io.StringIO(),
    )  # fmt: skip
    call_command("demo", count=60, seed=5, stdout=io.StringIO())
    long_ago = timezone.now() - timedelta(days=75)
    do_receive_request(owner, "late.person@client-ancien.example", "access", "letter", received_at=long_ago)
    do_receive_request(owner, "recent.person@client-ancien.example", "objection", "email")
    return owner


def write_pack(tmp_path, *args: str, name: str = "pack.zip") -> tuple[zipfile.ZipFile, str]:
    out = tmp_path / name
    stdout = io.StringIO()
    call_command("pack", "--out", str(out), *args, "--as", "alice", stdout=stdout)
    return zipfile.ZipFile(out), stdout.getvalue()


def test_the_pack_holds_every_part_and_its_index_lists_each_file_with_its_hash(demo, tmp_path):
    archive, output = write_pack(tmp_path, "--lang", "en")
    index = archive.read("index.html").decode()
    names = [name for name in archive.namelist() if name not in ("index.html", "SHA256SUMS")]
    with translation.override("en"):
        for key, title, _builder in PARTS:
            assert str(title) in index, key
    for key in MY_PARTS:
        assert any(name.startswith(f"{key}/") for name in names), key
    for name in names:
        data = archive.read(name)
        assert f'href="{name}"' in index
        assert hashlib.sha256(data).hexdigest() in index, name
    assert "register/register.xlsx" in names
    assert "audit/audit-trail.jsonl" in names
    assert "SHA-256" in output


def test_sha256sum_checks_the_extracted_folder(demo, tmp_path):
    archive, _output = write_pack(tmp_path)
    folder = tmp_path / "extracted"
    archive.extractall(folder)
    checked = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=folder, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "index.html: OK" in checked.stdout
    assert len(checked.stdout.splitlines()) == len(archive.namelist()) - 1


def test_licite_pack_verify_accepts_the_pack_and_names_the_file_that_was_changed(demo, tmp_path):
    write_pack(tmp_path)
    out = io.StringIO()
    call_command("pack", "verify", str(tmp_path / "pack.zip"), stdout=out)
    assert "files match their SHA-256" in out.getvalue()
    assert "recorded in the audit trail" in out.getvalue()
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(tmp_path / "pack.zip") as original, zipfile.ZipFile(tampered, "w") as copy:
        for item in original.infolist():
            data = original.read(item)
            copy.writestr(item, data.replace(b"0", b"1") if item.filename.startswith("rights/") else data)
    errors = io.StringIO()
    with pytest.raises(CommandError, match="the pack was changed"):
        call_command("pack", "verify", str(tampered), stderr=errors)
    assert "rights/rights-requests.html: SHA-256 does not match" in errors.getvalue()


def test_no_address_of_the_database_appears_anywhere_in_the_pack(demo, tmp_path):
    addresses = set(Prospect.objects.values_list("email", flat=True))
    addresses |= set(RightsRequest.objects.values_list("email", flat=True)) - {""}
    assert len(addresses) > 40
    archive, _output = write_pack(tmp_path)
    text = "\n".join(read(archive, name) for name in archive.namelist()).lower()
    assert "demo conseil sas" in read(archive, "register/register.xlsx").lower()  # a workbook is read
    assert "camille.exemple" in read(archive, "notices/notices.pdf")  # and a PDF (the sample's address)
    leaked = sorted(address for address in addresses if address in text)
    assert leaked == []
    # The demo's names, those long enough not to be common words (RULES F4); the DPO is named, as
    # the controller's contact, and the style sheets' words ("white") are no one's name.
    names = {
        name.lower() for pair in Prospect.objects.values_list("first_name", "last_name") for name in pair
    }
    names = {name for name in names if len(name) > 4} - {"jeanne", "martin"}
    assert len(names) > 10
    prose = re.sub(r"<style.*?</style>", "", text, flags=re.DOTALL)
    assert sorted(name for name in names if re.search(rf"\b{re.escape(name)}\b", prose)) == []
    hashes = set(Prospect.objects.values_list("key_hash", flat=True))
    hashes |= set(SuppressionEntry.objects.values_list("key_hash", flat=True))
    assert not [digest for digest in hashes if digest in text]


def test_the_pack_speaks_french_or_english(demo, tmp_path):
    french, _output = write_pack(tmp_path, "--lang", "fr", name="fr.zip")
    english, _output = write_pack(tmp_path, "--lang", "en", name="en.zip")
    assert '<html lang="fr">' in french.read("index.html").decode()
    assert "Dossier pour un contrôle de la CNIL" in french.read("index.html").decode()
    assert "exercice des droits et leurs délais" in french.read("rights/rights-requests.html").decode()
    assert "CNIL inspection pack" in english.read("index.html").decode()
    assert "Rights requests and their deadlines" in english.read("rights/rights-requests.html").decode()


def test_the_notices_come_in_both_languages_as_sent_and_leave_nothing_in_the_database(demo, tmp_path):
    before = (Prospect.objects.count(), Source.objects.count())
    archive, _output = write_pack(tmp_path, "--lang", "en")
    assert (Prospect.objects.count(), Source.objects.count()) == before
    french, english = (parsed(archive.read(f"notices/first-message-b2b-{lang}.eml")) for lang in ("fr", "en"))
    assert french["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert french["List-Unsubscribe"].startswith("<https://licite.example/u/")
    assert "Salon Exemple 2026" in plain(french)
    assert "opposer" in plain(french)  # RULES D3: the right to object
    assert "object" in plain(english)
    consent = archive.read("notices/consent-request-b2c-en.eml")
    assert b"consent" in consent
    assert b"List-Unsubscribe" in consent


def test_the_rights_log_shows_deadlines_met_or_missed_without_the_address(demo, tmp_path):
    archive, _output = write_pack(tmp_path, "--lang", "en")
    log = archive.read("rights/rights-requests.html").decode()
    assert "open and overdue" in log
    assert "open, not yet due" in log
    assert "late.person" not in log
    for digest in RightsRequest.objects.values_list("key_hash", flat=True):  # pseudonymous (RULES F4)
        assert digest[:8] not in log


def test_the_french_rights_log_writes_its_dates_in_french(demo, tmp_path):
    archive, _output = write_pack(tmp_path, "--lang", "fr")
    log = archive.read("rights/rights-requests.html").decode()
    with translation.override("fr"):
        for request in RightsRequest.objects.all():
            for day in (timezone.localdate(request.received_at), request.due_on):
                assert formats.date_format(day, "DATE_FORMAT") in log
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", log.split("<table")[-1])


def test_the_pack_counts_its_files_one_way_everywhere(demo, tmp_path):
    archive, output = write_pack(tmp_path)
    files = len(archive.namelist())
    assert f"{files} files (index.html and SHA256SUMS included)" in output
    verified = io.StringIO()
    call_command("pack", "verify", str(tmp_path / "pack.zip"), stdout=verified)
    assert f"{files} files (index.html and SHA256SUMS included)" in verified.getvalue()
    assert AuditEvent.objects.get(action="pack.generated").detail["files"] == files


def test_a_sample_message_that_cannot_be_written_says_why_in_the_pack_s_language(demo, tmp_path):
    from licite.register.models import ProcessingActivity

    ProcessingActivity.objects.filter(legal_basis="consent").delete()
    archive, _output = write_pack(tmp_path, "--lang", "fr")
    notices = archive.read("notices/notices.html").decode()
    assert "aucune activité de traitement reposant sur cette base légale dans le registre" in notices
    assert "no processing activity" not in notices


def test_without_the_organisation_s_profile_the_pack_is_refused_in_one_line(db, tmp_path):
    with pytest.raises(CommandError) as refused:
        call_command("pack", "--out", str(tmp_path / "pack.zip"), "--lang", "fr")
    assert str(refused.value) == "the organisation's profile is not set: run `licite init` first"
    assert list(tmp_path.iterdir()) == []


def test_generating_the_pack_is_audited_with_its_own_sha256(demo, tmp_path):
    write_pack(tmp_path, "--since", "2026-01-01")
    digest = hashlib.sha256((tmp_path / "pack.zip").read_bytes()).hexdigest()
    event = AuditEvent.objects.get(action="pack.generated")
    assert event.detail["sha256"] == digest
    assert event.detail["since"].startswith("2026-01-01")
    assert event.actor_label == "alice"
    assert "@" not in str(event.detail)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--since", "yesterday"), "--since: expected a date as YYYY-MM-DD, got 'yesterday'"),
        (("--lang", "de"), "--lang: expected fr or en, got 'de'"),
    ],
)
def test_bad_input_gets_one_clear_line_and_no_file(demo, tmp_path, args, message):
    with pytest.raises(CommandError) as refused:
        call_command("pack", "--out", str(tmp_path / "pack.zip"), *args)
    assert str(refused.value) == message
    assert list(tmp_path.glob("*.zip*")) == []
    assert list(tmp_path.glob(".pack.zip*")) == []


def test_an_out_in_a_missing_directory_is_refused(demo, tmp_path):
    with pytest.raises(CommandError, match="--out: no directory"):
        call_command("pack", "--out", str(tmp_path / "missing" / "pack.zip"))


def parsed(data: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)


def plain(message: email.message.EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def read(archive: zipfile.ZipFile, name: str) -> str:
    return readable_text(name, archive.read(name))


def readable_text(name: str, data: bytes) -> str:
    """What a person could read in a file: a workbook's XML, a PDF's decompressed streams."""
    if name.endswith((".xlsx", ".ods")):
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return "\n".join(book.read(member).decode("utf-8", "replace") for member in book.namelist())
    if name.endswith(".pdf"):
        streams = re.findall(rb"stream\r?\n(.*?)\s*endstream", data, re.DOTALL)
        return "\n".join(_inflated(stream).decode("latin-1") for stream in streams)
    return data.decode("utf-8", "replace")


def _inflated(stream: bytes) -> bytes:
    if stream.rstrip().endswith(b"~>"):  # reportlab's ASCII85 around the deflated stream
        stream = base64.a85decode(stream.rstrip()[:-2], adobe=False, ignorechars=b" \t\n\r\x0b")
    try:
        return zlib.decompress(stream)
    except zlib.error:
        return stream


def test_suppression_and_consent_figures_are_counts_by_reason_month_and_wording(demo, tmp_path):
    SuppressionEntry.objects.all().delete()
    entries = [("objection", "2026-03-02"), ("objection", "2026-03-30"), ("bounce", "2026-05-10")]
    for number, (reason, day) in enumerate(entries):
        at = timezone.make_aware(datetime.fromisoformat(f"{day} 12:00"))
        SuppressionEntry.objects.create(key_hash=f"{number:064x}", reason=reason, created_at=at,
                                        keep_until=at)  # fmt: skip
    ConsentRecord.objects.update(wording_version="2026-01")
    ConsentRecord.objects.filter(pk=ConsentRecord.objects.order_by("pk")[0].pk).update(
        wording_version="2026-02"
    )
    archive, _output = write_pack(tmp_path, "--lang", "en")
    suppression = read(archive, "suppression/suppression-statistics.html")
    assert "<td>Objection</td><td>2</td>" in suppression
    assert "<td>Hard bounce</td><td>1</td>" in suppression
    assert "<td>2026-03</td><td>2</td>" in suppression
    assert "<td>2026-05</td><td>1</td>" in suppression
    consent = read(archive, "consent/consent-proofs.html")
    total = ConsentRecord.objects.count()
    assert f"<td>2026-01</td><td>{total - 1}</td>" in consent
    assert "<td>2026-02</td><td>1</td>" in consent
