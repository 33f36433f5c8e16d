"""A refusal of an action is shown in the reader's language: a French page says it in French,
while `licite` on the command line, which runs in English, prints the English words unchanged
(licite.lib.refusals). The file, line, column and value of a bad import stay as they are."""

# The fixtures imported below are pytest's, received as arguments of the same name.
# ruff: noqa: F811
from __future__ import annotations

import ast
import io
import pickle
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation

from licite.compliance.pack import PackError, parse_since
from licite.core.notice import NoticeInvalid, NoticeItem
from licite.ingest.errors import ReadError
from licite.lib.refusals import refusal
from licite.prospects.actions import do_save_source
from licite.prospects.models import Prospect
from licite.register.models import ProcessingActivity
from licite.rights.actions import do_receive_request
from licite.rights.models import RightsRequest
from tests.campaigns.conftest import organisation, prospects  # noqa: F401
from tests.campaigns.test_campaigns import run_worker
from tests.conftest import import_file
from tests.web.test_import_pages import token_of

pytestmark = pytest.mark.django_db(transaction=True)  # the worker runs here: it commits
FR = {"accept-language": "fr"}
BAD_LINE = b"Email;Nom\nx@acme.example;A;extra\n"
BAD_LINE_FR = (
    "exposants.csv, ligne 2 : valeur 'extra' : cette ligne a 3 valeurs mais l'en-tête a 2 colonnes "
    "(une valeur dans la colonne C, qui n'a pas d'en-tête ; y a-t-il un point-virgule sans guillemets "
    "dans une valeur ?)"
)
BAD_LINE_EN = (
    "exposants.csv, line 2: value 'extra': this line has 3 values but the header has 2 columns "
    "(a value in column C, which has no header; is there an unquoted semicolon inside a value?)"
)


@pytest.fixture(autouse=True)
def home(settings, tmp_path):
    settings.LICITE_HOME = tmp_path / "home"
    return settings.LICITE_HOME


def upload(client, content: bytes, source, name: str = "exposants.csv"):
    data = {"file": SimpleUploadedFile(name, content), "source": source.pk}
    return client.post(reverse("import_upload"), data, headers=FR)


def checked(client, token: str):
    """The dry run's page in French, once the worker has run the dry run it queued."""
    client.get(reverse("import_check", args=[token]), headers=FR)
    run_worker()
    return client.get(reverse("import_check", args=[token]), headers=FR)


def cli_refusal(*command: str) -> str:
    """What `licite` prints for a refused command, even with French active around it."""
    with translation.override("fr"), pytest.raises(CommandError) as refused:
        call_command(*command, stdout=io.StringIO())
    return str(refused.value)


# --- imports: the reader, the mapping and the gate (licite.ingest, licite.core) ------------------


def test_a_bad_line_is_named_in_french_and_the_cli_still_says_it_in_english(
    client, salesperson, source, tmp_path
):
    client.force_login(salesperson)
    token = token_of(upload(client, BAD_LINE, source))
    response = checked(client, token)
    assert response.context["problem"] == BAD_LINE_FR
    path = tmp_path / "exposants.csv"
    path.write_bytes(BAD_LINE)
    assert cli_refusal("import", str(path), "--source", source.name) == BAD_LINE_EN


def test_a_file_that_is_no_table_is_refused_in_french_beside_the_file_field(
    client, salesperson, source, tmp_path
):
    client.force_login(salesperson)
    response = upload(client, b"%PDF-1.4 not a table", source, name="liste.pdf")
    assert response.context["form"].errors["file"] == [
        "liste.pdf : c'est un document PDF, pas un fichier CSV, XLSX ou ODS"
    ]
    path = tmp_path / "liste.pdf"
    path.write_bytes(b"%PDF-1.4 not a table")
    assert cli_refusal("import", str(path), "--source", source.name) == (
        "liste.pdf: this is a PDF document, not a CSV, XLSX or ODS file"
    )


def test_the_dry_run_gives_each_rejected_rows_reason_in_french(client, salesperson, source, tmp_path):
    content = b"Email;Nom\njeanne@acme.example;Dupont\npas-une-adresse;Martin\n;Petit\n"
    client.force_login(salesperson)
    token = token_of(upload(client, content, source))
    response = checked(client, token)
    reasons = [row["reason"] for row in response.context["rejections"]]
    assert reasons == ["adresse invalide : @ manquant", "pas d'adresse e-mail"]
    assert "adresse invalide : @ manquant" in response.content.decode()
    path = tmp_path / "exposants.csv"
    path.write_bytes(content)
    report = import_file(str(path), "--dry-run")
    assert [row["reason"] for row in report["rejections"]] == [
        "invalid address: missing @",
        "no email address",
    ]


def test_a_source_without_balancing_test_is_refused_in_french(client, salesperson, owner, tmp_path):
    """RULES C4: the reason comes from licite.core by its code."""
    bare = do_save_source(
        None, "Annuaire", kind="directory", method="manual", extraction_allowed="yes"
    ).source
    client.force_login(salesperson)
    response = upload(client, b"Email\njeanne@acme.example\n", bare)
    assert response.context["form"].errors["source"] == [
        "Cette source ne peut pas alimenter un import : aucun test de mise en balance n'est enregistré "
        "pour la source 'Annuaire' (RULES C4)"
    ]
    client.force_login(owner)
    page = client.get(reverse("source_detail", args=[bare.pk]), headers=FR).content.decode()
    assert "aucun test de mise en balance n&#x27;est enregistré pour la source" in page
    path = tmp_path / "liste.csv"
    path.write_bytes(b"Email\njeanne@acme.example\n")
    assert "no balancing test is recorded for source 'Annuaire' (RULES C4)" in cli_refusal(
        "import", str(path), "--source", "Annuaire"
    )


def test_an_ingest_error_crosses_processes_with_its_template_and_values():
    """The gate's worker processes pickle the error: the page can still say it in French."""
    error = ReadError("malformed CSV (%(reason)s)", file="a.csv", line=3, params={"reason": "x"})
    again = pickle.loads(pickle.dumps(error))  # noqa: S301 (made on the line before)
    assert str(again) == "a.csv, line 3: malformed CSV (x)"
    with translation.override("fr"):
        assert refusal(again) == "a.csv, ligne 3 : CSV mal formé (x)"


# --- rights requests (licite.rights, and licite.core.deadlines by its code) ----------------------


def received(kind: str, days_ago: int = 0) -> RightsRequest:
    at = timezone.now() - timedelta(days=days_ago)
    return do_receive_request(None, "jeanne.dupont@acme-industrie.example", kind, "letter", received_at=at)


def test_an_extension_past_the_first_month_is_refused_in_french_and_in_english_on_the_cli(
    client, dpo, prospects
):
    rights = received("access", days_ago=40)
    client.force_login(dpo)
    data = {"months": "1", "reason": "volume"}
    page = client.post(reverse("rights_extend", args=[rights.pk]), data, headers=FR).content.decode()
    assert "une prolongation doit être décidée et annoncée à la personne dans ce délai" in page
    assert "an extension must be decided" not in page
    printed = cli_refusal("rights", "extend", str(rights.pk), "--months", "1", "--reason", "volume")
    assert "an extension must be decided and told to the person within it (GDPR art. 12.3)" in printed


def test_lifting_what_is_no_restriction_is_refused_in_french(client, dpo, prospects):
    rights = received("access")
    client.force_login(dpo)
    response = client.post(reverse("rights_lift", args=[rights.pk]), headers=FR, follow=True)
    assert f"la demande {rights.pk} n&#x27;est pas une limitation en vigueur" in response.content.decode()
    printed = cli_refusal("rights", "lift", str(rights.pk))
    assert printed == f"request {rights.pk} is not a restriction in force"


# --- notices (licite.campaigns, and licite.core.notice by its items) ----------------------------


def test_a_notice_that_cannot_be_composed_is_refused_in_french_on_the_preview_page(client, owner, prospects):
    """RULES D1: without a register entry for its basis, no notice; the page says why in French."""
    ProcessingActivity.objects.all().delete()
    prospect = Prospect.objects.get(email="jeanne.dupont@acme-industrie.example")
    client.force_login(owner)
    response = client.get(reverse("prospect_notice", args=[prospect.pk]), headers=FR)
    assert response.context["problem"] == (
        "aucun traitement avec la base légale 'legitimate_interest' dans le registre : déclarez d'abord "
        "la finalité (admin, Registre des traitements)"
    )
    assert "no processing activity with the legal basis 'legitimate_interest'" in cli_refusal(
        "notice", "preview", prospect.email
    )


def test_a_notice_lacking_items_is_named_in_french_with_its_articles():
    with translation.override("fr"):
        said = refusal(NoticeInvalid([NoticeItem.RETENTION, NoticeItem.OBJECTION]))
    assert said == (
        "il manque à l'information : retention (RGPD art. 14.2.a), objection (RGPD art. 21.4) (RULES D1, D3)"
    )
    assert str(NoticeInvalid([NoticeItem.RETENTION, NoticeItem.OBJECTION])).startswith(
        "the notice lacks: retention (GDPR"
    )


# --- the inspection pack (licite.compliance.pack) -------------------------------------------------


def test_a_bad_pack_date_is_refused_in_french_and_in_english_on_the_cli(tmp_path):
    with translation.override("fr"), pytest.raises(PackError) as refused:
        parse_since("hier")
    assert str(refused.value) == "--since : une date AAAA-MM-JJ attendue, reçu 'hier'"
    printed = cli_refusal("pack", "--out", str(tmp_path / "pack.zip"), "--since", "hier")
    assert printed == "--since: expected a date as YYYY-MM-DD, got 'hier'"


# --- every reason has its French -------------------------------------------------------------------

INGEST = Path(__file__).resolve().parents[2] / "licite" / "ingest"
RAISED = {"ReadError", "MappingError", "IngestError", "GateStopped"}


def ingest_reasons() -> set[str]:
    """The reason templates licite.ingest raises: literals, and module constants named in a raise."""
    reasons: set[str] = set()
    for path in INGEST.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            node.targets[0].id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
        }  # fmt: skip
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in RAISED and node.args:
                first = node.args[0]
                for arg in (first.body, first.orelse) if isinstance(first, ast.IfExp) else (first,):
                    assert isinstance(arg, ast.Constant | ast.Name), (
                        f"{path.name}:{node.lineno}: not a template"
                    )
                    reasons.add(str(arg.value) if isinstance(arg, ast.Constant) else constants[arg.id])
    return reasons


def untranslated(texts) -> list[str]:
    with translation.override("fr"):
        return sorted(text for text in texts if translation.gettext(text) == text)


def test_every_reason_the_reader_and_the_mapping_give_has_its_french():
    reasons = ingest_reasons()
    assert len(reasons) > 50
    assert untranslated(reasons) == []


def test_every_reason_an_address_is_rejected_for_has_its_french():
    emails = (INGEST.parent / "core" / "emails.py").read_text(encoding="utf-8")
    reasons = set(re.findall(r'InvalidEmail\("([^"]+)"\)', emails)) | {"no email address"}
    assert len(reasons) > 15
    assert untranslated(reasons) == []
