"""What a run learnt of each file's content, kept by the file's stat, as git's index does: a
file whose size, mtime, ctime and inode are the ones recorded is not read and hashed again by
the next run (a warm run over a large project spent a third of its time doing that).

A file is recorded only when it was last changed well before the run started: a file written
in the same clock tick as the run read it could change again without its stat changing."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

from asynclint.cache import Cache

# Coarser than any file system's timestamps (FAT's are 2 s).
RACY_NS = 3_000_000_000


@dataclass(frozen=True)
class Known:
    """What the first pass of a run needs of a file's content."""

    digest: str  # cache.content_hash of it
    size: int
    prefiltered: bool  # nothing asyncio-related in it
    helpers: bool  # it may hold plain helpers worth summarising anyway


def _stat_key(info: os.stat_result) -> list[int]:
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]


class Stamps:
    """The recorded files of one project (nothing is kept without a cache)."""

    def __init__(self, store: Cache | None) -> None:
        self._store = store
        self._started = time.time_ns()
        self._asked: dict[str, tuple[Known | None, os.stat_result | None]] = {}

    def known(self, where: str) -> tuple[Known | None, os.stat_result | None]:
        """What was recorded of the file at the absolute path `where` if it has not changed
        since, and its stat (None: it cannot be stat'ed, the read will say why, or there is
        nothing to record it in). Asked twice in a run, the same answer (one stat)."""
        if self._store is None:
            return None, None
        answer = self._asked.get(where)
        if answer is None:
            answer = self._asked[where] = self._known(where)
        return answer

    def _known(self, where: str) -> tuple[Known | None, os.stat_result | None]:
        assert self._store is not None
        try:
            info = os.stat(where)
        except OSError:
            return None, None
        entry: Any = self._store.entries.get(where)
        try:
            stat, digest, prefiltered, helpers = entry
            if stat == _stat_key(info) and isinstance(digest, str):
                self._store.keep(where)
                return Known(digest, info.st_size, bool(prefiltered), bool(helpers)), info
        except (TypeError, ValueError):
            pass  # an entry we cannot read is a miss
        return None, info

    def remember(self, where: str, info: os.stat_result | None, known: Known) -> None:
        """Record `known`, read after `info` was taken, unless the file may still be changing
        within one tick of its timestamp."""
        if self._store is None or info is None or info.st_size != known.size:
            return  # changed between the stat and the read: nothing to trust
        settled = self._started - RACY_NS
        if info.st_mtime_ns >= settled or info.st_ctime_ns >= settled:
            return
        value = [_stat_key(info), known.digest, known.prefiltered, known.helpers]
        self._store.put_entry(where, value)

    def save(self) -> None:
        if self._store is not None:
            self._store.save()
