"""Facts about StreamWriter and StreamReader use, shared by the stream and subprocess rules."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass

import libcst as cst

from asynclint.semantics import asyncio_api as api
from asynclint.semantics.effects import hands_over
from asynclint.semantics.events import Event
from asynclint.semantics.flow import Interpreter, TooComplex
from asynclint.semantics.model import FunctionInfo, ModuleFacts
from asynclint.semantics.obligations import unmet_obligations

WRITE_METHODS = frozenset({"write", "writelines"})
# Calls after which buffered data is on its way out (close() flushes before closing).
FLUSH_METHODS = frozenset({"drain", "close", "wait_closed", "write_eof"})
# communicate() reads every pipe to EOF. kill() and terminate() do not help: wait() returns
# only once the pipes are closed, and asyncio stops reading a full pipe until someone reads.
ENDS_PROCESS = frozenset({"communicate"})
READ_METHODS = frozenset({"read", "readline", "readexactly", "readuntil", "readchunk"})


def is_write(facts: ModuleFacts, event: Event) -> bool:
    return (
        event.kind == "call"
        and event.method in WRITE_METHODS
        and facts.kind(event.root) == api.WRITER
    )


def stream_of(facts: ModuleFacts, process: Hashable, stream: str) -> Hashable:
    return facts.objects.find(("sub", process, stream))


def flushes(facts: ModuleFacts, event: Event, writer: Hashable) -> bool:
    """Does `event` drain, close or hand over `writer`?"""
    if event.kind == "escape":
        return event.root == writer and hands_over(facts, event)
    if event.kind != "call":
        return False
    if event.root == writer and event.method in FLUSH_METHODS:
        return True
    if (
        event.method == "communicate"
        and facts.kind(event.root) == api.PROCESS
        and stream_of(facts, event.root, "stdin") == writer
    ):
        return True
    made = facts.calls_by(event)
    # A helper that drains something we cannot name is trusted to drain this writer.
    return any(
        (root == writer and m in FLUSH_METHODS) or (root is None and m == "drain")
        for root, m in made
    )


@dataclass(frozen=True)
class UndrainedWrite:
    """The last write of a run that no drain or close follows in time, and where the coroutine
    first suspends with it unflushed (None: the function ends first). A write made by a plain
    function that the coroutine calls is the call (`frame(writer, data)`), with its `writer`."""

    write: Event
    suspension: Event | None
    writer: Hashable = None


def helper_writes(facts: ModuleFacts, event: Event) -> Hashable | None:
    """The writer a plain (not async) helper writes to and leaves undrained, when `event`
    calls one: a function of this module or of another checked module. A coroutine helper
    answers for its own writes."""
    if event.kind != "call" or event.awaited:
        return None
    if event.target is not None:
        if event.target.is_async:
            return None
    else:
        summary = facts.call_summary(event)
        if summary is None or summary.is_coroutine:
            return None
    made = facts.calls_by(event)
    flushed = {root for root, m in made if m in FLUSH_METHODS}
    written = sorted(
        (root for root, m in made if m in WRITE_METHODS and root not in flushed),
        key=repr,
    )
    for root in written:
        if facts.kind(root) == api.WRITER:
            return root
    return None


def suspends(event: Event) -> bool:
    """Can the coroutine give control to the event loop at `event`?"""
    if event.kind == "call":
        return event.awaited
    if event.kind in ("await", "iter"):
        return True
    if event.kind == "enter":
        # Entering a timeout scope only arms a timer; it never waits.
        return event.is_async_with and event.qualname not in TIMEOUT_MANAGERS
    return False


def unflushed_writes(
    facts: ModuleFacts, function: FunctionInfo, opens: Callable[[Event], Hashable | None]
) -> dict[Event, Event | None]:
    """Writes (`opens` gives their writer) that some path carries unflushed to a suspension
    point or to the end of the function, mapped to that suspension (None for the end).

    A run of writes to one writer with nothing awaited in between counts as one: only its last
    write is returned. A write that some path does flush in time is trusted (precision first).
    Returns nothing when the function is too tangled to analyse."""
    keys: dict[Event, Hashable] = {}
    for event in function.events:
        key = opens(event)
        if key is not None:
            keys[event] = key
    if not keys:
        return {}
    order = {event: index for index, event in enumerate(function.events)}
    gaps: dict[Event, Event | None] = {}
    met: set[Event] = set()

    def note(pending: frozenset[Event], suspension: Event | None) -> None:
        for writer in {keys[write] for write in pending}:
            run = [write for write in pending if keys[write] == writer]
            gaps.setdefault(max(run, key=order.__getitem__), suspension)

    def transfer(pending: frozenset[Event], event: Event) -> frozenset[Event]:
        if pending:
            done = {write for write in pending if flushes(facts, event, keys[write])}
            if done:
                met.update(done)
                pending = pending - done
            if pending and suspends(event):
                note(pending, event)
                pending = frozenset()
        if event in keys:
            pending = pending | {event}
        return pending

    try:
        outcome = Interpreter(transfer).run(function.body, frozenset())
    except TooComplex:
        return {}
    for pending in outcome.normal | outcome.returns:
        note(pending, None)
    return {write: at for write, at in gaps.items() if write not in met}


def undrained_writes(facts: ModuleFacts) -> list[UndrainedWrite]:
    """Writes in coroutines that are not drained or closed before the coroutine suspends,
    before a loop that suspends comes round again, or before the function ends.

    A coroutine that writes to a writer it was given and returns without draining leaves the
    drain to its caller: such a write is reported only if some awaited call of the coroutine
    in the module is not drained in time either, or if the coroutine is never called in the
    module (then nothing shows that anyone drains)."""
    result: list[UndrainedWrite] = []
    for function in facts.functions:
        if not function.is_async:
            continue  # a plain function cannot drain; its async caller is responsible

        def writes(event: Event) -> Hashable | None:
            if is_write(facts, event):
                return event.root
            return helper_writes(facts, event)

        gaps = unflushed_writes(facts, function, writes)
        callers = _call_sites(facts, function) if None in gaps.values() else []
        for write in function.events:
            if write not in gaps:
                continue
            suspension = gaps[write]
            writer = writes(write)
            if suspension is None and callers and _all_drain_after(facts, callers, writer):
                continue
            helper = None if is_write(facts, write) else writer
            result.append(UndrainedWrite(write, suspension, helper))
    return result


def _call_sites(facts: ModuleFacts, function: FunctionInfo) -> list[tuple[FunctionInfo, Event]]:
    return facts.calls_of(function)


def _all_drain_after(
    facts: ModuleFacts, callers: list[tuple[FunctionInfo, Event]], writer: Hashable
) -> bool:
    return all(_drains_after(facts, caller, site, writer) for caller, site in callers)


def _drains_after(facts: ModuleFacts, caller: FunctionInfo, site: Event, writer: Hashable) -> bool:
    """Is `writer` drained after the awaited call `site` before the caller suspends again or
    ends?"""
    if not (site.awaited and caller.is_async):
        return False
    return not unflushed_writes(facts, caller, lambda e: writer if e is site else None)


def reads_to_eof(facts: ModuleFacts, event: Event, stream: Hashable, process: Hashable) -> bool:
    """Does `event` consume `stream` (a process's stdout/stderr) to the end, or may it?

    `read()`/`read(-1)` and `async for` read to EOF; `readline()` and friends do inside a loop;
    `communicate()` reads everything; handing the stream or the process to other code (a task,
    a helper) is trusted to read it."""
    if event.kind == "iter":
        return event.root == stream
    if event.kind == "escape":
        return event.root in (stream, process) and hands_over(facts, event)
    if event.kind != "call":
        return False
    if event.root == process and event.method in ENDS_PROCESS:
        return True
    if event.root == stream and event.method in READ_METHODS:
        if event.method == "read":
            return _reads_all(event) or in_a_loop(event)
        return in_a_loop(event)
    return any(
        (root == stream and m in READ_METHODS) or (root == process and m in ENDS_PROCESS)
        for root, m in facts.calls_by(event)
    )


def in_a_loop(event: Event) -> bool:
    """Does `event` run repeatedly: in a loop body, a comprehension, or a loop header
    (`while line := await proc.stdout.readline():`)?"""
    return bool(event.loops) or event.repeated or isinstance(event.stmt, (cst.While, cst.For))


def _reads_all(event: Event) -> bool:
    node = event.node
    if not isinstance(node, cst.Call) or not node.args:
        return True
    first = node.args[0].value
    return isinstance(first, cst.UnaryOperation) and isinstance(first.operator, cst.Minus)


# -- closing, unbounded reads, timeouts (AIO402-AIO404) ---------------------------------------

# Context managers and wrappers that bound how long the awaits inside them may take.
TIMEOUT_MANAGERS = frozenset(
    {
        "asyncio.timeout",
        "asyncio.timeout_at",
        "async_timeout.timeout",
        "async_timeout.timeout_at",
        "anyio.fail_after",
        "anyio.move_on_after",
    }
)
# Reads that wait for the peer: until a line, a separator or n bytes arrive.
WAITING_READS = frozenset({"read", "readline", "readexactly", "readuntil"})


def is_process_stream(root: Hashable) -> bool:
    """Is `root` a subprocess's stdin/stdout/stderr (not a network connection)?"""
    return isinstance(root, tuple) and bool(root) and root[0] == "sub"


def is_network_writer(facts: ModuleFacts, root: Hashable) -> bool:
    return facts.kind(root) == api.WRITER and not is_process_stream(root)


def is_network_reader(facts: ModuleFacts, root: Hashable) -> bool:
    return facts.kind(root) == api.READER and not is_process_stream(root)


def waits_closed(facts: ModuleFacts, event: Event, writer: Hashable) -> bool:
    """Does `event` wait for `writer` to close, or hand it to code that may?"""
    if event.kind == "escape":
        return event.root == writer and hands_over(facts, event)
    if event.kind != "call":
        return False
    if event.root == writer and event.method == "wait_closed":
        return True
    made = facts.calls_by(event)
    return (writer, "wait_closed") in made or (None, "wait_closed") in made


def unwaited_closes(facts: ModuleFacts) -> list[Event]:
    """`writer.close()` calls in coroutines that no `wait_closed()` of that writer follows on
    any path (nor in every awaiting caller, when the coroutine closes a writer it was given)."""
    # A writer that some function of the module waits for (a class's `wait_closed()` method
    # next to its `close()`) is left to that function.
    waited = {e.root for _, e in facts.events() if e.kind == "call" and e.method == "wait_closed"}
    result: list[Event] = []
    for function in facts.functions:
        if not function.is_async:
            continue  # a plain function cannot wait; its async caller is responsible

        def opens(event: Event) -> Hashable | None:
            if (
                event.kind == "call"
                and event.method == "close"
                and event.root not in waited
                and is_network_writer(facts, event.root)
            ):
                return event.root
            return None

        closes = unmet_obligations(
            function, opens, lambda e, writer: waits_closed(facts, e, writer)
        )
        if closes:
            callers = _call_sites(facts, function)
            result.extend(
                c
                for c in closes
                if not callers
                or not all(_waits_after(facts, caller, site, c) for caller, site in callers)
            )
    return result


def _waits_after(facts: ModuleFacts, caller: FunctionInfo, site: Event, close: Event) -> bool:
    if not (site.awaited and caller.is_async):
        return False
    unmet = unmet_obligations(
        caller,
        lambda e: close.root if e is site else None,
        lambda e, writer: e is not site and waits_closed(facts, e, writer),
    )
    return not unmet


def reads_to_eof_unbounded(facts: ModuleFacts, event: Event) -> bool:
    """`await reader.read()` / `read(-1)` on a network StreamReader."""
    return (
        event.kind == "call"
        and event.method == "read"
        and event.awaited
        and is_network_reader(facts, event.root)
        and _reads_all(event)
    )


def untimed_network_awaits(facts: ModuleFacts) -> list[Event]:
    """Awaited `open_connection()` and peer-waiting reads of a network StreamReader that no
    timeout bounds: no enclosing `asyncio.timeout()` (or alike), no `wait_for(..., timeout)`
    around the call, and not every call of the coroutine in the module bounded either."""
    wrapped: set[int] = set()
    for _, event in facts.events():
        node = event.node
        if (
            event.kind == "call"
            and event.qualname == "asyncio.wait_for"
            and isinstance(node, cst.Call)
            and node.args
            and _has_timeout(node)
        ):
            wrapped.add(id(node.args[0].value))
    timed: dict[int, bool] = {}

    def bounded(event: Event) -> bool:
        return id(event.node) in wrapped or any(e.qualname in TIMEOUT_MANAGERS for e in event.held)

    def function_timed(function: FunctionInfo, seen: frozenset[int]) -> bool:
        if function.id in timed:
            return timed[function.id]
        if function.id in seen:
            return True
        sites = _call_sites(facts, function)
        answer = bool(sites) and all(
            bounded(site) or (caller.is_async and function_timed(caller, seen | {function.id}))
            for caller, site in sites
        )
        timed[function.id] = answer
        return answer

    found: list[Event] = []
    for function in facts.functions:
        if not function.is_async:
            continue
        for event in function.events:
            if event.kind != "call" or not event.awaited:
                continue
            if event.qualname in api.STREAM_PAIR_FACTORIES:
                pass
            elif not (
                event.method in WAITING_READS
                and is_network_reader(facts, event.root)
                and not (event.method == "read" and _reads_all(event))
            ):
                continue
            if bounded(event) or function_timed(function, frozenset()):
                continue
            found.append(event)
    return found


def _has_timeout(call: cst.Call) -> bool:
    """`wait_for(aw, timeout)` with a timeout that is not the literal None."""
    for index, arg in enumerate(call.args):
        if (arg.keyword is not None and arg.keyword.value == "timeout") or (
            arg.keyword is None and index == 1
        ):
            return not (isinstance(arg.value, cst.Name) and arg.value.value == "None")
    return False
