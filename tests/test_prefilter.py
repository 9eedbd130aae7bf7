"""What is skipped before libcst parses: files without `async`, and large files that say it
only in strings and comments."""

from __future__ import annotations

import ast

import pytest

from asynclint.engine import check_source
from asynclint.incremental import PIECE_CHARS
from asynclint.prefilter import async_in_code, prefiltered
from asynclint.settings import Settings


def test_a_file_without_async_is_prefiltered_unless_binary() -> None:
    assert prefiltered(b"x = 1\n")
    assert not prefiltered(b"import asyncio\n")
    assert not prefiltered(b"x = 1\x00\n")  # binary: it gets its AIO002


@pytest.mark.parametrize(
    "code",
    [
        "import asyncio",
        "from trio_asyncio import run",
        "async def f():\n    pass",
        "def f(x):\n    return x.async_result",
        "def f():\n    global async_state",
        "def f(use_async=True):\n    pass",
        "def f(y):\n    return [x async for x in y]",
    ],
)
def test_async_in_the_code_is_found(code: str) -> None:
    assert async_in_code(ast.parse(code))


def test_async_in_strings_and_comments_only_is_not_code() -> None:
    code = 'topics = {"await": "An async function ..."}  # async\nf"{x} async"\n'
    assert not async_in_code(ast.parse(code))


DOCUMENTATION = (
    "topics = {\n"
    + "".join(
        f'    "topic{n}": "An async def defines a coroutine function; await suspends it.",\n'
        for n in range(PIECE_CHARS // 60)
    )
    + "}\n"
)


def test_a_large_file_that_says_async_only_in_prose_is_skipped() -> None:
    assert len(DOCUMENTATION) > PIECE_CHARS
    result = check_source(DOCUMENTATION, "topics.py", Settings())
    assert result.skipped and result.diagnostics == []
    code = (
        "import asyncio\n\n\nasync def main(host):\n"
        "    reader, writer = await asyncio.open_connection(host, 80)\n"
        "    writer.write(b'x')\n\n\n"
    )
    checked = check_source(code + DOCUMENTATION, "topics.py", Settings())
    assert not checked.skipped
    assert [d.code for d in checked.diagnostics] == ["AIO401"]
