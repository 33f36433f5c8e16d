"""Bad files get one clear message naming the file and the problem, a non-zero exit, no
traceback, and leave the database as it was."""

from __future__ import annotations

import io
import os
import zipfile

import pytest

from licite.prospects.models import ImportBatch, Prospect
from tests.conftest import HEADER, run_licite


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
            "sources",
            "assess",
            "Salon",
            "--interest",
            "i",
            "--expectations",
            "e",
            "--safeguards",
            "s",
            env=env,
        ).returncode
        == 0
    )
    path = tmp_path / "prospects.csv"
    make, expected = BAD_FILES[case]
    make(path)
    result = run_licite("import", str(path), "--source", "Salon", env=env)
    assert result.returncode != 0
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
