"""The quicker constructors of libcst's nodes (cst_inits.py) make the nodes libcst's own make."""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import libcst as cst
import pytest
from libcst._add_slots import add_slots

from asynclint import cst_inits, parsing

FIXTURES = Path(__file__).parent / "fixtures"
SOURCES = sorted(FIXTURES.rglob("*.py"))


@contextmanager
def libcsts_own_inits() -> Iterator[None]:
    """libcst's own constructors for a while, the quicker ones after."""
    cst_inits.install_quick_inits()
    quick = {cls: cls.__dict__["__init__"] for cls in cst_inits.replaced}
    try:
        for cls, init in cst_inits.replaced.items():
            cls.__init__ = init  # type: ignore[misc]
        yield
    finally:
        for cls, init in quick.items():
            cls.__init__ = init  # type: ignore[misc]


def parse(text: str) -> cst.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cst.parse_module(text)


def test_every_libcst_node_class_gets_a_quicker_constructor() -> None:
    # If this fails after a libcst or Python upgrade, the dataclasses changed shape: see which
    # classes are left out, and why, in cst_inits.py.
    cst_inits.install_quick_inits()
    nodes = {value for value in vars(cst).values() if isinstance(value, type)}
    nodes = {cls for cls in nodes if issubclass(cls, cst.CSTNode) and "__init__" in vars(cls)}
    assert nodes - {cst.CSTNode} <= set(cst_inits.replaced)
    assert len(cst_inits.replaced) > 150
    assert cst.Name.__init__ is not cst_inits.replaced[cst.Name]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_parsed_trees_are_the_ones_libcst_makes(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    cst_inits.install_quick_inits()
    quick = parse(text)
    with libcsts_own_inits():
        own = parse(text)
    assert quick.deep_equals(own)
    assert quick.code == own.code


def test_nodes_made_by_hand_are_the_ones_libcst_makes() -> None:
    def made() -> list[cst.CSTNode]:
        return [
            cst.Name("x"),
            cst.Name(value="y", lpar=[cst.LeftParen()], rpar=[cst.RightParen()]),
            cst.SimpleWhitespace(" "),
            cst.Call(cst.Name("f"), [cst.Arg(cst.Integer("1"))]),
            cst.FunctionDef(cst.Name("f"), cst.Parameters(), cst.IndentedBlock([])),
            cst.Module([]),
        ]

    cst_inits.install_quick_inits()
    quick = made()
    with libcsts_own_inits():
        own = made()
    for mine, theirs in zip(quick, own, strict=True):
        assert mine.deep_equals(theirs)
        assert repr(mine) == repr(theirs)  # every field, defaults included
    with pytest.raises(cst.CSTValidationError, match="not a valid identifier"):
        cst.Name("a b")  # the node's check still runs
    with pytest.raises(TypeError):
        cst.Name()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        cst.Name("x", (), (), ())  # type: ignore[call-arg]


@add_slots
@dataclasses.dataclass(frozen=True)
class Sample:
    """A class shaped as libcst's nodes are, with each kind of field."""

    required: str
    plain: int = 1
    made: list[int] = dataclasses.field(default_factory=list)
    seen: list[str] = dataclasses.field(default_factory=list, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.seen.append(self.required)


@pytest.mark.parametrize(
    "arguments",
    [
        ((), {"required": "a"}),
        (("a",), {}),
        (("a", 2), {}),
        (("a", 2, [3]), {}),
        ((), {"made": [4], "required": "b", "plain": 5}),
    ],
)
def test_a_constructor_takes_its_arguments_as_the_dataclass_does(
    arguments: tuple[tuple[Any, ...], dict[str, Any]],
) -> None:
    args, kwargs = arguments
    quick = cst_inits.quick_inits([Sample])[Sample]
    own = Sample(*args, **kwargs)
    mine = object.__new__(Sample)
    quick(mine, *args, **kwargs)
    assert mine == own
    assert mine.seen == own.seen == [own.required]  # __post_init__ ran once
    assert mine.made is not Sample("z").made  # a new list from the factory each time
    if "made" in kwargs:
        assert mine.made is kwargs["made"]


class Handwritten(Sample):
    def __init__(self) -> None:
        super().__init__("x")


@dataclasses.dataclass(frozen=True)
class WithoutSlots:
    value: int

    def __post_init__(self) -> None:
        pass


@dataclasses.dataclass
class NotFrozen:
    value: int

    def __post_init__(self) -> None:
        pass


@add_slots
@dataclasses.dataclass(frozen=True)
class KeywordOnly:
    value: int
    other: int = dataclasses.field(default=1, kw_only=True)

    def __post_init__(self) -> None:
        pass


@add_slots
@dataclasses.dataclass(frozen=True)
class NotInInit:
    value: int
    other: int = dataclasses.field(default=1, init=False)

    def __post_init__(self) -> None:
        pass


@pytest.mark.parametrize(
    "cls", [Handwritten, WithoutSlots, NotFrozen, KeywordOnly, NotInInit], ids=lambda c: c.__name__
)
def test_classes_of_other_shapes_keep_their_constructors(cls: type) -> None:
    assert cst_inits.quick_inits([cls]) == {}


def test_a_subclass_made_elsewhere_is_left_alone() -> None:
    @add_slots
    @dataclasses.dataclass(frozen=True)
    class Mine(cst.Name):
        extra: int = 0

    cst_inits.install_quick_inits()
    assert Mine not in cst_inits._node_classes(cst.CSTNode)
    assert Mine("x", extra=2).extra == 2


def test_quicker_constructors_wait_for_enough_to_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    installed: list[int] = []
    monkeypatch.setattr(parsing, "install_quick_inits", lambda: installed.append(1) or 0)
    monkeypatch.setattr(parsing, "_parsed", 0)
    small = "x = 1\n"
    parsing.parse_cst(small)
    assert installed == []
    parsing.parse_cst(small * (parsing.QUICK_INITS_AFTER // len(small)))
    assert installed == [1]
    parsing.parse_cst(small)
    assert installed == [1]  # once is enough
