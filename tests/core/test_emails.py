"""Normalization and classification of email addresses (RULES A2, A3, A4)."""

import os
import string
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from licite.core.emails import (
    Classification,
    EmailKind,
    InvalidEmail,
    classify_email,
    email_domain,
    kind_of_address,
    normalize_email,
)

# Letters whose upper case lowers back to themselves ("ß" would come back as "ss").
_LETTERS = string.ascii_lowercase + string.digits + "éèêàâçôîûœ"
_WORDS = st.text(alphabet=_LETTERS, min_size=1, max_size=8)
_LABELS = st.text(alphabet=string.ascii_lowercase + string.digits + "éàç", min_size=1, max_size=15)
_SUFFIXES = st.sampled_from(["fr", "com", "org", "de", "eu", "co.uk", "example"])


@st.composite
def addresses(draw: st.DrawFn) -> str:
    """Valid, realistic addresses: dotted words, an optional +tag, accents on either side."""
    local = ".".join(draw(st.lists(_WORDS, min_size=1, max_size=3)))
    if draw(st.booleans()):
        local += "+" + draw(st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=8))
    labels = draw(st.lists(_LABELS, min_size=1, max_size=3))
    return f"{local}@{'.'.join(labels)}.{draw(_SUFFIXES)}"


@st.composite
def disguises(draw: st.DrawFn, address: str) -> str:
    """The same address as people and spreadsheets write it: other case, padding, wrappers."""
    text = draw(st.sampled_from([address, address.upper(), address.title(), address.swapcase()]))
    padding = st.text(alphabet=" \t\n\u00a0\u200b\ufeff\u3000", max_size=3)
    wrapper = draw(st.sampled_from(["{}", "<{}>", "Jean Exemple <{}>", "mailto:{}", "MailTo:{}"]))
    if wrapper.lower().startswith("mailto:"):
        text = quote(text, safe="@")  # a mailto: URI is percent-encoded (RFC 6068)
    return draw(padding) + wrapper.format(text) + draw(padding)


NORMALIZED = [
    ("Jean.Dupont@Exemple.FR", "jean.dupont@exemple.fr"),
    ("  marie.lefebvre@example.com\t", "marie.lefebvre@example.com"),
    ("\u00a0claire.martin@example.fr\u200b", "claire.martin@example.fr"),
    ("\ufeffpaul.girard@example.org\r\n", "paul.girard@example.org"),
    ("mailto:contact@example.org", "contact@example.org"),
    ("MAILTO:Contact@Example.org?subject=Devis%20urgent", "contact@example.org"),
    ("mailto:jean.dupont%40example.fr", "jean.dupont@example.fr"),
    ("Jean Dupont <jean.dupont@example.fr>", "jean.dupont@example.fr"),
    ('"Dupont, Jean" <Jean.Dupont@Example.fr>', "jean.dupont@example.fr"),
    ("<mailto:jean.dupont@example.fr>", "jean.dupont@example.fr"),
    ("sophie.bernard@example.fr.", "sophie.bernard@example.fr"),
    ("o'neil+news@example.co.uk", "o'neil+news@example.co.uk"),
    ("prénom.nom@nomdelasociété.fr", "prénom.nom@xn--nomdelasocit-lebb.fr"),
    ("JÉRÔME.FAURE@EXEMPLE.FR", "jérôme.faure@exemple.fr"),
    ("pre\u0301nom.nom@example.fr", "prénom.nom@example.fr"),  # decomposed accent: NFC
    ("hans@straße.de", "hans@xn--strae-oqa.de"),  # IDNA 2008 keeps the sharp s
    ("hans@XN--STRAE-OQA.DE", "hans@xn--strae-oqa.de"),
    ("lea@\uff45xample.fr", "lea@example.fr"),  # full-width letter, mapped by UTS 46
    ("lea@example\u3002fr", "lea@example.fr"),  # ideographic full stop
]


@pytest.mark.parametrize(("raw", "normalized"), NORMALIZED)
def test_an_address_is_reduced_to_one_canonical_form(raw: str, normalized: str) -> None:
    assert normalize_email(raw) == normalized


INVALID = [
    ("", "empty"),
    ("   \u00a0", "empty"),
    ("<>", "empty"),
    ("mailto:", "empty"),
    ("jean.dupont.example.fr", "missing @"),
    ("jean@dupont@example.fr", "more than one @"),
    ("jean dupont@example.fr", "contains a space"),
    ('"jean.dupont"@example.fr', "quoted local part not accepted"),
    ("@example.fr", "empty local part"),
    ("jean@", "empty domain"),
    ("jean@.", "empty domain"),
    ("jean@localhost", "domain has no dot"),
    ("jean@example.123", "top-level domain is numeric"),
    ("jean@192.0.2.1", "top-level domain is numeric"),
    ("jean@[192.0.2.1]", "address literal not accepted"),
    (".jean@example.fr", "local part starts or ends with a dot"),
    ("jean.@example.fr", "local part starts or ends with a dot"),
    ("jean..dupont@example.fr", "consecutive dots in local part"),
    ("jean@example..fr", "empty label in domain"),
    ("jean@-example.fr", "domain label starts or ends with a hyphen"),
    ("jean@exa_mple.fr", "invalid character in domain"),
    ("jean(bureau)@example.fr", "forbidden character in local part"),
    ("jean\u200b.dupont@example.fr", "forbidden character in local part"),
    ("jean\ufffd@example.fr", "forbidden character in local part"),
    ("jean@xn--abc.fr", "invalid internationalized domain"),
    ("jean@exa\u2603mple.fr", "invalid internationalized domain"),  # IDNA 2003 would accept it
    ("a" * 65 + "@example.fr", "local part too long"),
    ("é" * 33 + "@example.fr", "local part too long"),  # 33 characters but 66 octets
    ("jean@" + "a" * 64 + ".fr", "domain label too long"),
    ("jean@" + ("a" * 60 + ".") * 5 + "fr", "domain too long"),
    ("a" * 64 + "@" + ("b" * 62 + ".") * 3 + "fr", "address too long"),
]


@pytest.mark.parametrize(("raw", "reason"), INVALID)
def test_an_invalid_address_is_refused_with_its_reason(raw: str, reason: str) -> None:
    with pytest.raises(InvalidEmail) as refusal:
        normalize_email(raw)
    assert refusal.value.reason == reason


def test_an_invalid_address_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="missing @"):
        normalize_email("jean.dupont.example.fr")


CLASSIFIED = [
    # RULES A2: nominative work addresses.
    ("jean.dupont@example.fr", EmailKind.NOMINATIVE),
    ("j.dupont@example.fr", EmailKind.NOMINATIVE),
    ("jdupont@example.fr", EmailKind.NOMINATIVE),
    ("jean@example.fr", EmailKind.NOMINATIVE),
    ("Marie-Claire.Lefebvre@Exemple.fr", EmailKind.NOMINATIVE),
    ("hélène.mercier@nomdelasociété.fr", EmailKind.NOMINATIVE),
    ("john.smith@example.co.uk", EmailKind.NOMINATIVE),
    ("marketing.jdupont@example.fr", EmailKind.NOMINATIVE),  # a person behind a department
    ("ceo@example.com", EmailKind.NOMINATIVE),  # a function held by one person
    ("pr@example.com", EmailKind.NOMINATIVE),  # as likely someone's initials
    ("r.h@example.com", EmailKind.NOMINATIVE),
    ("contact.jean@example.fr", EmailKind.NOMINATIVE),
    ("jean.dupont@outlook-conseil.fr", EmailKind.NOMINATIVE),
    ("jean.dupont@yahoo.example.fr", EmailKind.NOMINATIVE),
    # RULES A2: role addresses of a legal person.
    ("contact@example.fr", EmailKind.GENERIC),
    ("Info@Example.com", EmailKind.GENERIC),
    ("commande@example.fr", EmailKind.GENERIC),
    ("sales@example.co.uk", EmailKind.GENERIC),
    ("support@example.com", EmailKind.GENERIC),
    ("accueil@example.fr", EmailKind.GENERIC),
    ("service.client@example.fr", EmailKind.GENERIC),
    ("Service-Client@example.fr", EmailKind.GENERIC),
    ("service_clients@example.fr", EmailKind.GENERIC),
    ("contact2@example.fr", EmailKind.GENERIC),
    ("no-reply@example.com", EmailKind.GENERIC),
    ("do-not-reply@example.com", EmailKind.GENERIC),
    ("ne-pas-repondre@example.fr", EmailKind.GENERIC),
    ("comptabilité@example.fr", EmailKind.GENERIC),
    ("ressources.humaines@example.fr", EmailKind.GENERIC),
    ("secrétariat@example.fr", EmailKind.GENERIC),
    ("contact+devis@example.fr", EmailKind.GENERIC),
    ("info.france@example.fr", EmailKind.GENERIC),
    ("jobs-uk@example.com", EmailKind.GENERIC),
    ("mailto:Facturation@Example.fr", EmailKind.GENERIC),
    # RULES A4: free and ISP mailboxes, whatever the local part.
    ("jean.dupont@gmail.com", EmailKind.PRIVATE),
    ("contact@gmail.com", EmailKind.PRIVATE),
    ("marie.lefebvre@googlemail.com", EmailKind.PRIVATE),
    ("jdupont@orange.fr", EmailKind.PRIVATE),
    ("jdupont@wanadoo.fr", EmailKind.PRIVATE),
    ("jdupont@free.fr", EmailKind.PRIVATE),
    ("jdupont@laposte.net", EmailKind.PRIVATE),
    ("jdupont@sfr.fr", EmailKind.PRIVATE),
    ("jdupont@hotmail.fr", EmailKind.PRIVATE),
    ("jsmith@hotmail.co.uk", EmailKind.PRIVATE),
    ("jsilva@yahoo.com.br", EmailKind.PRIVATE),
    ("jdupont@live.fr", EmailKind.PRIVATE),
    ("hmuller@outlook.de", EmailKind.PRIVATE),
    ("hmuller@gmx.net", EmailKind.PRIVATE),
    ("hmuller@web.de", EmailKind.PRIVATE),
    ("jdupont@icloud.com", EmailKind.PRIVATE),
    ("jdupont@protonmail.ch", EmailKind.PRIVATE),
    ("jdupont@proton.me", EmailKind.PRIVATE),
    ("JDupont@Orange.FR.", EmailKind.PRIVATE),
    # Not addresses at all.
    ("jean.dupont", EmailKind.INVALID),
    ("contact@", EmailKind.INVALID),
    ("N/A", EmailKind.INVALID),
]


@pytest.mark.parametrize(("raw", "kind"), CLASSIFIED)
def test_an_address_is_classified_by_who_reads_it(raw: str, kind: EmailKind) -> None:
    assert classify_email(raw).kind is kind


def test_a_nominative_work_address_is_personal_data() -> None:
    result = classify_email("jean.dupont@example.fr")
    assert result == Classification(
        address="jean.dupont@example.fr",
        normalized="jean.dupont@example.fr",
        kind=EmailKind.NOMINATIVE,
        personal=True,
        reason="nominative address at a company domain: personal data (RULES A2)",
    )


def test_a_role_address_of_a_company_is_not_personal_data() -> None:
    result = classify_email("contact@example.fr")
    assert (result.kind, result.personal) == (EmailKind.GENERIC, False)
    assert result.reason == "role address (contact@) of a legal person (RULES A2)"


def test_a_role_address_of_a_sole_trader_is_personal_data() -> None:
    result = classify_email("contact@example.fr", sole_trader=True)
    assert (result.kind, result.personal) == (EmailKind.GENERIC, True)
    assert "RULES A3" in result.reason


def test_a_free_mailbox_is_a_private_person_whatever_the_local_part() -> None:
    for sole_trader in (False, True):
        result = classify_email("Contact@Gmail.com", sole_trader=sole_trader)
        assert (result.kind, result.personal) == (EmailKind.PRIVATE, True)
        assert result.reason == "free mail provider gmail.com: treated as a private person (RULES A4)"


def test_a_subdomain_of_a_free_provider_is_a_free_mailbox_too() -> None:
    assert classify_email("jdupont@mail.orange.fr").kind is EmailKind.PRIVATE


# Consumer mailboxes that were once taken for people at a company (RULES A4).
CONSUMER_MAILBOXES = [
    "jean.dupont@yopmail.com", "jean.dupont@yopmail.fr", "jean.dupont@cool.fr.nf",
    "jean.dupont@mailinator.com", "jean.dupont@guerrillamail.com", "jean.dupont@guerrillamail.de",
    "jean.dupont@duck.com", "jean.dupont@mozmail.com", "abc123@relay.firefox.com",
    "abc123@privaterelay.appleid.com", "jean.dupont@ik.me", "jean.dupont@netc.fr",
    "jean.dupont@hotmail.in.th", "jean.dupont@mail.yahoo.ac.jp",
]  # fmt: skip


@pytest.mark.parametrize("raw", CONSUMER_MAILBOXES)
def test_disposable_forwarding_and_francophone_mailboxes_are_private_persons(raw: str) -> None:
    result = classify_email(raw)
    assert (result.kind, result.personal) == (EmailKind.PRIVATE, True)
    assert kind_of_address(raw) == (raw, EmailKind.PRIVATE)


FRENCH_ISPS = ["orange.fr", "wanadoo.fr", "free.fr", "sfr.fr", "neuf.fr", "laposte.net", "bbox.fr",
               "numericable.fr", "aliceadsl.fr", "club-internet.fr", "gmail.com", "hotmail.fr"]  # fmt: skip


@pytest.mark.parametrize("domain", FRENCH_ISPS)
def test_french_isp_mailboxes_stay_private_whatever_the_packages_list(domain: str) -> None:
    result = classify_email(f"contact@{domain}")
    assert result.kind is EmailKind.PRIVATE
    assert result.reason == f"free mail provider {domain}: treated as a private person (RULES A4)"


def test_a_disposable_address_is_private_with_its_own_reason() -> None:
    result = classify_email("Jean.Dupont@YOPmail.com")
    assert (result.kind, result.personal) == (EmailKind.PRIVATE, True)
    assert result.reason == "disposable address provider yopmail.com: treated as a private person (RULES A4)"


def test_the_public_suffix_list_is_read_from_the_package_without_network_nor_disk(tmp_path: Path) -> None:
    # A fresh interpreter whose home and caches are tmp_path, and whose every fetch would fail.
    home = {"HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path), "TLDEXTRACT_CACHE": str(tmp_path / "psl")}
    offline = {"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""}
    code = (
        "from licite.core.domains import registered_domain, country_code_tlds;"
        "print(registered_domain('mail.acme.co.uk'), 'uk' in country_code_tlds())"
    )
    env = {**os.environ, **home, **offline}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["acme.co.uk", "True"]
    assert list(tmp_path.iterdir()) == []


def test_a_company_whose_name_holds_a_provider_brand_is_not_a_provider() -> None:
    assert classify_email("jean@yahoo-finance.co.uk").kind is EmailKind.NOMINATIVE
    assert classify_email("jean@hotmail.acme.fr").kind is EmailKind.NOMINATIVE


def test_the_subaddress_is_ignored_when_telling_roles_from_people() -> None:
    assert classify_email("info+salon2025@example.fr").kind is EmailKind.GENERIC
    assert classify_email("jean.dupont+info@example.fr").kind is EmailKind.NOMINATIVE


def test_an_invalid_address_is_not_personal_and_says_why() -> None:
    result = classify_email("  jean.dupont@localhost ")
    assert result == Classification(
        address="  jean.dupont@localhost ",
        normalized=None,
        kind=EmailKind.INVALID,
        personal=False,
        reason="invalid address: domain has no dot",
    )


def test_the_classification_keeps_the_input_as_given_and_its_normalized_form() -> None:
    result = classify_email(" Jean Dupont <Jean.Dupont@Société.example> ")
    assert result.address == " Jean Dupont <Jean.Dupont@Société.example> "
    assert result.normalized == "jean.dupont@xn--socit-esab.example"


def test_an_email_kind_is_stored_as_its_plain_value() -> None:
    assert [str(kind) for kind in EmailKind] == ["generic", "nominative", "private", "invalid"]


def test_email_domain_is_the_part_after_the_at() -> None:
    assert email_domain("prénom.nom@xn--nomdelasocit-lebb.fr") == "xn--nomdelasocit-lebb.fr"
    with pytest.raises(InvalidEmail):
        email_domain("nobody")


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.emails(), addresses()))
def test_normalization_is_idempotent(raw: str) -> None:
    try:
        normalized = normalize_email(raw)
    except InvalidEmail:
        return
    assert normalize_email(normalized) == normalized


@settings(max_examples=300, deadline=None)
@given(addresses())
def test_a_realistic_address_is_valid(raw: str) -> None:
    assert classify_email(raw).kind is not EmailKind.INVALID


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_case_and_whitespace_variants_normalize_identically(data: st.DataObject) -> None:
    address = data.draw(st.one_of(addresses(), st.emails()))
    assert normalize_email(data.draw(disguises(address))) == normalize_email(address)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(codec="ascii"), max_size=80))
def test_the_ascii_fast_path_and_the_general_path_agree(raw: str) -> None:
    # A non-breaking space is trimmed but sends the input down the general (non-ASCII) path.
    def outcome(text: str) -> str:
        try:
            return normalize_email(text)
        except InvalidEmail as refusal:
            return f"refused: {refusal.reason}"

    assert outcome("\u00a0" + raw) == outcome(raw)


@settings(max_examples=500, deadline=None)
@given(st.text(), st.booleans())
def test_classification_never_raises_on_any_text(raw: str, sole_trader: bool) -> None:
    result = classify_email(raw, sole_trader=sole_trader)
    assert result.address == raw
    assert (result.normalized is None) == (result.kind is EmailKind.INVALID)
    if result.kind is EmailKind.INVALID:
        assert not result.personal
    assert result.reason


_DOMAIN_SHAPES = st.text(alphabet=string.ascii_lowercase + string.digits + "-.", min_size=1, max_size=70)


@settings(max_examples=1000, deadline=None)
@given(st.one_of(st.text(), st.emails(), addresses(), st.builds("x@{}".format, _DOMAIN_SHAPES)))
def test_the_bulk_classification_agrees_with_classify_email(raw: str) -> None:
    verdict, bulk = classify_email(raw), kind_of_address(raw)
    if isinstance(bulk, InvalidEmail):
        assert (verdict.kind, verdict.reason) == (EmailKind.INVALID, f"invalid address: {bulk.reason}")
    else:
        assert bulk == (verdict.normalized, verdict.kind)


# Look-alike domains (RULES A4): U+0430 is the Cyrillic "a", U+0261 a Latin letter but not "g".
LOOKALIKES = [
    ("jean@gm\u0430il.com", "domain mixes scripts (Cyrillic and Latin): a look-alike domain (RULES A4)"),
    ("jean@xn--gmil-63d.com", "domain mixes scripts (Cyrillic and Latin): a look-alike domain (RULES A4)"),
    ("jean@ex\u0430mple.fr", "domain mixes scripts (Cyrillic and Latin): a look-alike domain (RULES A4)"),
    (
        "jean@\u0430\u0440\u0440\u04cf\u0435.com",  # "apple", every letter Cyrillic
        "domain written in Cyrillic letters that all look like Latin ones: a look-alike domain (RULES A4)",
    ),
    (
        "jean@\u03bf\u03c1.gr",  # "op" in Greek
        "domain written in Greek letters that all look like Latin ones: a look-alike domain (RULES A4)",
    ),
    (
        "jean@\u0261mail.com",
        "domain with letters made to look like others (\u0261 for g): a look-alike domain (RULES A4)",
    ),
]


@pytest.mark.parametrize(("raw", "reason"), LOOKALIKES)
def test_a_look_alike_domain_is_refused_with_the_rule_it_would_defeat(raw: str, reason: str) -> None:
    result = classify_email(raw)

    assert (result.kind, result.normalized, result.personal) == (EmailKind.INVALID, None, False)
    assert result.reason == f"invalid address: {reason}"


def test_a_look_alike_of_a_free_provider_is_not_a_company_address() -> None:
    # Before: stored as a nominative address at a company, and given legitimate interest.
    assert classify_email("jean.dupont@gm\u0430il.com").kind is EmailKind.INVALID
    assert isinstance(kind_of_address("jean.dupont@gm\u0430il.com"), InvalidEmail)


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("jean@café.fr", "jean@xn--caf-dma.fr"),
        ("hans@straße.de", "hans@xn--strae-oqa.de"),
        ("hans@bücher.de", "hans@xn--bcher-kva.de"),
        ("ivan@пример.рф", "ivan@xn--e1afmkfd.xn--p1ai"),  # its "п" looks like no ASCII letter
        ("nikos@ελλάδα.gr", "nikos@xn--hxakic4aa.gr"),
        ("taro@日本.jp", "taro@xn--wgv71a.jp"),
        ("jean@münchen-2.de", "jean@xn--mnchen-2-65a.de"),
    ],
)
def test_real_internationalized_domains_stay_valid(raw: str, normalized: str) -> None:
    result = classify_email(raw)

    assert (result.kind, result.normalized) == (EmailKind.NOMINATIVE, normalized)


def test_a_look_alike_address_still_has_a_canonical_form_so_an_objection_from_it_is_honoured() -> None:
    # RULES G3: refused at import, but a prospect stored before, or an objection, is still matched.
    assert normalize_email("Jean@GM\u0430IL.com") == "jean@xn--gmil-63d.com"
