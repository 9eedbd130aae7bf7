"""Quicker answers to libcst's checks of its two most common nodes, with libcst's own results.

libcst checks every node it makes: `CSTNode.__post_init__` calls `_validate()`, whether the
parser or a caller made the node. Of a parsed file's nodes some 40% are `SimpleWhitespace`,
nearly all "" or " ", each checked with a regular expression, and some 13% are `Name`, checked
for balanced parentheses and an identifier. These checks depend on the node's fields alone, so
each of the two classes gets a `__post_init__` that accepts the common case at once and calls
libcst's `_validate()` for everything else: the same nodes are accepted and the same errors
raised, for every caller in the process. It saves about 7% of a parse.

They are installed only where libcst's checks are the ones answered here (the code of each, as
in libcst 1.1 to 1.9, compared without comments; "" and " " accepted as whitespace). Other
checks, or no source to compare, leave libcst as it is. What is compared is the code at that
time: a `_validate` replaced later (libcst's own tests mock `Name._validate`) is not called for
the common cases."""

from __future__ import annotations

import ast
import inspect
import linecache
import textwrap
from collections.abc import Callable
from typing import Any

from asynclint.once import once

# libcst's code that the quick answers stand for.
_POST_INIT = """
def __post_init__(self) -> None:
    self._validate()
"""
_WHITESPACE = """
def _validate(self) -> None:
    if SIMPLE_WHITESPACE_RE.fullmatch(self.value) is None:
        raise CSTValidationError(
            f"Got non-whitespace value for whitespace node: {repr(self.value)}"
        )
"""
_PARENTHESES = """
def _validate(self) -> None:
    if self.lpar and not self.rpar:
        raise CSTValidationError("Cannot have left paren without right paren.")
    if not self.lpar and self.rpar:
        raise CSTValidationError("Cannot have right paren without left paren.")
    if len(self.lpar) != len(self.rpar):
        raise CSTValidationError("Cannot have unbalanced parens.")
"""
_NAME = """
def _validate(self) -> None:
    super(Name, self)._validate()
    if len(self.value) == 0:
        raise CSTValidationError("Cannot have empty name identifier.")
    if not self.value.isidentifier():
        raise CSTValidationError(f"Name {self.value!r} is not a valid identifier.")
"""


@once
def install_quick_checks() -> bool:
    """Install the quick answers if libcst's checks are the expected ones (once per process);
    whether they are installed."""
    import libcst as cst
    from libcst._nodes.expression import _BaseParenthesizedNode

    expected: list[tuple[Callable[..., Any], str]] = [
        (cst.CSTNode.__post_init__, _POST_INIT),
        (cst.SimpleWhitespace._validate, _WHITESPACE),
        (_BaseParenthesizedNode._validate, _PARENTHESES),
        (cst.Name._validate, _NAME),
    ]
    try:
        if not all(_same_code(function, code) for function, code in expected):
            return False
        cst.SimpleWhitespace("")
        cst.SimpleWhitespace(" ")
    except (OSError, TypeError, ValueError, SyntaxError, cst.CSTValidationError):
        return False  # no source to read, or checks of another kind
    for cls in (cst.SimpleWhitespace, cst.Name):
        # Their __post_init__ must be CSTNode's, the one compared above.
        if any("__post_init__" in vars(base) for base in cls.__mro__ if base is not cst.CSTNode):
            return False
    whitespace, name = cst.SimpleWhitespace, cst.Name

    def whitespace_post_init(self: Any) -> None:
        if type(self) is not whitespace or (self.value != "" and self.value != " "):
            self._validate()

    def name_post_init(self: Any) -> None:
        # Without parentheses, the parentheses check passes; an identifier is never empty.
        if type(self) is not name or self.lpar or self.rpar or not self.value.isidentifier():
            self._validate()

    whitespace.__post_init__ = whitespace_post_init  # type: ignore[method-assign]
    name.__post_init__ = name_post_init  # type: ignore[method-assign]
    return True


def _same_code(function: Callable[..., Any], code: str) -> bool:
    found = ast.parse(textwrap.dedent(_source(function)))
    return ast.dump(found) == ast.dump(ast.parse(code))


def _source(function: Callable[..., Any]) -> str:
    """The function's source: its lines, from its code's positions (Python 3.11 and later;
    `inspect.getsource` tokenizes, and its first use costs more than the parses saved in a
    small run)."""
    code = function.__code__
    if not hasattr(code, "co_positions"):
        return inspect.getsource(function)
    last = max(end for _, end, _, _ in code.co_positions() if end is not None)
    lines = linecache.getlines(code.co_filename)
    if last > len(lines):
        raise OSError(f"no source for {function.__qualname__}")
    return "".join(lines[code.co_firstlineno - 1 : last])
