"""Positions of the few nodes a file's findings point at, without libcst's PositionProvider.

The provider records a range for every node of the module, splitting every token on newlines,
and resolving it through MetadataWrapper also visits the whole tree: about 8x the cost of
generating the module's code. Here the code generation counts characters only and records
offsets only for the nodes asked for (and the nodes their syntactic ranges borrow ends from),
then turns offsets into lines and columns with the source's line table. The ranges are the
provider's: syntactic, without surrounding whitespace."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst._position import CodePosition, CodeRange

from asynclint.semantics.walk import child_nodes


class _OffsetState(CodegenState):
    """Code generation that tracks the character offset and records asked-for nodes. Every
    node of the module passes through here: the common case (a node nobody asked for) is
    kept to a set lookup by id, with no token kept and no generator per node."""

    def __init__(self, module: cst.Module, targets: Iterable[cst.CSTNode]) -> None:
        super().__init__(
            default_indent=module.default_indent, default_newline=module.default_newline
        )
        self.offset = 0
        self.keep_tokens = False  # the code itself, besides its offsets
        self.targets = {id(node): node for node in targets}
        self.found: dict[int, tuple[int, int]] = {}
        self.starts: list[int] = []

    def add_indent_tokens(self) -> None:
        self.offset += sum(len(token) for token in self.indent_tokens)
        if self.keep_tokens:
            self.tokens.extend(self.indent_tokens)

    def add_token(self, value: str) -> None:
        self.offset += len(value)
        if self.keep_tokens:
            self.tokens.append(value)

    def before_codegen(self, node: cst.CSTNode) -> None:
        if id(node) in self.targets:
            self.starts.append(self.offset)

    def after_codegen(self, node: cst.CSTNode) -> None:
        if id(node) in self.targets:
            start = self.starts.pop()
            self.found.setdefault(id(node), (start, self.offset))

    def record_syntactic_position(  # type: ignore[override]
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> AbstractContextManager[None]:
        if id(node) not in self.targets:
            return _NOTHING
        # The range may borrow its ends from children: record those too.
        self.targets.update((id(n), n) for n in (start_node, end_node) if n is not None)
        return _Recording(self, node, start_node, end_node)


class _Nothing:
    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc_info: object) -> None:
        return None


_NOTHING = _Nothing()


class _Recording:
    """The syntactic range of one asked-for node, as CodegenState.record_syntactic_position
    would give it."""

    __slots__ = ("end_node", "node", "start", "start_node", "state")

    def __init__(
        self,
        state: _OffsetState,
        node: cst.CSTNode,
        start_node: cst.CSTNode | None,
        end_node: cst.CSTNode | None,
    ) -> None:
        self.state, self.node, self.start_node, self.end_node = state, node, start_node, end_node
        self.start = 0

    def __enter__(self) -> None:
        self.start = self.state.offset

    def __exit__(self, *exc_info: object) -> None:
        found = self.state.found
        start = self.start
        if self.start_node is not None and id(self.start_node) in found:
            start = found[id(self.start_node)][0]
        end = self.state.offset
        if self.end_node is not None and id(self.end_node) in found:
            end = found[id(self.end_node)][1]
        found[id(self.node)] = (start, end)


def node_ranges(
    module: cst.Module,
    nodes: Iterable[cst.CSTNode],
    line_starts: tuple[int, ...],
    *,
    statements: Sequence[cst.CSTNode] | None = None,
    offset: int = 0,
) -> dict[cst.CSTNode, CodeRange]:
    """Ranges (1-based lines, 0-based columns, as PositionProvider gives them) of `nodes`.
    `line_starts` are the offsets at which the module's lines start. `statements`: only
    these top-level statements of the module hold the nodes, and their code starts at
    `offset`: the rest of the module's code is not generated."""
    state = _OffsetState(module, nodes)
    if statements is None:
        module._codegen(state)
    else:
        state.offset = offset
        for statement in statements:
            statement._codegen(state)
    return _placed(state, state.found, line_starts)


def _placed(
    state: _OffsetState, found: dict[int, tuple[int, int]], line_starts: tuple[int, ...]
) -> dict[cst.CSTNode, CodeRange]:
    def position(offset: int) -> CodePosition:
        line = bisect.bisect_right(line_starts, offset)
        return CodePosition(line, offset - line_starts[line - 1])

    return {
        state.targets[key]: CodeRange(position(start), position(end))
        for key, (start, end) in found.items()
    }


def statement_ranges(
    module: cst.Module, nodes: Iterable[cst.CSTNode], line_starts: tuple[int, ...], text: str
) -> dict[cst.CSTNode, CodeRange]:
    """`node_ranges` of a module parsed from `text`, generating the code of only the
    statements that hold the nodes: top-level statements, or the members of a class (a test
    module is mostly a few large classes). Each such statement's code is found in the text
    after the one before it: where it occurs there once, that is where it is (the statements
    come in order and do not overlap). Anything else (a node outside the statements' code, a
    statement's code found twice) falls back to the whole module's code."""
    wanted = {id(node): node for node in nodes}
    left = set(wanted)
    holding = _holding(module.body, left, (), module.default_indent)
    if left:
        return node_ranges(module, wanted.values(), line_starts)
    state = _OffsetState(module, wanted.values())
    found: dict[int, tuple[int, int]] = {}
    searched_from = 0
    for statement, indents in holding:
        state.found, state.offset, state.tokens = {}, 0, []
        state.indent_tokens = list(indents)
        state.keep_tokens = True
        statement._codegen(state)
        code = "".join(state.tokens)
        at = text.find(code, searched_from)
        if at < 0 or text.find(code, at + 1) >= 0:
            return node_ranges(module, wanted.values(), line_starts)
        found.update((key, (at + start, at + end)) for key, (start, end) in state.found.items())
        searched_from = at + len(code)
    return _placed(state, found, line_starts)


Indents = tuple[str, ...]


def _holding(
    statements: Sequence[cst.CSTNode], left: set[int], indents: Indents, default_indent: str
) -> list[tuple[cst.CSTNode, Indents]]:
    """The statements that hold the nodes with ids in `left`, in order, each with the indents
    its code starts with; those found are taken out of `left`. A class holding them only in
    its members gives those members instead of itself."""
    holding: list[tuple[cst.CSTNode, Indents]] = []
    for statement in statements:
        if not left:
            break
        block = statement.body if isinstance(statement, cst.ClassDef) else None
        if isinstance(block, cst.IndentedBlock) and not any(
            _held(child, left) for child in child_nodes(statement) if child is not block
        ):
            indent = block.indent if block.indent is not None else default_indent
            if not any(_held(child, left) for child in (block.header, *block.footer)):
                holding += _holding(block.body, left, (*indents, indent), default_indent)
                continue
        held = _held(statement, left)
        if held:
            left -= held
            holding.append((statement, indents))
    return holding


def _held(node: cst.CSTNode, left: set[int]) -> set[int]:
    """The ids in `left` of `node` and the nodes under it."""
    held: set[int] = set()
    stack = [node]
    while stack:
        node = stack.pop()
        if id(node) in left:
            held.add(id(node))
        stack.extend(child_nodes(node))
    return held
