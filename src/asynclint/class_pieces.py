"""Parsing one large class in pieces: libcst's parser needs working memory for the whole text
it is given (about 0.25 MB per KB, well beyond the tree it returns), and a test module that is
one class of 300 KB would cost a worker its largest allocation of the run.

The class body is cut between members, only where nothing but blank lines separates them (in
a full parse those lines are the next member's leading lines, as they are when that member
opens a piece). Each piece after the first is parsed under a stand-in header (`class _:`), and
the members are put together under the first piece's class. The result is used only when the
pieces agree on the indentation and nothing but their members sits between them, so that its
code is the pieces' code joined: the text, unless a piece ends in the one shape whose code
libcst does not give back (see `parsing.may_lose_lines`), which is then checked."""

from __future__ import annotations

import ast
import itertools
from collections.abc import Container, Sequence

import libcst as cst

from asynclint.outline import first_line
from asynclint.parsing import may_lose_lines, parse_cst, python_ast
from asynclint.splice import respliced

_STAND_IN = "class _:\n"
# An edited class in the editor is parsed again a piece of about this size at a time.
MEMBER_PIECE_CHARS = 2048


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
    texts = _piece_texts(lines, cuts)
    modules = [_parse_piece(piece, index == 0) for index, piece in enumerate(texts)]
    module = _joined([m for m in modules if m is not None]) if None not in modules else None
    if module is None or (any(map(may_lose_lines, texts)) and module.code != text):
        return None
    return module


class ClassPieces:
    """The large classes of a buffer's last parse, kept in pieces of a few members: an edit
    inside a class parses again only the piece it falls in, not the whole class (a class is
    often most of its module). Each piece gives its text back when it is parsed (checked where
    it might not, see `parsing.may_lose_lines`), and the pieces are joined only where nothing
    else can come between them (see `_joined`), so the joined class's code is the text
    without generating it."""

    def __init__(self, piece_chars: int = MEMBER_PIECE_CHARS) -> None:
        self.piece_chars = piece_chars
        self._known: dict[str, list[tuple[str, cst.Module]]] = {}  # of the last parse
        self._fresh: dict[str, list[tuple[str, cst.Module]]] = {}  # of this one
        self.parsed = 0  # pieces parsed by the last `parse`

    def parse(self, text: str, in_use: Container[str] = ()) -> cst.Module | None:
        """The module of `text` when it is one class (with the lines after it) cut between
        members; None when it is not (then parse it whole). The pieces of a class that `text`
        differs from within one piece are reused, unless that class's text is `in_use` (its
        nodes are in the module being assembled: a node must not sit in two places)."""
        self.parsed = 0
        for old, known in self._known.items():
            if old in in_use:
                continue
            texts = respliced(old, [piece for piece, _ in known], text)
            if texts is not None:
                del self._known[old]  # its nodes go to this class
                reused = [
                    (new, module if new == piece else None)
                    for new, (piece, module) in zip(texts, known, strict=True)
                ]
                joined = self._assembled(text, reused)
                if joined is not None:
                    return joined
                break  # the edit moved a cut (a comment before a member, ...): cut again
        texts = self._cut(text)
        return self._assembled(text, [(piece, None) for piece in texts]) if texts else None

    def _assembled(
        self, text: str, pieces: list[tuple[str, cst.Module | None]]
    ) -> cst.Module | None:
        """The class of the pieces, parsing those without a module; remembered for the next
        parse when it can be joined."""
        parsed: list[tuple[str, cst.Module]] = []
        for index, (piece, module) in enumerate(pieces):
            if module is None:
                self.parsed += 1
                module = _parse_piece(piece, index == 0, checked=True)
                if module is None:
                    return None
            parsed.append((piece, module))
        joined = _joined([module for _, module in parsed])
        if joined is not None:
            self._fresh[text] = parsed
        return joined

    def settle(self, texts: Container[str]) -> None:
        """The parse is over: keep the classes among `texts` (its chunks) for the next one."""
        known = {**self._known, **self._fresh}
        self._known = {text: pieces for text, pieces in known.items() if text in texts}
        self._fresh = {}

    def _cut(self, text: str) -> list[str] | None:
        tree = python_ast(text)
        if tree is None or len(tree.body) != 1 or not isinstance(tree.body[0], ast.ClassDef):
            return None
        lines = _lines(text)
        cuts = _cuts(lines, tree.body[0], 0, self.piece_chars)
        return _piece_texts(lines, cuts) if cuts else None


def _parse_piece(text: str, first: bool, checked: bool = False) -> cst.Module | None:
    """A piece parsed: the first as it is, the others under the stand-in header. `checked`:
    None unless its code is its text, where it might not be (`parsing.may_lose_lines`)."""
    code = text if first else _STAND_IN + text
    try:
        module = parse_cst(code)
    except (cst.ParserSyntaxError, cst.CSTValidationError):
        return None
    found = _single_class(module)
    if found is None or (checked and may_lose_lines(code) and module.code != code):
        return None
    members = found[1].body
    leading: Sequence[cst.EmptyLine] = getattr(members[0], "leading_lines", ()) if members else ()
    if not first and any(
        line.comment and (not line.indent or line.whitespace.value) for line in leading
    ):
        # A comment before the first member, other than at the members' indentation: in the
        # whole class, one indented deeper belongs to the member before (the footer of its
        # block), not to this one.
        return None
    return module


def _joined(modules: Sequence[cst.Module]) -> cst.Module | None:
    """The class of the first piece with the members of all of them. None when they disagree
    on the indentation, or when something other than the members sits between two pieces
    (lines after a piece's last member): then the join's code might not be the text."""
    found = [_single_class(module) for module in modules]
    classes = [c for c in found if c is not None]
    if len(classes) != len(modules) or len(modules) < 2:
        return None
    blocks = [block for _, block in classes]
    indents = {module.default_indent for module in modules}
    if len(indents) > 1 or any(block.indent != blocks[0].indent for block in blocks):
        return None
    if any(block.footer for block in blocks[:-1]) or any(m.footer for m in modules[:-1]):
        return None
    if any(module.header for module in modules[1:]):
        return None
    members = [member for block in blocks for member in block.body]
    body = blocks[0].with_changes(body=members, footer=blocks[-1].footer)
    head, tail = modules[0], modules[-1]
    return head.with_changes(
        body=[classes[0][0].with_changes(body=body)],
        footer=tail.footer,
        has_trailing_newline=tail.has_trailing_newline,
    )


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


def _piece_texts(lines: list[str], cuts: list[int]) -> list[str]:
    bounds = [0, *cuts, len(lines)]
    return ["".join(lines[a:b]) for a, b in itertools.pairwise(bounds)]


def _lines(text: str) -> list[str]:
    """The text's lines as Python counts them, ends kept: `str.splitlines` also breaks at
    form feeds and the like, which may sit in a line (in a string, a comment)."""
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def _single_class(module: cst.Module) -> tuple[cst.ClassDef, cst.IndentedBlock] | None:
    if len(module.body) != 1:
        return None
    statement = module.body[0]
    if not isinstance(statement, cst.ClassDef) or not isinstance(statement.body, cst.IndentedBlock):
        return None
    return statement, statement.body
