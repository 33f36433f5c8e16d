"""From where an action was asked: the web, the API, the command line or a background worker.

Each way in sets it once for what it runs (the web's middleware, the command base class, the
worker command); `record` writes it into every audit entry. No Django import: the command base
class imports it before the apps are ready.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

WEB, API, CLI, WORKER = "web", "api", "cli", "worker"
# Code run by none of the ways in: `licite shell`, a migration, a test calling an action.
INTERNAL = "internal"

_via: ContextVar[str] = ContextVar("licite_audit_via", default=INTERNAL)


def current() -> str:
    """The way in of the code running now."""
    return _via.get()


@contextmanager
def origin(via: str) -> Iterator[None]:
    """Within this block, audit entries say they came through `via`."""
    token = _via.set(via)
    try:
        yield
    finally:
        _via.reset(token)
