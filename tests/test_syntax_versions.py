"""The code asynclint analyses may be written for any Python from 3.8 to 3.14, whichever Python
runs asynclint (3.10 or later): libcst parses the union of those grammars.

Each case puts a known finding (AIO401: a `writer.write()` with no `drain()` after it) inside
or next to one syntax feature, and checks that the file is analysed and the finding is reported
where it is. Where libcst cannot parse valid Python, AIO001 must say exactly that."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from asynclint.engine import check_source
from asynclint.settings import Settings

# feature -> (the Python version that introduced it, the code; `# here` marks the finding)
FEATURES = {
    "walrus (3.8)": """
        async def f(reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
            while (data := await reader.read(100)):
                writer.write(data)  # here
    """,
    "positional-only parameters (3.8)": """
        async def f(writer: asyncio.StreamWriter, /, data: bytes, *, flush: bool = False):
            writer.write(data)  # here
    """,
    "f-string = specifier (3.8)": """
        async def f(writer: asyncio.StreamWriter, count: int):
            writer.write(f"{count=}".encode())  # here
    """,
    "any expression as decorator (3.9)": """
        @handlers[0].on("message").register
        async def f(writer: asyncio.StreamWriter):
            writer.write(b"x")  # here
    """,
    "match statement (3.10)": """
        async def f(writer: asyncio.StreamWriter, message):
            match message:
                case {"type": "ping", **rest} if rest:
                    writer.write(b"pong")  # here
                case Point(x=0) | [1, *_] | None:
                    pass
                case str() as text:
                    pass
    """,
    "parenthesized context managers (3.10)": """
        async def f(lock: asyncio.Lock, sem: asyncio.Semaphore, writer: asyncio.StreamWriter):
            async with (
                lock as held,
                sem,
            ):
                writer.write(b"x")  # here
    """,
    "except* (3.11)": """
        async def f(writer: asyncio.StreamWriter):
            try:
                await asyncio.sleep(1)
            except* OSError as group:
                writer.write(b"failed")  # here
    """,
    "star expressions in annotations and subscripts (3.11)": """
        async def f(writer: asyncio.StreamWriter, *args: *Ts) -> tuple[*Ts]:
            writer.write(b"x")  # here
            return args
    """,
    "PEP 695 generic function (3.12)": """
        async def f[T: bytes, *Ts, **P](writer: asyncio.StreamWriter, data: T) -> T:
            writer.write(data)  # here
            return data
    """,
    "PEP 695 generic class (3.12)": """
        class Connection[T]:
            async def send(self, writer: asyncio.StreamWriter, item: T) -> None:
                writer.write(b"x")  # here
    """,
    "type statement (3.12)": """
        type Handler[T] = Callable[[T], Awaitable[None]]
        type Pair = tuple[Handler[bytes], Handler[str]]

        async def f(writer: asyncio.StreamWriter):
            writer.write(b"x")  # here
    """,
    "PEP 701 f-strings: same quotes, backslashes, nesting (3.12)": """
        async def f(writer: asyncio.StreamWriter, items: list[str]):
            writer.write(f"{"\\n".join(f"{f"{item!r}"}" for item in items)}".encode())  # here
    """,
    "PEP 701 f-strings: multi-line expression with a comment (3.12)": """
        async def f(writer: asyncio.StreamWriter, items: list[str]):
            writer.write(f"{  # here
                len(items)  # how many
            }".encode())
    """,
    "PEP 696 type parameter defaults (3.13)": """
        async def f[T = bytes](writer: asyncio.StreamWriter, data: T) -> None:
            writer.write(data)  # here

        class Box[T = int, *Ts = *tuple[int, ...]]:
            pass
    """,
    "template strings (3.14)": """
        async def f(writer: asyncio.StreamWriter, reader: asyncio.StreamReader, name: str):
            greeting = t"hello {name!r:>10} {await reader.read(10)}"
            writer.write(render(greeting))  # here
    """,
    "except without parentheses (3.14)": """
        async def f(writer: asyncio.StreamWriter):
            try:
                await asyncio.sleep(1)
            except ValueError, TypeError:
                writer.write(b"failed")  # here
    """,
    "return in finally (allowed, warned about in 3.14)": """
        async def f(writer: asyncio.StreamWriter):
            try:
                writer.write(b"x")  # here
            finally:
                return
    """,
    "async comprehensions and await in f-strings (3.6+)": """
        async def f(writer: asyncio.StreamWriter, reader: asyncio.StreamReader):
            lines = [line async for line in reader if line]
            writer.write(f"{await reader.read(10)!r}{len(lines)}".encode())  # here
    """,
}


def _source(body: str) -> tuple[str, int, int]:
    """The module for a feature, and where its `# here` finding is (1-based)."""
    source = "import asyncio\n" + textwrap.dedent(body).lstrip("\n")
    (line,) = [n for n, text in enumerate(source.splitlines(), 1) if "# here" in text]
    text = source.splitlines()[line - 1]
    return source, line, text.index("writer.write") + 1


@pytest.mark.parametrize("body", FEATURES.values(), ids=FEATURES.keys())
@pytest.mark.parametrize("target", [(3, 8), (3, 11), (3, 14)], ids=lambda v: f"py3{v[1]}")
def test_feature_is_parsed_and_analysed(body: str, target: tuple[int, int]) -> None:
    source, line, column = _source(body)
    result = check_source(source, "feature.py", Settings(target_version=target))
    assert result.internal_errors == []
    assert [(d.code, d.line, d.column) for d in result.diagnostics] == [("AIO401", line, column)]


def test_features_compile_on_the_python_that_introduced_them() -> None:
    """The cases are valid Python: each one this interpreter knows compiles here."""
    compiled = 0
    for name, body in FEATURES.items():
        introduced = re.search(r"\((\d+)\.(\d+)\+?\)$", name)
        version = (int(introduced[1]), int(introduced[2])) if introduced else (3, 8)
        if sys.version_info[:2] >= version:
            compile(_source(body)[0], name, "exec", dont_inherit=True)
            compiled += 1
    assert compiled >= 8


def test_every_feature_through_the_command_line(tmp_path: Path) -> None:
    expected = []
    for index, body in enumerate(FEATURES.values()):
        source, line, column = _source(body)
        (tmp_path / f"feature_{index:02}.py").write_text(source)
        expected.append(f"feature_{index:02}.py:{line}:{column}: AIO401")
    done = subprocess.run(
        [sys.executable, "-m", "asynclint", "check", "--no-cache", "--target-version", "py314"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert [" ".join(line.split(" ")[:2]) for line in done.stdout.splitlines()] == expected


# Valid Python that libcst (checked with 1.9) does not parse: a parenthesized target of an
# annotated assignment. AIO001 must say that the parser, not the code, is at fault.
LIBCST_GAPS = {
    "parenthesized annotated target": "async def f():\n    (x): int = 1\n",
}


@pytest.mark.parametrize("source", LIBCST_GAPS.values(), ids=LIBCST_GAPS.keys())
def test_valid_code_libcst_cannot_parse_is_reported_as_such(source: str) -> None:
    import libcst

    compile(source, "gap.py", "exec", dont_inherit=True)
    try:
        libcst.parse_module(source)
    except libcst.ParserSyntaxError:
        pass
    else:
        pytest.fail("libcst parses this now: move the case to FEATURES")
    result = check_source(source, "gap.py", Settings())
    (diagnostic,) = result.diagnostics
    assert diagnostic.code == "AIO001"
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert "syntax error: libcst " in diagnostic.message
    assert f"cannot parse this file, although Python {version} accepts it: " in diagnostic.message
    assert "error at" not in diagnostic.message  # libcst's own position text is left out
    assert diagnostic.line == 2  # where libcst stopped
