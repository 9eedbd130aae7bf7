"""Facts about asyncio subprocesses: which streams are piped, and which are read before a wait."""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from dataclasses import dataclass

from asynclint.semantics import asyncio_api as api
from asynclint.semantics.events import Event
from asynclint.semantics.model import FunctionInfo, ModuleFacts
from asynclint.semantics.obligations import pending_at
from asynclint.semantics.streams import reads_to_eof, stream_of

OUTPUT_STREAMS = ("stdout", "stderr")


@dataclass(frozen=True)
class UnreadWait:
    """`await proc.wait()` reached while `streams` of the process are piped and unread."""

    event: Event
    streams: tuple[str, ...]


def is_wait(facts: ModuleFacts, event: Event) -> bool:
    return (
        event.kind == "call"
        and event.method == "wait"
        and event.awaited
        and facts.kind(event.root) == api.PROCESS
    )


def unread_waits(facts: ModuleFacts) -> Iterator[UnreadWait]:
    for function in facts.functions:
        if not any(is_wait(facts, e) for e in function.events):
            continue
        yield from _waits_after_create(facts, function)
        yield from _waits_elsewhere(facts, function)


def _waits_after_create(facts: ModuleFacts, function: FunctionInfo) -> Iterator[UnreadWait]:
    """The process was created in this function: follow each path from creation to wait."""

    def opens(event: Event) -> Hashable | None:
        if event.kind != "create":
            return None
        pipes = event.extra.get("pipes", frozenset())
        assert isinstance(pipes, frozenset)
        return frozenset(
            (event.root, stream_of(facts, event.root, s), s) for s in OUTPUT_STREAMS if s in pipes
        )

    def closes(event: Event, key: Hashable) -> bool:
        assert isinstance(key, tuple)
        process, stream, _name = key
        return reads_to_eof(facts, event, stream, process)

    for event, pending in pending_at(function, opens, closes, lambda e: is_wait(facts, e)).items():
        unread = sorted(
            key[2] for key in pending if isinstance(key, tuple) and key[0] == event.root
        )
        if unread:
            yield UnreadWait(event, tuple(unread))


def _waits_elsewhere(facts: ModuleFacts, function: FunctionInfo) -> Iterator[UnreadWait]:
    """The process came from elsewhere (`self._proc`, a parameter): report only streams that
    nothing in the module ever reads."""
    created_here = {e.root for e in function.events if e.kind == "create"}
    for event in function.events:
        if not is_wait(facts, event) or event.root in created_here:
            continue
        piped: set[str] = set()
        for origin in facts.objects.origins(event.root):
            piped |= origin.detail & set(OUTPUT_STREAMS)
        unread = sorted(name for name in piped if not _read_anywhere(facts, event.root, name))
        if unread:
            yield UnreadWait(event, tuple(unread))


def _read_anywhere(facts: ModuleFacts, process: Hashable, name: str) -> bool:
    stream = stream_of(facts, process, name)
    return any(reads_to_eof(facts, e, stream, process) for _f, e in facts.events())
