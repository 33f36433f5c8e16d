"""The language a prospect is written to: stated, else the country's, else the domain's (RULES D4)."""

from __future__ import annotations

import pytest

from licite.core.languages import domain_language, language_code, prospect_language


@pytest.mark.parametrize(
    ("domain", "language"),
    [
        ("acme.fr", "fr"), ("acme.be", "fr"), ("acme.ch", "fr"), ("acme.lu", "fr"), ("acme.mc", "fr"),
        ("acme.co.uk", "en"), ("acme.de", "en"), ("acme.ca", "en"),
        ("acme.com", ""), ("acme.org", ""), ("acme.net", ""), ("acme.io", ""), ("acme.eu", ""),
        ("acme.co", ""), ("acme.paris", ""), ("", ""), ("fr", ""), ("acme.fr.", ""), ("acme.fr:8080", ""),
        ("mail.acme.co.uk", "en"), ("acme.com.br", "en"), ("acme.zz", ""), ("acme.example", ""),
    ],
)  # fmt: skip
def test_a_company_domain_s_country_code_says_the_language_and_a_generic_one_says_nothing(domain, language):
    assert domain_language(domain) == language


def test_the_country_decides_before_the_domain():
    assert prospect_language("", "GB", "acme.fr") == "en"
    assert prospect_language("", "BE", "acme.com") == "fr"


def test_without_a_country_a_co_uk_company_is_written_to_in_english():
    assert prospect_language("", "", "acme.co.uk") == "en"


def test_without_a_country_nor_a_country_code_no_language_is_stored_so_the_organisation_s_applies():
    assert prospect_language("", "", "acme.com") == ""


def test_a_language_the_file_states_decides_before_everything():
    assert prospect_language("en", "FR", "acme.fr") == "en"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("fr", "fr"), ("FR", "fr"), (" Français ", "fr"), ("francais", "fr"), ("French", "fr"),
        ("fr-BE", "fr"), ("en", "en"), ("English", "en"), ("ANGLAIS", "en"), ("en_GB", "en"),
        ("", ""), ("   ", ""), ("Deutsch", None), ("de", None), ("frisian", None),
    ],
)  # fmt: skip
def test_a_stated_language_is_read_in_french_or_english_words_and_codes(value, code):
    assert language_code(value) == code
