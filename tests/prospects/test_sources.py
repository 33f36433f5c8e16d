"""`licite sources`: where prospects come from, and whether a source may feed an import (RULES B2-B4, C4)."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from licite.audit.models import AuditEvent
from licite.prospects.models import BalancingTest, Prospect, Source
from tests.conftest import HEADER, run_licite

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("sources", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def add(name: str, *extra: str) -> tuple[str, str]:
    return run(
        "add",
        name,
        "--kind",
        "social_network",
        "--method",
        "manual",
        "--extraction-allowed",
        "unknown",
        *extra,
    )


def test_linkedin_comes_preset_with_its_terms_whatever_is_declared():
    _, err = add("LinkedIn", "--url", "https://www.linkedin.com/in/", "--extraction-allowed", "yes")
    linkedin = Source.objects.get(name="LinkedIn")
    assert linkedin.extraction_allowed == "no"
    assert "section 8.2" in linkedin.terms_reference
    assert "LinkedIn's terms say extraction allowed: no" in err


@pytest.mark.parametrize("declared", ["no", "unknown"])
def test_terms_that_allow_extraction_never_loosen_what_the_user_declared(declared):
    """RULES B4: a platform's preset only tightens; "pas depuis sirene.fr" must unlock nothing."""
    add("Fichier salon", "--notes", "pas depuis sirene.fr", "--extraction-allowed", declared)
    assert Source.objects.get(name="Fichier salon").extraction_allowed == declared


def assessed(source):
    BalancingTest.objects.create(
        source=source, interest="i", expectations="e", safeguards="s", assessed_at=source.created_at
    )
    return source


def test_an_automated_collection_from_a_source_that_forbids_it_is_refused(write_csv):
    add(
        "Annuaire",
        "--url",
        "https://annuaire.example/",
        "--extraction-allowed",
        "no",
        "--method",
        "automated",
    )
    assessed(Source.objects.get(name="Annuaire"))
    path = write_csv(HEADER + "Jeanne;Dupont;jeanne@acme.example;;;;;\n")
    with pytest.raises(CommandError, match="forbids automated extraction"):
        call_command("import", path, "--source", "Annuaire")
    assert Prospect.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "extra"),
    [
        ("LinkedIn Sales Navigator", ("--method", "automated", "--extraction-allowed", "yes")),
        ("LinkedIn", ("--method", "api")),
        ("Mon réseau", ("--url", "https://lnkd.in/abc", "--method", "export")),
    ],
)
def test_a_linkedin_source_other_than_typed_by_hand_is_refused_at_declaration(name, extra):
    with pytest.raises(CommandError) as refused:
        add(name, *extra)
    message = str(refused.value)
    assert message.startswith("--method: ")
    assert "LinkedIn User Agreement, section 8.2" in message
    assert "KASPR, deliberation SAN-2024-020 of 5 December 2024: 240,000 EUR" in message
    assert not Source.objects.exists()


def test_a_source_from_a_tool_that_copies_linkedin_is_refused_even_typed_by_hand():
    with pytest.raises(CommandError, match="Kaspr, a tool that copies LinkedIn"):
        add("Contacts", "--notes", "coordonnées trouvées avec Kaspr")


def test_a_linkedin_source_typed_by_hand_is_declared():
    out, _ = add("LinkedIn Sales Navigator")
    assert "Source added: LinkedIn Sales Navigator" in out
    assert Source.objects.get().extraction_allowed == "no"


@pytest.mark.parametrize("method", ["automated", "api"])
def test_a_source_stored_before_the_rule_is_checked_again_at_import(write_csv, method):
    source = assessed(
        Source.objects.create(
            name="LinkedIn Sales Navigator", kind="social_network", method=method, extraction_allowed="yes"
        )
    )
    path = write_csv(HEADER + "Jeanne;Dupont;jeanne@acme.example;;;;;\n")
    with pytest.raises(CommandError) as refused:
        call_command("import", path, "--source", source.name)
    assert "section 8.2" in str(refused.value)
    assert "SAN-2024-020" in str(refused.value)
    assert Prospect.objects.count() == 0


def test_the_admin_refuses_an_automated_linkedin_source_in_the_persons_language(client, owner):
    client.force_login(owner)
    form = {
        "name": "LinkedIn SalesNav",
        "kind": "social_network",
        "url": "",
        "method": "automated",
        "extraction_allowed": "yes",
        "visibility": "public",
        "terms_reference": "",
        "notes": "",
    }
    response = client.post("/admin/prospects/source/add/", form, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert "personne qui lit une page" in response.content.decode()
    assert not Source.objects.exists()


def test_data_restricted_to_a_network_is_refused(write_csv):
    add("Contacts 1er degré", "--visibility", "restricted")
    with pytest.raises(CommandError, match="restricted to their own network"):
        call_command(
            "import", write_csv(HEADER + "A;B;a.b@acme.example;;;;;\n"), "--source", "Contacts 1er degré"
        )


def test_an_import_without_a_balancing_test_says_which_command_to_run(write_csv):
    add("Annuaire")
    with pytest.raises(CommandError) as refused:
        call_command("import", write_csv(HEADER + "A;B;a.b@acme.example;;;;;\n"), "--source", "Annuaire")
    assert (
        'licite sources assess "Annuaire" --interest TEXT --necessity TEXT --expectations TEXT '
        "--safeguards TEXT --conclusion favourable|unfavourable"
    ) in str(refused.value)


def test_assessing_a_source_whose_terms_forbid_extraction_warns_that_it_weighs_against():
    add("LinkedIn", "--url", "https://www.linkedin.com/")
    out, err = run(
        "assess",
        "LinkedIn",
        "--interest",
        "sell",
        "--expectations",
        "public profile",
        "--safeguards",
        "notice",
        "--necessity",
        "only the work address",
        "--conclusion",
        "favourable",
    )
    assert "Balancing test recorded" in out
    assert "weighs against the legitimate interest" in err
    assert BalancingTest.objects.get().concerns


def test_an_empty_part_of_the_balancing_test_is_refused():
    add("Annuaire")
    with pytest.raises(CommandError, match="--safeguards: this part of the balancing test must be written"):
        run("assess", "Annuaire", "--interest", "sell", "--expectations", "x", "--safeguards", "  ",
            "--necessity", "n", "--conclusion", "favourable")  # fmt: skip


def test_every_change_to_a_source_is_audited():
    add("Annuaire")
    add("Annuaire", "--url", "https://annuaire.example/")
    run("assess", "Annuaire", "--interest", "i", "--expectations", "e", "--safeguards", "s",
        "--necessity", "n", "--conclusion", "favourable")  # fmt: skip
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["source.created", "source.updated", "source.assessed"]


def test_list_keeps_every_url_whole_in_an_80_column_terminal(tmp_path):
    env = {
        "LICITE_HOME": str(tmp_path),
        "LICITE_DATABASE_URL": "",
        "LICITE_EMAIL_BACKEND": "console",
        "COLUMNS": "80",
    }
    assert run_licite("migrate", "--noinput", env=env).returncode == 0
    url = "https://salon-industrie-lyon.example/exposants/2026/liste-complete-des-exposants?page=1"
    added = run_licite("sources", "add", "Salon Industrie Lyon 2026", "--kind", "event", "--url", url,
                       "--method", "manual", "--extraction-allowed", "unknown", env=env)  # fmt: skip
    assert added.returncode == 0, added.stderr
    listed = run_licite("sources", "list", env=env)
    assert listed.returncode == 0, listed.stderr
    assert url in listed.stdout.splitlines() or f"    {url}" in listed.stdout.splitlines()


def test_list_and_show_describe_the_sources():
    add("Annuaire", "--url", "https://annuaire.example/")
    assert "Annuaire" in run("list")[0]
    shown = run("show", "Annuaire")[0]
    assert "https://annuaire.example/" in shown
    assert "May feed a legitimate-interest import: no" in shown


def test_an_unknown_source_lists_the_known_ones():
    add("Annuaire")
    with pytest.raises(CommandError, match="no source named 'Anuaire'; known sources: Annuaire"):
        run("show", "Anuaire")


def test_a_bad_url_is_refused_naming_the_flag():
    with pytest.raises(CommandError, match="--url: "):
        add("Annuaire", "--url", "not a url")
