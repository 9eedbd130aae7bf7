"""Parsing an edited buffer again without parsing all of it: the text is cut into chunks at
top-level statements, and only the chunks that changed since the last parse go through libcst.

A chunk is one top-level statement (from its first decorator) up to the next one, with the
blank lines and comments that follow it: parsed alone, a chunk gives the statement, and its
trailing lines become the module's footer, which in the whole file are the leading lines of
the next statement. The assembled `cst.Module` has exactly the buffer's code, and the same
tree as a full parse. Anything unusual (a coding declaration, mixed newlines, a chunk that does
not parse alone, chunks that disagree on the default indentation) is a full parse instead."""

from __future__ import annotations

import ast
import itertools
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

# PEP 263: a comment on one of the first two lines.
_CODING = re.compile(r"^[ \t\f]*#.*?coding[:=]")


@dataclass(frozen=True)
class _Chunk:
    """One chunk parsed alone."""

    module: cst.Module
    # Does it hold an indented block? Only then does its default indentation mean anything.
    indents: bool


class IncrementalParser:
    """Parses successive versions of one buffer, reusing the chunks that did not change."""

    def __init__(self) -> None:
        self._chunks: dict[str, _Chunk] = {}
        self.reused = 0  # chunks taken from the previous parse, in the last parse

    def parse(self, text: str) -> cst.Module:
        """The module for `text`, as `libcst.parse_module(text)` gives it (raises the same
        errors: a text that does not parse gets a full parse)."""
        module = self._assemble(text)
        return module if module is not None else _full_parse(text)

    def _assemble(self, text: str) -> cst.Module | None:
        self.reused = 0
        pieces = split_chunks(text)
        if pieces is None:
            self._chunks = {}
            return None
        previous = self._chunks
        current: dict[str, _Chunk] = {}
        parsed: list[_Chunk] = []
        for piece in pieces:
            chunk = previous.pop(piece, None)  # pop: a repeated text gets nodes of its own
            if chunk is None:
                chunk = _parse_chunk(piece)
                if chunk is None:
                    self._chunks = {}
                    return None
            else:
                self.reused += 1
            parsed.append(chunk)
            current.setdefault(piece, chunk)
        self._chunks = current
        return _join(parsed)


def split_chunks(text: str) -> list[str] | None:
    """The text cut before each top-level statement (its first decorator), the first chunk
    from the start of the text; None when the text is not one to cut (see the module)."""
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        return None  # old Mac newlines, or a stray carriage return
    if any(_CODING.match(line) for line in text.split("\n", 2)[:2]):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    starts: list[int] = []
    last_end = 0
    for statement in tree.body:
        first = statement.lineno
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            first = min([first, *(d.lineno for d in statement.decorator_list)])
        if first > last_end:  # not a second statement on the line after a `;`
            starts.append(first)
        last_end = max(last_end, statement.end_lineno or statement.lineno)
    if not starts:
        return None
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    cuts = [0, *(offsets[start - 1] for start in starts[1:]), len(text)]
    return [text[a:b] for a, b in itertools.pairwise(cuts)]


def _parse_chunk(piece: str) -> _Chunk | None:
    try:
        module = _full_parse(piece)
    except (cst.ParserSyntaxError, cst.CSTValidationError):
        return None
    if not module.body:
        return None
    return _Chunk(module, any(_has_indented_block(s) for s in module.body))


def _has_indented_block(node: cst.CSTNode) -> bool:
    """Statements only: an expression never holds a block."""
    if isinstance(node, cst.IndentedBlock):
        return True
    if isinstance(node, cst.SimpleStatementLine):
        return False
    for name in ("body", "orelse", "finalbody"):
        value = getattr(node, name, None)
        if isinstance(value, cst.CSTNode) and _has_indented_block(value):
            return True
    handlers: Sequence[cst.CSTNode] = getattr(node, "handlers", ())
    cases: Sequence[cst.CSTNode] = getattr(node, "cases", ())
    return any(_has_indented_block(child) for child in (*handlers, *cases))


def _join(chunks: list[_Chunk]) -> cst.Module | None:
    """One module of the chunks' statements; None when they disagree on the formatting that
    the code generation takes from the module (newline, indentation)."""
    first, last = chunks[0].module, chunks[-1].module
    indents = {c.module.default_indent for c in chunks if c.indents}
    newlines = {c.module.default_newline for c in chunks}
    if len(indents) > 1 or len(newlines) > 1:
        return None
    body: list[cst.SimpleStatementLine | cst.BaseCompoundStatement] = []
    carried: Sequence[cst.EmptyLine] = ()
    for index, chunk in enumerate(chunks):
        module = chunk.module
        if index > 0 and module.header:
            return None  # a chunk starts with its statement: nothing comes before it
        statements = list(module.body)
        if carried:
            head = statements[0]
            statements[0] = head.with_changes(leading_lines=(*carried, *head.leading_lines))
        body.extend(statements)
        carried = module.footer
    return cst.Module(
        body=body,
        header=first.header,
        footer=last.footer,
        encoding=first.encoding,
        default_indent=indents.pop() if indents else first.default_indent,
        default_newline=first.default_newline,
        has_trailing_newline=last.has_trailing_newline,
    )


def _full_parse(text: str) -> cst.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cst.parse_module(text)
