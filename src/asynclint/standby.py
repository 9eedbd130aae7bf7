"""A process that imports the engine while the main process reads the project.

Importing libcst and the rules takes half a second or more; a warm run that analyses one
edited file would otherwise pay it after reading, hashing and indexing the whole project. The
standby pays it at the same time, on another CPU, and then analyses the few edited files. It
is started only when a few files changed (see runner.run), and ended at once when the run
needs it no more (or never did: a file touched but not changed)."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from typing import Any

# How long to wait for the standby to end once told to (it ends at once).
_EXIT_SECONDS = 2.0


class Standby:
    def __init__(self) -> None:
        self._connection, child = multiprocessing.Pipe()
        self._process = multiprocessing.Process(
            target=_serve, args=(child, self._connection), daemon=True
        )
        self._process.start()
        child.close()

    def call(self, function: Callable[..., Any], *args: Any) -> tuple[bool, Any]:
        """(True, function(*args)) computed in the standby; (False, why) when it failed or is
        gone (the caller decides what that means for its work)."""
        try:
            self._connection.send((function, args))
            done, value = self._connection.recv()
        except (EOFError, OSError) as error:
            return False, f"the standby process ended ({error or type(error).__name__})"
        return bool(done), value

    def close(self) -> None:
        """End the standby at once: it holds nothing to save, and an interpreter that has
        imported libcst takes a while to shut down."""
        self._connection.close()
        self._process.terminate()
        self._process.join(_EXIT_SECONDS)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()


def _serve(connection: Any, parents_end: Any) -> None:
    # A forked child holds a copy of the parent's end too: closed, so that the parent closing
    # its own is an end of input here.
    parents_end.close()
    import asynclint.engine  # noqa: F401  (the reason this process exists)

    while True:
        try:
            function, args = connection.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple[bool, Any] = (True, function(*args))
        except Exception as error:  # reported to the caller, which has its own fallback
            reply = (False, f"{type(error).__name__}: {error}")
        connection.send(reply)
