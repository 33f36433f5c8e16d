"""licite/core holds the rules a lawyer could read: it must never depend on Django."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parent.parent / "licite" / "core"


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_module_of_core_imports_django():
    offenders = {
        str(path.relative_to(CORE)): sorted(m for m in imported_modules(path) if m.split(".")[0] == "django")
        for path in CORE.rglob("*.py")
    }
    assert {name: mods for name, mods in offenders.items() if mods} == {}


def test_importing_every_core_module_loads_no_django():
    modules = [f"licite.core.{p.stem}" for p in CORE.glob("*.py") if p.stem != "__init__"]
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + ("print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))")
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_the_purity_check_would_catch_a_django_import(tmp_path):
    sample = tmp_path / "bad.py"
    sample.write_text("from django.db import models\nimport django.conf\n")
    assert imported_modules(sample) == {"django.db", "django.conf"}
