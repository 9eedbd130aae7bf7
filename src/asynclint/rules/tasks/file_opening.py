"""Files opened in a coroutine (for AIO607): `open()`, `io.open()`, `io.open_code()`,
`codecs.open()` and `Path.open()` on a known `pathlib.Path`, called directly in an `async def`
(with or without `with`). `os.fdopen()` is left out: it wraps a descriptor that is already
open, without any I/O (asyncio itself takes such files for `connect_read_pipe()`).

Opening a file is a system call on the event loop's thread; on a local disk it is usually
quick, on a network file system or a FIFO it can stall the loop for as long as the open takes.
An open whose result is read or written in the same expression (`open(p).read()`) is left to
AIO605, which reports the read or write."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from asynclint.rules.tasks.blocking import FILE_METHODS, OPENERS, is_builtin, receiver_kind
from asynclint.semantics import asyncio_api as api
from asynclint.semantics.events import Event
from asynclint.semantics.expressions import call_qualname, dotted
from asynclint.semantics.model import FunctionInfo, ModuleFacts

FILE_OPENERS = OPENERS - {"os.fdopen"}


@dataclass(frozen=True)
class FileOpening:
    function: FunctionInfo
    event: Event
    callee: str  # as written: "open()", "path.open()"


def file_openings(facts: ModuleFacts) -> list[FileOpening]:
    found = []
    for function in facts.functions:
        if not function.is_coroutine:
            continue
        read_at_once = _opens_read_at_once(function)
        for event in function.events:
            call = event.node
            if event.kind != "call" or not isinstance(call, cst.Call) or call in read_at_once:
                continue
            if _opens_file(facts, function, event, call):
                found.append(FileOpening(function, event, f"{dotted(call.func) or 'open'}()"))
    return found


def _opens_file(facts: ModuleFacts, function: FunctionInfo, event: Event, call: cst.Call) -> bool:
    func = call.func
    if isinstance(func, cst.Name) and func.value == "open":
        return is_builtin(facts, function, "open") or call_qualname(function, event) in FILE_OPENERS
    if call_qualname(function, event) in FILE_OPENERS:
        return True
    return event.method == "open" and receiver_kind(facts, function, event) == api.PATH


def _opens_read_at_once(function: FunctionInfo) -> set[cst.CSTNode]:
    """Calls that are the receiver of a file method call (`open(p).read()`): AIO605's."""
    receivers: set[cst.CSTNode] = set()
    for event in function.events:
        func = event.node.func if isinstance(event.node, cst.Call) else None
        if isinstance(func, cst.Attribute) and event.method in FILE_METHODS:
            receivers.add(func.value)
    return receivers
