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


# Per type: is it a libcst node? `isinstance(x, cst.CSTNode)` goes through ABCMeta's
# instance check, several times the cost of a dictionary look-up, on every field of every node.
_IS_NODE: dict[type, bool] = {}


def _is_node_type(value_type: type) -> bool:
    found = _IS_NODE[value_type] = issubclass(value_type, cst.CSTNode)
    return found


def child_nodes(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    node_type = type(node)
    names = _FIELDS.get(node_type) or _fields_of(node_type)
    for name in names:
        value = getattr(node, name)
        value_type = type(value)
        is_node = _IS_NODE.get(value_type)
        if is_node is None:
            is_node = _is_node_type(value_type)
        if is_node:
            yield value
        elif isinstance(value, (tuple, list)):
            for item in value:
                item_type = type(item)
                is_node = _IS_NODE.get(item_type)
                if is_node is None:
                    is_node = _is_node_type(item_type)
                if is_node:
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


def small_statements(node: cst.CSTNode) -> Iterator[cst.BaseSmallStatement]:
    """The simple statements (assignments, expressions, `return`, ...) anywhere in the
    statements of `node`, nested blocks and functions included, without walking expressions:
    no expression holds a statement."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            yield from current.body
        else:
            stack.extend(statement_children(current))
