"""What happens in a function, in evaluation order: calls, awaits, and objects handed away.

Events are recorded for every call, not just for known objects: kinds are only known once the
whole module has been read (a queue created in `main` reaches `worker` through a parameter), so
the model resolves each event's receiver and callee after the walk (`root`, `target`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Union

import libcst as cst

if TYPE_CHECKING:
    from asynclint.semantics.model import FunctionInfo

# A reference to an object as written, before scopes and aliases are resolved:
#   ("name", scope_id, "q")      a plain name, looked up from the function with that id
#   ("attr", "Class", "_q")      `self._q` inside a method of Class
#   ("sub", <ref>, "stdout")     `proc.stdout` / `.stdin` / `.stderr` of another reference
RawRef = tuple[Union[str, int, "RawRef"], ...]


@dataclass(eq=False)
class Event:
    # "call", "await", "escape" (handed to other code), "iter" (async for over it), "create"
    # (a process is created), "enter" (a `with` item: `extra["async"]` says which kind)
    kind: str
    node: cst.CSTNode
    stmt: cst.CSTNode | None  # the enclosing statement line or compound statement
    ref: RawRef | None = None  # receiver of a method call, or the object escaping/iterated
    method: str = ""  # attribute name of a method call (`q.get()` -> "get")
    callee: RawRef | None = None  # for calls of plain names / self methods: what to resolve
    qualname: str | None = None  # import-resolved dotted name of the callee, if any
    args: tuple[tuple[int | str, RawRef | None], ...] = ()
    awaited: bool = False
    loops: tuple[int, ...] = ()  # enclosing loops of the function, innermost last
    in_finally: bool = False
    in_handler: bool = False
    protected: bool = False  # inside `try:` with a handler that catches everything
    repeated: bool = False  # inside a comprehension or generator expression
    # `with`/`async with` items around the event in its function, outermost first.
    held: tuple[Event, ...] = ()
    # For calls: "discarded" (a bare expression statement, awaited or not, or an element of a
    # list/tuple/set display that is one), "assigned" (`target = [await] call(...)`, also
    # annotated, chained or `(target := call())`, see `assigned`), "returned", "tested" (only
    # the truth of the result is used: `if call():`, `while not call():`, `a if call() else b`,
    # `[x for x in xs if call()]`), or "".
    role: str = ""
    assigned: RawRef | None = None
    # Filled in by the model once the module is read:
    root: object = None  # the resolved object identity of `ref`
    identity: object = None  # the identity of `ref` itself, before aliases are merged
    target: FunctionInfo | None = None  # the module's own function this calls, if any
    extra: dict[str, object] = field(default_factory=dict)
