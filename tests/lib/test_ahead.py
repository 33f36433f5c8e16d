"""A generator run ahead in a thread gives the same items, raises in place, and stops with its consumer."""

from __future__ import annotations

import threading
import time

import pytest

from licite.lib.ahead import THREAD_NAME, ahead


def test_it_yields_every_item_in_order():
    assert list(ahead(iter(range(1000)))) == list(range(1000))


def test_the_items_are_made_in_another_thread_while_the_consumer_works():
    made_in: list[str] = []

    def items():
        for number in range(3):
            made_in.append(threading.current_thread().name)
            yield number

    assert list(ahead(items())) == [0, 1, 2]
    assert threading.current_thread().name not in made_in


def test_an_error_is_raised_where_the_consumer_reaches_it():
    def items():
        yield 1
        yield 2
        raise ValueError("line 3: broken")

    received = []
    stream = ahead(items())
    received.append(next(stream))
    received.append(next(stream))
    with pytest.raises(ValueError, match="line 3: broken"):
        next(stream)
    assert received == [1, 2]


def test_a_consumer_that_stops_early_stops_the_thread():
    made = []

    def items():
        for number in range(1_000_000):
            made.append(number)
            yield number

    for item in ahead(items(), steps=2):
        if item == 5:
            break
    time.sleep(0.3)  # more than the thread needs to notice the stop
    assert len(made) < 20
    assert THREAD_NAME not in [thread.name for thread in threading.enumerate()]


def test_a_consumer_that_stops_early_lets_the_items_clean_up_in_their_thread():
    cleaned_in: list[str] = []

    def items():
        try:
            yield from range(1_000_000)
        finally:  # a file to close, a nested thread to stop...
            cleaned_in.append(threading.current_thread().name)

    stream = ahead(items(), steps=2)
    assert next(stream) == 0
    stream.close()  # joins the thread: the clean-up has run by now
    assert cleaned_in == [THREAD_NAME]
