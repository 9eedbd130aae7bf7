"""The project index of one run and each file's context key (what the cache entry of its
results depends on besides its own content), carried over from the last run where possible.

A context key is worked out from the index: every module's summary, the lookups through
re-exports, the class views. That costs a second on a large project, so a warm run avoids it:
- when every module's summary is the one the last run indexed, every key is the last run's;
- when only some modules changed, and only in names that no summary refers to and no file
  spells after a dot (a new private helper, an edited function nobody else calls), the other
  files' keys are the last run's too: every lookup made for them asks for a name that some
  summary refers to or that file uses (see project/changes.py), so none reaches what changed.
  Only the changed modules' own keys are worked out again."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any

from asynclint.cache import Cache, content_hash
from asynclint.project.changes import changed_names, names_referenced, referenced_names
from asynclint.project.extract import ModuleSummary
from asynclint.project.index import ProjectIndex
from asynclint.project.summaries import ModuleContext

# The summaries cache's entry for the whole project: which summaries the last run indexed
# (a digest over every module's path and summary, and each one's digest), the context key
# each file got then, and every name a summary refers to or a file uses.
PROJECT_ENTRY = "<project>"

# Per file: its summary (stored ones still as JSON) and the names it uses.
Summaries = dict[int, tuple[ModuleSummary | dict[str, Any], frozenset[str]]]


class Project:
    """The project index of a run, built only when something needs it."""

    def __init__(
        self,
        paths: Sequence[str],
        summaries: Summaries,
        digests: dict[int, str],  # of each summary (with the names its file uses)
        store: Cache | None,
        # Of the files whose summary was computed again: the cache entry it replaced.
        replaced: dict[int, Any] | None = None,
    ) -> None:
        self._paths = paths
        self._summaries = summaries
        self._digests = {paths[i]: digest for i, digest in digests.items()}
        self._store = store
        self._replaced = replaced or {}
        self._index: ProjectIndex | None = None
        text = "\n".join(f"{paths[i]}\0{digests[i]}" for i in sorted(digests))
        self.fingerprint = content_hash(text.encode())
        self._keys: dict[str, str | None] = {}
        self._reused = False
        self._last: dict[str, Any] | None = None
        # The last run's keys of the files whose context cannot have changed (see _carry).
        self._carried: dict[str, str] | None = None
        self._names: set[str] | None = None  # every name referred to, when carried over
        if store is not None:
            last: Any = store.entries.get(PROJECT_ENTRY)
            if isinstance(last, dict) and last.get("fingerprint") == self.fingerprint:
                keys = last.get("keys")
                if isinstance(keys, dict):
                    self._keys, self._reused = keys, True
                    store.keep(PROJECT_ENTRY)
            elif isinstance(last, dict):
                self._last = last

    @property
    def index(self) -> ProjectIndex:
        if self._index is None:
            from asynclint.project.stored import summary_from_json

            index = ProjectIndex()
            for i in sorted(self._summaries):  # discovery order: the first to claim a name wins
                summary, uses = self._summaries[i]
                if isinstance(summary, dict):
                    try:
                        summary = summary_from_json(summary)
                    except (KeyError, TypeError, ValueError, AttributeError):
                        continue  # unreadable: this module is known to itself only
                index.add_summary(self._paths[i], summary, uses)
            self._index = index
        return self._index

    def context_key(self, path: str) -> str | None:
        if self._reused:
            key = self._keys.get(path)
            return key if isinstance(key, str) else None
        if path not in self._digests:
            return None  # no summary: a module that knows no other (see ProjectIndex)
        if self._carried is None:
            self._carried = self._carry()
        carried = self._carried.get(path)
        key = self._keys[path] = carried if carried is not None else self.index.context_key(path)
        return key

    def context_for(self, path: str) -> ModuleContext | None:
        return self.index.context_for(path)

    def remember(self) -> None:
        """Keep this run's context keys for the next run."""
        if self._store is None or self._reused:
            return
        keys = {path: key for path, key in self._keys.items() if key is not None}
        if not keys:
            return  # no module of the run knows another: nothing to reuse
        names = self._names if self._names is not None else self._all_names()
        entry = {
            "fingerprint": self.fingerprint,
            "keys": keys,
            "digests": self._digests,
            "names": sorted(names),
        }
        self._store.put_entry(PROJECT_ENTRY, entry)

    def _carry(self) -> dict[str, str]:
        """The last run's keys of every file whose context cannot have changed; empty when
        that cannot be shown (then every key is worked out again)."""
        last = self._last
        try:
            if last is None or set(last["digests"]) != set(self._digests):
                return {}  # modules came or went: names may resolve elsewhere now
            names = set(last["names"])
            changed = {
                path for path, digest in self._digests.items() if last["digests"][path] != digest
            }
            at = {path: i for i, path in enumerate(self._paths) if path in changed}
            new_names: set[str] = set()
            for path in changed:
                old, new = self._stored_pair(path, at[path], last["digests"][path])
                if old is None or new is None:
                    return {}
                differing = changed_names(old[0], new[0])
                if differing is None or differing & names:
                    return {}
                new_names.update(referenced_names(new[0]))
                new_names.update(new[1])
            keys = {
                path: key
                for path, key in last["keys"].items()
                if isinstance(key, str) and path not in changed
            }
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            return {}  # a project entry of another shape: nothing carried over
        self._names = names | new_names
        return keys

    def _stored_pair(
        self, path: str, index: int, last_digest: str
    ) -> tuple[tuple[dict[str, Any], list[str]] | None, tuple[dict[str, Any], list[str]] | None]:
        """The summary (and names used) `path` had in the last run, and the one it has now,
        both in their stored JSON shape."""
        replaced = self._replaced.get(index)
        old = None
        if isinstance(replaced, dict) and replaced.get("digest") == last_digest:
            old = (replaced["summary"], replaced["uses"])
        current = self._stored(path)
        new = None
        if current is not None:
            # Computed in this run, it may hold tuples where the stored one holds lists.
            new = json.loads(json.dumps((current["summary"], current["uses"])))
        return old, new

    def _stored(self, path: str) -> dict[str, Any] | None:
        """The summaries cache's entry for `path`'s summary of this run, if it has one."""
        entry: Any = self._store.entries.get(os.path.abspath(path)) if self._store else None
        if isinstance(entry, dict) and entry.get("digest") == self._digests.get(path):
            return entry
        return None

    def _all_names(self) -> set[str]:
        """Every name the summaries of this run refer to or their files use: from the JSON the
        summaries cache holds of each (a summary made in this run is stored already)."""
        from asynclint.project.stored import summary_to_json

        pairs: list[tuple[dict[str, Any], frozenset[str]]] = []
        for i, (summary, uses) in self._summaries.items():
            if not isinstance(summary, dict):
                entry = self._stored(self._paths[i])
                summary = entry["summary"] if entry is not None else summary_to_json(summary)
            pairs.append((summary, uses))
        return names_referenced(pairs)
