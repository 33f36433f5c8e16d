"""Link tokens never reach a log line.

The token in a public link (object, consent, click) is the person's credential: whoever reads
it can object or consent in their name. Django's own warnings quote the path
(`Method Not Allowed (HEAD): /u/TOKEN`, `Forbidden (CSRF cookie not set.): /consent/TOKEN`),
so one filter, installed on every log handler, masks the token wherever a public link's path
appears in a record: its message, its arguments and its traceback.
"""

from __future__ import annotations

import logging
import re

# The first segment of every public link that carries a token (the people's links, and the
# invitation that sets a new user's password; tests/web/test_log_masking.py checks that the
# URLs and this list agree).
TOKEN_PREFIXES = ("u", "consent", "r", "access", "rights", "stay", "welcome")
MASK = "…"

# A public path at the start of a string, after a space, a quote, a bracket, `=` or `:`, or
# after a scheme and host (`https://host/u/TOKEN`): never inside another path (`/admin/r/1/`).
_TOKEN_PATH = re.compile(
    r"(?P<before>^|[\s\"'(\[=:,]|[a-z][a-z0-9+.-]*://[^/\s\"']+)"
    rf"/(?P<kind>{'|'.join(TOKEN_PREFIXES)})/[^/\s?#\"')\]]+",
    re.IGNORECASE,
)


def mask_tokens(text: str) -> str:
    """The text with the token of every public link's path replaced by a mask."""
    return _TOKEN_PATH.sub(lambda match: f"{match['before']}/{match['kind']}/{MASK}", text)


class MaskTokens(logging.Filter):
    """A handler filter that rewrites a record's message, arguments and traceback; drops nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError, KeyError):  # a malformed call: logging reports it as it is
            message = None
        if message is not None:
            # The message is rendered once, masked, and its arguments dropped: an argument that
            # is not a string (a request, a URL object) could otherwise carry a token.
            record.msg, record.args = mask_tokens(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_tokens(record.exc_text)
        return True
