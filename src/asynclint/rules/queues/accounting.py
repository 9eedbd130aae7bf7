"""Queue accounting: every `get()` of a joined queue needs exactly one `task_done()`.

`Queue.join()` waits until a counter of unfinished items reaches zero: `put()` raises it and
`task_done()` lowers it. This module follows each consumer function path by path and reports
gets that no task_done follows (join never returns), task_done calls that an exception between
get and task_done can skip, and task_done calls made twice for one get.

A `task_done()` in a `finally` is safe only from the `try:` on: work between `get()` and that
`try:` that can raise, and a `continue` that comes round to the same `get()` without it, skip
it just the same."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

from asynclint.semantics import asyncio_api as api
from asynclint.semantics.effects import hands_over
from asynclint.semantics.events import Event
from asynclint.semantics.flow import (
    Block,
    Interpreter,
    TooComplex,
    Try,
    flow_events,
    flow_nodes,
)
from asynclint.semantics.model import FunctionInfo, ModuleFacts
from asynclint.semantics.obligations import unmet_obligations

GET_METHODS = frozenset({"get", "get_nowait"})
_TASK_DONE_METHOD = frozenset({"task_done"})
# Calls that cannot realistically raise between a get() and its task_done().
_HARMLESS_CALLS = frozenset(
    {"print", "len", "isinstance", "repr", "str", "id", "type", "hasattr", "bool"}
)
_LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "log"}
)


@dataclass(frozen=True)
class Unprotected:
    """A task_done() that some path from its get() skips."""

    task_done: Event
    get: Event
    # "no finally": not in a `finally`, after work that can raise; "before try": in a `finally`
    # whose `try:` starts after such work; "skipped": a path (a `continue`) comes round to the
    # same get() without it.
    why: str


@dataclass
class QueueReport:
    missing: list[Event] = field(default_factory=list)  # gets with no task_done after them
    excess: list[Event] = field(default_factory=list)  # a second task_done for one get
    unprotected: list[Unprotected] = field(default_factory=list)  # task_done a path skips


def joined_queues(facts: ModuleFacts) -> frozenset[Hashable]:
    """Queues join()ed in this module, or by another module that hands them to this one."""
    joined = {e.root for _f, e in facts.method_calls(api.QUEUE, "join")}
    return frozenset(joined | set(facts.joined_elsewhere()))


def _on_queue(facts: ModuleFacts, event: Event, methods: frozenset[str]) -> bool:
    return event.kind == "call" and event.method in methods and facts.kind(event.root) == api.QUEUE


def _calls_task_done(facts: ModuleFacts, event: Event, queue: Hashable) -> bool:
    return (queue, "task_done") in facts.calls_by(event)


def _may_raise(facts: ModuleFacts, event: Event) -> bool:
    if event.protected:
        return False
    if event.kind == "await":
        return True
    if event.kind != "call" or facts.kind(event.root) == api.QUEUE:
        return False
    if event.method in _LOG_METHODS:
        return False
    builtin = event.callee is not None and event.callee[0] == "name" and event.target is None
    return not (builtin and str(event.callee[2]) in _HARMLESS_CALLS)  # type: ignore[index]


def analyse(facts: ModuleFacts) -> QueueReport:
    report = QueueReport()
    joined = joined_queues(facts)
    for function in facts.functions:
        if not any(_on_queue(facts, e, GET_METHODS) for e in function.events):
            continue
        report.missing.extend(_missing(facts, function, joined))
        excess, unprotected = _balance(facts, function, joined)
        report.excess.extend(excess)
        report.unprotected.extend(unprotected)
    return report


def _missing(
    facts: ModuleFacts, function: FunctionInfo, joined: frozenset[Hashable]
) -> list[Event]:
    def opens(event: Event) -> Hashable | None:
        if _on_queue(facts, event, GET_METHODS) and event.root in joined:
            return event.root
        return None

    def closes(event: Event, queue: Hashable) -> bool:
        if event.kind == "escape":
            return event.root == queue and hands_over(facts, event)
        if event.kind == "call" and event.root == queue and event.method == "task_done":
            return True
        return _calls_task_done(facts, event, queue)

    return unmet_obligations(function, opens, closes)


# A path state: the gets not yet marked done, each with where something that may raise ran
# since (`_ANYWHERE`, and the `finally` blocks whose `try` did not cover it), and the queues
# whose last get was already marked done.
_Pending = frozenset[tuple[Event, frozenset[Hashable]]]
_State = tuple[_Pending, frozenset[Hashable]]
_ANYWHERE = "anywhere"


def _balance(
    facts: ModuleFacts, function: FunctionInfo, joined: frozenset[Hashable]
) -> tuple[list[Event], list[Unprotected]]:
    excess: dict[Event, None] = {}
    unprotected: dict[Event, Unprotected] = {}
    skipped: set[Event] = set()  # gets that a path brings round again without task_done
    answered: dict[Event, set[Event]] = {}  # get -> the task_done calls that answer it
    roles = _roles(facts, function)
    covers, covered = _finally_covers(function.body, roles)
    # Loops that get from each queue: a task_done in a loop that does not get from the same
    # queue runs an unknown number of times (a batch), so it is not counted.
    getting_loops: dict[Hashable, set[int]] = {}
    for event in function.events:
        if roles.get(event) is _GET:
            getting_loops.setdefault(event.root, set()).update(event.loops)

    def counted(event: Event) -> bool:
        if event.repeated:
            return False
        return not event.loops or event.loops[-1] in getting_loops.get(event.root, set())

    order = {event: index for index, event in enumerate(function.events)}

    def transfer(state: _State, event: Event) -> _State:
        role = roles.get(event)
        if role is None:
            return state
        pending, done = state
        if role is _GET:
            queue = event.root
            if not counted(event):
                return _forget(pending, queue), done - {queue}
            if any(get is event for get, _ in pending):
                skipped.add(event)  # the item of the last round was never marked done
            return pending | {(event, frozenset())}, done - {queue}
        if role is _TASK_DONE:
            queue = event.root
            mine = [(get, risky) for get, risky in pending if get.root == queue]
            if not counted(event):
                return _forget(pending, queue), done - {queue}
            if not mine:
                if queue in done:
                    excess[event] = None
                return state
            # This task_done answers the latest get; earlier ones still wait for theirs.
            latest = max(mine, key=lambda item: order[item[0]])
            answered.setdefault(latest[0], set()).add(event)
            if queue in joined and event not in unprotected:
                cover = covers.get(event)
                if not event.in_finally and any(risky for _g, risky in mine):
                    unprotected[event] = Unprotected(event, latest[0], "no finally")
                elif cover is not None and cover in latest[1]:
                    unprotected[event] = Unprotected(event, latest[0], "before try")
            if len(mine) == 1:
                return pending - {latest}, done | {queue}
            return pending - {latest}, done
        if role is _HANDOVER:
            return _forget(pending, event.root), done - {event.root}
        if not pending:
            return state
        helped = {get.root for get, _ in pending if _calls_task_done(facts, event, get.root)}
        if helped:
            for queue in helped:
                pending = _forget(pending, queue)
            return pending, done | helped
        if role is _MAY_RAISE:
            # Which `finally: task_done()` blocks this event is not covered by.
            where = frozenset(
                {_ANYWHERE, *(key for key, events in covered.items() if event not in events)}
            )
            pending = frozenset(
                (get, risky if get.stmt is event.stmt else risky | where) for get, risky in pending
            )
            return pending, done
        return state

    try:
        Interpreter(transfer).run(function.body, (frozenset(), frozenset()))
    except TooComplex:
        return [], []
    for get in skipped:
        if get.root not in joined:
            continue
        for task_done in answered.get(get, ()):
            unprotected.setdefault(task_done, Unprotected(task_done, get, "skipped"))
    return list(excess), sorted(unprotected.values(), key=lambda u: order[u.task_done])


# What an event can do to the accounting (see `_roles`).
_GET, _TASK_DONE, _HANDOVER, _MAY_RAISE, _CALLS = "get", "task_done", "handover", "raise", "calls"


def _roles(facts: ModuleFacts, function: FunctionInfo) -> dict[Event, str]:
    """Each event of `function` that the accounting must look at, with what it is: worked out
    once, not again on every path and loop round that passes it. Events left out change
    nothing."""
    roles: dict[Event, str] = {}
    for event in function.events:
        if _on_queue(facts, event, GET_METHODS):
            roles[event] = _GET
        elif _on_queue(facts, event, _TASK_DONE_METHOD):
            roles[event] = _TASK_DONE
        elif (
            event.kind == "escape"
            and facts.kind(event.root) == api.QUEUE
            and hands_over(facts, event)
        ):
            roles[event] = _HANDOVER
        elif _may_raise(facts, event):
            roles[event] = _MAY_RAISE
        elif any(method == "task_done" for _queue, method in facts.calls_by(event)):
            roles[event] = _CALLS
    return roles


def _finally_covers(
    body: Block, roles: dict[Event, str]
) -> tuple[dict[Event, int], dict[int, frozenset[Event]]]:
    """task_done() calls in a `finally` -> the innermost `try` statement around them (by id),
    and for each such `try` the events it covers: whatever raises there runs the `finally`."""
    cover_of: dict[Event, int] = {}
    covered: dict[int, frozenset[Event]] = {}
    for node in flow_nodes(body):
        if isinstance(node, Try) and node.finalbody is not None:
            for event in flow_events(node.finalbody):
                if roles.get(event) is _TASK_DONE:
                    cover_of[event] = id(node)  # visited outermost first: the innermost wins
                    covered.setdefault(id(node), frozenset(flow_events(node)))
    return cover_of, covered


def _forget(pending: _Pending, queue: Hashable) -> _Pending:
    return frozenset(item for item in pending if item[0].root != queue)
