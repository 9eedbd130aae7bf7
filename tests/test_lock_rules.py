"""Lock and stream rules where the fixtures cannot say it all: target versions, and the text of
fixes that rewrite a whole statement."""

from __future__ import annotations

import textwrap
from pathlib import Path

from asynclint.engine import check_source
from asynclint.settings import Settings

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def codes_by_line(text: str, code: str, target: tuple[int, int] = (3, 10)) -> list[int]:
    settings = Settings(select=(code,), preview=True, target_version=target)
    result = check_source(text, "example.py", settings)
    assert result.internal_errors == []
    return [d.line for d in result.diagnostics if d.code == code]


def fixed(text: str, code: str, *, unsafe: bool = True) -> str | None:
    settings = Settings(select=(code,), preview=True)
    return check_source(text, "example.py", settings, fix=True, unsafe=unsafe).fixed_text


def test_primitives_created_at_import_are_fine_from_python_310() -> None:
    text = (FIXTURES / "AIO308.py").read_text(encoding="utf-8")
    assert codes_by_line(text, "AIO308", (3, 9))
    assert codes_by_line(text, "AIO308", (3, 8))
    assert codes_by_line(text, "AIO308", (3, 10)) == []
    assert codes_by_line(text, "AIO308", (3, 13)) == []


def test_with_await_lock_still_works_on_python_38() -> None:
    text = textwrap.dedent(
        """\
        import asyncio
        lock = asyncio.Lock()
        async def f():
            with (await lock):
                pass
            with lock:
                pass
        """
    )
    assert codes_by_line(text, "AIO305", (3, 8)) == [6]
    assert codes_by_line(text, "AIO305", (3, 9)) == [4, 6]


def test_bare_await_lock_is_an_error_from_python_39_and_fixed_by_acquire() -> None:
    text = textwrap.dedent(
        """\
        import asyncio
        lock = asyncio.Lock()
        async def f():
            await lock
            try:
                pass
            finally:
                lock.release()
            holder = await lock
        """
    )
    assert codes_by_line(text, "AIO305", (3, 8)) == []
    assert codes_by_line(text, "AIO305", (3, 9)) == [4, 9]
    assert fixed(text, "AIO305") == text.replace("    await lock\n", "    await lock.acquire()\n")


def test_async_with_fix_keeps_the_body_its_comments_and_indentation() -> None:
    text = (
        "import asyncio\n"
        "\n"
        "lock = asyncio.Lock()\n"
        "\n"
        "\n"
        "class C:\n"
        "\tasync def f(self, x):\n"
        "\t\ttry:\n"
        "\t\t\t# before\n"
        "\t\t\twith (await lock):  # header\n"
        "\t\t\t\tif x:\n"
        '\t\t\t\t\ty = """a\n'
        'b"""\n'
        "\t\t\t\telse:\n"
        "\t\t\t\t\ttry:\n"
        "\t\t\t\t\t\tpass\n"
        "\t\t\t\t\tfinally:\n"
        "\t\t\t\t\t\tx = 2  # last\n"
        "\t\t\t\t\t# inner footer\n"
        "\t\t\t# outer footer\n"
        "\t\texcept ValueError:\n"
        "\t\t\tpass\n"
    )
    expected = text.replace("with (await lock):", "async with lock:")
    assert fixed(text, "AIO305", unsafe=False) == expected


def test_async_with_fix_for_every_primitive_item_and_one_line_bodies() -> None:
    text = textwrap.dedent(
        """\
        import asyncio
        a = asyncio.Lock()
        b = asyncio.Semaphore(2)
        async def f():
            with a, b: pass  # both
        """
    )
    assert fixed(text, "AIO305") == text.replace("with a, b:", "async with a, b:")


def test_wait_closed_fix_is_unsafe() -> None:
    text = textwrap.dedent(
        """\
        import asyncio
        async def f(host):
            reader, writer = await asyncio.open_connection(host, 80)
            writer.close()
        """
    )
    assert fixed(text, "AIO402", unsafe=False) is None
    assert fixed(text, "AIO402") == text + "    await writer.wait_closed()\n"


def test_order_inversion_reports_both_sides_once_with_the_other_function() -> None:
    text = textwrap.dedent(
        """\
        import asyncio
        a = asyncio.Lock()
        b = asyncio.Lock()
        async def one():
            async with a:
                async with b:
                    pass
        async def two():
            async with b:
                async with a:
                    pass
        async def three():
            async with b:
                async with a:
                    pass
        """
    )
    settings = Settings(select=("AIO303",))
    result = check_source(text, "example.py", settings)
    messages = {d.line: d.message for d in result.diagnostics}
    assert sorted(messages) == [6, 10, 14]
    assert messages[6].startswith(
        "`b` is acquired while holding `a`, but `two` acquires `a` while holding `b`"
    )
    assert messages[10].startswith(
        "`a` is acquired while holding `b`, but `one` acquires `b` while holding `a`"
    )
