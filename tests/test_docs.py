"""The documentation says what the code does: rules.md from the code's citations, real settings,
a working example in every command's --help."""

from __future__ import annotations

import argparse
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from django.core.management import get_commands, load_command_class
from django.core.management.base import CommandError

from licite.lib import rules_index
from licite.lib.commands import LiciteCommand
from licite.lib.rules_index import Citation, citations, cited_rules, render, unknown_rules
from tests.conftest import ROOT

SHARED_RULES = ROOT.parent / "shared" / "RULES.md"
OWN_COMMANDS = sorted(name for name, app in get_commands().items() if app.startswith("licite"))
VARIABLE = re.compile(r"\bLICITE_[A-Z0-9_]+")


def test_docs_rules_md_lists_every_citation_in_the_code_as_it_is_now():
    expected = render(citations())
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == expected, (
        f"docs/rules.md is out of date with the code's RULES citations: run {rules_index.COMMAND}"
    )


def test_every_citation_in_the_code_names_a_rule_that_exists():
    assert unknown_rules(citations()) == set()


@pytest.mark.skipif(not SHARED_RULES.exists(), reason="../shared/RULES.md is not beside the repository")
def test_the_index_has_every_rule_of_rules_md_in_its_order():
    numbered = re.findall(r"^- \*\*([A-H]\d+b?)\*\*", SHARED_RULES.read_text(encoding="utf-8"), re.MULTILINE)
    assert numbered == rules_index.ORDER


def test_a_citation_is_placed_in_the_function_or_setting_around_it(tmp_path):
    module = tmp_path / "licite" / "sample.py"
    module.parent.mkdir()
    module.write_text(
        '"""A module (RULES A1)."""\n'
        "# RULES F4: the key lives outside the database.\n"
        "KEY = 1\n"
        "class Gate:\n"
        "    def check(self):\n"
        "        if True:\n"
        "            return 'refused (RULES B4, C4)'\n"
    )
    assert citations(tmp_path) == {
        Citation("A1", "licite/sample.py", "(module)"),
        Citation("F4", "licite/sample.py", "KEY"),
        Citation("B4", "licite/sample.py", "Gate.check"),
        Citation("C4", "licite/sample.py", "Gate.check"),
    }


def test_a_citation_added_in_a_new_place_changes_rules_md(tmp_path):
    module = tmp_path / "licite" / "sample.py"
    module.parent.mkdir()
    module.write_text("def purge():\n    pass  # RULES F1\n")
    before = render(citations(tmp_path))
    module.write_text("def purge():\n    pass  # RULES F1\n\ndef erase():\n    pass  # RULES F1\n")
    assert render(citations(tmp_path)) != before


@pytest.mark.parametrize(
    ("line", "rules"),
    [
        ("# RULES F1-F4, C2, D2", ["F1", "F2", "F3", "F1b", "F4", "C2", "D2"]),
        ("(RULES G1-G5)", ["G1", "G2", "G3", "G4", "G5"]),
        ("RULES C-E: whole families", ["C", "D", "E"]),
        ("RULES H1b and the register", ["H1b"]),
        ("RULES D5, no login", ["D5"]),
        ("see RULES.md", []),
    ],
)
def test_a_citation_names_each_rule_of_its_ranges(line, rules):
    assert cited_rules(line) == rules


def test_a_rule_nobody_cites_is_said_so():
    text = render([Citation("A1", "licite/x.py", "f")])
    assert "Rules no code cites: A2, A3" in text
    assert "### A2\n\n" + dict(rules_index.RULES)["A2"] + "\n\nCited nowhere in the code." in text


def documented_variables(paths: list[Path]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in paths:
        for name in VARIABLE.findall(path.read_text(encoding="utf-8")):
            found.setdefault(name, []).append(path.name)
    return found


def test_every_variable_the_operations_and_api_docs_name_is_a_setting():
    docs = [p for p in (ROOT / "docs" / "operations.md", ROOT / "docs" / "api.md") if p.exists()]
    settings = (ROOT / "licite" / "settings.py").read_text(encoding="utf-8")
    named = documented_variables(docs)
    assert {name: where for name, where in named.items() if f'"{name}"' not in settings} == {}


def test_every_licite_name_in_the_docs_exists_in_the_code_or_the_build():
    docs = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md", ROOT / ".env.example"]
    sources = [*(ROOT / "licite").rglob("*.py"), ROOT / "Makefile", ROOT / ".ci" / "run"]
    code = "\n".join(p.read_text(encoding="utf-8") for p in sources)
    known = set(VARIABLE.findall(code))
    assert {name: where for name, where in documented_variables(docs).items() if name not in known} == {}


def licite_command(name: str) -> LiciteCommand:
    command = load_command_class(get_commands()[name], name)
    assert isinstance(command, LiciteCommand), f"licite {name} is no LiciteCommand: it has no example"
    return command


def examples(name: str) -> list[list[str]]:
    """The command lines of a command's example: `a; b` is two, `printf ... | licite x` is `licite x`."""
    example = licite_command(name).example
    lines = [shlex.split(part.split("|")[-1]) for part in example.split(";")]
    return [line[2:] for line in lines if line[:2] == ["licite", name]]


@pytest.mark.parametrize("name", OWN_COMMANDS)
def test_each_command_help_shows_its_example(name):
    command = licite_command(name)
    assert command.example.strip(), f"licite {name} has no example"
    assert command.example in command.create_parser("licite", name).format_help()


@pytest.mark.parametrize("name", OWN_COMMANDS)
def test_each_command_example_is_a_command_line_its_parser_accepts(name):
    command = licite_command(name)
    lines = examples(name)
    assert lines, f"the example of licite {name} runs no `licite {name}`"
    for arguments in lines:
        try:
            command.create_parser("licite", name).parse_args(arguments)
        except CommandError as exc:
            pytest.fail(f"licite {name}: the example {shlex.join(arguments)!r} is refused: {exc}")


def subcommands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """Each subcommand of a parser, read from the parser itself (nested ones too), with its path."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, subparser in action.choices.items():
                yield (*path, name), subparser
                yield from subcommands(subparser, (*path, name))


SUBCOMMANDS = [
    pytest.param(name, path, id=" ".join((name, *path)))
    for name in OWN_COMMANDS
    for path, _ in subcommands(licite_command(name).create_parser("licite", name))
]


def subcommand_help(name: str, path: tuple[str, ...]) -> str:
    found = dict(subcommands(licite_command(name).create_parser("licite", name)))
    return str(found[path].format_help())


def subcommand_example(name: str, path: tuple[str, ...]) -> str:
    """The example that ends a subcommand's --help, or "" when it has none."""
    help_text = subcommand_help(name, path)
    return help_text.split("\nexample:\n  ", 1)[1].strip() if "\nexample:\n  " in help_text else ""


@pytest.mark.parametrize(("name", "path"), SUBCOMMANDS)
def test_each_subcommand_help_ends_with_an_example_of_that_subcommand(name, path):
    prefix = shlex.join(["licite", name, *path])
    example = subcommand_example(name, path)
    assert example, f"{prefix} --help shows no example"
    assert example.startswith(prefix + " ") or example == prefix, f"{prefix}: its example is {example!r}"


@pytest.mark.parametrize(("name", "path"), SUBCOMMANDS)
def test_each_subcommand_example_is_a_command_line_its_parser_accepts(name, path):
    example = subcommand_example(name, path)
    assert example, f"licite {name} {' '.join(path)} --help shows no example"
    for part in example.split(";"):
        arguments = shlex.split(part.split("|")[-1])[2:]
        try:
            licite_command(name).create_parser("licite", name).parse_args(arguments)
        except CommandError as exc:
            pytest.fail(f"licite {name}: the example {shlex.join(arguments)!r} is refused: {exc}")


@pytest.mark.parametrize(("name", "path"), SUBCOMMANDS)
def test_each_subcommand_help_says_what_it_does_above_its_options(name, path):
    _usage, _, rest = subcommand_help(name, path).partition("\n\n")
    assert not rest.startswith(("positional arguments:", "options:")), (
        f"licite {name} {' '.join(path)}: no description"
    )


@pytest.mark.parametrize(("name", "path"), SUBCOMMANDS)
def test_each_subcommand_usage_starts_with_its_own_command_line(name, path):
    usage = subcommand_help(name, path).splitlines()[0]
    assert usage.startswith(f"usage: {shlex.join(['licite', name, *path])} ["), usage


# Arguments licite's commands inherit from Django's own: Django says what they are.
DJANGO_ARGUMENTS = {("check", "args")}


def arguments_without_help(name: str) -> list[str]:
    parser = licite_command(name).create_parser("licite", name)
    parsers = [((), parser), *subcommands(parser)]
    return [
        " ".join([name, *path, action.option_strings[0] if action.option_strings else action.dest])
        for path, each in parsers
        for action in each._actions
        if not isinstance(action, argparse._SubParsersAction)
        and action.help is None
        and (name, action.dest) not in DJANGO_ARGUMENTS
    ]


@pytest.mark.parametrize("name", OWN_COMMANDS)
def test_each_argument_of_a_command_and_its_subcommands_says_what_it_is(name):
    assert arguments_without_help(name) == []


def test_the_tour_shows_licite_help_as_it_is():
    from licite.cli import overview

    tour = (ROOT / "docs" / "tour.md").read_text(encoding="utf-8")
    shown = tour.split("$ licite --help\n", 1)[1].split("```", 1)[0]
    assert shown.rstrip("\n") == overview(), "docs/tour.md shows an old `licite --help`: paste the new one"


def command_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("$ licite ")]


def test_the_french_tour_shows_every_command_of_the_readme_tour():
    readme = command_lines((ROOT / "README.md").read_text(encoding="utf-8"))
    french = command_lines((ROOT / "docs" / "tour.fr.md").read_text(encoding="utf-8"))
    assert [line for line in readme if line not in french] == [], (
        "the README's tour changed: bring docs/tour.fr.md to it"
    )


API_DOC = ROOT / "docs" / "api.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", API_DOC.read_text(encoding="utf-8"), re.DOTALL)


def test_every_path_the_api_examples_call_is_in_the_served_schema():
    from licite.api.api import api

    patterns = [re.sub(r"\{[^}]+\}", "[^/]+", path) for path in api.get_openapi_schema()["paths"]]
    called = set(re.findall(r"\$API(/[^\s\"'|]*)", API_DOC.read_text(encoding="utf-8")))
    assert called
    assert {path for path in called if not any(re.fullmatch(p, "/api" + path) for p in patterns)} == set()


@pytest.fixture
def crm_token(django_user_model):
    """The token of a sales user, the integration's own, and the form's source assessed."""
    from licite.api.actions import do_create_token
    from licite.prospects.actions import do_assess_source, do_save_source

    user = django_user_model.objects.create_user("crm", "crm@acme.example", role="sales")
    form = do_save_source(None, "Formulaire salon", kind="form", url="https://acme.example/salon",
                          method="form", extraction_allowed="yes", visibility="public")  # fmt: skip
    do_assess_source(None, form.source, "Follow up visitors", "They expect it", "Notice, objection",
                     necessity="Only what they typed", conclusion="favourable")  # fmt: skip
    return do_create_token(None, user, "CRM sync")[1]


@pytest.mark.django_db(transaction=True)
def test_the_api_docs_python_examples_do_what_they_say_against_a_live_server(
    live_server, source, crm_token, tmp_path
):
    from tests.campaigns.test_campaigns import run_worker

    client, usage = python_blocks()
    compile(usage, "api.md usage", "exec")
    examples: dict[str, Any] = {}
    exec(client, examples)  # noqa: S102 -- the documentation's own code, run as a reader would
    examples.update(API=live_server.url + "/api", TOKEN=crm_token)
    card = {"email": "Claire.Martin@northfield.example", "first_name": "Claire", "company": "Northfield"}
    assert examples["push_from_form"](card).startswith("created: prospect ")
    refused = examples["push_from_form"]({"email": "claire.martin@northfield"})
    assert refused == "refused (refused, RULES B5): invalid address: domain has no dot"
    assert examples["may_contact"]("claire.martin@northfield.example") is True
    assert examples["record_objection"]("Claire.Martin@northfield.example")["erased_prospects"] == 1
    assert examples["may_contact"]("claire.martin@northfield.example") is False
    crm = ["claire.martin@northfield.example", "tom@northfield.example", "x"]
    assert examples["suppressed_among"](crm) == (
        {"claire.martin@northfield.example"},
        {"x": "not a valid email address: missing @"},
    )
    path = tmp_path / "exposants.csv"
    path.write_text(
        "Prénom;Nom;E-mail\nAnne;Roux;anne.roux@acme-industrie.example\nLuc;Petit;pas-une-adresse\n"
    )
    started = examples["upload_import"](str(path), source.name)
    assert started["state"] == "queued"
    run_worker()
    report = examples["wait_for_import"](started["id"], every=0.1, timeout=30)
    assert (report["counts"]["created"], report["counts"]["rejected"]) == (1, 1)
