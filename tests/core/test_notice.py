"""The Art. 14 notice carries every applicable item, names each source and sets the right to object
apart, in French and English (RULES D1-D4)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from licite.core.notice import (
    Activity,
    Controller,
    Notice,
    NoticeContext,
    NoticeInvalid,
    NoticeItem,
    NoticeUntranslated,
    Provenance,
    Translated,
    applicable_items,
    compose_notice,
    validate_notice,
)

OBJECTION_URL = "https://vertbois.example/o/Xk3Qz9"
WITHDRAWAL_URL = "https://vertbois.example/c/Wd7Lp2"
SALON_URL = "https://salon-industrie-lyon.example/exposants"

CONTROLLER = Controller(
    legal_name="Atelier Vertbois SAS",
    address="12 rue des Tilleuls\n69003 Lyon",
    siren="123456789",
    contact_email="contact@vertbois.example",
    dpo_name="Camille Ferrandou",
    dpo_email="dpo@vertbois.example",
    privacy_policy_url="https://vertbois.example/confidentialite",
)
NO_DPO = dataclasses.replace(CONTROLLER, dpo_name="", dpo_email="")

ACTIVITY = Activity(
    purpose=Translated(
        fr="Prospecter des industriels par courriel pour nos services de menuiserie sur mesure.",
        en="Prospecting manufacturers by email for our made-to-measure joinery services.",
    ),
    legal_basis="legitimate_interest",
    interest_pursued=Translated(
        fr="Trouver des clients parmi les entreprises dont les ateliers peuvent avoir besoin de menuiserie.",
        en="Finding clients among companies whose workshops may need our joinery.",
    ),
    data_categories=("identity", "professional life"),
    recipients_internal=Translated(fr="Équipes commerciale et marketing", en="Sales and marketing teams"),
    recipients_external=Translated(
        fr="notre prestataire d'envoi de courriels (contrat art. 28).",
        en="our email delivery provider (Art. 28 contract).",
    ),
    transfers_outside_eu=Translated(fr="Aucun", en="None"),
    retention=Translated(),
    automated_decisions=Translated(),
    name="Prospection B2B",
)
CONSENT_ACTIVITY = dataclasses.replace(ACTIVITY, legal_basis="consent", interest_pursued=Translated())

SALON = Provenance(
    source_name="Salon Industrie Lyon 2026 – exposants",
    source_kind="event",
    url=SALON_URL,
    collected_at=datetime(2026, 3, 12, 9, 30, tzinfo=UTC),
    publicly_accessible=True,
)
DIRECTORY = Provenance(
    source_name="Annuaire des artisans du Grand Est",
    source_kind="directory",
    url="",
    collected_at=datetime(2026, 4, 1, 8, 0, tzinfo=UTC),
    publicly_accessible=True,
)
DATA_HELD = ("email", "first_name", "last_name", "job_title", "company")


def context(*, basis="legitimate_interest", controller=None, activity=None, **overrides):
    """A complete context, with the inputs a test changes."""
    base_activity = ACTIVITY if basis == "legitimate_interest" else CONSENT_ACTIVITY
    withdrawal = WITHDRAWAL_URL if basis == "consent" else ""
    base = NoticeContext(
        controller=dataclasses.replace(CONTROLLER, **(controller or {})),
        activity=dataclasses.replace(base_activity, **_both_languages(activity or {})),
        provenance=(SALON,),
        data_held=DATA_HELD,
        language="en",
        objection_url=OBJECTION_URL,
        consent_withdrawal_url=withdrawal,
    )
    return dataclasses.replace(base, **overrides)


def _both_languages(fields):
    """A text given as one string is the same in both languages: the tests of one rule change it."""
    return {
        name: Translated(value, value) if isinstance(value, str) and name != "legal_basis" else value
        for name, value in fields.items()
    }


def body(notice: Notice, item: NoticeItem) -> str:
    (found,) = [text for section_item, _heading, text in notice.sections if section_item is item]
    return found


def items_of(notice: Notice) -> list[NoticeItem]:
    return [item for item, _heading, _body in notice.sections]


BASES = ("legitimate_interest", "consent")
LANGUAGES = ("fr", "en")


# -- every applicable item, and only those (RULES D1) ---------------------------------------------


@pytest.mark.parametrize("basis", BASES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_complete_notice_carries_every_applicable_item_once(basis, language):
    notice = compose_notice(context(basis=basis, language=language))
    assert sorted(items_of(notice)) == sorted(applicable_items(basis) - {NoticeItem.OBJECTION})
    assert all(heading.strip() and text.strip() for _item, heading, text in notice.sections)
    validate_notice(notice, basis)


def test_the_legitimate_interest_is_stated_only_under_legitimate_interest():
    assert NoticeItem.LEGITIMATE_INTEREST in items_of(compose_notice(context(basis="legitimate_interest")))
    assert NoticeItem.LEGITIMATE_INTEREST not in items_of(compose_notice(context(basis="consent")))


def test_the_right_to_withdraw_consent_is_stated_only_under_consent():
    consent = compose_notice(context(basis="consent"))
    assert WITHDRAWAL_URL in body(consent, NoticeItem.WITHDRAW_CONSENT)
    assert NoticeItem.WITHDRAW_CONSENT not in items_of(compose_notice(context(basis="legitimate_interest")))


def test_every_other_item_applies_whatever_the_legal_basis():
    common = applicable_items("legitimate_interest") & applicable_items("consent")
    assert common == set(NoticeItem) - {NoticeItem.LEGITIMATE_INTEREST, NoticeItem.WITHDRAW_CONSENT}


def test_an_unknown_legal_basis_is_refused():
    with pytest.raises(ValueError, match="no notice for legal basis 'contract'"):
        applicable_items("contract")
    with pytest.raises(ValueError, match="no notice for legal basis"):
        compose_notice(context(activity={"legal_basis": "contract"}))


# Each input an item cannot do without: blanking it makes compose_notice refuse, naming that item.
REQUIRED_INPUTS = [
    ("no legal name", {"controller": {"legal_name": " "}}, NoticeItem.CONTROLLER),
    ("no address", {"controller": {"address": "\n  \n"}}, NoticeItem.CONTROLLER),
    ("no contact email", {"controller": {"contact_email": ""}}, NoticeItem.CONTROLLER),
    ("no purpose", {"activity": {"purpose": ""}}, NoticeItem.PURPOSES_AND_BASIS),
    ("no data held", {"data_held": ()}, NoticeItem.CATEGORIES),
    (
        "no recipients",
        {"activity": {"recipients_internal": "  ", "recipients_external": ""}},
        NoticeItem.RECIPIENTS,
    ),
    ("no interest pursued", {"activity": {"interest_pursued": ""}}, NoticeItem.LEGITIMATE_INTEREST),
    ("no withdrawal link", {"basis": "consent", "consent_withdrawal_url": ""}, NoticeItem.WITHDRAW_CONSENT),
    (
        "a withdrawal link that is not a web address",
        {"basis": "consent", "consent_withdrawal_url": "javascript:alert(1)"},
        NoticeItem.WITHDRAW_CONSENT,
    ),
    ("no provenance", {"provenance": ()}, NoticeItem.SOURCE),
    (
        "an unnamed source",
        {"provenance": (SALON, dataclasses.replace(DIRECTORY, source_name=" "))},
        NoticeItem.SOURCE,
    ),
    ("no objection link", {"objection_url": ""}, NoticeItem.OBJECTION),
    (
        "an objection link that is not a web address",
        {"objection_url": "www.vertbois.example/o"},
        NoticeItem.OBJECTION,
    ),
    (
        "an objection link that could break out of an attribute",
        {"objection_url": 'https://vertbois.example/o/"onmouseover="x'},
        NoticeItem.OBJECTION,
    ),
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("overrides", "item"), [pytest.param(o, i, id=name) for name, o, i in REQUIRED_INPUTS]
)
def test_a_notice_lacking_an_input_is_refused_naming_the_item_it_feeds(overrides, item, language):
    with pytest.raises(NoticeInvalid) as refused:
        compose_notice(context(language=language, **overrides))
    assert refused.value.missing == (item,)
    assert str(item) in str(refused.value)


def test_without_a_dpo_or_a_contact_nobody_could_be_asked_so_both_items_are_missing():
    with pytest.raises(NoticeInvalid) as refused:
        compose_notice(context(controller={"dpo_name": "", "dpo_email": "", "contact_email": ""}))
    assert refused.value.missing == (NoticeItem.CONTROLLER, NoticeItem.DPO, NoticeItem.RIGHTS)


def test_a_refusal_lists_every_missing_item_with_its_article():
    with pytest.raises(NoticeInvalid) as refused:
        compose_notice(context(provenance=(), objection_url="", activity={"purpose": ""}))
    assert refused.value.missing == (NoticeItem.PURPOSES_AND_BASIS, NoticeItem.SOURCE, NoticeItem.OBJECTION)
    message = str(refused.value)
    assert "purposes_and_basis (GDPR art. 14.1.c)" in message
    assert "source (GDPR art. 14.2.f)" in message
    assert "objection (GDPR art. 21.4)" in message


SECTION_CASES = [
    pytest.param(basis, item, id=f"{basis}-{item}")
    for basis in BASES
    for item in sorted(applicable_items(basis) - {NoticeItem.OBJECTION})
]


@pytest.mark.parametrize(("basis", "item"), SECTION_CASES)
def test_validation_refuses_a_notice_without_an_applicable_section(basis, item):
    notice = compose_notice(context(basis=basis))
    without = dataclasses.replace(notice, sections=tuple(s for s in notice.sections if s[0] is not item))
    with pytest.raises(NoticeInvalid) as refused:
        validate_notice(without, basis)
    assert refused.value.missing == (item,)


@pytest.mark.parametrize(("basis", "item"), SECTION_CASES)
def test_validation_refuses_a_section_with_an_empty_body_or_heading(basis, item):
    notice = compose_notice(context(basis=basis))
    for blank in ((item, " ", "text"), (item, "Heading", "\n ")):
        emptied = tuple(blank if s[0] is item else s for s in notice.sections)
        with pytest.raises(NoticeInvalid) as refused:
            validate_notice(dataclasses.replace(notice, sections=emptied), basis)
        assert refused.value.missing == (item,)


@pytest.mark.parametrize(
    "objection",
    ["", "   ", "You may object at any time by writing to us.", "Object here: javascript:alert(1)"],
)
def test_validation_refuses_a_right_to_object_that_is_empty_or_has_no_link(objection):
    notice = dataclasses.replace(compose_notice(context()), objection=objection)
    with pytest.raises(NoticeInvalid) as refused:
        validate_notice(notice, "legitimate_interest")
    assert refused.value.missing == (NoticeItem.OBJECTION,)


def test_validation_refuses_a_notice_in_an_unknown_language():
    notice = dataclasses.replace(compose_notice(context()), language="de")
    with pytest.raises(ValueError, match="no notice wording for language 'de'"):
        validate_notice(notice, "legitimate_interest")


# -- the source, named (RULES B3, D1; CNIL KASPR) --------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            "collected on 12 March 2026 from “Salon Industrie Lyon 2026 – exposants”, "
            f"{SALON_URL}, a publicly accessible event page.",
        ),
        (
            "fr",
            "collectées le 12 mars 2026 depuis « Salon Industrie Lyon 2026 – exposants », "
            f"{SALON_URL}, une page d'événement accessible au public.",
        ),
    ],
)
def test_the_source_paragraph_names_the_source_its_url_its_date_and_its_public_access(language, expected):
    assert expected in body(compose_notice(context(language=language)), NoticeItem.SOURCE)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "a social network page that is not publicly accessible"), ("fr", "non accessible au public")],
)
def test_a_source_that_is_not_publicly_accessible_says_so(language, expected):
    restricted = dataclasses.replace(
        SALON, source_name="Réseau Pro Exemple", source_kind="social_network", publicly_accessible=False
    )
    source = body(compose_notice(context(language=language, provenance=(restricted,))), NoticeItem.SOURCE)
    assert "Réseau Pro Exemple" in source
    assert expected in source
    assert "publicly accessible page" not in source


def test_each_source_of_a_person_is_named_in_the_order_it_was_collected():
    source = body(compose_notice(context(provenance=(DIRECTORY, SALON))), NoticeItem.SOURCE)
    lines = source.splitlines()
    assert lines[1] == (
        f"- on 12 March 2026 from “Salon Industrie Lyon 2026 – exposants”, {SALON_URL}, "
        "a publicly accessible event page"
    )
    assert (
        lines[2]
        == "- on 1 April 2026 from “Annuaire des artisans du Grand Est”, a publicly accessible directory"
    )


def test_the_same_source_collected_twice_on_the_same_day_is_named_once():
    again = dataclasses.replace(SALON, collected_at=SALON.collected_at + timedelta(hours=2))
    source = body(compose_notice(context(provenance=(SALON, again))), NoticeItem.SOURCE)
    assert source.count("Salon Industrie Lyon") == 1


def test_the_first_of_the_month_is_written_1er_in_french():
    source = body(compose_notice(context(language="fr", provenance=(DIRECTORY,))), NoticeItem.SOURCE)
    assert "le 1er avril 2026 depuis « Annuaire des artisans du Grand Est », un annuaire accessible" in source


def test_the_date_is_the_one_of_the_time_zone_it_is_given_in():
    paris_evening = datetime(2026, 3, 12, 23, 30, tzinfo=timezone(timedelta(hours=1)))
    source = body(
        compose_notice(context(provenance=(dataclasses.replace(SALON, collected_at=paris_evening),))),
        NoticeItem.SOURCE,
    )
    assert "on 12 March 2026" in source


def test_a_naive_collection_date_is_refused():
    naive = dataclasses.replace(SALON, collected_at=datetime(2026, 3, 12, 9, 30))
    with pytest.raises(ValueError, match="aware"):
        compose_notice(context(provenance=(naive,)))


KINDS = ("website", "social_network", "directory", "event", "form", "crm_export", "purchased_list", "manual")
PROVENANCES = st.builds(
    Provenance,
    source_name=st.text(min_size=1, max_size=40).filter(
        lambda s: s.strip() and "public source" not in s.lower() and "sources publiques" not in s.lower()
    ),
    source_kind=st.sampled_from((*KINDS, "unheard_of")),
    url=st.sampled_from(("", SALON_URL, "https://annuaire-artisans.example/fiche/42")),
    collected_at=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
    ),
    publicly_accessible=st.booleans(),
)


@given(st.lists(PROVENANCES, min_size=1, max_size=4), st.sampled_from(LANGUAGES), st.sampled_from(BASES))
def test_a_notice_never_hides_its_sources_behind_public_sources(provenance, language, basis):
    notice = compose_notice(context(basis=basis, language=language, provenance=tuple(provenance)))
    for rendered in (notice.text().lower(), notice.html().lower()):
        assert "public sources" not in rendered
        assert "sources publiques" not in rendered


# fmt: off
FRENCH_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin",
                 "juillet", "août", "septembre", "octobre", "novembre", "décembre")
ENGLISH_MONTHS = ("January", "February", "March", "April", "May", "June",
                  "July", "August", "September", "October", "November", "December")
# fmt: on


@given(st.dates(min_value=datetime(2000, 1, 1).date(), max_value=datetime(2090, 1, 1).date()))
def test_dates_are_written_out_in_the_language_of_the_notice(day):
    collected = dataclasses.replace(
        SALON, collected_at=datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    )
    french = body(compose_notice(context(language="fr", provenance=(collected,))), NoticeItem.SOURCE)
    english = body(compose_notice(context(language="en", provenance=(collected,))), NoticeItem.SOURCE)
    first = "1er" if day.day == 1 else str(day.day)
    assert f"le {first} {FRENCH_MONTHS[day.month - 1]} {day.year} depuis" in french
    assert f"on {day.day} {ENGLISH_MONTHS[day.month - 1]} {day.year} from" in english


# -- what the other items say -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "en",
            ("access", "rectification", "erasure", "restriction", "object", "portability", "art. 15 to 21"),
        ),
        ("fr", ("accès", "rectification", "effacement", "limitation", "opposer", "portabilité", "15 à 21")),
    ],
)
def test_the_rights_are_listed_with_the_way_to_exercise_them(language, words):
    rights = body(compose_notice(context(language=language)), NoticeItem.RIGHTS)
    assert all(word in rights for word in words)
    assert "dpo@vertbois.example" in rights


@pytest.mark.parametrize(
    ("language", "free", "one_month"),
    [("en", "free of charge", "within one month"), ("fr", "gratuit", "dans un délai d'un mois")],
)
def test_the_rights_are_free_and_answered_within_one_month(language, free, one_month):
    rights = body(compose_notice(context(language=language)), NoticeItem.RIGHTS)
    assert free in rights
    assert one_month in rights


def test_a_link_for_rights_requests_is_given_when_there_is_one():
    url = "https://vertbois.example/droits"
    rights = body(compose_notice(context(access_request_url=url)), NoticeItem.RIGHTS)
    assert url in rights


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_complaint_names_the_cnil_and_its_address(language):
    complaint = body(compose_notice(context(language=language)), NoticeItem.COMPLAINT)
    for part in ("CNIL", "www.cnil.fr", "3 Place de Fontenoy", "TSA 80715", "75334 Paris Cedex 07"):
        assert part in complaint


@pytest.mark.parametrize(
    ("language", "held", "categories"),
    [
        (
            "en",
            "email address, first name, last name, job title, company, professional phone and country",
            "identity, professional life",
        ),
        (
            "fr",
            "adresse électronique, prénom, nom, fonction, entreprise, téléphone professionnel et pays",
            "état civil et identité, vie professionnelle",
        ),
    ],
)
def test_the_categories_list_the_data_actually_held_in_the_notice_language(language, held, categories):
    data = (*DATA_HELD, "phone", "country")
    text = body(compose_notice(context(language=language, data_held=data)), NoticeItem.CATEGORIES)
    assert held in text
    assert categories in text


def test_data_not_held_is_not_listed():
    text = body(compose_notice(context(data_held=("email", "company"))), NoticeItem.CATEGORIES)
    assert "email address and company" in text
    assert "first name" not in text


@pytest.mark.parametrize(
    ("basis", "language", "expected"),
    [
        ("legitimate_interest", "en", "Legal basis: our legitimate interest (GDPR art. 6.1.f)."),
        ("consent", "en", "Legal basis: your consent (GDPR art. 6.1.a)."),
        ("legitimate_interest", "fr", "Base légale : notre intérêt légitime (article 6.1.f du RGPD)."),
        ("consent", "fr", "Base légale : votre consentement (article 6.1.a du RGPD)."),
    ],
)
def test_the_purpose_is_shown_as_written_with_its_legal_basis(basis, language, expected):
    purposes = body(compose_notice(context(basis=basis, language=language)), NoticeItem.PURPOSES_AND_BASIS)
    assert purposes == f"{ACTIVITY.purpose.in_language(language)}\n{expected}"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "We have not appointed a data protection officer. For any question about your data, write to"),
        ("fr", "Nous n'avons pas désigné de délégué à la protection des données."),
    ],
)
def test_without_a_dpo_the_notice_says_whom_to_write_to(language, expected):
    notice = compose_notice(context(language=language, controller={"dpo_name": "", "dpo_email": ""}))
    assert expected in body(notice, NoticeItem.DPO)
    assert "contact@vertbois.example" in body(notice, NoticeItem.DPO)
    assert "contact@vertbois.example" in body(notice, NoticeItem.RIGHTS)


def test_a_dpo_is_named_with_their_contact():
    assert body(compose_notice(context()), NoticeItem.DPO) == (
        "Our data protection officer is Camille Ferrandou; write to dpo@vertbois.example."
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "We keep your data 3 years from its collection or from the last time you contacted us"),
        (
            "fr",
            "Nous gardons vos données 3 ans à compter de leur collecte ou du dernier contact venu de vous",
        ),
    ],
)
def test_an_empty_retention_uses_the_standard_three_years(language, expected):
    assert expected in body(compose_notice(context(language=language)), NoticeItem.RETENTION)


def test_a_declared_retention_is_shown_as_written():
    retention = "2 years from collection."
    assert body(compose_notice(context(activity={"retention": retention})), NoticeItem.RETENTION) == retention


@pytest.mark.parametrize("declared", ["", "None", "none.", " Aucun "])
def test_no_transfer_outside_the_eu_is_stated_when_none_is_declared(declared):
    notice = compose_notice(context(activity={"transfers_outside_eu": declared}))
    assert body(notice, NoticeItem.TRANSFERS) == "Your data is not transferred outside the European Union."


def test_a_declared_transfer_is_shown_with_its_safeguards():
    declared = "Our mail provider hosts data in the United States under standard contractual clauses."
    transfers = body(
        compose_notice(context(activity={"transfers_outside_eu": declared})), NoticeItem.TRANSFERS
    )
    assert transfers == f"Your data is transferred outside the European Union: {declared}"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "We make no decision about you by automated means alone (GDPR art. 22)."),
        ("fr", "Nous ne prenons aucune décision vous concernant sur le seul fondement d'un traitement"),
    ],
)
def test_no_automated_decision_is_stated_when_none_is_declared(language, expected):
    assert expected in body(compose_notice(context(language=language)), NoticeItem.AUTOMATED_DECISIONS)


def test_the_privacy_policy_is_linked_from_the_controller_section():
    controller = body(compose_notice(context()), NoticeItem.CONTROLLER)
    assert controller == (
        "Atelier Vertbois SAS (SIREN 123456789), 12 rue des Tilleuls, 69003 Lyon. "
        "Contact: contact@vertbois.example.\n"
        "Our privacy policy: https://vertbois.example/confidentialite"
    )


# -- the right to object, apart (RULES D3) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            "You may object at any time, free of charge and without giving a reason, to receiving our "
            f"commercial messages: one click on {OBJECTION_URL} is enough",
        ),
        (
            "fr",
            "Vous pouvez vous opposer à tout moment, gratuitement et sans avoir à vous justifier, à recevoir "
            f"nos messages commerciaux : un clic sur {OBJECTION_URL} suffit.",
        ),
    ],
)
def test_the_right_to_object_is_explicit_and_carries_its_link(language, expected):
    assert expected in compose_notice(context(language=language)).objection


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_right_to_object_stands_apart_from_the_sections(language):
    notice = compose_notice(context(language=language))
    assert NoticeItem.OBJECTION not in items_of(notice)
    assert all(OBJECTION_URL not in text for _item, _heading, text in notice.sections)
    rendered, rule = notice.text(), "-" * 72
    heading = {"en": "Your right to object", "fr": "Votre droit d'opposition"}[language]
    assert f"{rule}\n{heading}\n{notice.objection}\n{rule}\n" in rendered
    assert rendered.count(OBJECTION_URL) == 1
    assert rendered.index(notice.objection) < rendered.index(notice.sections[0][1])


def test_the_html_right_to_object_is_a_framed_block_with_a_link():
    html = compose_notice(context()).html()
    block = html.split('<div class="licite-objection"', 1)[1].split("</div>", 1)[0]
    assert "border:" in block
    assert "<h3>Your right to object</h3>" in block
    assert f'<a href="{OBJECTION_URL}">{OBJECTION_URL}</a>' in block


# -- languages (RULES D4) ---------------------------------------------------------------------------


def test_french_and_english_notices_use_their_own_headings():
    french = compose_notice(context(language="fr")).text()
    english = compose_notice(context(language="en")).text()
    for heading in ("Qui sommes-nous", "D'où viennent vos données", "Vos droits", "Votre droit d'opposition"):
        assert heading in french
        assert heading not in english
    for heading in ("Who we are", "Where your data comes from", "Your rights", "Your right to object"):
        assert heading in english
        assert heading not in french


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="no notice wording for language 'de'"):
        compose_notice(context(language="de"))
    with pytest.raises(ValueError, match="no notice wording"):
        dataclasses.replace(compose_notice(context()), language="").text()


def test_the_plain_text_shows_every_heading_and_body():
    notice = compose_notice(context(basis="consent", language="fr"))
    rendered = notice.text()
    assert rendered.startswith("Informations sur vos données personnelles\n")
    for _item, heading, text in notice.sections:
        assert f"{heading}\n{text}" in rendered


# -- HTML safety ------------------------------------------------------------------------------------


class Parsed(HTMLParser):
    """The tags, attributes and text of an HTML fragment."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.data: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.data.append(data)


NOTICE_TAGS = {"div", "h2", "h3", "p", "ul", "li", "a"}


def assert_only_notice_markup(html: str) -> Parsed:
    parsed = Parsed(html)
    for tag, attrs in parsed.tags:
        assert tag in NOTICE_TAGS
        assert set(attrs) <= {"class", "lang", "style", "href"}
        if tag == "a":
            assert (attrs["href"] or "").startswith(("https://", "http://"))
    return parsed


def test_html_escapes_a_hostile_source_name():
    hostile = dataclasses.replace(SALON, source_name="<script>alert('x')</script> & Cie")
    html = compose_notice(context(provenance=(hostile,))).html()
    assert "<script" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; Cie" in html
    assert_only_notice_markup(html)


def test_html_escapes_hostile_free_text_and_never_links_a_script():
    notice = compose_notice(
        context(
            activity={"purpose": '<img src=x onerror="alert(1)"> prospecting'},
            access_request_url="javascript:alert(1)",
        )
    )
    html = notice.html()
    assert "<img" not in html
    assert 'href="javascript' not in html
    assert_only_notice_markup(html)


def test_a_link_at_the_end_of_a_sentence_leaves_the_full_stop_out():
    html = compose_notice(context()).html()
    assert '<a href="https://www.cnil.fr">https://www.cnil.fr</a>.' in html


TEXTS = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60).filter(str.strip)


@given(TEXTS, TEXTS, TEXTS, st.sampled_from(LANGUAGES))
def test_html_holds_only_the_notice_markup_and_every_input_as_text(
    source_name, purpose, legal_name, language
):
    notice = compose_notice(
        context(
            language=language,
            provenance=(dataclasses.replace(SALON, source_name=source_name),),
            activity={"purpose": purpose},
            controller={"legal_name": legal_name},
        )
    )
    text = "".join(assert_only_notice_markup(notice.html()).data)
    for value in (source_name, purpose, legal_name):
        for line in value.splitlines():
            tidy = " ".join(line.split())
            assert tidy.removeprefix("- ") in text  # a line opening with "- " becomes a list item


# -- the register's texts in the person's language, never a mix (RULES D4) ------------------------

QUOTED = [
    ("purpose", "purpose"),
    ("interest_pursued", "legitimate interest pursued"),
    ("recipients_internal", "internal recipients"),
    ("recipients_external", "external recipients"),
    ("transfers_outside_eu", "transfers outside the EU"),
    ("retention", "retention"),
    ("automated_decisions", "automated decision-making"),
]


@pytest.mark.parametrize(("field", "words"), QUOTED)
@pytest.mark.parametrize(
    ("written", "missing", "language_name"), [("fr", "en", "English"), ("en", "fr", "French")]
)
def test_a_text_written_in_one_language_only_refuses_the_notice_in_the_other_naming_the_field(
    field, words, written, missing, language_name
):
    only = Translated(**{written: "Texte écrit dans une seule langue / text in one language only"})
    with pytest.raises(NoticeUntranslated) as refused:
        compose_notice(context(language=missing, activity={field: only}))
    assert str(refused.value).startswith(
        f"the processing activity 'Prospection B2B' has no {language_name} {words} ({field}_{missing})"
    )
    assert refused.value.fields == (f"{field}_{missing}",)
    compose_notice(context(language=written, activity={field: only}))  # its own language is complete


def test_an_untranslated_notice_is_an_invalid_notice_naming_the_item_it_feeds():
    with pytest.raises(NoticeInvalid) as refused:
        compose_notice(context(language="en", activity={"purpose": Translated(fr="Prospecter.")}))
    assert refused.value.missing == (NoticeItem.PURPOSES_AND_BASIS,)


def test_every_missing_text_is_named_at_once():
    french_only = {name: Translated(fr="Texte") for name in ("purpose", "retention")}
    with pytest.raises(
        NoticeUntranslated, match=r"no English text for: purpose \(purpose_en\), retention \(retention_en\)"
    ):
        compose_notice(context(language="en", activity=french_only))


@pytest.mark.parametrize("field", ["transfers_outside_eu", "automated_decisions"])
def test_a_none_in_one_language_says_the_same_as_an_empty_field_in_the_other(field):
    notice = compose_notice(context(language="en", activity={field: Translated(fr="Aucun", en="")}))
    said = {"transfers_outside_eu": "is not transferred", "automated_decisions": "no decision about you"}
    assert said[field] in notice.text()


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_notice_quotes_the_texts_of_its_own_language(language):
    notice = compose_notice(context(language=language))
    other = "en" if language == "fr" else "fr"
    text = notice.text()
    for field in ("purpose", "interest_pursued", "recipients_internal", "recipients_external"):
        value: Translated = getattr(ACTIVITY, field)
        assert value.in_language(language) in text, field
        assert value.in_language(other) not in text, field
