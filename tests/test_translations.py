"""The UI exists in French and English: every string has its French translation, compiled."""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess

import pytest

from tests.conftest import ROOT

PO = ROOT / "licite" / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def po_entries(text: str) -> dict[str, str]:
    entries = {}
    for block in text.split("\n\n"):
        match = re.search(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', block + "\n", re.M)
        if match:
            join = lambda group: "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', group))  # noqa: E731
            entries[join(match.group(1))] = join(match.group(2))
    entries.pop("", None)
    return entries


def test_every_french_string_is_translated_and_none_is_fuzzy():
    text = PO.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text
    untranslated = [msgid for msgid, msgstr in po_entries(text).items() if not msgstr]
    assert untranslated == []


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
def test_the_compiled_catalogue_matches_its_source(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(compiled), str(PO)], check=True)
    fresh = gettext.GNUTranslations(compiled.open("rb"))._catalog  # type: ignore[attr-defined]
    shipped = gettext.GNUTranslations(PO.with_suffix(".mo").open("rb"))._catalog  # type: ignore[attr-defined]
    assert shipped == fresh, "run: cd licite && licite compilemessages"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext's xgettext is not installed")
def test_the_extractor_finds_no_string_missing_from_the_catalogue(tmp_path):
    """Every translatable string in the code is in the French catalogue."""
    shutil.copytree(ROOT / "licite", tmp_path / "licite", ignore=shutil.ignore_patterns("__pycache__"))
    import os

    from django.core.management import call_command

    here = os.getcwd()
    os.chdir(tmp_path / "licite")
    try:
        call_command("makemessages", locale=["fr"], no_location=True, verbosity=0)
    finally:
        os.chdir(here)
    extracted = po_entries((tmp_path / "licite" / "locale" / "fr" / "LC_MESSAGES" / "django.po").read_text())
    missing = [msgid for msgid, msgstr in extracted.items() if not msgstr]
    assert missing == []
