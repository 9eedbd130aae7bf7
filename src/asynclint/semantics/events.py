"""What happens in a function, in evaluation order: calls, awaits, and objects handed away.

Events are recorded for every call, not just for known objects: kinds are only known once the
whole module has been read (a queue created in `main` reaches `worker` through a parameter), so
the model resolves each event's receiver and callee after the walk (`root`, `target`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Union

import libcst as cst

if TYPE_CHECKING:
    from asynclint.semantics.launch import LaunchSite
    from asynclint.semantics.model import FunctionInfo

# A reference to an object as written, before scopes and aliases are resolved:
#   ("name", scope_id, "q")      a plain name, looked up from the function with that id
#   ("attr", "Class", "_q")      `self._q` inside a method of Class
#   ("sub", <ref>, "stdout")     `proc.stdout` / `.stdin` / `.stderr` of another reference
#   ("elem", <ref>, "name")      `locks[name]`, `locks.get(name)`; key "*" for a loop variable
RawRef = tuple[Union[str, int, "RawRef"], ...]

# "call", "await" (awaiting something that is not a call), "escape" (an object handed to other
# code), "iter" (`async for` over it), "create" (a process is created), "enter" (a `with` item),
# "guard" (a None test of an `if`, kept on the `If` node and in `FunctionInfo.guards`, not in
# the function's events)
EventKind = Literal["call", "await", "escape", "iter", "create", "enter", "guard"]
NoneBranch = Literal["body", "orelse"]
# For calls: what happens to the result (see `Event.role`).
CallRole = Literal["discarded", "assigned", "returned", "tested", ""]


@dataclass(eq=False, slots=True)
class Event:
    kind: EventKind
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
    role: CallRole = ""
    assigned: RawRef | None = None
    also_assigned: tuple[RawRef | None, ...] = ()  # further targets of `a = b = call()`
    # Filled in by the model once the module is read:
    root: object = None  # the resolved object identity of `ref`
    identity: object = None  # the identity of `ref` itself, before aliases are merged
    target: FunctionInfo | None = None  # the module's own function this calls, if any
    # "enter": an `async with` item. "create": the streams created with PIPE.
    is_async_with: bool = False
    # "await": the `await lock` of `with (await lock):`, part of entering the `with` item.
    with_item: bool = False
    # "guard": the branch of the `if` that runs when the tested value is None.
    none_branch: NoneBranch | None = None
    pipes: frozenset[str] = frozenset()
    # A callable handed to a thread or an executor (see launch.py) and, once resolved, the
    # module's own function that runs, or the (object identity, method) of a bound method.
    launch: LaunchSite | None = None
    launched: FunctionInfo | None = None
    launched_bound: tuple[object, str] | None = None
    # "escape" of a call's argument: that call, and the argument's position or keyword (None
    # for a `*args`/`**kwargs` argument or a part of an argument such as a tuple's element).
    arg_of: Event | None = None
    arg_key: int | str | None = None
