"""Neutralizing spreadsheet formulas in CSV exports (CWE-1236, "CSV injection")."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: str) -> str:
    """Prefix a value a spreadsheet would run as a formula with an apostrophe; others pass as is."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value
