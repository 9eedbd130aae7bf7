"""Output pipes that nothing reads while the process runs (AIO211), and stdin fed while such a
pipe fills (AIO212).

A child that writes to a pipe nobody reads blocks once about 64 KiB are waiting in it. Reading
"later" helps only if "later" comes: a readiness poll, a sleep loop, a `drain()` of the child's
stdin or a loop over the other stream may each wait for a child that can no longer move."""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Iterator
from dataclasses import dataclass

import libcst as cst

from asynclint.semantics import asyncio_api as api
from asynclint.semantics.effects import hands_over
from asynclint.semantics.events import Event
from asynclint.semantics.model import FunctionInfo, ModuleFacts
from asynclint.semantics.obligations import pending_at
from asynclint.semantics.processes import (
    OUTPUT_STREAMS,
    PIPED,
    SIGNALS,
    conversations,
    dead_none_branch,
    process_streams,
    reads_blocking_on_unread_pipe,
    stream_owner,
    writes_a_command,
)
from asynclint.semantics.streams import READ_METHODS, in_a_loop, stream_of, suspends
from asynclint.semantics.walk import small_statements

# Calls that end the process or wait for it: after them nothing can block on a full pipe
# for long (a wait with an unread pipe is AIO201's).
ENDS = frozenset({"communicate", "wait"}) | SIGNALS
# Container methods that store a process where the events cannot follow it.
STORES = frozenset({"append", "appendleft", "add", "insert", "setdefault", "put_nowait"})


@dataclass(frozen=True)
class IdlePipe:
    """A piped output of the process created at `create` that nothing reads while it runs.
    `how`: "stored" (kept on self, never read), "container" (put in a container, never read),
    "awaits" (the function waits for something else in a loop first: `at`), "streaming" (a loop
    over the other output: `at`)."""

    create: Event
    stream: str
    how: str
    at: Event | None = None


def touches(facts: ModuleFacts, event: Event, process: Hashable, stream: Hashable) -> bool:
    """Does `event` read `stream`, end or wait for `process`, or hand either to other code
    (a reader task, a helper)?"""
    if event.kind == "escape":
        return event.root in (stream, process) and hands_over(facts, event)
    if event.kind == "iter":
        return event.root == stream
    if event.kind != "call":
        return False
    if event.root == stream or (event.root == process and event.method in ENDS):
        return True
    return any(
        root == stream or (root == process and method in ENDS)
        for root, method in facts.calls_by(event)
    )


def _piped_outputs(facts: ModuleFacts, create: Event) -> list[str]:
    modes = process_streams(facts, create.root)
    if modes is None:
        return []
    return [name for name in OUTPUT_STREAMS if modes.get(name) == PIPED]


def idle_pipes(facts: ModuleFacts) -> Iterator[IdlePipe]:
    blocked = {
        stream_owner(facts, found.event.root) for found in reads_blocking_on_unread_pipe(facts)
    }
    already = {owner[0] for owner in blocked if owner is not None}
    for function in facts.functions:
        for create in function.events:
            if create.kind != "create" or not function.is_async:
                continue
            process = facts.objects.find(create.root)
            for name in _piped_outputs(facts, create):
                found = _idle(facts, function, create, process, name, already)
                if found is not None:
                    yield found


def _idle(
    facts: ModuleFacts,
    function: FunctionInfo,
    create: Event,
    process: Hashable,
    name: str,
    already: set[Hashable],
) -> IdlePipe | None:
    stream = stream_of(facts, process, name)
    if create.ref is not None and create.ref[0] == "attr":
        # Kept on `self` for later, and no method of the module ever reads it (a method that
        # waits for it with the pipe unread is AIO201's).
        if not _read_anywhere(facts, process, stream) and not _waited_anywhere(facts, process):
            return IdlePipe(create, name, "stored")
    elif (
        _stored_in_container(facts, function, create)
        and not _read_directly(facts, process, stream)
        and not _unknown_reads(facts, name)
    ):
        return IdlePipe(create, name, "container")
    poll = _first_loop_await(facts, function, create, process, stream)
    if poll is not None:
        return IdlePipe(create, name, "awaits", poll)
    if process not in already and not _read_anywhere(facts, process, stream):
        other = stream_of(facts, process, "stderr" if name == "stdout" else "stdout")
        loop = next((e for e in function.events if _streams_over(e, other)), None)
        if loop is not None:
            return IdlePipe(create, name, "streaming", loop)
    return None


def _stored_in_container(facts: ModuleFacts, function: FunctionInfo, create: Event) -> bool:
    """`procs.append(proc)`, `procs[key] = proc`: stored where the events cannot follow."""
    ref = create.ref
    if ref is None or ref[0] != "name":
        return False
    if any(
        e.kind == "call" and e.method in STORES and any(arg == ref for _k, arg in e.args)
        for e in function.events
    ):
        return True
    return str(ref[2]) in _stored_by_subscript(facts, function)


def _subscript_stores(facts: ModuleFacts) -> dict[FunctionInfo, frozenset[str]]:
    """Per function, filled as asked: the names it stores with `container[key] = name`."""
    return {}


def _stored_by_subscript(facts: ModuleFacts, function: FunctionInfo) -> frozenset[str]:
    known = facts.memo(_subscript_stores)
    if function not in known:
        stored: set[str] = set()
        for node in small_statements(function.node):
            if (
                isinstance(node, cst.Assign)
                and isinstance(node.value, cst.Name)
                and any(isinstance(t.target, cst.Subscript) for t in node.targets)
            ):
                stored.add(node.value.value)
        known[function] = frozenset(stored)
    return known[function]


def _unknown_reads(facts: ModuleFacts, name: str) -> bool:
    """Does the module use `.stdout` (or `.stderr`) or call `communicate()` on something that
    is not a known process (`for p in procs: await p.communicate()`)? Once in a container,
    a process can be read only that way."""
    for _f, event in facts.events():
        ref = event.ref
        is_stream = ref is not None and ref[0] == "sub" and ref[2] == name
        if is_stream and stream_owner(facts, event.root) is None:
            return True
        if (
            event.kind == "call"
            and event.method == "communicate"
            and facts.kind(event.root) != api.PROCESS
        ):
            return True
    return False


def _first_loop_await(
    facts: ModuleFacts,
    function: FunctionInfo,
    create: Event,
    process: Hashable,
    stream: Hashable,
) -> Event | None:
    """A suspension inside a loop entered after the creation (a readiness poll, a sleep loop)
    that the code reaches with the stream unread, and that is not about the process itself
    (its own reads, waits and stdin drains belong to AIO201/AIO204/AIO212)."""
    depth = len(create.loops)

    def probe(event: Event) -> bool:
        return (
            suspends(event)
            and len(event.loops) > depth
            and event.loops[:depth] == create.loops
            and not _about_process(facts, event, process)
        )

    found = pending_at(
        function,
        lambda e: "pipe" if e is create else None,
        lambda e, _k: touches(facts, e, process, stream),
        probe,
        lambda n: dead_none_branch(facts, n),
    )
    hits = [event for event, pending in found.items() if "pipe" in pending]
    order = {event: index for index, event in enumerate(function.events)}
    return min(hits, key=order.__getitem__) if hits else None


def _about_process(facts: ModuleFacts, event: Event, process: Hashable) -> bool:
    if event.root == process:
        return True
    owner = stream_owner(facts, event.root)
    return owner is not None and owner[0] == process


def _read_anywhere(facts: ModuleFacts, process: Hashable, stream: Hashable) -> bool:
    """Is the stream read, or the process waited for with communicate(), or either handed to
    other code, anywhere in the module? (`wait()` and signals read nothing.) Only events on
    the process or the stream, and calls of the module's functions, can touch them."""
    candidates = itertools.chain(
        facts.events_on(process), facts.events_on(stream), facts.targeted_calls()
    )
    for _f, event in candidates:
        if (
            event.kind == "call"
            and event.root == process
            and event.method in ENDS - {"communicate"}
        ):
            continue
        if touches(facts, event, process, stream):
            return True
    return False


def _read_directly(facts: ModuleFacts, process: Hashable, stream: Hashable) -> bool:
    """Is the stream itself read or handed on, or the process's output collected with
    communicate(), anywhere in the module (storing the process in a container aside)?"""
    return bool(facts.events_on(stream)) or any(
        e.kind == "call" and e.method == "communicate" for _f, e in facts.events_on(process)
    )


def _waited_anywhere(facts: ModuleFacts, process: Hashable) -> bool:
    return any(e.kind == "call" and e.method == "wait" for _f, e in facts.events_on(process))


def _streams_over(event: Event, stream: Hashable) -> bool:
    """A loop reading `stream` piece by piece: `async for line in proc.stdout`, or
    `readline()` (and alike) inside a loop."""
    if event.root != stream:
        return False
    if event.kind == "iter":
        return True
    return event.kind == "call" and event.method in READ_METHODS and in_a_loop(event)


# -- AIO212: feeding stdin while an output pipe fills -----------------------------------------


@dataclass(frozen=True)
class BlockedDrain:
    """`await proc.stdin.drain()` reached while `streams` of the process are piped and no task
    reads them."""

    drain: Event
    streams: tuple[str, ...]


def blocked_drains(facts: ModuleFacts) -> Iterator[BlockedDrain]:
    for function in facts.functions:
        creates = [e for e in function.events if e.kind == "create"]
        if not creates or not function.is_async:
            continue
        talking = conversations(facts, function)
        for create in creates:
            process = facts.objects.find(create.root)
            if process in talking:
                continue  # request and answer, line by line: the child's output stays small
            yield from _drains_of(facts, function, create, process)


def _drains_of(
    facts: ModuleFacts, function: FunctionInfo, create: Event, process: Hashable
) -> Iterator[BlockedDrain]:
    modes = process_streams(facts, process)
    if modes is None or modes.get("stdin") != PIPED:
        return
    outputs = [name for name in OUTPUT_STREAMS if modes.get(name) == PIPED]
    stdin = stream_of(facts, process, "stdin")
    writes = [
        e
        for e in function.events
        if e.kind == "call" and e.method in ("write", "writelines") and e.root == stdin
    ]
    if not outputs or not writes or all(writes_a_command(w) for w in writes):
        return
    keys = {name: stream_of(facts, process, name) for name in outputs}

    def is_drain(event: Event) -> bool:
        return (
            event.kind == "call"
            and event.method == "drain"
            and event.awaited
            and event.root == stdin
        )

    found = pending_at(
        function,
        lambda e: frozenset(keys) if e is create else None,
        lambda e, key: touches(facts, e, process, keys[str(key)]),
        is_drain,
        lambda n: dead_none_branch(facts, n),
    )
    order = {event: index for index, event in enumerate(function.events)}
    for drain in sorted(found, key=order.__getitem__):
        unread = tuple(name for name in outputs if name in found[drain])
        if unread:
            yield BlockedDrain(drain, unread)
