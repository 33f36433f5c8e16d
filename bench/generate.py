"""A realistic, seeded, messy prospect file for the import benchmark (fictitious people only).

Mixed case, stray spaces, French accents, 5 % duplicates, 3 % invalid addresses, 10 % role
addresses, 15 % private mailboxes, and columns the purpose does not need (to be dropped).
"""

from __future__ import annotations

import argparse
import csv
import random
import unicodedata
from pathlib import Path

from licite.lib.fictitious import FIRST_NAMES, FREE_DOMAINS, JOB_TITLES, LAST_NAMES, ROLE_LOCALS

WORDS = (
    "atelier",
    "logistique",
    "conseil",
    "bois",
    "azur",
    "vignobles",
    "transports",
    "imprimerie",
    "clinique",
    "studio",
    "énergie",
    "robotique",
    "boulangerie",
    "menuiserie",
    "analytics",
)
HEADER = [
    "Prénom",
    "Nom",
    "E-mail",
    "Fonction",
    "Société",
    "Téléphone",
    "Pays",
    "Commentaire",
    "Date de naissance",
    "Source",
]


def ascii_fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def rows(count: int, seed: int):
    rng = random.Random(seed)
    emitted: list[list[str]] = []
    for index in range(count):
        if emitted and rng.random() < 0.05:  # a duplicate, differently written
            again = list(rng.choice(emitted[-5000:]))
            again[2] = "  " + again[2].upper() + " "
            yield again
            continue
        shown_first, shown_last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        first, last = shown_first, shown_last
        company = f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS).capitalize()} {index % 50_000}"
        slug = company.lower().replace(" ", "-")
        # Most addresses are written without accents; about 2 % keep them (UTF-8 mailboxes).
        domain = f"{slug if rng.random() < 0.02 else ascii_fold(slug)}.example"
        if rng.random() >= 0.02:
            first, last = ascii_fold(first), ascii_fold(last)
        roll = rng.random()
        if roll < 0.03:
            email = rng.choice(("pas-une-adresse", f"{first}@", "@acme.example", f"{last} @acme", ""))
        elif roll < 0.13:
            email = f"{rng.choice(ROLE_LOCALS)}@{domain}"
        elif roll < 0.28:
            email = f"{first}.{last}.{index}@{rng.choice(FREE_DOMAINS)}"
        else:
            email = f"{first}.{last}{index}@{domain}"
        if rng.random() < 0.3:
            email = email.title()
        row = [
            shown_first,
            shown_last,
            email,
            rng.choice(JOB_TITLES),
            company,
            f"01 {index % 100:02d} 00 00 00",
            rng.choice(("France", "FR", "Belgique", "")),
            rng.choice(("", "", "rappeler lundi", "très sympa")),
            f"19{rng.randint(50, 99)}-01-01",
            "salon",
        ]
        emitted.append(row)
        yield row


def generate(path: Path, count: int, seed: int = 2026) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        writer.writerows(rows(count, seed))
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", type=Path)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    arguments = parser.parse_args()
    generate(arguments.path, arguments.rows, arguments.seed)
