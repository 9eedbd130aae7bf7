"""A fix described against CST nodes (`FixSpec`) turned into text edits, once the positions
of its nodes are known."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import CodeRange

from asynclint.diagnostics import Edit, Fix
from asynclint.fixes.spec import FixSpec
from asynclint.source import DecodedSource

Positions = dict[cst.CSTNode, CodeRange]


def to_fix(spec: FixSpec, positions: Positions, source: DecodedSource) -> Fix | None:
    where = positions.get(spec.node)
    if where is None:
        return None
    start = source.offset(where.start.line, where.start.column)
    end = source.offset(where.end.line, where.end.column)
    if spec.kind == "replace":
        edits: tuple[Edit, ...] = (Edit(start, end, spec.text),)
    elif spec.kind == "insert_after":
        line = source.line_text(where.start.line)
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if len(indent) != where.start.column or where.end.line < where.start.line:
            return None  # the statement shares its line with others; no safe place to insert
        newline = newline_of(source, where.start.line)
        at = source.line_end_offset(where.end.line)
        edits = (Edit(at, at, f"{newline}{indent}{spec.text}"),)
    elif spec.kind == "delete":
        if spec.extra is not None:
            extra = positions.get(spec.extra)
            if extra is not None:
                end = max(end, source.offset(extra.end.line, extra.end.column))
                start = min(start, source.offset(extra.start.line, extra.start.column))
        edits = (Edit(start, end, ""),)
    else:
        return None
    return Fix(edits, spec.safe, spec.description)


def newline_of(source: DecodedSource, line: int) -> str:
    starts = source.line_starts
    if line < len(starts):
        between = source.text[starts[line - 1] + len(source.line_text(line)) : starts[line]]
        if between:
            return between
    return "\n"
