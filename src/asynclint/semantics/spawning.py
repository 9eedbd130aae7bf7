"""How the module's coroutine functions are started, and who waits for them.

For every call of one of the module's `async def` functions (`worker(q)`), the call that
receives the coroutine says how it runs: awaited in place (`await worker(q)`), in a gather
(`await asyncio.gather(worker(q), ...)`), as a task (`asyncio.create_task(worker(q))`,
`loop.create_task`, `ensure_future`), in a TaskGroup (`tg.create_task(worker(q))` inside
`async with asyncio.TaskGroup() as tg:`), as a program (`asyncio.run(main())`), under a
timeout (`wait_for`), or handed to code we do not follow. From those sites follow two facts
the queue rules need: how many copies of a coroutine may run at once, and whether its spawner
waits for it to finish (and then hangs when it never does) rather than cancelling it."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import libcst as cst

from asynclint.semantics import asyncio_api as api
from asynclint.semantics.events import Event
from asynclint.semantics.model import FunctionInfo, ModuleFacts

AWAIT = "await"  # `await f()`: runs in place, its caller waits
GATHER = "gather"
TASK = "task"
TASK_GROUP = "taskgroup"
RUN = "run"  # asyncio.run(f()) / loop.run_until_complete(f())
TIMEOUT = "timeout"  # wait_for(f(), ...) / shield(f())
OTHER = "other"  # stored, returned or handed to code we do not follow

_TASK_FACTORIES = frozenset({"asyncio.create_task", "asyncio.ensure_future"})
_TIMEOUTS = frozenset({"asyncio.wait_for", "asyncio.shield"})
_TIMEOUT_BLOCKS = frozenset({"asyncio.timeout", "asyncio.timeout_at"})
# Kinds of spawn under which several copies can run at the same time.
_CONCURRENT = frozenset({GATHER, TASK, TASK_GROUP})


@dataclass(frozen=True)
class Spawn:
    spawner: FunctionInfo
    call: Event  # the call of the coroutine function
    how: str
    wrapper: Event | None  # the call that receives the coroutine, if any
    many: bool  # in a loop or a comprehension: several copies

    @property
    def concurrent(self) -> bool:
        return self.how in _CONCURRENT


def spawns(facts: ModuleFacts) -> dict[FunctionInfo, list[Spawn]]:
    """Every call of each of the module's coroutine functions, by function."""
    return facts.memo(_spawns)


def _spawns(facts: ModuleFacts) -> dict[FunctionInfo, list[Spawn]]:
    found: dict[FunctionInfo, list[Spawn]] = {}
    for function in facts.functions:
        wrappers: dict[int, tuple[Event, bool]] | None = None
        for event in function.events:
            target = event.target
            if event.kind != "call" or target is None or not target.is_async:
                continue
            if wrappers is None:
                wrappers = _wrappers(function)
            wrapper, in_comprehension = wrappers.get(id(event.node), (None, False))
            how = _how(event, wrapper)
            many = event.repeated or in_comprehension
            if how in _CONCURRENT:
                many = many or bool(event.loops) or (wrapper is not None and wrapper.repeated)
            found.setdefault(target, []).append(Spawn(function, event, how, wrapper, many))
    return found


def concurrent_copies(facts: ModuleFacts, function: FunctionInfo) -> int:
    """How many copies of `function` may run at the same time, counted up to 2; 0 when no
    call in the module starts it concurrently (its callers are not known to)."""
    return _copies(facts, function, set())


def _copies(facts: ModuleFacts, function: FunctionInfo, seen: set[int]) -> int:
    if function.id in seen:
        return 0
    seen = seen | {function.id}
    total = 0
    for spawn in spawns(facts).get(function, []):
        if spawn.concurrent:
            total += 2 if spawn.many else max(1, _copies(facts, spawn.spawner, seen))
        elif spawn.how == AWAIT:
            total += _copies(facts, spawn.spawner, seen)
        if total >= 2:
            return 2
    return total


def waits_for(facts: ModuleFacts, spawn: Spawn) -> bool:
    """Does the spawner wait for this coroutine to finish, with no timeout around the wait
    and no `cancel()` that could end it instead?"""
    spawner = spawn.spawner
    if any(e.kind == "call" and e.method == "cancel" for e in spawner.events):
        return False
    if any(_timed(e) for e in (spawn.call, spawn.wrapper) if e is not None):
        return False
    if spawn.how in (AWAIT, RUN, TASK_GROUP):
        return True
    if spawn.how == GATHER:
        return spawn.wrapper is not None and spawn.wrapper.awaited
    if spawn.how == TASK and spawn.wrapper is not None:
        task = _task_of(facts, spawner, spawn.wrapper)
        return task is not None and _awaits_task(facts, spawner, task)
    return False


def _timed(event: Event) -> bool:
    return any(enter.qualname in _TIMEOUT_BLOCKS for enter in event.held)


def _task_of(facts: ModuleFacts, function: FunctionInfo, wrapper: Event) -> Hashable | None:
    """The task object a create_task() call's result is assigned to."""
    for event in function.events:
        if facts.kind(event.root) != api.TASK:
            continue
        if any(origin.node is wrapper.node for origin in facts.objects.origins(event.root)):
            return event.root
    return None


def _awaits_task(facts: ModuleFacts, function: FunctionInfo, task: Hashable) -> bool:
    gathered = {
        id(arg.value)
        for event in function.events
        if event.kind == "call" and event.qualname == "asyncio.gather" and event.awaited
        for arg in _args(event)
    }
    for event in function.events:
        if event.root != task or _timed(event):
            continue
        if event.kind == "await" or (event.kind == "escape" and id(event.node) in gathered):
            return True
    return False


def _args(event: Event) -> tuple[cst.Arg, ...]:
    node = event.node
    return tuple(node.args) if isinstance(node, cst.Call) else ()


def _wrappers(function: FunctionInfo) -> dict[int, tuple[Event, bool]]:
    """id(coroutine call) -> (the call it is passed to, passed from a comprehension)."""
    found: dict[int, tuple[Event, bool]] = {}
    for event in function.events:
        if event.kind != "call":
            continue
        for arg in _args(event):
            value = arg.value
            if isinstance(value, cst.Call):
                found[id(value)] = (event, False)
            elif (
                arg.star
                and isinstance(value, (cst.ListComp, cst.GeneratorExp))
                and isinstance(value.elt, cst.Call)
            ):
                found[id(value.elt)] = (event, True)
    return found


def _how(call: Event, wrapper: Event | None) -> str:
    if wrapper is None:
        return AWAIT if call.awaited else OTHER
    qualname = wrapper.qualname
    if qualname == "asyncio.gather":
        return GATHER
    if qualname in _TIMEOUTS:
        return TIMEOUT
    if qualname == "asyncio.run" or wrapper.method == "run_until_complete":
        return RUN
    if qualname in _TASK_FACTORIES:
        return TASK
    if wrapper.method == "create_task" and qualname is None:
        return TASK_GROUP if _in_task_group(wrapper) else TASK
    return OTHER


def _in_task_group(create_task: Event) -> bool:
    """`tg.create_task(...)` inside `async with asyncio.TaskGroup() as tg:`."""
    func = create_task.node.func if isinstance(create_task.node, cst.Call) else None
    if not isinstance(func, cst.Attribute) or not isinstance(func.value, cst.Name):
        return False
    receiver = func.value.value
    for enter in create_task.held:
        if enter.qualname != "asyncio.TaskGroup" or not isinstance(enter.stmt, cst.With):
            continue
        for item in enter.stmt.items:
            name = item.asname.name if item.asname is not None else None
            if item.item is enter.node and isinstance(name, cst.Name) and name.value == receiver:
                return True
    return False
