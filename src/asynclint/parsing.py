"""The two parsers of a file's text, with the warnings Python's own parser emits (invalid
escape sequences and the like) silenced: they are the user's code's, not ours to print."""

from __future__ import annotations

import ast
import warnings
from typing import TYPE_CHECKING

from asynclint.cst_checks import install_quick_checks
from asynclint.cst_inits import install_quick_inits

if TYPE_CHECKING:
    import libcst as cst


# Characters parsed in this process before libcst's nodes get their quicker constructors
# (cst_inits.py): making them costs about what they save on this much.
QUICK_INITS_AFTER = 64 * 1024
_parsed = 0


def parse_cst(text: str) -> cst.Module:
    """`libcst.parse_module(text)`; raises its errors. (libcst is imported here, not with the
    module: the main process of a run uses `python_ast` alone, and a warm run never needs
    libcst. Its checks of the commonest nodes are answered quicker, see cst_checks.py, and
    once there is enough to parse its nodes are made quicker, see cst_inits.py.)"""
    import libcst as cst

    global _parsed
    install_quick_checks()
    if _parsed < QUICK_INITS_AFTER:  # (threads may race on the count: it need not be exact)
        _parsed += len(text)
        if _parsed >= QUICK_INITS_AFTER:
            install_quick_inits()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cst.parse_module(text)


def python_ast(text: str | bytes) -> ast.Module | None:
    """The text's `ast`; None when Python does not parse it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def may_lose_lines(text: str) -> bool:
    """Whether the lines after the text's last statement hold an indented one (a comment, or
    spaces, tabs or a form feed alone): the one shape whose code libcst does not give back (it
    drops the blank lines before such a line at the end of a module, where in the whole file
    they are kept). A piece of a file parsed on its own is checked against its code only then:
    checking every piece's code would cost a third of the parse."""
    for line in reversed(text.split("\n")):
        line = line.removesuffix("\r")
        stripped = line.lstrip()
        if stripped and not stripped.startswith("#"):
            return False  # the statement's last line: nothing after it is lost
        if stripped != line:
            return True  # indented
    return False
