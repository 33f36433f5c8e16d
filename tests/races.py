"""Two requests at once, made deterministic: another request's work, committed on a connection
of its own, at the very moment this connection reaches a given statement.

A race of two threads fired together passes or fails by chance. Here the window is chosen: the
hook runs the other request's real action (in a thread, so on its own connection, committed)
just before or just after the first statement of this connection that `at` matches, then lets
this connection go on. Nothing is mocked: both sides run the real actions on the real database.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, connections


def in_another_request(work: Callable[[], Any]) -> Any:
    """Run `work` in a thread of its own, on its own connection, committed when it returns."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc
        finally:
            connections.close_all()  # this thread's connections only

    thread = threading.Thread(target=run, name="another-request")
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), "the other request never finished (a lock this connection holds?)"
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


@contextmanager
def another_request_at(
    at: Callable[[str], bool], work: Callable[[], Any], *, after: bool = False
) -> Iterator[list[Any]]:
    """Within the block, the first statement of this connection whose SQL `at` matches runs once
    `work` has run and committed in another request (`after`: once that statement has run). The
    list yielded holds `work`'s result once it ran: a test checks that the window was reached."""
    ran: list[Any] = []

    def hook(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        fire = not ran and at(sql)
        if fire and not after:
            ran.append(in_another_request(work))
        result = execute(sql, params, many, context)
        if fire and after:
            ran.append(in_another_request(work))
        return result

    with connection.execute_wrapper(hook):
        yield ran
