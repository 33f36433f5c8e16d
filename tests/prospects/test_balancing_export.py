"""`licite sources balancing-export`: the balancing tests as a document (RULES C4), its labels in the
language asked, the DPO's texts as written; every export is audited."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from licite.audit.models import AuditEvent
from licite.prospects.actions import do_assess_source, do_save_source
from licite.prospects.balancing import balancing_document
from tests.conftest import run_licite

pytestmark = pytest.mark.django_db


def export(*args: str) -> str:
    out = io.StringIO()
    call_command("sources", "balancing-export", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def linkedin():
    source = do_save_source(None, "LinkedIn", kind="social_network", url="https://www.linkedin.com/",
                            method="manual", extraction_allowed="no").source  # fmt: skip
    do_assess_source(None, source, "Vendre nos audits", "Profils publics lus à la main", "Notice",
                     necessity="Seuls le nom et la fonction", conclusion="unfavourable",
                     conclusion_text="Les conditions de LinkedIn l'interdisent")  # fmt: skip
    return source


@pytest.mark.parametrize(("lang", "labels"), [
    ("fr", ("Mises en balance", "Nécessité", "Conditions d'utilisation de la source", "Défavorable")),
    ("en", ("Balancing tests", "Necessity", "Source's terms", "Unfavourable")),
])  # fmt: skip
def test_the_labels_follow_lang_and_the_texts_stay_as_the_dpo_wrote_them(linkedin, tmp_path, lang, labels):
    path = tmp_path / "balancing.md"
    assert "Balancing tests written to" in export("--format", "md", "--out", str(path), "--lang", lang)
    text = path.read_text()
    for label in labels:
        assert label in text
    for written in (
        "Vendre nos audits",
        "Seuls le nom et la fonction",
        "Les conditions de LinkedIn l'interdisent",
    ):
        assert written in text
    # The source's terms: licite's own wording of LinkedIn's, in the document's language.
    terms = {
        "fr": "Conditions d'utilisation de LinkedIn (User Agreement), section 8.2",
        "en": "LinkedIn User Agreement, section 8.2",
    }
    assert terms[lang] in text


def test_html_and_pdf_are_written_and_the_export_is_audited(linkedin, tmp_path):
    export("LinkedIn", "--format", "html", "--out", str(tmp_path / "b.html"))
    assert "<html" in (tmp_path / "b.html").read_text()
    export("--format", "pdf", "--out", str(tmp_path / "b.pdf"))
    assert (tmp_path / "b.pdf").read_bytes().startswith(b"%PDF")
    events = list(AuditEvent.objects.filter(action="balancing.exported").order_by("sequence"))
    assert [(e.detail["format"], e.detail["tests"], e.detail["sources"]) for e in events] == [
        ("html", 1, [linkedin.pk]),
        ("pdf", 1, "all"),
    ]


def test_a_legitimate_interest_source_without_a_test_is_flagged_in_the_document(source):
    source.balancing_tests.all().delete()
    do_assess_source(None, do_save_source(None, "Annuaire", kind="directory", method="manual").source,
                     "i", "e", "s", necessity="n", conclusion="favourable")  # fmt: skip
    from licite.lib.documents import render

    text = render(balancing_document("en", [source]), "md").decode()
    assert "No balancing test: a legitimate-interest import from this source is refused." in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--format", "docx"), "--format: expected html, pdf or md, not 'docx'"),
        (("--lang", "de"), "--lang: expected fr or en, not 'de'"),
        (("Nope",), "no source named 'Nope'"),
    ],
)
def test_bad_options_are_refused_in_one_line(linkedin, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        export("--out", str(tmp_path / "x"), *args)
    assert not AuditEvent.objects.filter(action="balancing.exported").exists()


def test_the_real_command_says_why_it_cannot_write(tmp_path):
    env = {"LICITE_HOME": str(tmp_path), "LICITE_DATABASE_URL": "", "LICITE_EMAIL_BACKEND": "console"}
    assert run_licite("migrate", "--noinput", env=env).returncode == 0
    result = run_licite(
        "sources", "balancing-export", "--out", str(tmp_path / "no" / "such" / "dir.html"), env=env
    )
    assert result.returncode == 1
    assert result.stderr.strip().startswith("CommandError: --out: cannot write")
