"""The two ways an import may read and gate a file store the same database and report.

A regular CSV file is read by polars and gated column by column; any other file is read by the
csv module and gated row by row.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine

from licite.prospects.importing import ImportRequest, run_import
from licite.prospects.models import ImportBatch, Prospect, Provenance
from licite.rights.actions import do_suppress
from tests.conftest import HEADER

pytestmark = pytest.mark.django_db

FIRST = HEADER + "".join(
    f"Jeanne;Dupont;jeanne.dupont{i}@acme.example;Acheteuse;Acme;;;France\n" for i in range(5)
)
SECOND = (
    HEADER
    + "Jeanne;Dupont;jeanne.dupont0@acme.example;Acheteuse;Acme;;;France\n"  # known, unchanged
    + "Jeanne;Dupont;JEANNE.DUPONT1@acme.example;DAF;Acme SA;;;\n"  # known, refreshed
    + "Paul;Durand;paul.durand@acme.example;DAF;Acme;;;UK\n"  # suppressed
    + "Léa;Petit;lea.petit@gmail.com;;;;;\n"
    + ";;pas-une-adresse;;;;;\n"  # rejected
    + "Léa;Petit; Lea.Petit@Gmail.com;;;;;\n"  # a duplicate in the file
    + "".join(f"Nina;Roy;nina.roy{i}@roy{i}.example;Achats;Roy {i};;;Belgique\n" for i in range(8))
    + "Marc;Blanc;contact@blanc.example;;Blanc;;{note};\n"  # last: a line break shifts no other row
)
PATHS = {
    "columns": "une note",
    # A quoted line break: polars' reading is refused, the csv module reads it row by row.
    "rows": '"une note\nsur deux lignes"',
}


def stored() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    prospects = sorted(
        Prospect.objects.values_list(
            "email", "key_hash", "email_kind", "first_name", "last_name", "job_title", "company",
            "company_domain", "country", "language", "audience", "legal_basis", "status",
            "collected_at", "notice_due_at", "retain_until", "created_at", "updated_at",
        )
    )  # fmt: skip
    provenance = sorted(
        Provenance.objects.values_list(
            "prospect__email", "batch__filename", "line_number", "page_url", "collected_at"
        )
    )
    return prospects, provenance


IGNORED = {"file", "batch", "seconds", "timings", "path"}


def load(source, tmp_path: Path, path: str, keep: bool = False, **request: Any) -> tuple[Any, ...]:
    """Import FIRST then SECOND; their last report and what they stored (then deleted, unless `keep`)."""
    note = PATHS[path]
    (tmp_path / path).mkdir(parents=True)
    first, second = tmp_path / path / "first.csv", tmp_path / path / "second.csv"
    first.write_text(FIRST, encoding="utf-8")
    second.write_text(SECOND.format(note=note), encoding="utf-8")
    with time_machine.travel(datetime(2026, 11, 2, 9, 0, tzinfo=UTC), tick=False):
        run_import(ImportRequest(path=first, source=source, **request))
    with time_machine.travel(datetime(2026, 11, 3, 9, 0, tzinfo=UTC), tick=False):
        report = run_import(ImportRequest(path=second, source=source, **request)).as_dict()
    state = stored()
    if not keep:
        Prospect.objects.all().delete()
        ImportBatch.objects.all().delete()
    return report["path"], {key: value for key, value in report.items() if key not in IGNORED}, state


def test_every_path_stores_the_same_prospects_provenance_and_report(source, tmp_path):
    do_suppress(None, "paul.durand@acme.example", "objection")
    results = {path: load(source, tmp_path, path) for path in PATHS}
    assert [results[path][0] for path in PATHS] == ["columns", "rows"]
    assert results["columns"][1:] == results["rows"][1:]
    _path, report, (prospects, provenance) = results["columns"]
    assert (report["created"], report["updated"], report["unchanged"]) == (10, 1, 1)
    assert (report["suppressed"], report["duplicates_in_file"], report["rejected"]) == (1, 1, 1)
    assert len(prospects) == 15
    assert len(provenance) == 17  # 5 of the first file, 12 of the second
    assert all(entry[4] for entry in provenance)
