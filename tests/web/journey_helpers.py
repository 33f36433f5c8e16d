"""What the end-to-end journey of issue 22 needs around a real browser: one chromium for several
people (each in a context of their own, as on their own computer), a watch on every page's
console (a JavaScript error or a CSP violation fails the journey), screenshots, and the links a
person reads in the messages the loopback SMTP server received."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import browser_log_in
from tests.web.test_browser import CHROMIUM

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
# The base URL the messages carry (the smtp fixture's LICITE_BASE_URL), replaced by the live server's.
MAIL_BASE = "https://licite.example"


@pytest.fixture
def browser() -> Iterator[Any]:
    """Debian's chromium, driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        yield chromium
        chromium.close()


@dataclass
class Console:
    """Every console error and uncaught exception of every page watched. Chromium reports a
    Content-Security-Policy violation as a console error, so this catches those too. A page the
    journey opens to check a refusal logs the refusal's status ("403 (Forbidden)"): the paths
    listed in `refusals` have that one message (a 403 or 404) excused, nothing else."""

    errors: list[str] = field(default_factory=list)
    refusals: set[str] = field(default_factory=set)

    def watch(self, page) -> None:
        page.on("console", lambda message: self._console(message) if message.type == "error" else None)
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))

    def _console(self, message) -> None:
        url = message.location.get("url", "")
        refused = any(url.endswith(path) for path in self.refusals)
        if refused and re.search(r"status of 40[34]", message.text):
            return
        self.errors.append(f"{url}: {message.text}")


def new_page(browser, console: Console, locale: str = "fr-FR"):
    """A fresh browser (its own cookies) for one person, in their language, watched."""
    context = browser.new_context(locale=locale)
    page = context.new_page()
    console.watch(page)
    return page


def log_in(browser, console: Console, base_url: str, user):
    """A person logs in through the real form (with the TOTP code when their role needs one)."""
    page = new_page(browser, console)
    browser_log_in(page, base_url, user)
    return page


def shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"journey-{name}.png"), full_page=True)


def mail_text(message) -> str:
    return str(message.get_body(preferencelist=("plain",)).get_content())


def link_in(message, prefix: str) -> str:
    """The path of the first link under `prefix` ("/u/", "/rights/") in a message's text."""
    found = re.search(re.escape(MAIL_BASE) + "(" + re.escape(prefix) + r"\S+)", mail_text(message))
    assert found, f"no {prefix} link in the message {message['Subject']!r}"
    return found.group(1)
