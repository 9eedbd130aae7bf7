"""Parsing an edited buffer again without parsing all of it: the text is cut into chunks at
top-level statements, and only the chunks that changed since the last parse go through libcst.

A chunk is one top-level statement (from its first decorator) up to the next one, with the
blank lines and comments that follow it: parsed alone, a chunk gives the statement, and its
trailing lines become the module's footer, which in the whole file are the leading lines of
the next statement. The assembled `cst.Module` has exactly the buffer's code, and the same
tree as a full parse. Anything unusual (a coding declaration, mixed newlines, a chunk that does
not parse alone, chunks that disagree on the default indentation) is a full parse instead.

After an edit the chunks are found without parsing the text again when the edit lies within
one chunk (a common prefix and suffix with the last text); else `ast` finds the statements.
The positions of a few nodes (for the findings) are found in their chunks only, as the code
generation of the whole module would find them."""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import libcst as cst
from libcst._position import CodeRange

from asynclint.class_pieces import ClassPieces, parse_class_in_pieces
from asynclint.outline import PIECE_CHARS
from asynclint.outline import first_line as _first_line
from asynclint.parsing import may_lose_lines, parse_cst, python_ast
from asynclint.positions import node_ranges
from asynclint.semantics.walk import child_nodes
from asynclint.splice import respliced

# A chunk this large that starts with a class (or a decorator) is parsed a few members at a
# time, and an edit inside it parses only the members it touched (see class_pieces.py).
CLASS_CHARS = 8 * 1024
_CLASS_START = re.compile(r"(?:[ \t]*(?:#[^\n]*)?\r?\n)*[ \t]*(?:@|class\b)")
# PEP 263: a comment on one of the first two lines.
_CODING = re.compile(r"^[ \t\f]*#.*?coding[:=]")


@dataclass
class _Chunk:
    """One chunk parsed alone."""

    module: cst.Module
    # Does it hold an indented block? Only then does its default indentation mean anything.
    indents: bool
    # The ids of the nodes in its statements, collected when a position is first asked for.
    node_ids: frozenset[int] | None = field(default=None, compare=False)

    def holds(self, node: cst.CSTNode) -> bool:
        if self.node_ids is None:
            found: set[int] = set()
            stack: list[cst.CSTNode] = list(self.module.body)
            while stack:
                current = stack.pop()
                found.add(id(current))
                stack.extend(child_nodes(current))
            self.node_ids = frozenset(found)
        return id(node) in self.node_ids


@dataclass(frozen=True)
class _Placed:
    """Where a chunk's statements are in the assembled module and in the text."""

    chunk: _Chunk
    start: int  # offset of the chunk's text
    first: int  # index of its first statement in the module's body
    head: cst.CSTNode  # that statement as placed (with the lines carried from before)
    # What the code of the placed statements has before `start`: the lines carried from the
    # chunk before (or after it: the module's header, for the first chunk).
    carried: Sequence[cst.EmptyLine]
    after_header: bool = False

    def code_offset(self, module: cst.Module) -> int:
        lines = sum(len(module.code_for_node(line)) for line in self.carried)
        return self.start + lines if self.after_header else self.start - lines


class IncrementalParser:
    """Parses successive versions of one buffer, reusing the chunks that did not change."""

    def __init__(self) -> None:
        self._chunks: dict[str, _Chunk] = {}
        self._text = ""
        self._pieces: list[str] | None = None
        # The last module assembled and where its chunks went, replaced together (an analysis
        # abandoned over time may still ask for positions while the next one parses).
        self._last: tuple[cst.Module | None, list[_Placed]] = (None, [])
        self.reused = 0  # chunks taken from the previous parse, in the last parse
        self._classes = ClassPieces()

    def parse(self, text: str) -> cst.Module:
        """The module for `text`, as `libcst.parse_module(text)` gives it (raises the same
        errors: a text that does not parse gets a full parse)."""
        module = self._assemble(text)
        return module if module is not None else parse_cst(text)

    def node_ranges(
        self, module: cst.Module, nodes: Iterable[cst.CSTNode], line_starts: tuple[int, ...]
    ) -> dict[cst.CSTNode, CodeRange]:
        """`positions.node_ranges`, generating the code of only the chunks that hold the
        nodes when `module` is the last one assembled here."""
        targets = set(nodes)
        last, layout = self._last
        if module is not last:
            return node_ranges(module, targets, line_starts)
        wanted: dict[int, set[cst.CSTNode]] = {}
        for node in targets:
            index = _chunk_index(layout, node)
            if index is None:  # not a node of the chunks' statements: do it all
                return node_ranges(module, targets, line_starts)
            wanted.setdefault(index, set()).add(node)
        found: dict[cst.CSTNode, CodeRange] = {}
        for index, chunk_nodes in wanted.items():
            placed = layout[index]
            count = len(placed.chunk.module.body)
            statements = [placed.head, *module.body[placed.first + 1 : placed.first + count]]
            found.update(
                node_ranges(
                    module,
                    chunk_nodes,
                    line_starts,
                    statements=statements,
                    offset=placed.code_offset(module),
                )
            )
        return found

    def _assemble(self, text: str) -> cst.Module | None:
        self.reused = 0
        self._last = (None, [])
        pieces = self._pieces_of(text)
        self._text, self._pieces = text, pieces
        if pieces is None:
            self._chunks = {}
            self._classes.settle(())
            return None
        previous = self._chunks
        # pop: a repeated text gets nodes of its own
        reused = [previous.pop(piece, None) for piece in pieces]
        in_use = {piece for piece, chunk in zip(pieces, reused, strict=True) if chunk}
        current: dict[str, _Chunk] = {}
        parsed: list[_Chunk] = []
        for piece, old in zip(pieces, reused, strict=True):
            chunk = old
            if chunk is None:
                chunk = self._parse_piece(piece, in_use)
                if chunk is None:
                    self._chunks, self._pieces = {}, None
                    self._classes.settle(())
                    return None
                if len(chunk.module.body) > 1:
                    self._pieces = None  # cut it at its statements next time
            else:
                self.reused += 1
            parsed.append(chunk)
            current.setdefault(piece, chunk)
        self._classes.settle(current)
        self._chunks = current
        joined = _join(parsed, pieces)
        if joined is None:
            self._pieces = None
            return None
        self._last = joined
        return joined[0]

    def _parse_piece(self, piece: str, in_use: set[str]) -> _Chunk | None:
        if len(piece) > CLASS_CHARS and _CLASS_START.match(piece):
            module = self._classes.parse(piece, in_use)
            if module is not None:
                return _Chunk(module, indents=True)
        return _parse_chunk(piece)

    def _pieces_of(self, text: str) -> list[str] | None:
        if "\r" in text and text.count("\r") != text.count("\r\n"):
            return None  # old Mac newlines, or a stray carriage return
        if any(_CODING.match(line) for line in text.split("\n", 2)[:2]):
            return None
        if self._pieces is not None:
            pieces = respliced(self._text, self._pieces, text)
            if pieces is not None:
                return pieces
        return split_chunks(text)


def _chunk_index(layout: list[_Placed], node: cst.CSTNode) -> int | None:
    for index, placed in enumerate(layout):
        if node is placed.head or placed.chunk.holds(node):
            return index
    return None


def split_chunks(text: str, tree: ast.Module | None = None) -> list[str] | None:
    """The text cut before each top-level statement (its first decorator), the first chunk
    from the start of the text; None when the text is not one to cut (see the module).
    `tree`: the text's `ast`, when the caller has it."""
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        return None
    if any(_CODING.match(line) for line in text.split("\n", 2)[:2]):
        return None
    tree = tree if tree is not None else python_ast(text)
    if tree is None:
        return None
    starts: list[int] = []
    last_end = 0
    for statement in tree.body:
        first = _first_line(statement)
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


def parse_in_pieces(
    text: str, piece_chars: int = PIECE_CHARS, tree: ast.Module | None = None
) -> cst.Module:
    """`libcst.parse_module(text)`, the same tree and the same errors, parsed a run of
    top-level statements of about `piece_chars` at a time (a full parse when the text is not
    one to cut, see the module). `tree`: the text's `ast`, when the caller has it."""
    if len(text) <= piece_chars:
        return parse_cst(text)
    tree = tree if tree is not None else python_ast(text)
    pieces = split_chunks(text, tree) if tree is not None else None
    if tree is None or pieces is None:
        return parse_cst(text)
    # The statement each piece starts with, by its first line: a large class is cut further.
    starting = {_first_line(statement): statement for statement in tree.body}
    grouped: list[list[str]] = []
    size = 0
    for piece in pieces:
        if grouped and size + len(piece) <= piece_chars:
            grouped[-1].append(piece)
            size += len(piece)
        else:
            grouped.append([piece])
            size = len(piece)
    chunks: list[_Chunk | None] = []
    runs: list[str] = []
    line = 1
    for group in grouped:
        run = "".join(group)
        statement = starting.get(line) if len(group) == 1 else None
        chunks.append(_parse_run(run, statement, line - 1, piece_chars))
        runs.append(run)
        line += run.count("\n")
    parsed = [chunk for chunk in chunks if chunk is not None]
    joined = _join(parsed, runs) if len(parsed) == len(runs) else None
    return joined[0] if joined is not None else parse_cst(text)


def _parse_run(
    run: str, statement: ast.stmt | None, lines_before: int, piece_chars: int
) -> _Chunk | None:
    """A run of statements parsed; a large class (`statement`, the run's only one, after
    `lines_before` lines of the file) in pieces of its own."""
    if isinstance(statement, ast.ClassDef) and len(run) > 2 * piece_chars:
        module = parse_class_in_pieces(run, statement, lines_before, piece_chars)
        if module is not None:
            return _Chunk(module, indents=True)
    return _parse_chunk(run)


def _parse_chunk(piece: str) -> _Chunk | None:
    try:
        module = parse_cst(piece)
    except (cst.ParserSyntaxError, cst.CSTValidationError):
        return None
    if not module.body or (may_lose_lines(piece) and module.code != piece):
        # libcst does not give back every text it parses: blank lines before an indented
        # line at the end of a module are lost, where in the whole file they are not.
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


def _join(chunks: list[_Chunk], pieces: list[str]) -> tuple[cst.Module, list[_Placed]] | None:
    """One module of the chunks' statements, and where each chunk went; None when they
    disagree on the formatting that the code generation takes from the module (newline,
    indentation)."""
    first, last = chunks[0].module, chunks[-1].module
    indents = {c.module.default_indent for c in chunks if c.indents}
    newlines = {c.module.default_newline for c in chunks}
    if len(indents) > 1 or len(newlines) > 1:
        return None
    body: list[cst.SimpleStatementLine | cst.BaseCompoundStatement] = []
    carried: Sequence[cst.EmptyLine] = ()
    heads: list[tuple[cst.CSTNode, Sequence[cst.EmptyLine]]] = []
    for index, chunk in enumerate(chunks):
        module = chunk.module
        if index > 0 and module.header:
            return None  # a chunk starts with its statement: nothing comes before it
        if index < len(chunks) - 1 and not module.has_trailing_newline:
            return None  # its last line goes on in the next chunk
        statements = list(module.body)
        if carried:
            head = statements[0]
            statements[0] = head.with_changes(leading_lines=(*carried, *head.leading_lines))
        heads.append((statements[0], carried))
        body.extend(statements)
        carried = module.footer
    assembled = cst.Module(
        body=body,
        header=first.header,
        footer=last.footer,
        encoding=first.encoding,
        default_indent=indents.pop() if indents else first.default_indent,
        default_newline=first.default_newline,
        has_trailing_newline=last.has_trailing_newline,
    )
    placed = [_Placed(chunks[0], 0, 0, heads[0][0], first.header, after_header=True)]
    start, position = len(pieces[0]), len(first.body)
    for chunk, piece, (statement, lines) in zip(chunks[1:], pieces[1:], heads[1:], strict=True):
        placed.append(_Placed(chunk, start, position, statement, lines))
        start += len(piece)
        position += len(chunk.module.body)
    return assembled, placed
