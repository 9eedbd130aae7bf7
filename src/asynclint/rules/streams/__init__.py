"""Rules about StreamReader / StreamWriter (AIO4xx)."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from asynclint.rules.base import Finding, FixSpec, Rule
from asynclint.semantics.events import Event
from asynclint.semantics.model import ModuleFacts
from asynclint.semantics.streams import (
    UndrainedWrite,
    is_write,
    reads_to_eof_unbounded,
    undrained_writes,
    untimed_network_awaits,
    unwaited_closes,
)


class StreamWriteWithoutDrain(Rule):
    code = "AIO401"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        reported: set[int] = set()
        for found in undrained_writes(facts):
            if found.writer is not None:
                through = self._through_helper(facts, found)
                if id(through.node) not in reported:
                    reported.add(id(through.node))
                    yield through
                continue
            write = found.write
            writer = facts.receiver_text(write) or "writer"
            fix = None
            # The drain goes right after the last write of the run: before whatever suspends.
            if isinstance(write.stmt, cst.SimpleStatementLine) and len(write.stmt.body) == 1:
                fix = FixSpec(
                    "insert_after",
                    write.stmt,
                    f"await {writer}.drain()",
                    safe=True,
                    description=f"Insert `await {writer}.drain()`",
                )
            if found.suspension is None:
                yield self.finding(
                    write.node,
                    f"`{writer}.{write.method}()` is never followed by `await {writer}.drain()`: "
                    "without it the buffer grows without limit when the peer reads slowly",
                    fix,
                )
                continue
            yield self.finding(
                write.node,
                f"`{writer}.{write.method}()` is never followed by `await {writer}.drain()` "
                "before the coroutine suspends: the buffer grows without limit when the peer "
                "reads slowly, and a lost connection goes unnoticed",
                fix,
                related=((found.suspension.node, "the coroutine suspends here first"),),
            )

    def _through_helper(self, facts: ModuleFacts, found: UndrainedWrite) -> Finding:
        """A plain helper writes and its coroutine caller never drains: at the helper's write
        when it is in this module, else at the call, naming the helper."""
        call = found.write
        later = "before the coroutine suspends" if found.suspension is not None else "after it"
        related = (
            ((found.suspension.node, "the coroutine suspends here first"),)
            if found.suspension is not None
            else ()
        )
        if call.target is not None:
            for write in call.target.events:
                if is_write(facts, write) and write.root == found.writer:
                    writer = facts.receiver_text(write) or "writer"
                    helper = call.target.qualname
                    when = (
                        f"before the coroutine that calls `{helper}()` suspends"
                        if found.suspension is not None
                        else f"in the coroutine that calls `{helper}()`"
                    )
                    return self.finding(
                        write.node,
                        f"`{writer}.{write.method}()` is never followed by "
                        f"`await {writer}.drain()` {when}: the buffer grows without limit when "
                        "the peer reads slowly",
                        related=((call.node, "called here, with no drain after it"), *related),
                    )
        summary = facts.call_summary(call)
        name = summary.name if summary is not None else "the helper"
        writer = _argument_text(facts, call, found.writer) or "writer"
        elsewhere = (
            ((summary.path, summary.line, f"`{name}()` writes to its parameter"),)
            if summary is not None
            else ()
        )
        where = f" ({summary.place})" if summary is not None else ""
        return self.finding(
            call.node,
            f"`{name}()`{where} writes to `{writer}`, and no `await {writer}.drain()` follows "
            f"{later}: the buffer grows without limit when the peer reads slowly",
            related=related,
            elsewhere=elsewhere,
        )


def _argument_text(facts: ModuleFacts, call: Event, writer: object) -> str | None:
    """Source text of the argument that is (or whose stdin is) the written writer."""
    for argument in facts.arguments(call):
        text = facts.module.code_for_node(argument.node)
        if argument.root == writer:
            return text
        if facts.objects.find(("sub", argument.root, "stdin")) == writer:
            return f"{text}.stdin"
    return None


class StreamCloseWithoutWaitClosed(Rule):
    code = "AIO402"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        for close in unwaited_closes(facts):
            writer = facts.receiver_text(close) or "writer"
            fix = None
            if (
                close.role == "discarded"
                and isinstance(close.stmt, cst.SimpleStatementLine)
                and len(close.stmt.body) == 1
            ):
                fix = FixSpec(
                    "insert_after",
                    close.stmt,
                    f"await {writer}.wait_closed()",
                    safe=False,
                    description=f"Insert `await {writer}.wait_closed()`",
                )
            yield self.finding(
                close.node,
                f"`{writer}.close()` is never followed by `await {writer}.wait_closed()`: the "
                "connection may still be open when the coroutine goes on, and errors while "
                "closing go unseen",
                fix,
            )


class UnboundedStreamRead(Rule):
    code = "AIO403"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        for _, event in facts.events():
            if not reads_to_eof_unbounded(facts, event):
                continue
            reader = facts.receiver_text(event) or "reader"
            yield self.finding(
                event.node,
                f"`await {reader}.read()` buffers everything the peer sends until it closes "
                "the connection: memory use is up to the peer; read in bounded chunks "
                "(`read(n)`, `readexactly(n)`, `readuntil()`)",
            )


class NetworkAwaitWithoutTimeout(Rule):
    code = "AIO404"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        for event in untimed_network_awaits(facts):
            node = event.node
            arguments = "(...)" if isinstance(node, cst.Call) and node.args else "()"
            if event.method and event.qualname is None:
                receiver = facts.receiver_text(event) or "reader"
                what = f"{receiver}.{event.method}{arguments}"
            else:
                what = f"{event.qualname or 'open_connection'}{arguments}"
            yield self.finding(
                node,
                f"`await {what}` has no timeout: a peer that never answers (or a dead "
                "connection) suspends this coroutine forever; bound it with "
                "`asyncio.timeout()` or `asyncio.wait_for()`",
            )
