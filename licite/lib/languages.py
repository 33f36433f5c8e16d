"""The language of a public page (no login): the one the person switched to, else the one licite
knows them by, else their browser's (RULES D4); and the other one, which the page's switch offers."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import translation

PUBLIC_LANGUAGES = ("fr", "en")


def page_language(request: HttpRequest, asked: str | None, known: str | None = None) -> str:
    """`asked` (the page's `?lang=` or form field) if licite speaks it, else `known` (a
    message's, a request's), else the browser's."""
    for language in (asked, known):
        if language in PUBLIC_LANGUAGES:
            return str(language)
    browser = translation.get_language_from_request(request)
    return browser if browser in PUBLIC_LANGUAGES else PUBLIC_LANGUAGES[0]


def other_language(language: str) -> str:
    """The language the page's switch offers."""
    return "en" if language == "fr" else "fr"
