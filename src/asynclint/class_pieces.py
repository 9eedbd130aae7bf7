"""Parsing one large class in pieces: libcst's parser needs working memory for the whole text
it is given (about 0.25 MB per KB, well beyond the tree it returns), and a test module that is
one class of 300 KB would cost a worker its largest allocation of the run.

The class body is cut between members, only where nothing but blank lines separates them (in
a full parse those lines are the next member's leading lines, as they are when that member
opens a piece). Each piece after the first is parsed under a stand-in header (`class _:`), and
the members are put together under the first piece's class. The result is used only when its
code is the text, and the pieces agree on the indentation."""

from __future__ import annotations

import ast
import itertools
from collections.abc import Sequence

import libcst as cst

from asynclint.parsing import parse_cst

_STAND_IN = "class _:\n"


def parse_class_in_pieces(
    text: str, statement: ast.ClassDef, lines_before: int, piece_chars: int
) -> cst.Module | None:
    """The module of `text`, the class `statement` (with what follows it; the `ast` of the
    file, whose first `lines_before` lines come before `text`), parsed in pieces of about
    `piece_chars`; None when it is not one to cut, or the pieces do not give its code back
    (then parse it whole)."""
    lines = _lines(text)
    cuts = _cuts(lines, statement, lines_before, piece_chars)
    if not cuts:
        return None
    bounds = [0, *cuts, len(lines)]
    texts = ["".join(lines[a:b]) for a, b in itertools.pairwise(bounds)]
    try:
        modules = [parse_cst(texts[0]), *(parse_cst(_STAND_IN + piece) for piece in texts[1:])]
    except (cst.ParserSyntaxError, cst.CSTValidationError):
        return None
    classes = [_single_class(module) for module in modules]
    found = [c for c in classes if c is not None]
    if len(found) != len(classes):
        return None
    blocks = [block for _, block in found]
    indents = {module.default_indent for module in modules}
    if len(indents) > 1 or any(block.indent != blocks[0].indent for block in blocks):
        return None
    members = [member for block in blocks for member in block.body]
    body = blocks[0].with_changes(body=members, footer=blocks[-1].footer)
    head, tail = modules[0], modules[-1]
    module = head.with_changes(
        body=[found[0][0].with_changes(body=body)],
        footer=tail.footer,
        has_trailing_newline=tail.has_trailing_newline,
    )
    return module if module.code == text else None


def _cuts(
    lines: list[str], statement: ast.ClassDef, lines_before: int, piece_chars: int
) -> list[int]:
    """Indexes into `lines` where a piece starts: after a member of the class, before the
    blank lines that lead to the next, once the piece is at least `piece_chars` long."""
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    cuts: list[int] = []
    start = 0
    for before, member in itertools.pairwise(statement.body):
        end = (before.end_lineno or before.lineno) - lines_before  # the cut is this index
        first = first_line(member) - lines_before
        between = lines[end : first - 1]
        if first <= end or any(line.strip() for line in between):
            continue  # on the same line, or comments in between: they may belong to either
        if offsets[end] - offsets[start] >= piece_chars:
            cuts.append(end)
            start = end
    return cuts


def _lines(text: str) -> list[str]:
    """The text's lines as Python counts them, ends kept: `str.splitlines` also breaks at
    form feeds and the like, which may sit in a line (in a string, a comment)."""
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def first_line(statement: ast.stmt) -> int:
    """Where a statement starts: its first decorator's line, if it has one."""
    decorators: Sequence[ast.expr] = getattr(statement, "decorator_list", ())
    return min([statement.lineno, *(d.lineno for d in decorators)])


def _single_class(module: cst.Module) -> tuple[cst.ClassDef, cst.IndentedBlock] | None:
    if len(module.body) != 1:
        return None
    statement = module.body[0]
    if not isinstance(statement, cst.ClassDef) or not isinstance(statement.body, cst.IndentedBlock):
        return None
    return statement, statement.body
