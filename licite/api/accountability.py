"""Accountability (RULES H1, H): the register of processing as a file, the compliance check's
findings, and the audit chain's verification, by the same actions as the web pages and the
commands (`licite register export`, `licite compliance`, `licite audit verify`), each audited.
"""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from ninja import Query, Router, Schema
from pydantic import Field

from licite.api.auth import require
from licite.api.errors import ERRORS
from licite.audit.actions import do_verify
from licite.compliance.actions import do_check_compliance
from licite.core import compliance
from licite.core.permissions import Perm
from licite.register.export import FORMATS, MIME_TYPES, do_export_register, file_name

router = Router(tags=["accountability"])

# The file of each format, as the schema documents it: the sheets and the PDF are bytes.
FILE_SCHEMAS = {
    fmt: {"schema": {"type": "string", **({"format": "binary"} if fmt in ("xlsx", "ods", "pdf") else {})}}
    for fmt in FORMATS
}


class RegisterQuery(Schema):
    format: str = Field(
        "xlsx",
        pattern="^(" + "|".join(FORMATS) + ")$",
        description="xlsx or ods (the CNIL's simplified template), pdf, html or md to read",
    )
    lang: str = Field("fr", pattern="^(fr|en)$", description="The register's language")


class LanguageQuery(Schema):
    lang: str = Field("en", pattern="^(fr|en)$", description="The language of titles and what to do")


class Finding(Schema):
    code: str = Field(description="The check's stable code")
    practice: str
    rule: str = Field(description="The rule of RULES.md it checks")
    status: str = Field(description="ok, warning or failure")
    count: int = Field(description="How many records or items break the rule")
    title: str
    what_to_do: str


class ComplianceOut(Schema):
    status: str = Field(description="The worst status of all checks")
    counts: dict[str, int] = Field(description="How many checks are ok, warning, failure")
    checks: list[Finding]


class VerificationOut(Schema):
    intact: bool
    entries: int = Field(description="The entries checked (the chain's length)")
    first_broken: int | None = Field(description="The sequence number of the first entry at fault, if known")
    problem: str = Field(description="Where and how the chain breaks, or a warning when intact; ids only")


@router.get(
    "/register",
    response=ERRORS,
    url_name="register_export",
    summary="Export the register of processing activities",
    openapi_extra={
        "responses": {
            200: {
                "description": "The register, as an attachment named registre-YYYY-MM-DD.<format>",
                "content": {MIME_TYPES[fmt]: FILE_SCHEMAS[fmt] for fmt in FORMATS},
            }
        }
    },
)
def export_register(request: HttpRequest, query: Query[RegisterQuery]) -> HttpResponse:
    """RULES H1 (GDPR art. 30.1): the register with its live figures, the file `licite register
    export` and the register page write, by the same function; each export is an audit entry."""
    user = require(request, Perm.EDIT_REGISTER)
    content = do_export_register(user, query.format, query.lang)
    response = HttpResponse(content, content_type=MIME_TYPES[query.format])
    name = file_name(query.format, query.lang, timezone.localdate())
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.get(
    "/compliance",
    response={200: ComplianceOut, **ERRORS},
    url_name="compliance_check",
    summary="Run the compliance check",
)
def check_compliance(request: HttpRequest, query: Query[LanguageQuery]) -> dict[str, Any]:
    """Every rule the live data can show broken, practice by practice, as `licite compliance
    --json` and the compliance page: each check's status, count, rule and what to do. Each run
    is an audit entry (counts and the codes that did not pass)."""
    user = require(request, Perm.EDIT_REGISTER)
    results = do_check_compliance(user)
    with translation.override(query.lang):
        checks = [result.as_dict() for result in results]
    counts = {status: sum(1 for r in results if r.status == status) for status in compliance.STATUSES}
    return {"status": compliance.worst(r.status for r in results), "counts": counts, "checks": checks}


@router.post(
    "/audit/verify",
    response={200: VerificationOut, **ERRORS},
    url_name="audit_verify",
    summary="Verify the audit trail's hash chain",
)
def verify_audit(request: HttpRequest) -> dict[str, Any]:
    """RULES H: walk the whole chain and its head file now, as `licite audit verify` and the
    trail's button; the result is itself an audit entry. A broken chain is still a 200: the
    answer is the verdict, `intact: false` with the first entry at fault."""
    user = require(request, Perm.READ_AUDIT)
    intact, entries, problem = do_verify(user)
    return {"intact": intact, "entries": entries, "first_broken": None if intact else first_broken(problem),
            "problem": problem}  # fmt: skip


def first_broken(problem: str) -> int | None:
    """The first entry at fault, from the chain's diagnosis (licite.audit.chain): the first `#N`
    it names, or the one after the end of a chain whose tail is missing; None when it names
    none (the head file missing or unreadable)."""
    tail = re.search(r"tail is missing: it ends at #(\d+)", problem)
    if tail:
        return int(tail.group(1)) + 1
    named = re.search(r"#(\d+)", problem)
    return int(named.group(1)) if named else None
