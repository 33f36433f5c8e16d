"""The public page of the privacy policy's prospecting section (RULES D5): no login, in the
person's language (the one chosen on the page, else their browser's: RULES D4)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from licite.accounts.models import Organisation
from licite.lib.documents import Bullets, Fields, Notice, Paragraph, Section, Table
from licite.register.privacy import NoOrganisation, privacy_document

LANGUAGES = ("fr", "en")


@require_http_methods(["GET", "HEAD"])
def privacy_policy(request: HttpRequest) -> HttpResponse:
    asked = request.GET.get("lang")
    language = asked if asked in LANGUAGES else translation.get_language_from_request(request)
    other = "en" if language == "fr" else "fr"
    with translation.override(language):
        try:
            document = privacy_document(language)
        except NoOrganisation:
            return render(request, "register/privacy_unavailable.html", {"other": other}, status=404)
        context = {
            "organisation": Organisation.current(),
            "document": document,
            "sections": [_section(section) for section in document.sections],
            "other": other,
        }
        return render(request, "register/privacy.html", context)


def _section(section: Section) -> dict[str, Any]:
    """A section as the template walks it: each block with its kind."""
    return {
        "heading": section.heading,
        "blocks": [{"kind": _KINDS[type(block)], "block": block} for block in section.blocks],
        "sections": [_section(sub) for sub in section.sections],
    }


_KINDS = {Paragraph: "paragraph", Fields: "fields", Table: "table", Bullets: "bullets", Notice: "notice"}
