"""What every browser test shares: Debian's chromium driven by Playwright (never a downloaded
browser), a live server, a session carried into the browser, screenshots, and a watch on every
page: a console error, an uncaught exception or a Content-Security-Policy violation fails the test
(tests/conftest.py's pytest_runtest_call checks the `problems` fixture after the test's body),
unless the test excused that very message first (`problems.excuse`).

The fixtures reach the tests of tests/web through its conftest.py; a browser test elsewhere
imports them: `from tests.web.browser import browser, live_server, page, problems`."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
PASSWORD = "correct horse battery"  # the users of tests/conftest.py's fixtures
# Nothing of chromium's own reaches the network: the pages see only the live server.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
# Chromium logs a CSP refusal on the console; this names the directive, the blocked URI and the
# line too, in a message of its own.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI} ${where}`);
});
"""


@dataclass
class Problems:
    """Every console error, uncaught exception and CSP violation of the pages watched, as
    "<page>: <message> (<source>)". A test that expects one (the 403 chromium logs for a refused
    page) excuses it by its text and where it comes from; nothing else is let through."""

    found: list[str] = field(default_factory=list)
    excused: list[tuple[re.Pattern[str], str]] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)

    def watch(self, page: Page) -> Page:
        page.add_init_script(REPORT_VIOLATIONS)
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda error: self.found.append(f"{page.url}: uncaught {error.name}: {error}"))
        self.pages.append(page)
        return page

    def excuse(self, pattern: str, at: str = "") -> None:
        """Let through the console errors whose text matches the regular expression `pattern` and
        whose source (the page or resource that logged it) ends with `at`."""
        self.excused.append((re.compile(pattern), at))

    def take(self) -> list[str]:
        """What was found so far, forgotten: for a test that asserts a problem is reported."""
        self._settle()
        found, self.found = self.found, []
        return found

    def check(self) -> None:
        """Fail the test if any page met a problem that was not excused."""
        self._settle()
        if self.found:
            listed = "\n".join(f"  - {problem}" for problem in self.found)
            pytest.fail(f"the pages met {len(self.found)} problem(s):\n{listed}", pytrace=False)

    def _console(self, page: Page, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        source = message.location.get("url", "") or page.url
        if any(pattern.search(message.text) and source.endswith(at) for pattern, at in self.excused):
            return
        self.found.append(f"{page.url}: {message.text} ({source})")

    def _settle(self) -> None:
        # A page fires `securitypolicyviolation` in a task of its own, after the refusal: a task
        # queued now runs after it, and Playwright delivers the console's messages before the
        # answer. A page still loading or gone has nothing more to say.
        from playwright.sync_api import Error

        for page in self.pages:
            with contextlib.suppress(Error):
                page.evaluate("() => new Promise(resolve => setTimeout(resolve))")


def require_chromium() -> None:
    """Skip a browser test where chromium is missing, unless LICITE_REQUIRE_BROWSER (set by CI)
    makes that a failure."""
    if os.path.exists(CHROMIUM):
        return
    if os.environ.get("LICITE_REQUIRE_BROWSER"):
        pytest.fail("chromium is required (LICITE_REQUIRE_BROWSER is set): apt-get install chromium")
    pytest.skip("Debian's chromium is not installed: apt-get install chromium")


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Debian's chromium, driven by Playwright; each person gets a context (a computer) of their own."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django would take it for async code.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def problems() -> Problems:
    """What the test's pages met; checked after the test (tests/conftest.py)."""
    return Problems()


@pytest.fixture
def page(browser: Browser, problems: Problems) -> Page:
    """A page in French, watched for errors and CSP violations."""
    return new_page(browser, problems)


def new_page(browser: Browser, problems: Problems, locale: str = "fr-FR") -> Page:
    """A fresh browser (its own cookies) for one person, in their language, watched."""
    return problems.watch(browser.new_context(locale=locale).new_page())


@pytest.fixture(scope="session")
def live_server(django_db_setup: None, django_db_blocker: Any) -> Iterator[Any]:
    """pytest-django's live server, stopped before the test database is destroyed.

    Playwright's sync API runs in greenlets, each with its own context, and Django keeps one
    connection per context: one is left open, and PostgreSQL refuses to drop a database in use.
    """
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer("localhost")
    yield server
    server.stop()
    from django.db import connection

    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


def submit_login(page: Page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Fill the login form and send it; what comes next (the dashboard, the second factor, an
    error) is the caller's to wait for."""
    page.goto(base_url + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit].primary")


def logged_in(page: Page, live_server: Any, user: Any) -> None:
    """The browser carries the user's session, the second factor passed for the roles that need
    one: for tests of what comes after the login form (whose own tests fill it)."""
    from django.test import Client

    from licite.web.security import needs_second_factor
    from tests.conftest import pass_second_factor

    client = Client()
    client.force_login(user)
    if needs_second_factor(user):
        pass_second_factor(client, user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def screenshots(prefix: str = "") -> Callable[[Page, str], None]:
    """A `shoot(page, name)` that saves the whole page as tests/artifacts/<prefix>-<name>.png
    (<name>.png without a prefix), for a person to look at."""

    def shoot(page: Page, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{prefix}-{name}.png" if prefix else ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)

    return shoot
