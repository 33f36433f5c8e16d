"""What the end-to-end journey of issue 22 needs around the shared browser helpers
(tests/web/browser.py: one chromium for several people, each page watched): a person logging in
in a browser of their own, screenshots, and the links a person reads in the messages the
loopback SMTP server received."""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import browser_log_in
from tests.web.browser import Problems, new_page, screenshots

# The base URL the messages carry (the smtp fixture's LICITE_BASE_URL), replaced by the live server's.
MAIL_BASE = "https://licite.example"
shoot = screenshots("journey")


def log_in(browser: Any, problems: Problems, base_url: str, user: Any) -> Any:
    """A person logs in through the real form (with the TOTP code when their role needs one)."""
    page = new_page(browser, problems)
    browser_log_in(page, base_url, user)
    return page


def mail_text(message) -> str:
    return str(message.get_body(preferencelist=("plain",)).get_content())


def link_in(message, prefix: str) -> str:
    """The path of the first link under `prefix` ("/u/", "/rights/") in a message's text."""
    found = re.search(re.escape(MAIL_BASE) + "(" + re.escape(prefix) + r"\S+)", mail_text(message))
    assert found, f"no {prefix} link in the message {message['Subject']!r}"
    return found.group(1)
