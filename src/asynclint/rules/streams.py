"""Rules about StreamReader / StreamWriter (AIO4xx)."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from asynclint.diagnostics import Severity
from asynclint.rules.base import Finding, FixSpec, Rule
from asynclint.semantics.model import ModuleFacts
from asynclint.semantics.streams import undrained_writes, writer_expression


class StreamWriteWithoutDrain(Rule):
    code = "AIO401"
    name = "stream-write-without-drain"
    severity = Severity.WARNING
    summary = "StreamWriter.write() with no `await writer.drain()` after it"
    fix_safety = "safe"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        writes = undrained_writes(facts)
        # In a run of writes to one writer, report (and fix) only the last.
        followed = {
            id(a.stmt)
            for a in writes
            for b in writes
            if a.root == b.root and facts.next_statement.get(id(a.stmt)) is b.stmt
        }
        for write in writes:
            if id(write.stmt) in followed:
                continue
            writer = writer_expression(facts, write) or "writer"
            fix = None
            if isinstance(write.stmt, cst.SimpleStatementLine) and len(write.stmt.body) == 1:
                fix = FixSpec(
                    "insert_after",
                    write.stmt,
                    f"await {writer}.drain()",
                    safe=True,
                    description=f"Insert `await {writer}.drain()`",
                )
            yield self.finding(
                write.node,
                f"`{writer}.{write.method}()` is never followed by `await {writer}.drain()`: "
                "without it the buffer grows without limit when the peer reads slowly",
                fix,
            )
