"""The language server's parts that need no client: positions, noqa edits, settings, buffers,
and the promise that the core install never imports pygls."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from asynclint.engine import MAX_FILE_BYTES, check_buffer
from asynclint.noqa import noqa_code_spans, parse_suppressions, with_noqa_codes
from asynclint.settings import Settings

pytest.importorskip("lsprotocol", reason="needs the server extra: pip install 'asynclint[server]'")

from lsprotocol import types

from asynclint.server.actions import noqa_edit
from asynclint.server.configuration import ConfigResolver, parse_client_settings
from asynclint.server.hover import explanation
from asynclint.server.text import Buffer

# -- noqa comments ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        ("", "# noqa: AIO401"),
        ("# noqa: E501", "# noqa: E501, AIO401"),
        ("# noqa:E501,W291 see #12", "# noqa:E501,W291, AIO401 see #12"),
        ("# type: ignore", "# type: ignore  # noqa: AIO401"),
    ],
)
def test_with_noqa_code_adds_the_code(comment: str, expected: str) -> None:
    assert with_noqa_codes(comment, ["AIO401"]) == expected
    assert parse_suppressions(f"x = 1  {expected}\n").suppresses("AIO401", 1)


@pytest.mark.parametrize("comment", ["# noqa", "# noqa: AIO401", "# noqa: AIO4", "# NOQA: aio401"])
def test_with_noqa_code_leaves_a_comment_that_already_silences(comment: str) -> None:
    assert with_noqa_codes(comment, ["AIO401"]) is None


def test_noqa_code_spans_point_at_each_code() -> None:
    line = "x.write(b)  # noqa: AIO401, E501"
    spans = noqa_code_spans(line)
    assert [code for _, _, code in spans] == ["AIO401", "E501"]
    assert [line[start:end] for start, end, _ in spans] == ["AIO401", "E501"]
    assert noqa_code_spans("x = 1  # noqa") == []
    assert noqa_code_spans("x = 1") == []


def _apply(text: str, edit: types.TextEdit) -> str:
    buffer = Buffer(text)
    return (
        text[: buffer.offset(edit.range.start)]
        + edit.new_text
        + text[buffer.offset(edit.range.end) :]
    )


def test_noqa_edit_appends_after_the_code_and_keeps_crlf() -> None:
    text = "async def f(w):\r\n    w.write(b'x')   \r\n"
    edit = noqa_edit(Buffer(text), 2, "AIO401")
    assert edit is not None
    assert _apply(text, edit) == "async def f(w):\r\n    w.write(b'x')  # noqa: AIO401\r\n"


def test_noqa_edit_extends_the_comment_not_a_lookalike_in_a_string() -> None:
    text = 'async def f(w):\n    w.write(b"# noqa: E1")  # noqa: E501\n'
    edit = noqa_edit(Buffer(text), 2, "AIO401")
    assert edit is not None
    assert _apply(text, edit).splitlines()[1] == '    w.write(b"# noqa: E1")  # noqa: E501, AIO401'


@pytest.mark.parametrize(
    "text",
    [
        'async def f(w):\n    w.write(b"""a\nb""")\n',  # the line ends inside a string
        "async def f(w):\n    w.write(b'a' + \\\n            b'b')\n",  # a backslash continues it
        "async def f(w):\n    w.write(b'x'  # noqa: AIO401\n    )\n",  # already silenced
    ],
)
def test_noqa_edit_is_not_offered_where_a_comment_cannot_go(text: str) -> None:
    assert noqa_edit(Buffer(text), 2, "AIO401") is None


# -- positions -------------------------------------------------------------------------------


def test_positions_count_utf16_units_for_the_client() -> None:
    text = "s = '😀é'; w.write(s)\n"
    column = text.index("w.write") + 1  # asynclint: 1-based characters
    utf16 = Buffer(text, types.PositionEncodingKind.Utf16)
    assert utf16.position(1, column) == types.Position(line=0, character=column - 1 + 1)
    utf8 = Buffer(text, types.PositionEncodingKind.Utf8)
    assert utf8.position(1, column).character == len(text[: column - 1].encode())
    utf32 = Buffer(text, types.PositionEncodingKind.Utf32)
    assert utf32.position(1, column).character == column - 1
    for buffer in (utf16, utf8, utf32):
        assert buffer.offset(buffer.position(1, column)) == column - 1
        assert buffer.column(buffer.position_at(len(text) - 1)) == len(text) - 1


def test_positions_follow_every_kind_of_line_end() -> None:
    text = "a\r\nb\rc\nd"
    buffer = Buffer(text)
    assert [buffer.line_text(n) for n in range(4)] == ["a", "b", "c", "d"]
    assert buffer.position_at(text.index("d")) == types.Position(line=3, character=0)
    assert buffer.offset(types.Position(line=1, character=99)) == text.index("b") + 1
    assert buffer.offset(types.Position(line=9, character=0)) == len(text)


# -- settings --------------------------------------------------------------------------------


def test_client_settings_are_read_and_bad_ones_reported() -> None:
    settings, problems = parse_client_settings(
        {"asynclint": {"select": ["aio4"], "preview": True, "debounceMs": "fast", "docsUrl": 3}}
    )
    assert settings.select == ("AIO4",)
    assert settings.preview is True
    assert settings.debounce_ms == 100 and settings.docs_url is None
    assert len(problems) == 2
    assert parse_client_settings(None)[0] == parse_client_settings({})[0]


def test_resolver_uses_the_files_pyproject_and_client_options(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nrequires-python = ">=3.12"\n[tool.asynclint]\nignore = ["AIO402"]\n'
    )
    path = str(tmp_path / "pkg" / "app.py")
    resolver = ConfigResolver()
    settings = resolver.settings_for(path)
    assert settings is not None
    assert settings.target_version == (3, 12) and settings.ignore == ("AIO402",)
    assert settings.project_root == str(tmp_path)
    resolver.update(parse_client_settings({"ignore": ["AIO401"], "targetVersion": "py313"})[0])
    settings = resolver.settings_for(path)
    assert settings is not None
    assert settings.ignore == ("AIO402", "AIO401") and settings.target_version == (3, 13)
    # An excluded file is not checked, as `asynclint check --force-exclude` would skip it.
    assert resolver.settings_for(str(tmp_path / "build" / "gen.py")) is None


# -- buffers ---------------------------------------------------------------------------------


def test_check_buffer_answers_binary_and_huge_buffers() -> None:
    binary = check_buffer("async def f():\x00\n", "a.py", Settings())
    assert [d.code for d in binary.diagnostics] == ["AIO002"]
    huge = check_buffer("async def f(): pass\n" + "#" * MAX_FILE_BYTES, "a.py", Settings())
    assert [d.code for d in huge.diagnostics] == ["AIO003"]
    plain = check_buffer("async def f(w):\n    pass\n", "a.py", Settings())
    assert plain.diagnostics == [] and plain.internal_errors == []


def test_hover_explanation_has_the_docs_main_sections() -> None:
    text = explanation("AIO401", "https://example.org/{code}")
    assert text is not None
    assert "stream-write-without-drain" in text
    assert "#### Example" in text and "## References" not in text
    assert "(https://example.org/AIO401)" in text
    assert explanation("AIO999") is None


# -- the core install ------------------------------------------------------------------------


def test_the_core_never_imports_pygls() -> None:
    code = (
        "import sys\n"
        "import asynclint, asynclint.api, asynclint.cli, asynclint.engine, asynclint.runner\n"
        "import asynclint.flake8_plugin, asynclint.reporting\n"
        "asynclint.lint_source('async def f(w):\\n    w.write(b\"x\")\\n')\n"
        "assert not {'pygls', 'lsprotocol'} & set(sys.modules), sorted(sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_server_without_the_extra_says_how_to_install_it() -> None:
    code = (
        "import sys\n"
        "sys.modules['pygls'] = None\n"  # what a core install looks like to an import
        "from asynclint.cli import main\n"
        "main(['server'])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 2
    assert 'pip install "asynclint[server]"' in done.stderr


# -- when to lint ----------------------------------------------------------------------------


def test_changes_in_quick_succession_are_linted_once_after_the_first() -> None:
    from asynclint.server.documents import Documents

    linted: list[str] = []

    async def lint(uri: str) -> None:
        linted.append(uri)

    async def scenario() -> None:
        documents = Documents(lint)
        for _ in range(5):  # five keystrokes, each within the pause of the one before
            documents.schedule("file:///a.py", delay=0.3)
            await asyncio.sleep(0.01)
        documents.schedule("file:///b.py")  # opened: at once
        await asyncio.sleep(0.1)
        # The first keystroke came after a pause: linted at once; the others wait.
        assert linted == ["file:///a.py", "file:///b.py"]
        await asyncio.sleep(0.5)
        assert linted == ["file:///a.py", "file:///b.py", "file:///a.py"]
        await asyncio.sleep(0.4)
        documents.schedule("file:///a.py", delay=0.3)  # after a pause again: at once
        await asyncio.sleep(0.05)
        assert linted == ["file:///a.py", "file:///b.py", "file:///a.py", "file:///a.py"]
        documents.schedule("file:///a.py", delay=0.3)  # typing goes on: it waits
        documents.close("file:///a.py")  # closed before its turn: never linted
        await asyncio.sleep(0.5)
        assert linted == ["file:///a.py", "file:///b.py", "file:///a.py", "file:///a.py"]

    asyncio.run(scenario())
