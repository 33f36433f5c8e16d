"""Bad files get one clear message naming the file and the problem, a non-zero exit, no
traceback, and leave the database as it was."""

from __future__ import annotations

import io
import os
import zipfile

import pytest

from licite.prospects.models import ImportBatch, Prospect
from tests.conftest import ASSESS_SALON, HEADER, import_file, run_licite
from tests.ingest.test_reader import ods_with_spaces, xlsx_with_shared_strings


def zip_bomb(path):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types><Override ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/></Types>',
        )
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (300 * 1024 * 1024))


BAD_FILES = {
    "empty": (lambda p: p.write_bytes(b""), "the file is empty"),
    "no_email_column": (lambda p: p.write_text("Prénom;Nom\nJeanne;Dupont\n"), "no email column"),
    "binary": (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(2000)), "prospects.csv"),
    "undecodable": (
        lambda p: p.write_bytes(b"\xef\xbb\xbfemail\n" + b"a@acme.example\xff\xfe\n" * 40),
        "undecodable content",
    ),
    "nul_bytes": (lambda p: p.write_bytes(b"email;nom\njeanne@acme.example;Du\x00pont\n"), "NUL"),
    "ten_megabyte_line": (
        lambda p: p.write_text("email;nom\njeanne@acme.example;" + "x" * 10_000_000 + "\n"),
        "line 2",
    ),
    "duplicated_headers": (lambda p: p.write_text("email;Nom;nom\na@acme.example;x;y\n"), "Nom"),
    "zip_bomb_disguised_as_xlsx": (zip_bomb, "prospects.csv"),
    # calamine reserved room for four billion strings and aborted the process (exit 134).
    "shared_strings_declaring_four_billion_entries": (
        lambda p: xlsx_with_shared_strings(p, unique_count=4_294_967_295),
        "its shared strings declare 4,294,967,295 entries (uniqueCount)",
    ),
    # calamine writes two billion spaces for a few bytes of content.xml.
    "ods_declaring_two_billion_spaces": (
        lambda p: ods_with_spaces(p, 2_000_000_000),
        "the spreadsheet's text takes more than 209,715,200 characters",
    ),
    # Both hung: the reader, or the digest thread reading forever.
    "fifo": (os.mkfifo, "this is a FIFO (named pipe), not a file"),
    "link_to_dev_zero": (lambda p: p.symlink_to("/dev/zero"), "a character device (a link to /dev/zero)"),
    "link_to_dev_urandom": (lambda p: p.symlink_to("/dev/urandom"), "a character device"),
    # Guessed whole as mac-roman, "Prénom" became "Pr√©nom" and the names were garbled.
    "utf8_but_one_bad_byte": (
        lambda p: p.write_bytes(
            "Prénom;Nom;Email\nJosé;Benoît;j@acme.example\n".encode()
            + b"H\xe9l\xe8ne;Martin;h@acme.example\n"
        ),
        "line 3: undecodable content: bytes E9 are not valid utf-8",
    ),
    "non_western_guess": (
        lambda p: p.write_text(
            "名前;会社;メール\n山田太郎;株式会社サンプル;yamada@acme.example\n" * 3, encoding="shift_jis"
        ),
        "(a guess); save the file as UTF-8",
    ),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_file_is_refused_with_one_clear_line(case, tmp_path):
    env = {"LICITE_HOME": str(tmp_path), "LICITE_DATABASE_URL": ""}
    assert run_licite("migrate", "--noinput", env=env).returncode == 0
    assert (
        run_licite(
            "sources",
            "add",
            "Salon",
            "--kind",
            "event",
            "--method",
            "manual",
            "--extraction-allowed",
            "yes",
            env=env,
        ).returncode
        == 0
    )
    assert (
        run_licite(
            *ASSESS_SALON,
            env=env,
        ).returncode
        == 0
    )
    path = tmp_path / "prospects.csv"
    make, expected = BAD_FILES[case]
    make(path)
    result = run_licite("import", str(path), "--source", "Salon", env=env, timeout=60)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    message = result.stderr.strip().splitlines()
    assert len(message) == 1, result.stderr
    assert message[0].startswith("CommandError: prospects.csv")
    assert expected in message[0]
    counts = run_licite(
        "shell",
        "-c",
        "from licite.prospects.models import Prospect, ImportBatch; "
        "print(Prospect.objects.count(), ImportBatch.objects.count())",
        env=env,
    )
    assert counts.stdout.strip().splitlines()[-1] == "0 0"


@pytest.mark.django_db
def test_a_failure_half_way_leaves_the_database_as_it_was(source, write_csv):
    """A row past the first chunk breaks the file: the rows before it are not kept either."""
    from django.core.management import CommandError, call_command

    from licite.ingest.errors import IngestError  # noqa: F401  (the error the command turns into a line)

    good = "".join(f"Jeanne;Dupont;jeanne{i}@acme.example;;;;;\n" for i in range(30_000))
    path = write_csv(HEADER + good + "Bad;Row;bad@acme.example;;;;;;;extra;cells\n")
    with pytest.raises(CommandError, match="line 30002"):
        call_command("import", path, "--source", source.name, stdout=io.StringIO())
    assert Prospect.objects.count() == 0
    assert ImportBatch.objects.count() == 0


@pytest.mark.django_db
def test_a_look_alike_of_a_free_mail_domain_is_rejected_not_given_legitimate_interest(source, write_csv):
    """RULES A4: "gmail.com" with a Cyrillic "a" was stored as a nominative address at a company."""
    path = write_csv(HEADER + "Jean;Dupont;jean.dupont@gm\u0430il.com;;;;;\nZoé;Roux;zoe@café.fr;;;;;\n")

    report = import_file(path)

    assert (report["created"], report["rejected"]) == (1, 1)
    assert report["rejections"][0]["line"] == 2
    assert report["rejections"][0]["reason"] == (
        "invalid address: domain mixes scripts (Cyrillic and Latin): a look-alike domain (RULES A4)"
    )
    assert list(Prospect.objects.values_list("email", flat=True)) == ["zoe@xn--caf-dma.fr"]
