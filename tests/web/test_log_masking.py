"""The tokens of public links are credentials: no log line carries one (the server's own
log is tested through a real `licite serve` in test_serve.py)."""

from __future__ import annotations

import io
import logging

import pytest
from django.test import Client
from django.urls import get_resolver

from licite.lib.logmask import TOKEN_PREFIXES, MaskTokens, mask_tokens

TOKEN = "8MIp2BaG8u1yp3rYkWL2nFhB6GqjV4ml_-x"


def configured_handlers() -> list[logging.Handler]:
    """Every handler on every logger, except pytest's own capture and those that write nothing."""
    loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
    handlers = {h for lg in loggers if isinstance(lg, logging.Logger) for h in lg.handlers}
    return [
        h
        for h in handlers
        if not type(h).__module__.startswith("_pytest") and not isinstance(h, logging.NullHandler)
    ]


@pytest.fixture
def log_output():
    """What licite's configured handlers write, read back."""
    buffer = io.StringIO()
    streams = [h for h in configured_handlers() if isinstance(h, logging.StreamHandler)]
    previous = [(h, h.setStream(buffer)) for h in streams]
    yield buffer
    for handler, stream in previous:
        if stream is not None:
            handler.setStream(stream)


def test_every_log_handler_masks_tokens():
    handlers = configured_handlers()
    assert handlers
    assert [h for h in handlers if not any(isinstance(f, MaskTokens) for f in h.filters)] == []


def routes(patterns, prefix=""):
    """(route, view) of every URL."""
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            yield from routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern.callback


def test_every_public_link_with_a_token_is_masked():
    prefixes = {
        route.split("/")[0]
        for route, view in routes(get_resolver().url_patterns)
        if "<str:token>" in route and not hasattr(view, "licite_perm")  # staff pages need a login
    }
    assert prefixes == set(TOKEN_PREFIXES)


@pytest.mark.parametrize(
    ("line", "masked"),
    [
        (f"/u/{TOKEN}", "/u/…"),
        (f"Method Not Allowed (HEAD): /u/{TOKEN}", "Method Not Allowed (HEAD): /u/…"),
        (
            f"Forbidden (CSRF cookie not set.): /consent/{TOKEN}",
            "Forbidden (CSRF cookie not set.): /consent/…",
        ),
        (f'"GET /r/{TOKEN}?x=1 HTTP/1.1" 302', '"GET /r/…?x=1 HTTP/1.1" 302'),
        (f"see https://licite.example/u/{TOKEN}.", "see https://licite.example/u/…"),
        (f'"GET /welcome/{TOKEN}/ HTTP/1.1" 200', '"GET /welcome/…/ HTTP/1.1" 200'),
        ("/admin/r/12/34/", "/admin/r/12/34/"),
        ("/login/", "/login/"),
    ],
)
def test_a_token_is_masked_wherever_a_public_path_appears(line, masked):
    assert mask_tokens(line) == masked


@pytest.mark.django_db
def test_djangos_warnings_about_a_public_link_carry_no_token(log_output, caplog):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(f"/consent/{TOKEN}").status_code == 403
    assert Client().put(f"/u/{TOKEN}").status_code == 405
    written = log_output.getvalue()
    assert "Forbidden (CSRF cookie not set.): /consent/…" in written
    assert "Method Not Allowed (PUT): /u/…" in written
    assert TOKEN not in written


def test_a_token_in_a_traceback_is_masked(log_output):
    try:
        raise ValueError(f"no message for /u/{TOKEN}")
    except ValueError:
        logging.getLogger("licite.test").exception("failed on %s", f"/consent/{TOKEN}")
    written = log_output.getvalue()
    assert "failed on /consent/…" in written
    assert "no message for /u/…" in written
    assert TOKEN not in written
