"""The prospecting section of the website's privacy policy (RULES D5), written from the live
data: the profile, the register, the sources (naming the platforms), the processors and the
retention settings; `licite privacy-policy` in French and English, HTML and Markdown."""

# The fixtures imported below are pytest's, received as arguments of the same name.
# ruff: noqa: F811
from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from licite.processors.actions import do_save_processor
from licite.prospects.actions import do_save_source
from licite.register.models import ProcessingActivity
from licite.register.privacy import privacy_document
from tests.campaigns.conftest import organisation  # noqa: F401

pytestmark = pytest.mark.django_db

SERVED = ["Prospection (legitimate_interest)"]  # an activity of the `organisation` fixture


def policy(*args: str) -> str:
    out = io.StringIO()
    call_command("privacy-policy", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def linkedin(db):
    return do_save_source(
        None, "LinkedIn Sales Navigator", kind="social_network", url="https://www.linkedin.com/sales/",
        method="manual", extraction_allowed="no", visibility="public",
    ).source  # fmt: skip


def test_the_french_policy_names_the_controller_the_purposes_and_the_rights(organisation, source, settings):
    settings.LICITE_BASE_URL = "https://licite.acme-conseil.example"
    text = policy("--lang", "fr", "--format", "md")
    assert text.startswith("# Prospection commerciale : comment nous utilisons vos données\n")
    assert "Volet « prospection » de la politique de confidentialité de Acme Conseil SAS" in text
    assert "- **Délégué à la protection des données**\u00a0: Jeanne Martin, dpo@acme-conseil.example" in text
    assert "Prospection commerciale par courriel" in text
    assert "notre intérêt légitime (article 6.1.f du RGPD)" in text
    assert "Développer notre activité auprès des entreprises" in text
    assert "- Événement\n" in text
    assert "sur notre page https://licite.acme-conseil.example/rights/ (un lien envoyé" in text
    assert "adresser une réclamation à la CNIL" in text
    assert "https://www.cnil.fr/fr/plaintes" in text


def test_the_english_policy_says_the_same_in_english(organisation, source, settings):
    settings.LICITE_BASE_URL = "https://licite.acme-conseil.example"
    text = policy("--lang", "en", "--format", "md")
    assert text.startswith("# Commercial prospecting: how we use your data\n")
    assert "our legitimate interest (GDPR art. 6.1.f)" in text
    assert "Commercial prospecting by email" in text
    assert "on our page https://licite.acme-conseil.example/rights/ (a link sent to your address" in text
    assert "you may lodge a complaint with the CNIL" in text
    assert "Développer" not in text
    assert "Équipe commerciale" not in text


def test_the_platforms_actually_declared_are_named_with_how_they_are_collected(
    organisation, source, linkedin
):
    text = policy("--lang", "en", "--format", "md")
    assert "- Social network: LinkedIn\n- Event\n" in text
    assert (
        "On platforms whose terms forbid automated extraction (such as LinkedIn), nothing is collected"
        in text
    )


def test_without_a_known_platform_the_policy_does_not_mention_one(organisation, source):
    assert "LinkedIn" not in policy("--lang", "en", "--format", "md")


def test_the_retention_follows_the_live_settings(organisation, source, settings):
    settings.LICITE_CONSENT_DELAY_DAYS = 15
    settings.LICITE_SUPPRESSION_KEEP_YEARS = 5
    settings.LICITE_LAST_CHANCE_DAYS = 30
    text = policy("--lang", "en", "--format", "md")
    assert "- 3 years from collection or from the last contact that came from the person" in text
    assert "- 30 days before that date, we may ask once whether the person wishes to stay in touch" in text
    assert "- A private person we asked for consent: erased after 15 days without consent." in text
    assert "a coded fingerprint of their email address (a keyed hash" in text
    assert "It is kept 5 years after the latest objection." in text
    settings.LICITE_SUPPRESSION_KEEP_YEARS = None
    settings.LICITE_LAST_CHANCE_DAYS = None
    text = policy("--lang", "fr", "--format", "md")
    assert "Elle est conservée tant que nous prospectons, et au moins 3 ans." in text
    assert "rester en contact" not in text


def test_processors_are_listed_and_a_transfer_outside_the_eea_names_its_mechanism(organisation, source):
    do_save_processor(None, "Brevo", SERVED, service="Sending of emails", country="FR")
    do_save_processor(
        None, "Postmark", SERVED, service="Sending of emails", country="US", transfer_mechanism="scc"
    )
    text = policy("--lang", "en", "--format", "md")
    assert "- Brevo (FR): Sending of emails\n" in text
    assert (
        "- Postmark (US): Sending of emails; transfer outside the EEA: Standard contractual clauses\n" in text
    )
    assert "Some of the data is processed outside the European Economic Area" in text


def test_without_a_transfer_the_policy_says_the_data_stays_in_the_eea(organisation, source):
    do_save_processor(None, "Brevo", SERVED, service="Envoi des messages", country="FR")
    text = policy("--lang", "fr", "--format", "md")
    assert "- Brevo (FR) : Envoi des messages\n" in text
    assert "Les données ne quittent pas l'Espace économique européen." in text


def test_html_is_written_to_a_file_and_escapes_what_it_quotes(organisation, source, tmp_path):
    ProcessingActivity.objects.update(purpose_fr="<script>alert(1)</script> Prospection")
    out = tmp_path / "policy.html"
    assert policy("--lang", "fr", "--out", str(out)) == f"privacy policy (fr, html) written to {out}\n"
    html = out.read_text(encoding="utf-8")
    assert html.lower().startswith("<!doctype html>")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Prospection" in html
    assert "<script>" not in html
    assert '<html lang="fr">' in html
    assert "Prospection commerciale : comment nous utilisons vos données" in html


def test_the_policy_needs_the_organisation_profile(db):
    with pytest.raises(
        CommandError, match=r"^the organisation's profile is not set: run `licite init` first$"
    ):
        policy("--lang", "fr")


def test_a_directory_that_does_not_exist_is_named(organisation, tmp_path):
    with pytest.raises(CommandError, match=r"^--out: no directory "):
        policy("--lang", "en", "--out", str(tmp_path / "nowhere" / "policy.md"))


def test_the_public_function_gives_the_document_for_the_inspection_pack(organisation, source):
    document = privacy_document("en")
    assert (document.language, document.title) == ("en", "Commercial prospecting: how we use your data")
    assert [section.heading for section in document.sections] == [
        "Who we are", "What we do and on which basis", "Where the data comes from", "Who receives the data",
        "How long we keep the data", "The objection list", "Your rights", "Complaints",
    ]  # fmt: skip


def test_another_basis_is_named_with_the_register_s_justification(organisation, source):
    ProcessingActivity.objects.create(
        name="Objection list", purpose_fr="Ne plus jamais prospecter qui s'y oppose",
        purpose_en="Never prospecting again whoever objected", legal_basis="legal_obligation",
        legal_basis_justification_en="GDPR art. 21.3 obliges us to stop prospecting whoever objects.",
        legal_basis_justification_fr="L'article 21.3 du RGPD impose de cesser de prospecter qui s'y oppose.",
        person_categories=["prospects"],
    )  # fmt: skip
    text = policy("--lang", "en", "--format", "md")
    assert "### Never prospecting again whoever objected\n" in text
    assert (
        "Legal obligation (art. 6.1.c): GDPR art. 21.3 obliges us to stop prospecting whoever objects."
        in text
    )


def test_each_category_of_data_is_said_as_the_register_describes_it(initialised):
    text = policy("--lang", "fr", "--format", "md")
    suppression = text.split("### Liste repoussoir")[1].split("###")[0]
    assert (
        "Empreinte HMAC-SHA256 à clé secrète de l'adresse normalisée ; jamais l'adresse elle-même"
        in suppression
    )
    assert "prénom" not in suppression.lower()
    english = policy("--lang", "en", "--format", "md")
    assert "First name, last name, work email address; Job title, company" in english


def test_a_transfer_without_a_valid_mechanism_claims_no_safeguard(organisation, source):
    do_save_processor(None, "Mailgun", SERVED, service="Sending of emails", country="US")
    text = policy("--lang", "en", "--format", "md")
    assert "- Mailgun (US): Sending of emails; transfer outside the EEA: none declared\n" in text
    assert "Some of the data is processed outside the European Economic Area" in text
    assert "rests on" not in text


def test_only_the_processors_serving_the_activities_shown_are_listed(organisation, source):
    do_save_processor(None, "Brevo", SERVED, service="Sending of emails", country="FR")
    do_save_processor(None, "Payroll Inc", service="Payroll", country="US", transfer_mechanism="scc")
    text = policy("--lang", "en", "--format", "md")
    assert "Brevo (FR)" in text
    assert "Payroll" not in text
    assert "The data does not leave the European Economic Area." in text


@pytest.mark.parametrize("keep", [None, 5])
def test_the_policy_from_the_presets_speaks_to_the_public_not_of_settings_or_software(settings, keep, db):
    from tests.register.conftest import PROFILE

    settings.LICITE_SUPPRESSION_KEEP_YEARS = keep
    call_command("init", **PROFILE, stdout=io.StringIO())
    for language in ("fr", "en"):
        text = policy("--lang", language, "--format", "md")
        assert "LICITE_" not in text
        for internal in ("licite ne ", "licite la ", "licite checks", "licite does", "licite's"):
            assert internal not in text, internal
