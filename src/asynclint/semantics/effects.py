"""Is an object handed to a call handed over for good, or only to a helper whose effects on it
are known?

An argument of a callee that is not summarised (third-party code, a method of an unknown
object, `*args`) is handed over: the callee may read, drain, wait for or keep it. An argument
of a summarised callee (a function of this module, or of another checked module) is handed over
only when the callee keeps it: stores it (an attribute, a container, a global), returns it,
uses it in a closure or passes it on to code that is not summarised. Otherwise what the callee
does to it is in `ModuleFacts.calls_by` of the call, and nothing more happens to it."""

from __future__ import annotations

from collections.abc import Hashable

from asynclint.semantics.asyncio_api import PROCESS_STREAMS
from asynclint.semantics.events import Event
from asynclint.semantics.model import FunctionInfo, ModuleFacts


def hands_over(facts: ModuleFacts, escape: Event) -> bool:
    """Does this escape give its object to code that may do anything with it?"""
    call = escape.arg_of
    if call is None or escape.arg_key is None:
        return True
    target = call.target
    if target is not None:
        if _parameter(target, escape.arg_key) is None:
            return True  # not bound to a parameter (`**kwargs`): not followed
        return _kept(facts, target, escape.root)
    summary = facts.call_summary(call)
    if summary is None:
        return True
    param = summary.parameter(escape.arg_key)
    return param is None or "store" in summary.effects_on(param)


def _parameter(target: FunctionInfo, key: int | str) -> str | None:
    params = target.params[1:] if target.self_name is not None else target.params
    if isinstance(key, int):
        return params[key] if 0 <= key < len(params) else None
    return key if key in target.params or key in target.kwonly else None


def _kept(facts: ModuleFacts, function: FunctionInfo, root: object) -> bool:
    kept = facts.memo(_kept_roots).get(function.id, frozenset())
    if root in kept:
        return True
    # A process is kept when one of its streams is (`self._out = proc.stdout`).
    return any(facts.objects.find(("sub", root, s)) in kept for s in PROCESS_STREAMS)


def _kept_roots(facts: ModuleFacts) -> dict[int, frozenset[Hashable]]:
    """Per function: the objects it (or a module function it calls) keeps or hands over."""
    own: dict[int, set[Hashable]] = {}
    callees: dict[int, set[int]] = {}
    for function in facts.functions:
        kept = own.setdefault(function.id, set())
        kept.update(function.stored)
        edges = callees.setdefault(function.id, set())
        for event in function.events:
            if event.kind == "call" and event.target is not None:
                edges.add(event.target.id)
            elif event.kind == "escape" and _hands_over_here(facts, event):
                kept.add(event.root)
        # A closure may use what it captures at any later time.
        outer = function.parent
        while outer is not None and outer.kind == "function":
            own.setdefault(outer.id, set()).update(
                e.root for e in function.events if e.root is not None
            )
            outer = outer.parent
    changed = True
    while changed:
        changed = False
        for fid, edges in callees.items():
            for callee in edges:
                extra = own.get(callee, set()) - own[fid]
                if extra:
                    own[fid] |= extra
                    changed = True
    return {fid: frozenset(kept) for fid, kept in own.items()}


def _hands_over_here(facts: ModuleFacts, escape: Event) -> bool:
    """`hands_over` without following module functions (their kept objects are added by
    the closure over calls)."""
    call = escape.arg_of
    if call is not None and call.target is not None and escape.arg_key is not None:
        return _parameter(call.target, escape.arg_key) is None
    return hands_over(facts, escape)
