"""Which code runs on a thread other than the event loop's.

A function runs off the loop thread when it is the target of `threading.Thread`/`Timer`, is
handed to `asyncio.to_thread()`, `loop.run_in_executor()` or the `submit()` of a known
`ThreadPoolExecutor`, or is the `run()` method of a `threading.Thread` subclass; so does every
plain function it calls. A function that starts an event loop of its own (`asyncio.run`,
`new_event_loop`, `run_until_complete`, ...) is left out, with everything it calls: the asyncio
objects it uses may well belong to that loop.

The model records launches on the call event (`launch`, see launch.py) and resolves
the callable to one of the module's functions (`launched`) or, for a bound method of
a known object such as `threading.Timer(5, event.set)`, to that object and method
(`launched_bound`)."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import libcst as cst

from asynclint.semantics import asyncio_api as api
from asynclint.semantics.events import Event
from asynclint.semantics.launch import SUBMIT
from asynclint.semantics.model import FunctionInfo, ModuleFacts

# Calls that make the calling thread run an event loop of its own.
_OWN_LOOP_FUNCTIONS = frozenset(
    {"asyncio.run", "asyncio.new_event_loop", "asyncio.Runner", "asyncio.set_event_loop"}
)
_OWN_LOOP_METHODS = frozenset({"run_until_complete", "run_forever"})
_THREAD_CLASSES = frozenset({"threading.Thread"})


@dataclass(frozen=True)
class OffLoop:
    """A function that runs off the loop thread, and why: the launching call (None for the
    `run()` of a Thread subclass) and, for a function only called from such code, its caller."""

    function: FunctionInfo
    launcher: Event | None
    caller: FunctionInfo | None = None


@dataclass(frozen=True)
class BoundLaunch:
    """`threading.Timer(5, event.set)`: a method of a known object handed to a thread."""

    launcher: Event
    receiver: Hashable  # the object's root identity
    method: str


def off_loop_functions(facts: ModuleFacts) -> dict[FunctionInfo, OffLoop]:
    """Every function of the module that runs on another thread, by function."""
    return facts.memo(_off_loop_functions)


def _off_loop_functions(facts: ModuleFacts) -> dict[FunctionInfo, OffLoop]:
    found: dict[FunctionInfo, OffLoop] = {}
    pending: list[OffLoop] = []
    for _function, event in facts.events():
        launched = event.launched
        if launched is not None and _runs_on_thread(facts, event):
            pending.append(OffLoop(launched, event))
    pending.extend(OffLoop(run, None) for run in _thread_subclass_runs(facts))
    while pending:
        entry = pending.pop()
        function = entry.function
        if function in found or function.is_async or function.kind != "function":
            continue
        if _runs_own_loop(function):
            continue
        found[function] = entry
        for event in function.events:
            callee = event.target
            if event.kind == "call" and callee is not None and callee not in found:
                pending.append(OffLoop(callee, entry.launcher, function))
    return found


def bound_launches(facts: ModuleFacts) -> list[BoundLaunch]:
    """Methods of known objects handed directly to a thread or an executor."""
    found = []
    for _function, event in facts.events():
        bound = event.launched_bound
        if bound is not None and _runs_on_thread(facts, event):
            identity, method = bound
            found.append(BoundLaunch(event, facts.objects.find(identity), method))
    return found


def _runs_on_thread(facts: ModuleFacts, event: Event) -> bool:
    site = event.launch
    if site is None:
        return False
    # `submit` is a common method name: only a known thread pool's submit() counts.
    return site.how != SUBMIT or facts.kind(event.root) == api.EXECUTOR


def _runs_own_loop(function: FunctionInfo) -> bool:
    return any(
        event.kind == "call"
        and (event.qualname in _OWN_LOOP_FUNCTIONS or event.method in _OWN_LOOP_METHODS)
        for event in function.events
    )


def _thread_subclass_runs(facts: ModuleFacts) -> list[FunctionInfo]:
    runs = []
    for function in facts.functions:
        node = function.node
        if function.kind != "class" or not isinstance(node, cst.ClassDef):
            continue
        if any(facts.qualify(base.value) in _THREAD_CLASSES for base in node.bases):
            run = facts.methods.get(function.qualname, {}).get("run")
            if run is not None:
                runs.append(run)
    return runs
