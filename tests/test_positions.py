"""Targeted positions agree with libcst's PositionProvider on every node kind they place."""

from __future__ import annotations

import pathlib

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

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
