"""docs/rules.md, generated: each rule licite applies, and the places in the code that cite it.

The law is numbered in ../shared/RULES.md, outside the repository, so each rule's number and a
one-line summary are kept here (a test compares the numbers with RULES.md where it is present).
The places are read from the code itself: every `RULES X` citation in licite's Python files and
templates, located by file and by the function, class or setting around it. Line numbers would
change with every edit above them; a function's name changes only when the code does.

    .venv/bin/python -m licite.lib.rules_index --write    # regenerate docs/rules.md
    .venv/bin/python -m licite.lib.rules_index --check    # exit 1 if docs/rules.md is stale

tests/test_docs.py fails when a citation is added, moved or removed without regenerating.
No Django import: it reads source files as text.
"""

from __future__ import annotations

import ast
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "rules.md"
COMMAND = ".venv/bin/python -m licite.lib.rules_index --write"

FAMILIES = {
    "A": "What is personal data",
    "B": "Collection from public sources",
    "C": "Legal basis and purpose",
    "D": "Information of the person",
    "E": "Every prospecting message",
    "F": "Keeping and deleting",
    "G": "Rights of the person",
    "H": "Accountability and control",
}

# In RULES.md's order (F1b comes after F3 there): a range such as F1-F4 spans it.
RULES: tuple[tuple[str, str], ...] = (
    ("A1", "Any information about an identifiable person is personal data, professional or private, "
           "public or not: name, job at a named company, work email and phone, profile URL (GDPR art. 4.1)."),
    ("A2", "A nominative work address (first.last@company) is personal data; a role address of a legal "
           "person (contact@, sales@) is not, and falls outside the prospecting regime."),
    ("A3", "A role address of a sole trader still points at one person: personal data."),
    ("A4", "A mailbox at a free or ISP provider (gmail.com, orange.fr...) belongs to a private person: "
           "treat the contact as a consumer (B2C)."),
    ("A5", "Combined data can identify a person indirectly (the only Head of Legal of a small "
           "company): personal data even without a name."),
    ("B1", "Collecting, extracting, structuring and storing are processing: obligations start at "
           "collection (GDPR art. 4.2)."),
    ("B2", "Publicly accessible is not freely reusable: reuse needs a legal basis, a purpose, "
           "information and respect of the source's terms (CNIL 2020, 2024)."),
    ("B3", "Each record keeps its provenance: source, URL or platform, method, date, collector; the "
           "notice names that source, not \"public sources\" (KASPR 2024)."),
    ("B4", "A source whose terms forbid automated extraction (LinkedIn) cannot feed an automated "
           "collection; network-restricted contact details may not be collected at all (KASPR)."),
    ("B5", "Accuracy: inaccurate data is rectified or erased without delay; a hard bounce proves an "
           "address inaccurate (GDPR art. 5.1.d)."),
    ("B6", "Minimization: email, names, job title if needed, company; nothing more, never free-text "
           "comments about people (GDPR art. 5.1.c; FUTURA INTERNATIONALE 2019)."),
    ("B7", "Processors need an Art. 28 contract; a transfer outside the EU/EEA needs an adequacy "
           "decision or safeguards such as standard contractual clauses."),
    ("C1", "B2C email prospecting needs prior consent (CPCE L34-5, GDPR art. 6.1.a), except the "
           "soft opt-in for existing customers and similar products."),
    ("C2", "B2C from public data: a first message asks for consent; without consent in a reasonable "
           "delay, the data is deleted."),
    ("C3", "B2B to a nominative work address may rest on legitimate interest if the person is "
           "informed, can object freely, and the offer relates to their job (NESTOR 2020)."),
    ("C4", "Legitimate interest needs a written balancing test; a source's terms that forbid "
           "prospecting weigh against it."),
    ("C5", "Purpose limitation: prospecting data serves prospecting only; a new purpose needs the "
           "person informed first (GDPR art. 5.1.b, 14.4)."),
    ("D1", "The notice carries every item of GDPR art. 14.1 and 14.2, the specific source included; "
           "a notice missing an applicable item is invalid."),
    ("D2", "Notice deadline: the earliest of one month after collection, the first message, the "
           "first disclosure to another recipient (art. 14.3)."),
    ("D3", "The right to object is stated explicitly, clearly and apart, at the latest in the first "
           "message (art. 21.4)."),
    ("D4", "Information is concise, clear, easy to reach, in the person's language: French or "
           "English (art. 12.1)."),
    ("D5", "The controller's website has a privacy policy describing prospecting and its sources."),
    ("E1", "Every message identifies the sender, has a subject related to the offer, and a free, "
           "simple way to object (CPCE L34-5)."),
    ("E2", "One-click unsubscribe (RFC 8058): List-Unsubscribe with an HTTPS token URL, "
           "List-Unsubscribe-Post; the POST acts at once, a GET only shows a page; a visible link too."),
    ("E3", "An opt-out takes effect at once for every future message (large providers: within 2 days)."),
    ("E4", "Bulk senders: SPF, DKIM, DMARC, aligned From, one-click unsubscribe signed, complaints "
           "under 0.3 % (Gmail and Yahoo, 2024)."),
    ("F1", "A prospect is kept 3 years from collection or from the last contact they initiated (an "
           "open is no contact); one last message may ask, then delete (SPARTOO 2020)."),
    ("F2", "Customer data used for prospecting: the relationship plus 3 years."),
    ("F3", "An objection or a consent withdrawal ends the prospecting retention at once."),
    ("F1b", "Updating a record is no contact from the person: it never restarts retention (KASPR 2024)."),
    ("F4", "The suppression list keeps only a keyed hash of the address, the reason and the date, "
           "for nothing else, at least 3 years; protect it like personal data."),
    ("F5", "Access only for those whose job needs it: marketing, sales, communication see prospects; "
           "HR and finance do not."),
    ("G1", "Answer each request within one calendar month, extendable by two for complexity with "
           "reasons; free; ask for identity only on a reasonable doubt; a refusal gives its reason."),
    ("G2", "Access (art. 15): the data, purposes, categories, recipients, retention, rights, the "
           "right to complain, the source."),
    ("G3", "Objection to direct marketing is absolute: no balancing, stop at once (art. 21.2-3)."),
    ("G4", "Erasure (art. 17): an objection obliges erasure, keeping only the suppression hash."),
    ("G5", "Consent (art. 7) is provable (when, how, wording); withdrawing is as easy as giving, and "
           "not retroactive."),
    ("H1", "The register of processing activities (art. 30.1, the CNIL's template), with legal bases "
           "and data sources."),
    ("H1b", "Every breach is documented (art. 33.5); the CNIL is told within 72 hours unless "
            "riskless; the persons when the risk is high (art. 34)."),
    ("H2", "CNIL controls start from complaints, reports, news or its own programme, on site, online, "
           "on documents or by hearing."),
    ("H3", "CNIL sanctions: reprimand, order with penalty, ban, fine up to 20 MEUR or 4 % of turnover, "
           "published decisions."),
)  # fmt: skip
ORDER = [number for number, _ in RULES]

# Where citations are read: licite's code and templates. Migrations copy old help texts, the
# translation catalogue repeats the code's strings, the quiz's questions teach the rules.
SUFFIXES = (".py", ".html")
SKIPPED_PARTS = ("migrations", "locale")

_REF = r"[A-H](?:\d+b?)?(?:-[A-H]?\d*b?)?"
CITATION = re.compile(rf"\bRULES ((?:{_REF})(?:(?:, ?| and |/)(?:{_REF}))*)\b")


@dataclass(frozen=True, order=True)
class Citation:
    """One rule (or a whole family, "H") cited at one place: a file and a name in it."""

    rule: str
    path: str
    place: str


def expand(reference: str) -> list[str]:
    """The rules a reference names: "F1-F4" spans RULES.md's order; "C-E" names whole families."""
    start, _, end = reference.partition("-")
    if start in FAMILIES:
        families = sorted(FAMILIES)
        last = end if end in FAMILIES else start
        return families[families.index(start) : families.index(last) + 1]
    if not end:
        return [start]
    end = end if end[:1].isalpha() else start[0] + end
    if start not in ORDER or end not in ORDER:
        return [start, end]  # unknown: reported by unknown_rules()
    return ORDER[ORDER.index(start) : ORDER.index(end) + 1]


def cited_rules(line: str) -> list[str]:
    """Every rule or family the `RULES ...` citations of one line name."""
    rules: list[str] = []
    for match in CITATION.finditer(line):
        for reference in re.split(r", ?| and |/", match.group(1)):
            rules.extend(expand(reference))
    return rules


def source_files(root: Path = ROOT) -> Iterator[Path]:
    for path in sorted((root / "licite").rglob("*")):
        if path.suffix in SUFFIXES and not set(SKIPPED_PARTS) & set(path.relative_to(root).parts):
            yield path


def citations(root: Path = ROOT) -> set[Citation]:
    """Every citation in licite's code, by rule, file and place."""
    found: set[Citation] = set()
    for path in source_files(root):
        text = path.read_text(encoding="utf-8")
        places = _Places(text) if path.suffix == ".py" else None
        relative = path.relative_to(root).as_posix()
        for number, line in enumerate(text.splitlines(), start=1):
            for rule in cited_rules(line):
                found.add(Citation(rule, relative, places.at(number) if places else ""))
    return found


class _Places:
    """The name of what encloses each line of a Python module: `Class.method`, a setting..."""

    def __init__(self, source: str) -> None:
        self.tree = ast.parse(source)

    def at(self, line: int) -> str:
        return ".".join(self._names(self.tree.body, line)) or "(module)"

    def _names(self, body: Sequence[ast.stmt], line: int) -> list[str]:
        for statement in body:
            if _first_line(statement) <= line <= (statement.end_lineno or statement.lineno):
                return self._inside(statement, line)
        following = [s for s in body if _first_line(s) > line]
        # A comment line names what follows it ("# RULES F4: ..." above SUPPRESSION_KEY = ...).
        return [_name(following[0])] if following and _name(following[0]) else []

    def _inside(self, statement: ast.stmt, line: int) -> list[str]:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            return [statement.name, *self._names(statement.body, line)]
        nested = [getattr(statement, field, []) for field in ("body", "orelse", "finalbody", "handlers")]
        for block in nested:
            inner = [s for s in block if isinstance(s, ast.stmt)]
            if any(_first_line(s) <= line <= (s.end_lineno or s.lineno) for s in inner):
                return self._names(inner, line)
        return [_name(statement)] if _name(statement) else []


def _first_line(statement: ast.stmt) -> int:
    """A definition starts at its first decorator."""
    decorators: list[ast.expr] = getattr(statement, "decorator_list", [])
    return min([statement.lineno, *(d.lineno for d in decorators)])


def _name(statement: ast.stmt) -> str:
    """The name a statement defines, or ""."""
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return statement.name
    targets = statement.targets if isinstance(statement, ast.Assign) else []
    if isinstance(statement, ast.AnnAssign):
        targets = [statement.target]
    names = [t.id for t in targets if isinstance(t, ast.Name)]
    return names[0] if names else ""


def unknown_rules(found: Iterable[Citation]) -> set[Citation]:
    """Citations of a number RULES.md does not have (a typo, or a rule not yet listed here)."""
    return {c for c in found if c.rule not in ORDER and c.rule not in FAMILIES}


def render(found: Iterable[Citation]) -> str:
    """The text of docs/rules.md."""
    by_rule: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for citation in found:
        by_rule[citation.rule][citation.path].add(citation.place)
    uncited = [number for number in ORDER if number not in by_rule]
    lines = [*_HEADER, "Rules no code cites: " + (", ".join(uncited) or "none") + ".", ""]
    summaries = dict(RULES)
    for family, title in FAMILIES.items():
        lines += [f"## {family}. {title}", ""]
        if by_rule.get(family):
            lines += ["The whole family is cited in:", "", *_places(by_rule[family]), ""]
        for number in (n for n in ORDER if n[0] == family):
            lines += [f"### {number}", "", summaries[number], ""]
            places = _places(by_rule[number]) if by_rule.get(number) else ["Cited nowhere in the code."]
            lines += [*places, ""]
    return "\n".join(lines).rstrip() + "\n"


def _places(files: dict[str, set[str]]) -> list[str]:
    """One line a file: its link, then the places in it ("(module)": its docstring or top)."""
    return [
        f"- [`{path}`](../{path})" + (": " + ", ".join(map(_place, sorted(places))) if any(places) else "")
        for path, places in sorted(files.items())
    ]


def _place(place: str) -> str:
    return place if place == "(module)" else f"`{place}`"


_HEADER = [
    "# The rules licite applies, and where",
    "",
    "<!-- Generated by licite/lib/rules_index.py from the code's `RULES` citations: do not edit.",
    f"     Regenerate with: {COMMAND} -->",
    "",
    "The law licite turns into code is numbered in `../shared/RULES.md` (sources: the GDPR, the",
    "French CPCE, CNIL guidance and sanctions). Each rule below has its number, one line of what it",
    "says (RULES.md has the whole text and its sources), and every place in the code that cites it",
    "(`# RULES F4` in a comment, or a message that names the rule): the file, then the function,",
    "class or setting around the citation. How a rule enters the code: [architecture.md](architecture.md).",
    "",
    "This file is generated (the command is at its top); tests/test_docs.py fails when a citation",
    "is added, moved to another function or removed without regenerating it.",
    "",
]


def main(argv: list[str]) -> int:
    found = citations()
    unknown = unknown_rules(found)
    if unknown:
        for c in sorted(unknown):
            print(f"{c.path}: {c.place}: RULES {c.rule} is no rule of RULES.md", file=sys.stderr)
        return 1
    text = render(found)
    if "--write" in argv:
        DOC.write_text(text, encoding="utf-8")
        print(f"{DOC.relative_to(ROOT)} written: {len(found)} citations.")
    elif "--check" in argv:
        if DOC.read_text(encoding="utf-8") != text:
            print(f"{DOC.relative_to(ROOT)} is out of date: run {COMMAND}", file=sys.stderr)
            return 1
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
