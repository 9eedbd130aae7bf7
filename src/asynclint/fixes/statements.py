"""Regenerating a compound statement in place: a fix that rewrites a `with` (or any compound
statement) as new CST gets the source text for the old statement's range, at its indentation."""

from __future__ import annotations

from typing import cast

import libcst as cst

from asynclint.semantics.walk import statement_children


def statement_text(
    module: cst.Module, old: cst.BaseCompoundStatement, new: cst.BaseCompoundStatement
) -> str | None:
    """Source text for `new` to replace `old`'s text range (from its keyword to the end of its
    last statement, without that line's comment and newline), at `old`'s indentation."""
    indents = _indentation(module, old)
    if indents is None:
        return None
    wrapped = cast(cst.BaseStatement, _trim_last(new.with_changes(leading_lines=())))
    for indent in reversed(indents):
        block = cst.IndentedBlock(body=[wrapped], indent=indent)
        wrapped = cst.If(test=cst.Name("True"), body=block)
    code = module.with_changes(body=[wrapped], header=(), footer=(), has_trailing_newline=True).code
    lines = code.split(module.default_newline)
    text = module.default_newline.join(lines[len(indents) :])
    prefix = "".join(module.default_indent if i is None else i for i in indents)
    if not text.startswith(prefix) or not text.endswith(module.default_newline):
        return None
    return text[len(prefix) : -len(module.default_newline)]


def _indentation(module: cst.Module, target: cst.CSTNode) -> list[str | None] | None:
    """The indents of the blocks around `target`, outermost first."""

    def visit(node: cst.CSTNode, indents: list[str | None]) -> list[str | None] | None:
        for child in statement_children(node):
            if child is target:
                return indents
            if isinstance(child, (cst.IndentedBlock, cst.Match)):
                # A `match` indents its `case` lines one level more, like a block does.
                found = visit(child, [*indents, child.indent])
            else:
                found = visit(child, indents)
            if found is not None:
                return found
        return None

    return visit(module, [])


def _trim_last(node: cst.CSTNode) -> cst.CSTNode:
    """Drop what follows the last statement's code (its comment, newline, block footers): it
    lies outside the replaced range and stays in the file as it is."""
    if isinstance(node, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
        return node.with_changes(trailing_whitespace=cst.TrailingWhitespace())
    if isinstance(node, cst.IndentedBlock):
        return node.with_changes(body=[*node.body[:-1], _trim_last(node.body[-1])], footer=())
    if isinstance(node, (cst.Try, cst.TryStar)):
        if node.finalbody is not None:
            return node.with_changes(finalbody=_trim_last(node.finalbody))
        if node.orelse is not None:
            return node.with_changes(orelse=_trim_last(node.orelse))
        last = _trim_last(node.handlers[-1])
        return node.with_changes(handlers=[*node.handlers[:-1], last])
    if isinstance(node, cst.Match):
        return node.with_changes(cases=[*node.cases[:-1], _trim_last(node.cases[-1])])
    orelse = getattr(node, "orelse", None)
    if orelse is not None:
        return node.with_changes(orelse=_trim_last(orelse))
    body = getattr(node, "body", None)
    if isinstance(body, cst.CSTNode):
        return node.with_changes(body=_trim_last(body))
    return node
