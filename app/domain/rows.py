"""Named rows made fast: posting and re-rating build millions of small named tuples."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any, TypeVar

T = TypeVar("T", bound=tuple[Any, ...])


def maker(cls: type[T]) -> Callable[[tuple[Any, ...]], T]:
    """A NamedTuple class's constructor from a tuple of its fields in order, without the
    Python frame of its __new__ (about half the cost), for the rows the engine makes per line."""
    return partial(tuple.__new__, cls)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a batch builds its rows (a posting or
    re-rating batch: hundreds of thousands of tuples, none in a reference cycle). Left on,
    its full passes scan every row built so far, again and again as the batch grows: a
    third of the engine's time at a million lines. Rows are freed by reference counting
    all the same; the collector resumes (if it was on) when the batch is done."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
