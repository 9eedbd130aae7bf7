"""Dotted names in a stdlib `ast` tree, as the summaries see them (the libcst side has
semantics/expressions.py)."""

from __future__ import annotations

import ast

from asynclint.semantics import asyncio_api as api


def qualify(node: ast.expr, imports: dict[str, str]) -> str | None:
    """The import-resolved dotted name of `a.b.c`, normalized to asyncio's public names; None
    when its head is not imported."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.insert(0, node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or node.id not in imports:
        return None
    return api.normalize(".".join([imports[node.id], *parts]))
