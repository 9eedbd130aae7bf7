"""Inputs that would crash or stall the parser are answered, not fed to it."""

from __future__ import annotations

import pytest

from asynclint.engine import check_source
from asynclint.guard import bracket_depth, longest_line
from asynclint.settings import Settings

SETTINGS = Settings()


def check(expression: str) -> list[tuple[str, int]]:
    source = f"async def f():\n    return {expression}\n"
    result = check_source(source.encode(), "deep.py", SETTINGS)
    assert result.internal_errors == []
    return [(d.code, d.line) for d in result.diagnostics]


def test_brackets_nested_past_pythons_limit_are_a_syntax_error() -> None:
    # 5000 levels would overflow the native parser's stack and kill the process.
    assert check("(" * 5000 + "1" + ")" * 5000) == [("AIO001", 2)]
    assert check("(" * 300 + "1" + ")" * 300) == [("AIO001", 2)]


@pytest.mark.parametrize("expression", ["1" + "+1" * 20000, "x" + "[0]" * 5000, "-" * 20000 + "1"])
def test_chains_python_cannot_compile_are_skipped_with_a_notice(expression: str) -> None:
    source = f"async def f():\n    return {expression}\n"
    try:
        compile(source, "deep.py", "exec", dont_inherit=True)
    except (RecursionError, MemoryError):
        assert check(expression) == [("AIO003", 1)]
    else:  # newer Pythons compile some of these: then they are analysed like any file
        assert check(expression) == []


def test_brackets_inside_strings_do_not_trip_the_screen() -> None:
    source = (
        "import asyncio\nasync def f(w: asyncio.StreamWriter):\n    w.write(b'" + "(" * 500 + "')\n"
    )
    result = check_source(source.encode(), "strings.py", SETTINGS)
    assert [d.code for d in result.diagnostics] == ["AIO401"]


def test_the_screen_measures_depth_and_line_length() -> None:
    assert bracket_depth("f(a[1], {2: (3)})") == 3
    assert bracket_depth("no brackets") == 0
    assert longest_line("ab\r\nabcd\rx") == 4


def test_a_file_over_its_time_budget_is_skipped_with_a_notice() -> None:
    body = "    w.write(b'x')\n    await w.drain()\n" * 4000
    source = f"import asyncio\nasync def f(w: asyncio.StreamWriter):\n{body}"
    result = check_source(source.encode(), "slow.py", SETTINGS, budget=0.001)
    assert [(d.code, d.message) for d in result.diagnostics] == [
        ("AIO003", "analysis took longer than 0.001 s; skipped")
    ]
    assert check_source(source.encode(), "slow.py", SETTINGS).diagnostics == []
