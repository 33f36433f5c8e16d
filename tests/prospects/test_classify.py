"""`licite classify`: vet a list of addresses before importing it (RULES A1-A5)."""

from __future__ import annotations

import json

from tests.conftest import LICITE, ROOT


def classify(text: str, *args: str) -> list[dict]:
    import subprocess

    result = subprocess.run(
        [*LICITE, "classify", *args], input=text, capture_output=True, text=True, cwd=ROOT, check=True
    )
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_each_address_gets_one_json_line_with_its_kind_and_reason():
    lines = classify("contact@acme.fr\nJeanne.Dupont@ACME.fr\nx@gmail.com\nnope\n\n")
    assert [(x["kind"], x["personal"]) for x in lines] == [
        ("generic", False),
        ("nominative", True),
        ("private", True),
        ("invalid", False),
    ]
    assert lines[1]["normalized"] == "jeanne.dupont@acme.fr"
    assert lines[3]["normalized"] is None
    assert all(set(x) == {"address", "normalized", "kind", "personal", "reason"} for x in lines)
    assert all(x["reason"] for x in lines)


def test_a_sole_traders_role_address_is_personal():
    [line] = classify("contact@menuiserie-durand.fr\n", "--sole-trader")
    assert (line["kind"], line["personal"]) == ("generic", True)


def test_a_french_nominative_address_with_accents_is_valid():
    [line] = classify("prénom.nom@nomdelasociété.fr\n")
    assert line["kind"] == "nominative"
    assert line["normalized"].startswith("prénom.nom@xn--")
