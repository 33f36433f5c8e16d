"""Running a generator one step ahead of its consumer, in a thread.

Gating a slice of rows runs mostly in polars and the database writes mostly in SQLite or
PostgreSQL, both of which release the GIL: with the gate in a thread, the next slice is gated
while the last one is written, on the machine's other core.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterable, Iterator
from contextlib import suppress
from typing import TypeVar

__all__ = ["ahead"]

T = TypeVar("T")
THREAD_NAME = "licite-ahead"
_DONE = object()
_WAIT = 0.1  # seconds between two looks at whether the consumer is gone


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def ahead(
    items: Iterable[T], steps: int = 1, stop: threading.Event | None = None
) -> Generator[T, None, None]:
    """Yield what `items` yields, computing up to `steps` items ahead in a thread.

    An exception raised by `items` is raised here, in its place. When the consumer stops early
    (an error, a break, Ctrl-C), the thread stops at its next item instead of running on; and
    `items`, given `stop` (set then), may stop sooner, inside an item that takes long.
    """
    channel: queue.Queue[object] = queue.Queue(maxsize=steps)
    stop = stop or threading.Event()
    worker = threading.Thread(
        target=_produce, args=(iter(items), channel, stop), name=THREAD_NAME, daemon=True
    )
    worker.start()
    try:
        while True:
            item = channel.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        worker.join()


def _produce(items: Iterator[object], channel: queue.Queue[object], stop: threading.Event) -> None:
    try:
        for item in items:
            if not _put(channel, item, stop):
                _close(items)  # the consumer is gone: `items` cleans up now, in this thread
                return
    except BaseException as error:  # raised in the consumer's thread, where it belongs
        _put(channel, _Failed(error.with_traceback(None)), stop)
        return
    _put(channel, _DONE, stop)


def _close(items: Iterator[object]) -> None:
    close = getattr(items, "close", None)
    if close is not None:
        with suppress(Exception):  # the consumer has its own error to report, or none
            close()


def _put(channel: queue.Queue[object], item: object, stop: threading.Event) -> bool:
    while not stop.is_set():
        try:
            channel.put(item, timeout=_WAIT)
            return True
        except queue.Full:
            continue
    return False
