"""The quick answers to libcst's node checks (cst_checks.py) accept and reject exactly what
libcst's own checks do."""

from __future__ import annotations

import inspect
from typing import Any

import libcst as cst
import pytest

from asynclint import cst_checks
from asynclint.parsing import parse_cst

WHITESPACE = ["", " ", "  ", "\t", "\f", " \\\n ", "\\\r\n", "\n", "x", " x", "#", "\u00a0"]
NAMES = ["", "x", "_a1", "if", "é", "a b", "1a", "a.b", "x\n"]
PARENTHESES: list[tuple[tuple[cst.LeftParen, ...], tuple[cst.RightParen, ...]]] = [
    ((), ()),
    ((cst.LeftParen(),), ()),
    ((), (cst.RightParen(),)),
    ((cst.LeftParen(),), (cst.RightParen(),)),
    ((cst.LeftParen(), cst.LeftParen()), (cst.RightParen(),)),
]


def libcst_verdict(cls: type[Any], **fields: Any) -> str | None:
    """libcst's own check of a node with these fields: its error message, or None."""
    node = object.__new__(cls)
    for key, value in fields.items():
        object.__setattr__(node, key, value)
    try:
        node._validate()
    except cst.CSTValidationError as error:
        return str(error)
    return None


def built_verdict(cls: type[Any], **fields: Any) -> str | None:
    """What building the node says: its error message, or None."""
    try:
        cls(**fields)
    except cst.CSTValidationError as error:
        return str(error)
    return None


def test_the_installed_libcst_has_the_checks_answered_quicker() -> None:
    # If this fails after a libcst upgrade, its checks changed: compare them with the code in
    # cst_checks.py and update both together.
    assert cst_checks.install_quick_checks()
    assert cst.SimpleWhitespace.__post_init__ is not cst.CSTNode.__post_init__
    assert cst.Name.__post_init__ is not cst.CSTNode.__post_init__


@pytest.mark.parametrize("value", WHITESPACE)
def test_whitespace_is_accepted_as_libcst_accepts_it(value: str) -> None:
    cst_checks.install_quick_checks()
    expected = libcst_verdict(cst.SimpleWhitespace, value=value)
    assert built_verdict(cst.SimpleWhitespace, value=value) == expected


@pytest.mark.parametrize("value", NAMES)
@pytest.mark.parametrize("parentheses", PARENTHESES, ids=lambda p: f"{len(p[0])}-{len(p[1])}")
def test_names_are_accepted_as_libcst_accepts_them(
    value: str, parentheses: tuple[tuple[cst.LeftParen, ...], tuple[cst.RightParen, ...]]
) -> None:
    cst_checks.install_quick_checks()
    lpar, rpar = parentheses
    expected = libcst_verdict(cst.Name, value=value, lpar=lpar, rpar=rpar)
    assert built_verdict(cst.Name, value=value, lpar=lpar, rpar=rpar) == expected


def test_a_subclass_keeps_its_own_check() -> None:
    cst_checks.install_quick_checks()

    class NoSpaces(cst.SimpleWhitespace):
        def _validate(self) -> None:
            if self.value:
                raise cst.CSTValidationError("no spaces here")

    class Short(cst.Name):
        def _validate(self) -> None:
            super()._validate()
            if len(self.value) > 1:
                raise cst.CSTValidationError("too long")

    with pytest.raises(cst.CSTValidationError, match="no spaces"):
        NoSpaces(" ")
    with pytest.raises(cst.CSTValidationError, match="too long"):
        Short("ab")
    assert Short("a").value == "a"


def test_other_code_is_not_taken_for_libcst_checks() -> None:
    assert cst_checks._same_code(cst.Name._validate, cst_checks._NAME)
    changed = cst_checks._NAME.replace("len(self.value) == 0", "len(self.value) < 2")
    assert not cst_checks._same_code(cst.Name._validate, changed)
    assert not cst_checks._same_code(cst.SimpleWhitespace._validate, cst_checks._NAME)


def test_parsed_code_round_trips_with_quick_checks() -> None:
    source = "async def f( a ,b ):\n    return (a)  +  b \\\n        + c\n"
    module = parse_cst(source)
    assert cst_checks.install_quick_checks()
    assert module.code == source
    assert module.deep_equals(cst.parse_module(source))


def test_a_functions_source_is_read_as_inspect_reads_it() -> None:
    from libcst._nodes.expression import _BaseParenthesizedNode

    for function in (
        cst.CSTNode.__post_init__,
        cst.SimpleWhitespace._validate,
        cst.Name._validate,
        _BaseParenthesizedNode._validate,
        built_verdict,
    ):
        assert cst_checks._source(function) == inspect.getsource(function)
