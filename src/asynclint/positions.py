"""Positions of the few nodes a file's findings point at, without libcst's PositionProvider.

The provider records a range for every node of the module, splitting every token on newlines,
and resolving it through MetadataWrapper also visits the whole tree: about 8x the cost of
generating the module's code. Here the code generation counts characters only and records
offsets only for the nodes asked for (and the nodes their syntactic ranges borrow ends from),
then turns offsets into lines and columns with the source's line table. The ranges are the
provider's: syntactic, without surrounding whitespace."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst._position import CodePosition, CodeRange


class _OffsetState(CodegenState):
    """Code generation that tracks the character offset and records asked-for nodes."""

    def __init__(self, module: cst.Module, targets: set[cst.CSTNode]) -> None:
        super().__init__(
            default_indent=module.default_indent, default_newline=module.default_newline
        )
        self.offset = 0
        self.targets = targets
        self.found: dict[cst.CSTNode, tuple[int, int]] = {}
        self.starts: list[int] = []

    def add_indent_tokens(self) -> None:
        self.tokens.extend(self.indent_tokens)
        self.offset += sum(len(token) for token in self.indent_tokens)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        self.offset += len(value)

    def before_codegen(self, node: cst.CSTNode) -> None:
        if node in self.targets:
            self.starts.append(self.offset)

    def after_codegen(self, node: cst.CSTNode) -> None:
        if node in self.targets:
            start = self.starts.pop()
            self.found.setdefault(node, (start, self.offset))

    @contextmanager
    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> Iterator[None]:
        wanted = node in self.targets
        if wanted:  # the range may borrow its ends from children: record those too
            self.targets.update(n for n in (start_node, end_node) if n is not None)
        start = self.offset
        try:
            yield
        finally:
            if wanted:
                if start_node is not None and start_node in self.found:
                    start = self.found[start_node][0]
                end = self.offset
                if end_node is not None and end_node in self.found:
                    end = self.found[end_node][1]
                self.found[node] = (start, end)


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
    state = _OffsetState(module, set(nodes))
    if statements is None:
        module._codegen(state)
    else:
        state.offset = offset
        for statement in statements:
            statement._codegen(state)

    def position(offset: int) -> CodePosition:
        line = bisect.bisect_right(line_starts, offset)
        return CodePosition(line, offset - line_starts[line - 1])

    return {
        node: CodeRange(position(start), position(end))
        for node, (start, end) in state.found.items()
    }
