"""Hover: the rule's documentation on a finding, or on a code in a `# noqa: ...` list."""

from __future__ import annotations

from lsprotocol import types

from asynclint.noqa import noqa_code_spans
from asynclint.registry import metadata
from asynclint.ruledocs import rule_doc, section
from asynclint.server.convert import diagnostic_range, docs_link
from asynclint.server.linting import Linted
from asynclint.server.text import Buffer

# What a hover shows of a rule's doc; the rest is one `asynclint rule CODE` (or link) away.
SECTIONS = ("What it does", "Why is this bad?", "Example")


def explanation(code: str, docs_url: str | None = None) -> str | None:
    """Markdown for one rule: its title line, what it does, why, and the example."""
    meta = metadata(code)
    if meta is None:
        return None
    doc = rule_doc(code)
    parts = [f"**{code}** `{meta.name}` ({meta.severity.value})"]
    if doc is None:
        parts.append(meta.summary)
    else:
        for title in SECTIONS:
            body = section(doc, title)
            if body is not None:
                parts.append(f"#### {title}\n\n{body}")
    href = docs_link(code, docs_url)
    more = f"[Full documentation]({href})" if href else f"More: `asynclint rule {code}`"
    parts.append(more)
    return "\n\n".join(parts)


def hover(
    linted: Linted, buffer: Buffer, position: types.Position, docs_url: str | None
) -> types.Hover | None:
    column = buffer.column(position)
    line_text = buffer.line_text(position.line)
    for start, end, code in noqa_code_spans(line_text):
        if start <= column <= end:
            text = explanation(code, docs_url)
            if text is not None:
                base = buffer.line_starts[position.line]
                return _hover(text, buffer.range(base + start, base + end))
    offset = buffer.offset(position)
    codes: list[str] = []
    where: types.Range | None = None
    for diagnostic in linted.diagnostics:
        shown = diagnostic_range(diagnostic, buffer)
        if buffer.offset(shown.start) <= offset <= buffer.offset(shown.end):
            if diagnostic.code not in codes:
                codes.append(diagnostic.code)
            where = where or shown
    texts = [text for code in codes if (text := explanation(code, docs_url)) is not None]
    if not texts:
        return None
    return _hover("\n\n---\n\n".join(texts), where)


def _hover(markdown: str, where: types.Range | None) -> types.Hover:
    content = types.MarkupContent(kind=types.MarkupKind.Markdown, value=markdown)
    return types.Hover(contents=content, range=where)
