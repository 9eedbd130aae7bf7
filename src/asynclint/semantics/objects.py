"""Object identities and what is known about them.

An identity is a variable in a scope (`("var", scope_id, name)`), an attribute of a class's
instances (`("attr", "Class", name)`), a stream of another identity (`("sub", id, "stdout")`),
or an element of a container (`("elem", id, key)`, see containers.py).
Identities that may hold the same object are merged in a union-find: `b = a`, passing `q` to
`worker(queue)`, or `start_server(handle)` binding `handle`'s parameters. Each merged class
collects the origins that say what kind of object it is; a class whose origins disagree has no
kind (precision over recall)."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

import libcst as cst

from asynclint.semantics.asyncio_api import PROCESS, PROCESS_STREAMS, ObjectKind

Identity = Hashable


@dataclass(frozen=True)
class Origin:
    kind: ObjectKind
    node: cst.CSTNode  # the constructor call, annotation or parameter that says so
    detail: frozenset[str] = frozenset()  # for processes: the streams created with PIPE
    constructor: str = ""  # e.g. "asyncio.PriorityQueue"


@dataclass
class ObjectModel:
    _parent: dict[Identity, Identity] = field(default_factory=dict)
    _origins: dict[Identity, list[Origin]] = field(default_factory=dict)
    _kinds: dict[Identity, ObjectKind | None] = field(default_factory=dict)
    _by_root: dict[Identity, list[Origin]] | None = None
    # Identities known to hold objects of no single kind (an element of a container that
    # something of another or unknown kind is stored into): their class has no kind.
    _unknown: set[Identity] = field(default_factory=set)
    _unknown_roots: set[Identity] | None = None

    def find(self, item: Identity) -> Identity:
        parent = self._parent.get(item, item)
        if parent == item:
            return item
        root = self.find(parent)
        self._parent[item] = root
        return root

    def union(self, a: Identity, b: Identity) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if _is_stream(ra) and not _is_stream(rb):
                ra, rb = rb, ra  # a stream stays the root: its kind and owner come from it
            self._parent[ra] = rb
            self._kinds.clear()
            self._by_root = None
            self._unknown_roots = None

    def add_origin(self, item: Identity, origin: Origin) -> None:
        self._origins.setdefault(item, []).append(origin)
        self._kinds.clear()
        self._by_root = None

    def mark_unknown(self, item: Identity) -> None:
        self._unknown.add(item)
        self._kinds.clear()
        self._unknown_roots = None

    def canonical_streams(self, items: Iterable[Identity]) -> None:
        """Merge `("sub", x, s)` with `("sub", find(x), s)` once all other merges are done, so
        `p.stdout` and `proc.stdout` are one stream when `p` and `proc` are one process."""
        for item in list(items):
            if isinstance(item, tuple) and item and item[0] == "sub":
                self.union(item, ("sub", self.find(item[1]), item[2]))

    def members(self, item: Identity) -> list[Identity]:
        """The identities merged with `item` (aliases, bound parameters, elements)."""
        root = self.find(item)
        return [
            root,
            *(other for other in self._parent if other != root and self.find(other) == root),
        ]

    def origins(self, item: Identity) -> list[Origin]:
        if self._by_root is None:
            self._by_root = {}
            for member, origins in self._origins.items():
                self._by_root.setdefault(self.find(member), []).extend(origins)
        return self._by_root.get(self.find(item), [])

    def kind(self, item: Identity | None) -> ObjectKind | None:
        if item is None:
            return None
        root = self.find(item)
        if root not in self._kinds:
            self._kinds[root] = self._compute_kind(root)
        return self._kinds[root]

    def _compute_kind(self, root: Identity) -> ObjectKind | None:
        if self._unknown_roots is None:
            self._unknown_roots = {self.find(item) for item in self._unknown}
        if root in self._unknown_roots:
            return None
        kinds = {origin.kind for origin in self.origins(root)}
        is_stream = isinstance(root, tuple) and bool(root) and root[0] == "sub"
        if is_stream and self.kind(root[1]) == PROCESS:  # type: ignore[index]
            kinds.add(PROCESS_STREAMS[str(root[2])])  # type: ignore[index]
        return kinds.pop() if len(kinds) == 1 else None


def _is_stream(item: Identity) -> bool:
    return isinstance(item, tuple) and len(item) == 3 and item[0] == "sub"
