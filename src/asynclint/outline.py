"""What a large file is cut by before libcst parses it (see `incremental.parse_in_pieces`),
kept from the `ast` its module summary was made from: the lines of each top-level statement
and of a class's members, and whether `async` is in the code. The analysis of the file then
needs no second `ast` of it (Python's parser on every file over 32 KB: about 5% of a cold
run on asyncio-heavy code)."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass

from asynclint.prefilter import async_in_code

# libcst's parser holds about 0.25 MB of working memory per KB of the text it parses, well
# beyond the tree it gives: a large file parsed in pieces of this size peaks at a third.
PIECE_CHARS = 32 * 1024

Lines = tuple[int, int]  # first (its first decorator's) and last


@dataclass(frozen=True)
class Outline:
    # Each top-level statement's lines, with its members' when it is a class.
    statements: tuple[tuple[Lines, tuple[Lines, ...] | None], ...]
    async_in_code: bool
    digest: str  # of the content it was made from: it says nothing of any other


def outline_of(tree: ast.Module, digest: str) -> Outline:
    statements = tuple(
        (
            _lines(statement),
            tuple(_lines(member) for member in statement.body)
            if isinstance(statement, ast.ClassDef)
            else None,
        )
        for statement in tree.body
    )
    return Outline(statements, async_in_code(tree), digest)


def stand_in_tree(outline: Outline) -> ast.Module:
    """An `ast.Module` with the outline's lines and nothing else (each statement a `pass`, each
    class an empty `class _:` with a `pass` per member), for the code that cuts a file by its
    `ast`: it reads only those lines."""
    body: list[ast.stmt] = []
    for (first, last), members in outline.statements:
        if members is None:
            body.append(ast.Pass(lineno=first, end_lineno=last))
            continue
        passes: list[ast.stmt] = [ast.Pass(lineno=a, end_lineno=b) for a, b in members]
        body.append(
            ast.ClassDef(
                name="_",
                bases=[],
                keywords=[],
                body=passes,
                decorator_list=[],
                lineno=first,
                end_lineno=last,
            )
        )
    return ast.Module(body=body, type_ignores=[])


def first_line(statement: ast.stmt) -> int:
    """Where a statement starts: its first decorator's line, if it has one."""
    decorators: Sequence[ast.expr] = getattr(statement, "decorator_list", ())
    return min([statement.lineno, *(d.lineno for d in decorators)])


def _lines(statement: ast.stmt) -> Lines:
    return first_line(statement), statement.end_lineno or statement.lineno
