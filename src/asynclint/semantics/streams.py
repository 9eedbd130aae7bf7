"""Facts about StreamWriter and StreamReader use, shared by the stream and subprocess rules."""

from __future__ import annotations

from collections.abc import Hashable

import libcst as cst

from asynclint.semantics import asyncio_api as api
from asynclint.semantics.events import Event
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
        return event.root == writer
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
    if event.target is not None:
        made = facts.calls_made(event.target)
        # A helper that drains something we cannot name is trusted to drain this writer.
        return any(
            (root == writer and m in FLUSH_METHODS) or (root is None and m == "drain")
            for root, m in made
        )
    return False


def undrained_writes(facts: ModuleFacts) -> list[Event]:
    """Writes in coroutines that no drain, close or hand-over follows on any path.

    A coroutine that writes to a writer it was given and returns without draining leaves the
    drain to its caller: such a write is reported only if some awaited call of the coroutine
    in the module is not followed by a drain of that writer either, or if the coroutine is
    never called in the module (then nothing shows that anyone drains)."""
    result: list[Event] = []
    for function in facts.functions:
        if not function.is_async:
            continue  # a plain function cannot drain; its async caller is responsible
        writes = unmet_obligations(
            function,
            lambda e: e.root if is_write(facts, e) else None,
            lambda e, writer: flushes(facts, e, writer),
        )
        if writes:
            callers = _call_sites(facts, function)
            result.extend(
                w for w in writes if not callers or not _all_drain_after(facts, callers, w)
            )
    return result


def _call_sites(facts: ModuleFacts, function: FunctionInfo) -> list[tuple[FunctionInfo, Event]]:
    return [(f, e) for f, e in facts.events() if e.kind == "call" and e.target is function]


def _all_drain_after(
    facts: ModuleFacts, callers: list[tuple[FunctionInfo, Event]], write: Event
) -> bool:
    return all(_drains_after(facts, caller, site, write) for caller, site in callers)


def _drains_after(facts: ModuleFacts, caller: FunctionInfo, site: Event, write: Event) -> bool:
    """Does every path after the awaited call `site` drain the writer of `write`?"""
    if not (site.awaited and caller.is_async):
        return False
    unmet = unmet_obligations(
        caller,
        lambda e: write.root if e is site else None,
        lambda e, writer: e is not site and flushes(facts, e, writer),
    )
    return not unmet


def reads_to_eof(facts: ModuleFacts, event: Event, stream: Hashable, process: Hashable) -> bool:
    """Does `event` consume `stream` (a process's stdout/stderr) to the end, or may it?

    `read()`/`read(-1)` and `async for` read to EOF; `readline()` and friends do inside a loop;
    `communicate()` reads everything; handing the stream or the process to other code (a task,
    a helper) is trusted to read it."""
    if event.kind == "iter":
        return event.root == stream
    if event.kind == "escape":
        return event.root in (stream, process)
    if event.kind != "call":
        return False
    if event.root == process and event.method in ENDS_PROCESS:
        return True
    if event.root == stream and event.method in READ_METHODS:
        if event.method == "read":
            return _reads_all(event) or bool(event.loops) or event.repeated
        return bool(event.loops) or event.repeated
    if event.target is not None:
        made = facts.calls_made(event.target)
        return any(
            (root == stream and m in READ_METHODS) or (root == process and m in ENDS_PROCESS)
            for root, m in made
        )
    return False


def _reads_all(event: Event) -> bool:
    node = event.node
    if not isinstance(node, cst.Call) or not node.args:
        return True
    first = node.args[0].value
    return isinstance(first, cst.UnaryOperation) and isinstance(first.operator, cst.Minus)


def writer_expression(facts: ModuleFacts, event: Event) -> str | None:
    """Source text of a write's receiver (`writer`, `self._writer`, `proc.stdin`)."""
    node = event.node
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        return facts.module.code_for_node(node.func.value)
    return None
