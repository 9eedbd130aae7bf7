"""Run one file's analysis where deep recursion is safe: on a thread with a large stack and a
high recursion limit.

libcst's trees are as deep as a file's longest chain, not its nesting: 1,000 implicitly
concatenated strings (CPython's own `Lib/pydoc_data/topics.py` has 2,215), a long `elif`
ladder or `a and b and ...` make a tree 1,000 levels deep. Walking it recursively exceeds
Python's default limit of 1,000 frames, and libcst's native parser overflows an 8 MiB stack (a
segmentation fault, which kills the process) at about 9,000 links. On a thread with a 512 MiB
stack both take chains of hundreds of thousands; the memory is reserved, not used, until the
recursion needs it.

The time budget still applies: its signal interrupts the wait in the calling thread, and the
analysis thread is then told to stop (an asynchronous OverBudget, delivered at its next Python
instruction). Work in native code (the parse) cannot be interrupted: it finishes in the
background while the caller moves on."""

from __future__ import annotations

import ctypes
import sys
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

STACK_BYTES = 512 * 2**20
RECURSION_LIMIT = 100_000

_LOCK = threading.Lock()
_active = 0  # analyses running with the raised limit (the library may be used from threads)
_saved_limit = 0


def run_deep(work: Callable[[], T]) -> T:
    """`work()`, on a deep thread if one can be started, else here; exceptions propagate."""
    outcome: list[tuple[bool, object]] = []
    done = threading.Event()

    def target() -> None:
        try:
            try:
                outcome.append((True, work()))
            except BaseException as error:  # handed to the caller
                outcome.append((False, error))
            finally:
                done.set()
        except BaseException:  # a stop request that came as the work ended: nothing to stop
            pass

    # A thread takes the recursion limit in force when it starts.
    _raise_limit()
    try:
        thread = _start(target)
    except (RuntimeError, ValueError, MemoryError):  # no thread (or no such stack) here
        _restore_limit()  # this thread's stack is not made for it
        return work()
    try:
        # Short waits: a signal handler (the time budget) runs between two of them. A plain
        # join() is not interrupted by signals on every Python version.
        while not done.wait(0.05):
            pass
    except BaseException as interruption:  # the time budget, or Ctrl-C
        _interrupt(thread, type(interruption))
        raise
    finally:
        _restore_limit()
    ok, value = outcome[0]
    if not ok:
        assert isinstance(value, BaseException)
        raise value
    return value  # type: ignore[return-value]


def _start(target: Callable[[], None]) -> threading.Thread:
    with _LOCK:
        previous = threading.stack_size(STACK_BYTES)
        try:
            thread = threading.Thread(target=target, name="asynclint-analysis", daemon=True)
            thread.start()
        finally:
            threading.stack_size(previous)
    return thread


def _raise_limit() -> None:
    global _active, _saved_limit
    with _LOCK:
        if _active == 0:
            _saved_limit = sys.getrecursionlimit()
            sys.setrecursionlimit(max(_saved_limit, RECURSION_LIMIT))
        _active += 1


def _restore_limit() -> None:
    global _active
    with _LOCK:
        _active -= 1
        if _active == 0:
            sys.setrecursionlimit(_saved_limit)


def _interrupt(thread: threading.Thread, exception: type[BaseException]) -> None:
    """Raise `exception` in `thread` at its next Python instruction (CPython's own API)."""
    # Not thread.is_alive(): a join() interrupted by a signal can mark a running thread
    # stopped. For a thread that has ended, this changes nothing.
    if thread.ident is None:
        return
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread.ident), ctypes.py_object(exception)
    )
