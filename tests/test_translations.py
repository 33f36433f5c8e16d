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


# --- Names Django derives: makemessages cannot see them -------------------------------------
# A field without a verbose_name shows Django's English name derived from the field's name
# ("batch", "created by"): no string in the code, so the extractor above finds nothing missing.
# These tests walk the models themselves.

LICITE_APPS = {"accounts", "prospects", "campaigns", "rights", "register", "audit", "web", "compliance"}


def licite_models():
    from django.apps import apps

    return [model for model in apps.get_models() if model._meta.app_label in LICITE_APPS]


def untranslated(label) -> bool:
    """Whether a label is not marked for translation, or its source text has no French entry
    (a word may be the same in both languages: what counts is that the catalogue has it)."""
    from django.utils import translation
    from django.utils.functional import Promise
    from django.utils.translation import trans_real

    if not isinstance(label, Promise):
        return True
    with translation.override("en"):
        source = str(label)
    return source not in trans_real.translation("fr")._catalog


def model_labels(model):
    """Every label of a model the interface shows: its names, its fields', their choices'."""
    yield "Meta.verbose_name", model._meta.verbose_name
    yield "Meta.verbose_name_plural", model._meta.verbose_name_plural
    for field in model._meta.get_fields():
        if (field.auto_created and not field.concrete) or field.name == "id":
            continue  # reverse relations and the automatic key are Django's own
        yield field.name, field.verbose_name
        for value, choice in getattr(field, "flatchoices", None) or []:
            yield f"{field.name}={value}", choice


@pytest.mark.parametrize("model", licite_models(), ids=lambda m: m._meta.label)
def test_every_name_a_model_shows_has_its_french_translation(model):
    missing = [f"{name}: {label!r}" for name, label in model_labels(model) if untranslated(label)]
    assert missing == []


@pytest.mark.parametrize("app", sorted(LICITE_APPS))
def test_every_app_name_has_its_french_translation(app):
    from django.apps import apps

    assert not untranslated(apps.get_app_config(app).verbose_name)


@pytest.fixture
def french_admin(client, owner):
    """The admin as a French-speaking administrator sees it, on the demo data plus a campaign
    created by that administrator and one message of it."""
    from django.core.management import call_command
    from django.utils import timezone

    from licite.campaigns.models import Campaign, OutboundMessage

    call_command("demo", count=12, seed=4)
    campaign = Campaign.objects.create(
        name="Audit achats", purpose="Prospecting", offer="An audit", audience="b2b", created_by=owner
    )
    OutboundMessage.objects.create(
        kind="campaign", campaign=campaign, key_hash="0" * 64, language="fr", subject="Audit",
        token="t" * 40, status="cancelled", queued_at=timezone.now(),
    )  # fmt: skip
    client.force_login(owner)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    return client, campaign


def admin_text(client, url: str) -> str:
    import html

    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "french", "english"),
    [
        ("/admin/prospects/provenance/", ["Lot d'import", "prospect n° "], ["Batch", "prospect #"]),
        ("/admin/campaigns/outboundmessage/", ["Campagne", "Annulé"], [">Campaign<", ">Pk<"]),
        ("/admin/rights/suppressionentry/", ["Saisissez une adresse e-mail"], ["Type an email address"]),
        ("/admin/prospects/importbatch/", ["Importé par"], ["Imported by"]),
    ],
)
def test_the_admin_shows_licites_labels_in_french(french_admin, url, french, english):
    text = admin_text(french_admin[0], url)
    assert [word for word in french if word not in text] == []
    assert [word for word in english if word in text] == []


@pytest.mark.django_db
def test_a_campaign_says_who_created_it_in_french(french_admin):
    client, campaign = french_admin
    text = admin_text(client, f"/admin/campaigns/campaign/{campaign.pk}/change/")
    assert "Créé par" in text
    assert "Created by" not in text


# --- French typography and wording -------------------------------------------------------------
# The catalogue writes the apostrophe between letters as most of its entries did when it was made
# consistent (482 straight, 114 typographic): "l'adresse", never the typographic one beside it.
APOSTROPHE, OTHER_APOSTROPHE = "'", "\u2019"


def test_every_french_string_writes_its_apostrophes_the_same_way():
    text = PO.read_text(encoding="utf-8")
    mixed = [msgstr for msgstr in po_entries(text).values() if re.search(rf"\w{OTHER_APOSTROPHE}\w", msgstr)]
    assert mixed == [], f"write {APOSTROPHE!r} between letters"


def test_the_backup_of_the_suppression_key_is_attested_in_french_never_confirmed():
    """One act, one word: the staff attest ("attester") the key's backup (RULES F4); "confirmer" is
    what a person does with the link of a rights request or a consent."""
    entries = po_entries(PO.read_text(encoding="utf-8"))
    said = {msgid: msgstr for msgid, msgstr in entries.items()
            if "acknowledg" in msgid.lower() and "key acknowledge" not in msgid}  # fmt: skip
    assert len(said) >= 6
    assert [msgstr for msgstr in said.values() if "attest" not in msgstr.lower()] == []
