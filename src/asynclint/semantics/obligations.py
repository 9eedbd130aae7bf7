""" "Every X must be followed by a Y": find the X events of a function that no Y follows on any
path (a write never drained, a get() never marked done).

A path state is the set of X events still waiting for their Y; a Y discharges the waiting X
events it closes (and they count as met for good: some path did follow them up)."""

from __future__ import annotations

from collections.abc import Callable, Hashable

from asynclint.semantics.events import Event
from asynclint.semantics.flow import DeadBranch, Interpreter, TooComplex
from asynclint.semantics.model import FunctionInfo

# opens(event) -> a key when the event creates an obligation; closes(event, key) -> True when
# the event meets an obligation with that key.
Opens = Callable[[Event], Hashable | None]
Closes = Callable[[Event, Hashable], bool]


def unmet_obligations(
    function: FunctionInfo, opens: Opens, closes: Closes, *, raising_paths: bool = False
) -> list[Event]:
    """X events (in source order) that reach no Y on any path to the end of the function.

    By default an X whose every continuation raises is not reported; with `raising_paths`,
    paths that end in `raise` count as ends too. Returns nothing when the function is too
    tangled to analyse (precision over recall)."""
    keys: dict[Event, Hashable] = {}
    for event in function.events:
        key = opens(event)
        if key is not None:
            keys[event] = key
    if not keys:
        return []
    # An X counts as unmet when it is still open at a normal exit of the function or when the
    # loop comes round to it again; an X whose every continuation raises is left alone.
    open_at_end: set[Event] = set()
    met: set[Event] = set()

    def transfer(pending: frozenset[Event], event: Event) -> frozenset[Event]:
        if pending:
            done = {waiting for waiting in pending if closes(event, keys[waiting])}
            if done:
                met.update(done)
                pending = pending - done
        if event in keys:
            if event in pending or raising_paths:
                open_at_end.add(event)
            pending = pending | {event}
        return pending

    try:
        outcome = Interpreter(transfer).run(function.body, frozenset())
    except TooComplex:
        return []
    for pending in outcome.normal | outcome.returns:
        open_at_end.update(pending)
    return [event for event in function.events if event in open_at_end and event not in met]


def pending_at(
    function: FunctionInfo,
    opens: Opens,
    closes: Closes,
    probes: Callable[[Event], bool],
    dead: DeadBranch | None = None,
) -> dict[Event, set[Hashable]]:
    """For each probe event: the keys of obligations still open when some path reaches it.
    `dead` names the branches no path can take (they are skipped)."""
    found: dict[Event, set[Hashable]] = {}
    keyed: dict[Event, Hashable] = {}

    def transfer(pending: frozenset[Hashable], event: Event) -> frozenset[Hashable]:
        if probes(event):
            found.setdefault(event, set()).update(pending)
        if pending:
            pending = frozenset(key for key in pending if not closes(event, key))
        key = keyed.get(event) if event in keyed else keyed.setdefault(event, opens(event))
        if key is not None:
            keys = key if isinstance(key, frozenset) else frozenset({key})
            pending = pending | keys
        return pending

    try:
        Interpreter(transfer, dead=dead).run(function.body, frozenset())
    except TooComplex:
        return {}
    return found
