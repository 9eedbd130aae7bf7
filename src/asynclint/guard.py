"""Inputs that would crash or stall the parser, found before it runs.

libcst's native parser overflows the C stack (a segmentation fault, which no `except` can
catch) on brackets nested a few thousand deep, and takes minutes on expression chains tens of
thousands of operators long. CPython refuses both (`too many nested parentheses`, or a
RecursionError while compiling), so such a file cannot be valid Python to begin with. A cheap
scan finds the candidates, and Python's own parser, which fails safely, has the last word."""

from __future__ import annotations

import ast
import itertools
import re
import warnings

_NOT_BRACKETS = re.compile(r"[^()\[\]{}]+")
_DEPTH = bytes.maketrans(b"([{)]}", b"\x02\x02\x02\x00\x00\x00")
_LINE_END = re.compile(r"\r\n|\r|\n")
# CPython's tokenizer allows 200 levels of brackets; real code stays far below this.
SUSPICIOUS_DEPTH = 100
# Operator chains long enough to hurt come on very long lines (or deep brackets).
SUSPICIOUS_LINE = 5000


def bracket_depth(text: str) -> int:
    """Deepest bracket nesting, counting brackets in strings and comments too (an upper bound
    for the purpose of a cheap screen)."""
    brackets = _NOT_BRACKETS.sub("", text).encode("ascii").translate(_DEPTH)
    return max(itertools.accumulate(b - 1 for b in brackets), default=0)


def longest_line(text: str) -> int:
    return max((len(line) for line in _LINE_END.split(text)), default=0)


TOO_DEEP = "file is too deeply nested to analyse; skipped"


class Rejected(Exception):
    """Python's parser rejects the text: `syntax` says whether as a SyntaxError (with a
    position) or because it is nested too deeply to compile."""

    def __init__(self, message: str, line: int = 1, column: int = 1, syntax: bool = False):
        super().__init__(message)
        self.line, self.column, self.syntax = line, column, syntax


def screen(text: str, path: str) -> None:
    """Raise Rejected when the text is one the parser must not see."""
    if bracket_depth(text) <= SUSPICIOUS_DEPTH and longest_line(text) <= SUSPICIOUS_LINE:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            tree = ast.parse(text, filename=path)
        except SyntaxError as error:
            raise Rejected(error.msg, error.lineno or 1, error.offset or 1, syntax=True) from None
        except (RecursionError, MemoryError):
            raise Rejected(TOO_DEEP) from None
        try:
            # Python 3.10's parser takes chains its compiler then refuses (20,000 `+1`s on a
            # line), and libcst's would overflow the stack on them: ask the compiler too. Its
            # own syntax errors (`return` outside a function) are not the parser's concern.
            compile(tree, path, "exec", dont_inherit=True)
        except (RecursionError, MemoryError):
            raise Rejected(TOO_DEEP) from None
        except SyntaxError:
            pass
