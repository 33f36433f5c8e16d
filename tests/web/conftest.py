"""The browser tests' fixtures (tests/web/browser.py), for every test module of this folder."""

from tests.web.browser import browser, live_server, page, problems  # noqa: F401
