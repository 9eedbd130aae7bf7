"""A setup step that runs once per process, however many threads ask for it first."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def once(step: Callable[[], T]) -> Callable[[], T]:
    """`step`, run by the first call only: every call returns what that one did."""
    lock = threading.Lock()
    done: list[T] = []

    def run() -> T:
        if not done:
            with lock:
                if not done:
                    done.append(step())
        return done[0]

    run.__doc__ = step.__doc__
    return run
