"""When to lint each open document: at once on open and save, and on the first change after a
pause; while typing goes on, after a pause (debounce: typing produces a change per keystroke);
never again after close."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable

from asynclint.incremental import IncrementalParser
from asynclint.server.linting import Linted


class Documents:
    """The latest findings per document, and at most one pending lint for each."""

    def __init__(self, lint: Callable[[str], Awaitable[None]]) -> None:
        self._lint = lint
        self._pending: dict[str, asyncio.Task[None]] = {}
        self.linted: dict[str, Linted] = {}
        self._parsers: dict[str, IncrementalParser] = {}
        self._started: dict[str, float] = {}  # when each document's last lint started

    def parser(self, uri: str) -> IncrementalParser:
        """The document's parser: it keeps the parse of the last version it saw."""
        return self._parsers.setdefault(uri, IncrementalParser())

    def schedule(self, uri: str, delay: float = 0.0) -> None:
        """Lint `uri` after `delay` seconds, replacing a lint still waiting or running: its
        result would be for an older text anyway. The delay is for a change that follows
        another closely: one that comes while nothing is waiting or running for the document,
        at least `delay` after its last lint started, is linted at once (the first keystroke
        after a pause gets its answer without the wait)."""
        now = asyncio.get_running_loop().time()
        if uri not in self._pending and now - self._started.get(uri, -math.inf) >= delay:
            delay = 0.0
        self.cancel(uri)
        self._pending[uri] = asyncio.ensure_future(self._later(uri, delay))

    async def _later(self, uri: str, delay: float) -> None:
        if delay > 0:
            await asyncio.sleep(delay)
        self._started[uri] = asyncio.get_running_loop().time()
        try:
            await self._lint(uri)
        finally:
            if self._pending.get(uri) is asyncio.current_task():
                del self._pending[uri]

    def cancel(self, uri: str) -> None:
        task = self._pending.pop(uri, None)
        if task is not None:
            task.cancel()

    def close(self, uri: str) -> None:
        self.cancel(uri)
        self.linted.pop(uri, None)
        self._parsers.pop(uri, None)
        self._started.pop(uri, None)
