"""A time limit for one file, so a pathological input cannot stall a whole run."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class OverBudget(BaseException):
    """Raised inside the analysis when its time is up (not an Exception, so that no handler
    meant for a rule's own errors swallows it)."""


def _expired(signum: int, frame: FrameType | None) -> None:
    raise OverBudget


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Raise OverBudget in the block after `seconds` of wall time. A no-op without a limit,
    off the main thread, or where SIGALRM does not exist (Windows)."""
    usable = (
        seconds is not None
        and seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return
    assert seconds is not None
    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
