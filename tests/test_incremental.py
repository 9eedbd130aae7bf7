"""The incremental parser: the module it assembles from chunks is the module a full parse
gives, it reparses only what changed, and it falls back to a full parse when it should."""

from __future__ import annotations

import ast
import itertools
import warnings
from pathlib import Path

import libcst as cst
import pytest

from asynclint.engine import check_buffer
from asynclint.incremental import IncrementalParser, parse_in_pieces, split_chunks
from asynclint.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"
SOURCES = sorted(FIXTURES.rglob("*.py"))
# An empty `__init__.py` has no top-level statement to cut at: nothing to assemble.
STATEMENTS = [p for p in SOURCES if split_chunks(p.read_text(encoding="utf-8")) is not None]


def full_parse(text: str) -> cst.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cst.parse_module(text)


def assembled(parser: IncrementalParser, text: str) -> cst.Module:
    module = parser._assemble(text)
    assert module is not None, "fell back to a full parse"
    return module


@pytest.mark.parametrize("path", STATEMENTS, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_assembled_module_is_the_full_parse(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    module = assembled(IncrementalParser(), text)
    assert module.code == text
    assert module.deep_equals(full_parse(text))


@pytest.mark.parametrize("path", STATEMENTS, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_a_file_parsed_in_pieces_is_the_full_parse(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    # Small pieces, so that every fixture is cut into several (large files are, in the engine).
    module = parse_in_pieces(text, piece_chars=300)
    assert module.code == text
    assert module.deep_equals(full_parse(text))


@pytest.mark.parametrize("comment", ["# an indented comment", "# with a \x0c form feed"])
def test_a_piece_that_would_lose_lines_is_parsed_whole(comment: str) -> None:
    text = f"import asyncio\n\n    {comment}\nx = 1\n"
    module = parse_in_pieces(text, piece_chars=10)
    assert module.code == text
    assert module.deep_equals(full_parse(text))


@pytest.mark.parametrize(
    "text",
    [
        "x = 1\n\n    \nz = 3\n",  # spaces alone
        "x = 1\n\n\t\nz = 3\n",
        "x = 1\n\n\x0c\nz = 3\n",  # a form feed alone
        "x = 1\r\n\r\n    \r\nz = 3\r\n",
        "import a\n\nclass A:\n    x = 1\n\n    y = 2\n\n\x0c\nz = 3\n",  # after a class
        # The class's last piece: here the full parse too drops the blank line.
        "class A:\n    x = 1\n\n    y = 2\n\n\x0c\n",
    ],
)
def test_blank_lines_before_an_indented_blank_line_are_kept(text: str) -> None:
    # libcst drops them at the end of a module: such a piece is checked, and parsed whole.
    full = full_parse(text)
    for piece_chars in (1, 5, 12):
        module = parse_in_pieces(text, piece_chars=piece_chars)
        assert module.code == full.code
        assert module.deep_equals(full)


LINES_AFTER = ["\n", "    \n", "\x0c\n", "# c\n", "    # c\n", "\x0c    # c\n"]


@pytest.mark.parametrize("after", ["", "z = 3\n"])
@pytest.mark.parametrize("lines", list(itertools.product(LINES_AFTER, repeat=2)))
@pytest.mark.parametrize(
    "shape",
    [
        "x = 1\n{lines}{after}",
        "class A:\n    x = 1\n\n    def f(self):\n        pass\n{lines}{after}",
        "class A:\n    x = 1\n{lines}    y = 2\n\n    w = 1\n{after}",
    ],
)
def test_pieces_ending_in_any_blank_or_comment_lines_are_the_full_parse(
    shape: str, lines: tuple[str, ...], after: str
) -> None:
    text = shape.format(lines="".join(lines), after=after)
    full = full_parse(text)
    for piece_chars in (1, 12):
        module = parse_in_pieces(text, piece_chars=piece_chars)
        assert module.code == full.code
        assert module.deep_equals(full)


def test_a_syntax_error_in_a_piece_is_the_full_parse_error() -> None:
    text = "x = 1\n" * 50 + "def broken(:\n    pass\n"
    with pytest.raises(cst.ParserSyntaxError) as error:
        parse_in_pieces(text, piece_chars=40)
    with pytest.raises(cst.ParserSyntaxError) as expected:
        full_parse(text)
    assert str(error.value) == str(expected.value)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_same_findings_as_a_full_parse_after_an_edit(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    settings = Settings(preview=True)
    parser = IncrementalParser()
    check_buffer(text, path.name, settings, parser=parser)
    edited = text + "\n\nasync def added_later() -> None:\n    pass\n"
    incremental = check_buffer(edited, path.name, settings, parser=parser)
    full = check_buffer(edited, path.name, settings)
    assert incremental.diagnostics == full.diagnostics
    assert incremental.internal_errors == full.internal_errors == []


SOURCE = '''\
"""A module."""
# a comment before the imports

import asyncio


@decorated
async def first(queue: asyncio.Queue[int]) -> None:
    item = await queue.get()
    # a comment inside, after the last statement

# a comment between the functions
async def second() -> None:
    x = 1; y = 2
    if x:
        pass
    else:
        pass


class Third:
    def method(self):
        return 1
# the end
'''


def test_trailing_lines_go_where_a_full_parse_puts_them() -> None:
    module = assembled(IncrementalParser(), SOURCE)
    assert module.code == SOURCE
    assert module.deep_equals(full_parse(SOURCE))


def test_chunks_start_at_each_top_level_statement_and_its_decorators() -> None:
    chunks = split_chunks(SOURCE)
    assert chunks is not None
    assert "".join(chunks) == SOURCE
    assert [chunk.split("\n", 1)[0] for chunk in chunks] == [
        '"""A module."""',
        "import asyncio",
        "@decorated",
        "async def second() -> None:",
        "class Third:",
    ]


def test_statements_on_one_line_stay_in_one_chunk() -> None:
    assert split_chunks("a = 1; b = 2\nc = 3\n") == ["a = 1; b = 2\n", "c = 3\n"]


def test_only_changed_chunks_are_parsed_again() -> None:
    parser = IncrementalParser()
    before = parser.parse(SOURCE)
    edited = SOURCE.replace("return 1", "return 2")
    after = parser.parse(edited)
    assert parser.reused == 4  # of 5 chunks
    assert after.code == edited
    assert after.deep_equals(full_parse(edited))
    # The unchanged statements' trees are reused (the statement node itself is a copy when it
    # takes the previous chunk's trailing lines); the edited one is new.
    first_function = 2
    assert after.body[first_function].body is before.body[first_function].body
    assert after.body[-1].body is not before.body[-1].body


def test_an_edit_that_changes_the_leading_lines_of_the_next_statement() -> None:
    parser = IncrementalParser()
    parser.parse(SOURCE)
    edited = SOURCE.replace("# a comment between the functions\n", "\n\n# moved\n")
    module = parser.parse(edited)
    assert module.code == edited
    assert module.deep_equals(full_parse(edited))


def test_repeated_statements_get_nodes_of_their_own() -> None:
    parser = IncrementalParser()
    text = "pass\npass\npass\n"
    parser.parse(text)
    module = parser.parse(text)
    assert parser.reused == 1  # one cached "pass\n", the other two parsed again
    assert len({id(statement) for statement in module.body}) == 3


@pytest.mark.parametrize(
    "text",
    [
        "# -*- coding: latin-1 -*-\nx = 1\n",
        "#!/usr/bin/env python\n# vim: set fileencoding=utf-8 :\nx = 1\n",
        "x = 1\ry = 2\n",  # a lone carriage return
        "",
        "# only a comment\n",
        "def f(:\n",  # does not parse
    ],
    ids=["coding", "coding-line-2", "carriage-return", "empty", "comment", "syntax-error"],
)
def test_unusual_texts_get_a_full_parse(text: str) -> None:
    assert split_chunks(text) is None
    parser = IncrementalParser()
    try:
        expected = full_parse(text)
    except cst.ParserSyntaxError:
        with pytest.raises(cst.ParserSyntaxError):
            parser.parse(text)
        return
    assert parser.parse(text).deep_equals(expected)


def test_indentations_that_disagree_get_a_full_parse() -> None:
    text = "def f():\n  return 1\n\n\ndef g():\n    return 2\n"
    assert split_chunks(text) is not None
    assert IncrementalParser()._assemble(text) is None
    assert IncrementalParser().parse(text).deep_equals(full_parse(text))


def test_a_two_space_module_with_plain_statements_is_assembled() -> None:
    text = "import os\n\n\ndef f():\n  return 1\n\n\nx = f()\n"
    module = assembled(IncrementalParser(), text)
    assert module.default_indent == "  "
    assert module.code == text
    assert module.deep_equals(full_parse(text))


def test_windows_newlines_are_assembled() -> None:
    text = SOURCE.replace("\n", "\r\n")
    module = assembled(IncrementalParser(), text)
    assert module.code == text
    assert module.deep_equals(full_parse(text))


def test_no_trailing_newline() -> None:
    text = "import asyncio\n\n\nasync def f():\n    await asyncio.sleep(1)"
    module = assembled(IncrementalParser(), text)
    assert module.code == text
    assert module.deep_equals(full_parse(text))


def test_typing_through_a_syntax_error_and_back() -> None:
    parser = IncrementalParser()
    settings = Settings()
    good = "import asyncio\n\n\nasync def f(w: asyncio.StreamWriter):\n    w.write(b'x')\n"
    assert [d.code for d in check_buffer(good, "t.py", settings, parser=parser).diagnostics]
    broken = good.replace("w.write(b'x')", "w.write(b'x'")
    codes = [d.code for d in check_buffer(broken, "t.py", settings, parser=parser).diagnostics]
    assert codes == ["AIO001"]
    again = check_buffer(good, "t.py", settings, parser=parser)
    assert again.diagnostics == check_buffer(good, "t.py", settings).diagnostics


def test_a_chunk_that_fails_alone_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    import asynclint.incremental as incremental

    monkeypatch.setattr(incremental, "_parse_chunk", lambda piece: None)
    assert IncrementalParser()._assemble(SOURCE) is None
    assert IncrementalParser().parse(SOURCE).deep_equals(full_parse(SOURCE))


def test_deep_chains_parse_on_the_analysis_thread() -> None:
    # 5,000 concatenated strings: deeper than the default recursion limit.
    text = "x = (\n" + "    'a'\n" * 5000 + ")\nasync def f():\n    pass\n"
    result = check_buffer(text, "t.py", Settings(), parser=IncrementalParser())
    assert result.internal_errors == []
    assert not any(d.code == "AIO003" for d in result.diagnostics)
    assert result.diagnostics == check_buffer(text, "t.py", Settings()).diagnostics


# -- after an edit: the chunks found from the last ones, and the positions --------------------


def reparsed(before: str, after: str) -> tuple[IncrementalParser, cst.Module]:
    parser = IncrementalParser()
    parser.parse(before)
    return parser, parser.parse(after)


@pytest.mark.parametrize(
    "edit",
    [
        ("return 1", "return 2"),  # inside the last chunk
        ("    item = await queue.get()\n", ""),  # a line removed
        ("x = 1; y = 2", "x = 1\ny = 2\n\nz = 3"),  # more statements in the chunk
        ("# a comment between the functions\n", "\n\n"),  # the lines carried to the next one
        ("async def second", "\nasync def second"),  # inserted between two chunks
        ("import asyncio\n", "import asyncio"),  # two chunks' lines joined
        ("class Third:\n", "class Third:\n    x = (\n"),  # opens a bracket the next closes
        ("class Third:\n", "class Third(\n"),
        ('"""A module."""', "# -*- coding: ascii -*-"),
        ("    def method", "  def method"),  # another indentation
        # Parsed alone, that chunk would lose its blank line (libcst at the end of a module).
        ("import asyncio\n\n", "import asyncio\n\n    # an indented comment\n"),
    ],
    ids=lambda edit: repr(edit[0])[:24],
)
def test_an_edit_gives_the_full_parse(edit: tuple[str, str]) -> None:
    edited = SOURCE.replace(*edit)
    try:
        expected = full_parse(edited)
    except cst.ParserSyntaxError:
        parser = IncrementalParser()
        parser.parse(SOURCE)
        with pytest.raises(cst.ParserSyntaxError):
            parser.parse(edited)
        return
    _parser, module = reparsed(SOURCE, edited)
    assert module.code == edited
    assert module.deep_equals(expected)


def test_an_edit_within_a_chunk_reuses_the_others_without_ast() -> None:
    import asynclint.incremental as incremental

    parser = IncrementalParser()
    parser.parse(SOURCE)
    real_split = incremental.split_chunks
    try:
        incremental.split_chunks = lambda text: pytest.fail("cut with ast again")
        module = parser.parse(SOURCE.replace("return 1", "return 2"))
    finally:
        incremental.split_chunks = real_split
    assert parser.reused == 4
    assert module.deep_equals(full_parse(SOURCE.replace("return 1", "return 2")))


LINES = """\
import asyncio


async def handler(writer: asyncio.StreamWriter) -> None:
    writer.write(b"x")
    await writer.drain()


async def other(writer: asyncio.StreamWriter) -> None:
    writer.write(b"y")
"""


def test_positions_come_from_the_chunks_as_from_the_whole_module() -> None:
    from asynclint.positions import node_ranges

    edited = LINES.replace('b"y"', 'b"yy"')
    parser, module = reparsed(LINES, edited)
    nodes = [module.body[0], module.body[1], module.body[2], *module.body[2].body.body]
    line_starts = tuple(
        [0, *(i + 1 for i, c in enumerate(edited) if c == "\n")][: edited.count("\n") + 1]
    )
    assert parser.node_ranges(module, nodes, line_starts) == node_ranges(module, nodes, line_starts)


def test_findings_after_edits_are_a_full_parse_findings() -> None:
    parser = IncrementalParser()
    settings = Settings()
    versions = [
        LINES,
        LINES.replace("    await writer.drain()\n", ""),
        LINES.replace('b"y")', 'b"y")\n    await writer.drain()'),
        LINES.replace("\n\nasync def other", "\n\n# comment\nasync def other"),
    ]
    for text in versions:
        incremental = check_buffer(text, "t.py", settings, parser=parser)
        assert incremental.diagnostics == check_buffer(text, "t.py", settings).diagnostics
    assert parser.reused > 0


LARGE_CLASS = '''\
@dataclass
class Service(Base):  # a comment on the header
    """A class large enough to be cut."""

    limit = 10
    lock: asyncio.Lock

    @property
    def name(self) -> str:
        return "service"
        # a comment deeper than the next member


    async def run(self) -> None:
        async with self.lock:
            await asyncio.sleep(1)

    # a comment that belongs to the next member: no cut above it
    def stop(self) -> None:
        pass
    x = 1; y = 2
    def same_line_neighbours(self): return (
        1,
    )

    class Inner:
        def method(self) -> None:
            pass



# after the class
'''


def class_in_pieces(text: str, piece_chars: int) -> cst.Module | None:
    """`parse_class_in_pieces` for a text that starts with the class, as the engine calls it."""
    from asynclint.class_pieces import parse_class_in_pieces

    statement = ast.parse(text).body[0]
    assert isinstance(statement, ast.ClassDef)
    return parse_class_in_pieces(text, statement, 0, piece_chars)


def test_a_large_class_is_parsed_in_pieces_as_a_whole_parse_gives_it() -> None:
    from asynclint import class_pieces

    statement = ast.parse(LARGE_CLASS).body[0]
    assert isinstance(statement, ast.ClassDef)
    lines = LARGE_CLASS.splitlines(keepends=True)
    # Only where blank lines alone separate two members.
    assert len(class_pieces._cuts(lines, statement, 0, 40)) == 3
    module = class_in_pieces(LARGE_CLASS, 40)
    assert module is not None
    assert module.code == LARGE_CLASS
    assert module.deep_equals(full_parse(LARGE_CLASS))
    pieced = parse_in_pieces("import asyncio\n\n\n" + LARGE_CLASS * 3, piece_chars=40)
    assert pieced.deep_equals(full_parse("import asyncio\n\n\n" + LARGE_CLASS * 3))


@pytest.mark.parametrize("value", ['"a\x0cb"', '"a\u2028b"', "1  # \x0c"])
def test_lines_are_cut_where_python_breaks_them_only(value: str) -> None:
    # A form feed or a line separator inside a line: not a line break to Python.
    text = f"class A:\n    x = {value}\n\n    y = 2\n\n    def f(self):\n        pass\n"
    module = class_in_pieces(text, 1)
    assert module is not None
    assert module.code == text
    assert module.deep_equals(full_parse(text))
    assert parse_in_pieces("x = 1\n\n" + text, piece_chars=5).deep_equals(
        full_parse("x = 1\n\n" + text)
    )


@pytest.mark.parametrize(
    "text",
    [
        "class A:\n    x = 1\n    # joined by a comment only\n    y = 2\n",
        "class A:\n    x = 1\n\n    y = 2\nz = 3\n",  # a class and more
    ],
)
def test_texts_that_are_not_one_class_cut_between_members_are_not_cut(text: str) -> None:
    assert class_in_pieces(text, 1) is None


def _class_parser() -> IncrementalParser:
    """An incremental parser that cuts even a small class into pieces of a member or two."""
    from asynclint import class_pieces

    parser = IncrementalParser()
    parser._classes = class_pieces.ClassPieces(piece_chars=40)
    return parser


def _node_ids(module: cst.Module) -> list[int]:
    from asynclint.semantics.walk import child_nodes

    ids, stack = [], [*module.body]
    while stack:
        node = stack.pop()
        ids.append(id(node))
        stack.extend(child_nodes(node))
    return ids


# Edits inside LARGE_CLASS (old -> new): in a member, a new member, a member removed, a
# comment typed before a member at its level and deeper (the member before owns that one),
# an edit across two pieces, and one that leaves the class.
CLASS_EDITS = [
    ('return "service"', 'return "renamed"'),
    ("    async def run", "    def added(self) -> int:\n        return 1\n\n    async def run"),
    ("    def stop(self) -> None:\n        pass\n", ""),
    ("\n\n    async def run", "\n\n    # typed here\n    async def run"),
    ("    x = 1; y = 2", "        # typed deeper\n    x = 1; y = 3"),
    ("    x = 1; y = 2", "    # typed at the members' level\n    x = 1; y = 3"),
    ("    x = 1; y = 2", "# typed at the margin\n    x = 1; y = 3"),
    ("limit = 10", "limit = (\n    10\n)"),
    ("    class Inner:", "class Inner:"),
    ("await asyncio.sleep(1)\n\n    # a comment", "await asyncio.sleep(2)\n\n    # the comment"),
]


@pytest.mark.parametrize("edit", CLASS_EDITS, ids=lambda e: e[1][:24])
def test_an_edit_inside_a_large_class_gives_the_full_parse(
    edit: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from asynclint import incremental

    monkeypatch.setattr(incremental, "CLASS_CHARS", 100)
    text = "import asyncio\n\n\n" + LARGE_CLASS + "\n\nx = 1\n"
    edited = text.replace(*edit)
    assert edited != text
    parser = _class_parser()
    parser.parse(text)
    for version in (edited, text, edited):
        module = parser.parse(version)
        assert module.code == version
        assert module.deep_equals(full_parse(version))


def test_an_edit_inside_a_large_class_parses_only_the_piece_it_falls_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from asynclint import incremental

    monkeypatch.setattr(incremental, "CLASS_CHARS", 100)
    text = "import asyncio\n\n\n" + LARGE_CLASS
    parser = _class_parser()
    first = parser.parse(text)
    assert parser._classes.parsed >= 3  # cut at the three places a test above finds
    edited = text.replace('return "service"', 'return "renamed"')
    module = parser.parse(edited)
    assert parser._classes.parsed == 1
    assert module.deep_equals(full_parse(edited))
    # The members of the pieces not edited are the nodes of the last parse.
    before = first.body[1].body.body  # type: ignore[attr-defined]
    after = module.body[1].body.body  # type: ignore[attr-defined]
    assert after[-1] is before[-1] and after[1] is not before[1]
    # A comment that moves a cut: the class is cut again at once, and the next edit is back
    # to one piece.
    commented = edited.replace("    x = 1; y = 2", "        # deeper\n    x = 1; y = 2")
    assert parser.parse(commented).deep_equals(full_parse(commented))
    assert parser._classes.parsed >= 3
    again = commented.replace("limit = 10", "limit = 11")
    assert parser.parse(again).deep_equals(full_parse(again))
    assert parser._classes.parsed == 1


def test_two_equal_classes_never_share_nodes(monkeypatch: pytest.MonkeyPatch) -> None:
    # The pieces of one class must not be taken again for its twin: a node in two places
    # would have two positions.
    from asynclint import incremental

    monkeypatch.setattr(incremental, "CLASS_CHARS", 100)
    one = "import asyncio\n\n\n" + LARGE_CLASS
    text = one + LARGE_CLASS
    parser = _class_parser()
    versions = [
        one,
        # Two edits of the one class at once (a copy pasted and changed): one takes its
        # pieces, the other is parsed anew.
        one.replace("limit = 10", "limit = 1") + LARGE_CLASS.replace("limit = 10", "limit = 2"),
        text,
        text.replace('return "service"', 'return "first"', 1),
        text,
        text.replace("limit = 10", "limit = 11"),
        text.replace("limit = 10", "limit = 12"),
    ]
    for version in versions:
        module = parser.parse(version)
        assert module.deep_equals(full_parse(version))
        ids = _node_ids(module)
        assert len(ids) == len(set(ids))


def test_findings_after_edits_inside_a_class_are_a_full_parse_findings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from asynclint import incremental

    monkeypatch.setattr(incremental, "CLASS_CHARS", 100)
    methods = "".join(
        f"    async def send_{n}(self, writer: asyncio.StreamWriter) -> None:\n"
        f"        writer.write(b'{n}')\n"
        f"        await writer.drain()\n\n"
        for n in range(8)
    )
    text = f"import asyncio\n\n\nclass Client:\n{methods}"
    parser = _class_parser()
    settings = Settings()
    versions = [text, text.replace("        await writer.drain()\n", "", 1)]
    versions.append(versions[1].replace("b'5')\n        await writer.drain()", "b'5')"))
    versions.append(text)
    for version in versions:
        incremental_result = check_buffer(version, "t.py", settings, parser=parser)
        assert incremental_result.diagnostics == check_buffer(version, "t.py", settings).diagnostics
    assert [d.line for d in check_buffer(versions[2], "t.py", settings).diagnostics] == [6, 25]


DECORATED_CLASSES = (
    "import asyncio\n\n\n@decorated\nclass A:\n"
    + "".join(f"    @staticmethod\n    def m{i}():\n        return {i}\n\n" for i in range(12))
    + "\n\nx = 1; y = 2\n\n\n"
    + LARGE_CLASS * 2
)


@pytest.mark.parametrize(
    "text",
    [p.read_text(encoding="utf-8") for p in STATEMENTS] + [DECORATED_CLASSES],
    ids=[str(p.relative_to(FIXTURES)) for p in STATEMENTS] + ["decorated classes"],
)
def test_an_outline_cuts_a_file_where_its_ast_does(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stand-in tree made from a summary's outline gives the pieces the file's own `ast`
    gives (classes cut between members included): the same texts go to libcst."""
    from asynclint import class_pieces, incremental
    from asynclint.outline import outline_of, stand_in_tree

    real = ast.parse(text)
    parsed: list[str] = []

    def recording(piece: str) -> cst.Module:
        parsed.append(piece)
        return full_parse(piece)

    monkeypatch.setattr(incremental, "parse_cst", recording)
    monkeypatch.setattr(class_pieces, "parse_cst", recording)
    by_ast = parse_in_pieces(text, piece_chars=40, tree=real)
    pieces, parsed[:] = list(parsed), []
    outline = outline_of(real, "digest")
    by_outline = parse_in_pieces(text, piece_chars=40, tree=stand_in_tree(outline))
    assert parsed == pieces
    assert by_outline.deep_equals(by_ast) and by_outline.code == text
    if text == DECORATED_CLASSES:  # more pieces than statements: its classes were cut too
        assert len(pieces) > len(real.body)
