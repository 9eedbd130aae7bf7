"""Generated async modules for the benchmarks: a header and a block repeated, numbered, until
the text has the lines asked for."""

from __future__ import annotations


def repeated(block: str, lines: int, header: str = "import asyncio\n\n\n") -> str:
    """`header`, then `block.format(n=0)`, `block.format(n=1)`, ... up to about `lines` lines."""
    parts = [header]
    count, n = header.count("\n"), 0
    while count < lines:
        text = block.format(n=n)
        parts.append(text)
        count += text.count("\n")
        n += 1
    return "".join(parts)
