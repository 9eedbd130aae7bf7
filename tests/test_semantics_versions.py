"""Version tests decided at the target version, and the branches the model then leaves out."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from asynclint.semantics.model import build_facts
from asynclint.semantics.versions import outcome
from asynclint.settings import Settings

IMPORTS = {"sys": "sys", "vi": "sys.version_info"}


def decide(test: str, target: tuple[int, int] = (3, 10)) -> bool | None:
    return outcome(cst.parse_expression(test), IMPORTS, target, {"PY37": True, "PY2": False})


@pytest.mark.parametrize(
    ("test", "expected"),
    [
        ("sys.version_info < (3, 7)", False),
        ("sys.version_info <= (3, 9)", False),
        ("sys.version_info < (3, 10)", False),
        ("sys.version_info < (3, 10, 1)", None),  # 3.10.0 is older
        ("sys.version_info < (3, 11)", None),
        ("sys.version_info <= (3, 10)", False),  # (3, 10, 0, 'final', 0) > (3, 10)
        ("sys.version_info >= (3, 10)", True),
        ("sys.version_info > (3, 10)", True),
        ("sys.version_info >= (3, 11)", None),  # the code may run on 3.10 and on 3.11
        ("sys.version_info[:2] > (3, 10)", None),
        ("sys.version_info[:2] >= (3, 8)", True),
        ("sys.version_info[:2] == (3, 7)", False),
        ("sys.version_info[:2] == (3, 10)", None),
        ("sys.version_info[:2] != (3, 6)", True),
        ("sys.version_info == (3, 7)", None),  # never equal: a typo, left alone
        ("sys.version_info[0] == 2", False),
        ("sys.version_info.major >= 3", True),
        ("sys.version_info[1] < 8", False),
        ("sys.version_info.minor >= 12", None),
        ("(3, 7) > sys.version_info", False),
        ("(3, 7) <= vi", True),
        ("(3, 6) <= sys.version_info < (3, 8)", False),
        ("not sys.version_info >= (3, 7)", False),
        ("sys.version_info < (3, 7) and feature", False),
        ("sys.version_info < (3, 7) or feature", None),
        ("sys.version_info >= (3, 7) or feature", True),
        ("PY37 and not PY2", True),
        ("platform == 'win32'", None),
        ("version_info < (3, 7)", None),  # not imported from sys
        ("sys.version_info < limit", None),
    ],
)
def test_outcome_at_310(test: str, expected: bool | None) -> None:
    assert decide(test) is expected


def test_outcome_moves_with_the_target() -> None:
    assert decide("sys.version_info >= (3, 11)", (3, 11)) is True
    assert decide("sys.version_info >= (3, 11)", (3, 8)) is None
    assert decide("sys.version_info < (3, 9)", (3, 8)) is None


def functions(source: str, target: tuple[int, int] = (3, 10)) -> list[str]:
    module = cst.parse_module(textwrap.dedent(source))
    facts = build_facts(module, Settings(target_version=target))
    return [f.qualname for f in facts.functions if f.kind == "function"]


def calls(source: str, target: tuple[int, int] = (3, 10)) -> list[str]:
    module = cst.parse_module(textwrap.dedent(source))
    facts = build_facts(module, Settings(target_version=target))
    return [e.method for _, e in facts.events() if e.kind == "call" and e.method]


def test_dead_branches_leave_no_functions_at_any_level() -> None:
    source = """
    import sys
    if sys.version_info < (3, 7):
        def old(): pass
    else:
        def new(): pass
    class C:
        if sys.version_info < (3, 7):
            def old_method(self): pass
        elif sys.version_info >= (3, 12):
            def newest_method(self): pass
        else:
            def method(self): pass
    """
    assert functions(source) == ["new", "C.newest_method", "C.method"]
    assert functions(source, (3, 12)) == ["new", "C.newest_method"]


def test_dead_branches_in_functions_and_module_flags() -> None:
    source = """
    import sys
    PY38 = sys.version_info >= (3, 8)
    async def f(w):
        if not PY38:
            w.old()
            return
        if sys.version_info >= (3, 11):
            w.newer()
        w.current()
    """
    assert calls(source) == ["newer", "current"]
    assert calls(source, (3, 8)) == ["newer", "current"]


def test_a_rebound_flag_is_not_decided() -> None:
    source = """
    import sys
    PY38 = sys.version_info >= (3, 8)
    PY38 = compute()
    def f(w):
        if PY38:
            w.new()
        else:
            w.old()
    """
    assert calls(source) == ["new", "old"]
