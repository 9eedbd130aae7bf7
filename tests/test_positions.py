"""Targeted positions agree with libcst's PositionProvider on every node kind they place."""

from __future__ import annotations

import pathlib

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from asynclint import positions
from asynclint.positions import node_ranges, statement_ranges
from asynclint.semantics.walk import child_nodes
from asynclint.source import DecodedSource

FIXTURES = sorted((pathlib.Path(__file__).parent / "fixtures").glob("AIO*.py"))


def all_nodes(node: cst.CSTNode) -> list[cst.CSTNode]:
    found = [node]
    for child in child_nodes(node):
        found.extend(all_nodes(child))
    return found


@pytest.mark.parametrize("path", FIXTURES[:12], ids=lambda p: p.name)
def test_ranges_equal_the_position_providers(path: pathlib.Path) -> None:
    text = path.read_text(encoding="utf-8")
    module = cst.parse_module(text)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    nodes = all_nodes(module)[1:]
    line_starts = DecodedSource(text, "utf-8").line_starts
    ranges = node_ranges(module, nodes, line_starts)
    assert {n: ranges[n] for n in nodes} == {n: expected[n] for n in nodes}
    # Generating the code of only the statements that hold them: the same, whatever is asked.
    for some in (nodes, nodes[::7], nodes[-3:]):
        ranges = statement_ranges(module, some, line_starts, text)
        assert {n: ranges[n] for n in some} == {n: expected[n] for n in some}


def test_crlf_tabs_and_only_the_asked_nodes() -> None:
    text = "import asyncio\r\nasync def f(w):\r\n\tif w:\r\n\t\tw.write(b'x')  # c\r\n"
    module = cst.parse_module(text)
    call = next(n for n in all_nodes(module) if isinstance(n, cst.Call))
    ranges = node_ranges(module, [call], DecodedSource(text, "utf-8").line_starts)
    assert list(ranges) == [call]
    start, end = ranges[call].start, ranges[call].end
    assert (start.line, start.column, end.line, end.column) == (4, 2, 4, 15)


TWICE = "x = 1\n" + "\n\nasync def f(w):\n    w.write(b'x')\n" * 2


@pytest.mark.parametrize(
    ("text", "which"),
    [
        (TWICE, -1),  # a statement's code twice in the text: only the whole module tells
        (TWICE, 0),
        ("# header\nimport asyncio\nasync def f(w):\n    w.write(b'x')", -1),  # no last newline
        ("x = 1\r\nasync def f(w):\r\n    w.write(b'x')\r\n", 0),
    ],
)
def test_ranges_by_statement_where_the_code_alone_cannot_place_them(text: str, which: int) -> None:
    module = cst.parse_module(text)
    calls = [n for n in all_nodes(module) if isinstance(n, cst.Call)]
    line_starts = DecodedSource(text, "utf-8").line_starts
    expected = node_ranges(module, [calls[which]], line_starts)
    assert statement_ranges(module, [calls[which]], line_starts, text) == expected
    assert list(expected) == [calls[which]]


def test_a_node_outside_every_statement_is_placed_too() -> None:
    text = "# one\n\nasync def f(w):\n    w.write(b'x')\n# two\n"
    module = cst.parse_module(text)
    comment = module.footer[0]
    line_starts = DecodedSource(text, "utf-8").line_starts
    ranges = statement_ranges(module, [comment], line_starts, text)
    assert ranges == node_ranges(module, [comment], line_starts) and len(ranges) == 1


CLASSES = (
    "import asyncio\r\n"
    "@decorated\r\n"
    "class A(Base):\r\n"
    "\tlock = asyncio.Lock()\r\n"
    "\r\n"
    "\t# a comment before a member\r\n"
    "\t@staticmethod\r\n"
    "\tasync def f(w):\r\n"
    "\t\tw.write(b'x')\r\n"
    "\tclass Inner:\r\n"
    "\t  def g(self, w):\r\n"
    "\t    w.write(b'y')\r\n"
    "\tdef tearDown(self):\r\n"
    "\t\tself.loop.close()\r\n"
    "\t# a comment after the last member\r\n"
    "class B(Base):\r\n"
    "\tdef tearDown(self):\r\n"
    "\t\tself.loop.close()\r\n"
)


def test_ranges_by_class_member_equal_the_position_providers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Nodes in a class's members are placed by those members' code alone (indented as in the
    file), in the class's header by the whole class, and in a member whose code the text holds
    twice by the whole module: each time where PositionProvider puts them."""
    module = cst.parse_module(CLASSES)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    line_starts = DecodedSource(CLASSES, "utf-8").line_starts
    nodes = all_nodes(module)[1:]
    calls = [n for n in nodes if isinstance(n, cst.Call)]
    in_tear_down = calls[-2:]
    bases = [n for n in nodes if isinstance(n, cst.Arg) and n.value.deep_equals(cst.Name("Base"))]
    for some in ([c] for c in calls + bases):
        # Only a tearDown's code is in the text twice: the others need no whole module.
        with monkeypatch.context() as patch:
            if some[0] not in in_tear_down:
                patch.setattr(positions, "node_ranges", _whole_module_not_expected)
            ranges = statement_ranges(module, some, line_starts, CLASSES)
        assert ranges == {n: expected[n] for n in some}
    monkeypatch.setattr(positions, "node_ranges", _whole_module_not_expected)
    some = [c for c in calls if c not in in_tear_down] + bases
    assert statement_ranges(module, some, line_starts, CLASSES) == {n: expected[n] for n in some}


def _whole_module_not_expected(*args: object) -> None:
    raise AssertionError("the whole module's code was generated")
