"""Fast child iteration over libcst nodes.

`CSTNode.children` rebuilds the child list through a visitor on every call and costs as much
as the parse; reading the dataclass fields directly is about five times cheaper. Whitespace,
punctuation and operator fields are skipped: they never hold code."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import libcst as cst

_SKIPPED_FIELDS = frozenset(
    {
        "lpar",
        "rpar",
        "comma",
        "semicolon",
        "leading_lines",
        "lines_after_decorators",
        "header",
        "footer",
        "newline",
        "trailing_whitespace",
        "colon",
        "equal",
        "dot",
        "lbrace",
        "rbrace",
        "lbracket",
        "rbracket",
        "operator",
        "asynchronous",
        "first_colon",
        "second_colon",
        "whitespace_before_colon",
    }
)
_FIELDS: dict[type[cst.CSTNode], tuple[str, ...]] = {}


def _fields_of(node_type: type[cst.CSTNode]) -> tuple[str, ...]:
    names = tuple(
        f.name
        for f in dataclasses.fields(node_type)
        if f.name not in _SKIPPED_FIELDS and not f.name.startswith("whitespace")
    )
    _FIELDS[node_type] = names
    return names


def child_nodes(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    node_type = type(node)
    names = _FIELDS.get(node_type) or _fields_of(node_type)
    for name in names:
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            yield value
        elif isinstance(value, (tuple, list)):
            for item in value:
                if isinstance(item, cst.CSTNode):
                    yield item


def statement_children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The statements and clauses directly inside `node` (blocks, `else`, handlers, cases)."""
    if isinstance(node, (cst.Module, cst.IndentedBlock)):
        return list(node.body)
    children: list[cst.CSTNode] = []
    for name in ("body", "orelse", "finalbody"):
        value = getattr(node, name, None)
        if isinstance(value, cst.CSTNode) and not isinstance(value, cst.BaseExpression):
            children.append(value)
    if isinstance(node, (cst.Try, cst.TryStar)):
        children.extend(node.handlers)
    if isinstance(node, cst.Match):
        children.extend(node.cases)
    return children
