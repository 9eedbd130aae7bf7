"""Hostile and odd input through the real command line (`python -m asynclint check` in a
subprocess): each case names the diagnostic it must produce and the exit status, and a bad file
never hides the findings in the other files of the same run.

Some failures cannot be produced for real in a test: as root, `chmod 000` does not make a file
unreadable, and a file cannot be made to vanish at an exact moment of a run from outside. Those
cases run the same command line in a subprocess after patching the one function involved
(`discover` deletes or replaces a file right after finding it; `open` refuses one path; the
directory walk finds a directory gone), and say so."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from urllib.parse import unquote_to_bytes

import pytest

from asynclint.engine import FILE_BUDGET_SECONDS

pytestmark = pytest.mark.slow

# A file with one real finding (AIO401 at line 4, column 5) to put next to every bad file.
FINDING = (
    "import asyncio\n\n\nasync def send(writer: asyncio.StreamWriter):\n    writer.write(b'ping')\n"
)
FINDING_LINE = (
    "z_finding.py:5:5: AIO401 `writer.write()` is never followed by `await writer.drain()`"
)
FINDING_MESSAGE_END = ": without it the buffer grows without limit when the peer reads slowly"


def asynclint(
    *args: str | bytes, cwd: Path, timeout: float = 300, prelude: str | None = None
) -> tuple[int, str, str]:
    """Run `asynclint check --no-cache ARGS` in `cwd`; (exit status, stdout, stderr). With a
    `prelude`, that Python code runs in the same process first (to patch what a test cannot
    arrange from outside) and the command line is started from it."""
    if prelude is None:
        command: list[str | bytes] = [sys.executable, "-m", "asynclint"]
    else:
        script = f"{prelude}\nimport sys\nfrom asynclint.cli import main\nmain(sys.argv[1:])\n"
        command = [sys.executable, "-c", script]
    done = subprocess.run(
        [*command, "check", "--no-cache", *args],
        cwd=cwd,
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    decode = lambda data: data.decode("utf-8", "surrogateescape")  # noqa: E731
    return done.returncode, decode(done.stdout), decode(done.stderr)


def with_finding(tmp_path: Path, name: str | bytes, content: bytes) -> Path:
    """The bad file `name` next to z_finding.py, whose finding must still be reported."""
    target = os.path.join(os.fsencode(tmp_path), os.fsencode(name))
    with open(target, "wb") as handle:
        handle.write(content)
    (tmp_path / "z_finding.py").write_text(FINDING)
    return tmp_path


def python_error(source: bytes) -> SyntaxError:
    """The error Python reports for `source`, from its parser or else its compiler."""
    try:
        compile(source, "bad.py", "exec", dont_inherit=True)
    except SyntaxError as error:
        return error
    raise AssertionError("Python accepts this source")


# --- files that do not parse ---------------------------------------------------------------------

SYNTAX_ERRORS = {
    "unclosed-bracket": b"async def main():\n    values = [1, 2,\n\n\ndef other():\n    pass\n",
    "keyword-as-name": b"async def main():\n    class = 1\n",
    "stray-indent": b"async def main():\n    pass\n        return\n",
    "unterminated-triple-quote": b'async def main():\n    """never closed\n    pass\n',
    "await-in-lambda-default": b"async def main():\n    f = lambda x=(await y: 1\n",
    "bytes-and-str": b"async def main():\n    return 'text' b'bytes'\n",  # libcst: a tree error
    "bare-except-not-last": (  # only Python's compiler rejects this; libcst: a tree error
        b"async def main():\n    try:\n        pass\n    except:\n        pass\n"
        b"    except ValueError:\n        pass\n"
    ),
}


@pytest.mark.parametrize("source", SYNTAX_ERRORS.values(), ids=SYNTAX_ERRORS.keys())
def test_syntax_error_at_pythons_position_and_others_still_checked(
    tmp_path: Path, source: bytes
) -> None:
    expected = python_error(source)
    status, out, err = asynclint(cwd=with_finding(tmp_path, "bad.py", source))
    assert status == 1, err
    first, second = out.splitlines()
    assert (
        first == f"bad.py:{expected.lineno}:{expected.offset}: AIO001 syntax error: {expected.msg}"
    )
    assert second.startswith(FINDING_LINE)
    assert "internal error" not in err


PYTHON_2 = {
    "print-statement": (b"# async helpers\nprint 'hello'\n", "Missing parentheses in call"),
    "exec-statement": (b"# async\nexec 'x = 1'\n", "Missing parentheses in call to 'exec'"),
    "octal-literal": (b"# async\nmode = 0777\n", "leading zeros in decimal integer literals"),
    "backticks": (b"# async\nvalue = `1`\n", "invalid syntax"),
    "raise-with-comma": (b"# async\nraise ValueError, 'bad'\n", "invalid syntax"),
    "async-as-a-name": (b"async = True\nprint 'hello'\n", "invalid syntax"),
}


@pytest.mark.parametrize(("source", "message"), PYTHON_2.values(), ids=PYTHON_2.keys())
def test_python_2_file_is_a_syntax_error(tmp_path: Path, source: bytes, message: str) -> None:
    expected = python_error(source)
    status, out, _ = asynclint(cwd=with_finding(tmp_path, "legacy.py", source))
    assert status == 1
    first, second = out.splitlines()
    assert first.startswith(f"legacy.py:{expected.lineno}:{expected.offset}: AIO001 syntax error:")
    assert message in first
    assert second.startswith(FINDING_LINE)


def test_python_2_file_that_never_mentions_async_is_skipped(tmp_path: Path) -> None:
    # As documented: without `async` in it a file cannot hold an asyncio pitfall; not parsed.
    status, out, err = asynclint(cwd=with_finding(tmp_path, "legacy.py", b"print 'hello'\n"))
    assert status == 1
    assert [line.split(":")[0] for line in out.splitlines()] == ["z_finding.py"]
    assert "internal error" not in err


# --- files that cannot be read or decoded --------------------------------------------------------

UNDECODABLE = {
    "null-bytes": (b"async def f():\n    return 1\x00\n", "contains NUL bytes"),
    "png-named-py": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDRasync\xff\xd8", "contains NUL bytes"),
    "elf-named-py": (b"\x7fELF\x02\x01\x01\x00\x00\x00\x00async", "contains NUL bytes"),
    "utf-16-with-bom": ("async def f():\n    pass\n".encode("utf-16"), "contains NUL bytes"),
    "invalid-utf-8": (b"async def f():\n    return '\xff\xfe'\n", "cannot decode as utf-8"),
    "truncated-utf-8": (b"async def f():\n    return '\xc3'\n", "cannot decode as utf-8"),
    "wrong-cookie": (b"# coding: ascii\nasync def f():\n    return '\xc3\xa9'\n", "as ascii"),
    "unknown-cookie": (b"# -*- coding: klingon -*-\nasync def f(): pass\n", "klingon"),
    "bytes-codec-cookie": (b"# coding: hex\nasync def f(): pass\n", "not a text encoding"),
    "bom-and-latin-1-cookie": (b"\xef\xbb\xbf# coding: latin-1\nasync def f(): pass\n", "utf-8"),
}


@pytest.mark.parametrize(("data", "message"), UNDECODABLE.values(), ids=UNDECODABLE.keys())
def test_undecodable_file_is_aio002_and_others_still_checked(
    tmp_path: Path, data: bytes, message: str
) -> None:
    status, out, err = asynclint(cwd=with_finding(tmp_path, "blob.py", data))
    assert status == 1, err
    first, second = out.splitlines()
    assert first.startswith("blob.py:1:1: AIO002 cannot decode file: ")
    assert message in first
    assert second.startswith(FINDING_LINE)


def test_binary_file_without_async_in_it_is_still_reported(tmp_path: Path) -> None:
    status, out, _ = asynclint(cwd=with_finding(tmp_path, "image.py", b"\x00\x01\x02\xff"))
    assert status == 1
    assert (
        out.splitlines()[0]
        == "image.py:1:1: AIO002 cannot decode file: contains NUL bytes (binary file?)"
    )


def test_file_larger_than_the_limit_is_skipped_with_a_notice(tmp_path: Path) -> None:
    huge = b"async def f():\n    pass\n" + b"x = 1\n" * (11 * 1024 * 1024 // 6)
    status, out, _ = asynclint(cwd=with_finding(tmp_path, "huge.py", huge))
    assert status == 1
    first, second = out.splitlines()
    assert first == "huge.py:1:1: AIO003 file is larger than 10 MiB; skipped"
    assert second.startswith(FINDING_LINE)


# --- encodings, line endings and whitespace: findings at the right place ------------------------

# One AIO401 finding on the line with `write`; where Python puts that call is the truth.
WRITE = "import asyncio\nasync def f(w: asyncio.StreamWriter):\n    s = 'é'; w.write(b'x')\n"


def _write_call_position(text: str) -> tuple[int, int]:
    (call,) = [
        node
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "write"
    ]
    line = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")[call.lineno - 1]
    # ast's col_offset counts UTF-8 bytes; editors (and asynclint) count characters.
    column = len(line.encode()[: call.col_offset].decode()) + 1
    return call.lineno, column


ENCODED = {
    "utf-8": WRITE.encode(),
    "utf-8-bom": b"\xef\xbb\xbf" + WRITE.encode(),
    "utf-8-sig-cookie": b"\xef\xbb\xbf# coding: utf-8-sig\n" + WRITE.encode(),
    "latin-1-cookie": ("# -*- coding: latin-1 -*-\n" + WRITE).encode("latin-1"),
    "cp1252-cookie-second-line": (
        "#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\n" + WRITE
    ).encode("cp1252"),
    "crlf": WRITE.replace("\n", "\r\n").encode(),
    "lone-cr": WRITE.replace("\n", "\r").encode(),
    "mixed-line-endings": (
        b"import asyncio\r\nasync def f(w: asyncio.StreamWriter):\r    s = 1; w.write(b'x')\n"
    ),
    "no-final-newline": WRITE.rstrip("\n").encode(),
    "form-feeds": ("\x0c\n" + WRITE.replace("    s =", "\x0c    s =")).encode(),
    "tab-indent": WRITE.replace("    ", "\t").encode(),
    "tab-then-spaces": WRITE.replace("    s =", "\t    s =").encode(),
    "wide-characters-before": WRITE.replace("'é'", "'日本語😀'").encode(),
    "line-continuation": WRITE.replace("w.write(b'x')", "w.write(\\\n        b'x')").encode(),
}


@pytest.mark.parametrize("data", ENCODED.values(), ids=ENCODED.keys())
def test_finding_positions_in_any_encoding_and_line_ending(tmp_path: Path, data: bytes) -> None:
    from asynclint.source import decode

    text = decode(data).text
    line, column = _write_call_position(text)
    (tmp_path / "odd.py").write_bytes(data)
    status, out, err = asynclint("odd.py", cwd=tmp_path)
    assert status == 1, err
    assert out.startswith(f"odd.py:{line}:{column}: AIO401 ")
    assert len(out.splitlines()) == 1


# The fix inserts a line after the write, which must have its line to itself.
FIXABLE = WRITE.replace("; w.write", "\n    w.write")
FIX_CASES = {
    "crlf": FIXABLE.replace("\n", "\r\n").encode(),
    "lone-cr": FIXABLE.replace("\n", "\r").encode(),
    "latin-1-cookie": ("# coding: latin-1\n" + FIXABLE).encode("latin-1"),
    "utf-8-bom": b"\xef\xbb\xbf" + FIXABLE.encode(),
    "tab-indent": FIXABLE.replace("    ", "\t").encode(),
    "no-final-newline": FIXABLE.rstrip("\n").encode(),
}


@pytest.mark.parametrize("data", FIX_CASES.values(), ids=FIX_CASES.keys())
def test_fix_keeps_encoding_and_line_endings(tmp_path: Path, data: bytes) -> None:
    from asynclint.source import decode

    path = tmp_path / "odd.py"
    path.write_bytes(data)
    status, out, err = asynclint("--fix", "odd.py", cwd=tmp_path)
    assert (status, out) == (0, ""), err
    fixed = path.read_bytes()
    before, after = decode(data), decode(fixed)
    assert before.encoding == after.encoding
    assert fixed.startswith(b"\xef\xbb\xbf") == data.startswith(b"\xef\xbb\xbf")
    newline = b"\r\n" if b"\r\n" in data else b"\r" if b"\r" in data else b"\n"
    assert fixed.count(newline) == data.count(newline) + 1  # one new line, same ending
    indent = b"\t" if b"\t" in data else b"    "
    assert newline + indent + b"await w.drain()" in fixed
    assert asynclint("odd.py", cwd=tmp_path)[0] == 0  # nothing left to find


@pytest.mark.parametrize(
    "data", [b"", b"\n\n\n", b"\xef\xbb\xbf", b"# async\n", b"\r\n", b"async def f(): ..."]
)
def test_empty_and_almost_empty_files_are_clean(tmp_path: Path, data: bytes) -> None:
    (tmp_path / "empty.py").write_bytes(data)
    status, out, err = asynclint("empty.py", cwd=tmp_path)
    assert (status, out) == (0, "")
    skipped = "" if b"async" in data else "1 file without async skipped (not parsed).\n"
    assert err == "All checks passed!\n" + skipped


# --- big, long and deep files --------------------------------------------------------------------


def _generated_module(lines: int) -> str:
    """A generated module: a large data table and many small async handlers, the way schema
    or protocol generators write them, with one finding in its very last function."""
    out = ["import asyncio", "", "TABLE = {"]
    out += [f"    {i}: ('name_{i}', {i * 7 % 13}, b'\\x{i % 256:02x}')," for i in range(lines // 2)]
    out += ["}", ""]
    index = 0
    while len(out) < lines - 4:
        out += [
            "",
            f"async def handler_{index}(writer: asyncio.StreamWriter, item: bytes) -> None:",
            "    if item in TABLE:",
            "        writer.write(item)",
            "        await writer.drain()",
        ]
        index += 1
    out += [
        "",
        "",
        "async def last(writer: asyncio.StreamWriter) -> None:",
        "    writer.write(b'x')",
    ]
    return "\n".join(out) + "\n"


def test_a_50k_line_generated_file_is_analysed_when_the_budget_allows(tmp_path: Path) -> None:
    text = _generated_module(50_000)
    line_count = text.count("\n")
    assert line_count >= 50_000
    (tmp_path / "generated.py").write_text(text)
    status, out, _ = asynclint("generated.py", cwd=tmp_path)
    assert status == 1
    assert out.splitlines()[0].startswith(
        f"generated.py:1:1: AIO003 {line_count:,} lines, over the max-lines budget of 20,000"
    )
    started = time.monotonic()
    status, out, err = asynclint("--max-file-lines", "0", "generated.py", cwd=tmp_path, timeout=600)
    elapsed = time.monotonic() - started
    if "AIO003 analysis took longer than" in out:  # only acceptable when it really did
        assert elapsed >= FILE_BUDGET_SECONDS, out
        return
    assert status == 1, err
    assert out.splitlines() == [
        f"generated.py:{line_count}:5: AIO401 `writer.write()` is never followed by "
        "`await writer.drain()`: without it the buffer grows without limit when the peer "
        "reads slowly"
    ]


DEEP = {
    # Python's own limits (200 brackets, 100 indentation levels) make these syntax errors;
    # the native parser would overflow the C stack on some of them, and must never see them.
    "brackets-past-pythons-limit": ("x = " + "(" * 5000 + "1" + ")" * 5000, "AIO001", 3),
    "lists-past-pythons-limit": ("x = " + "[" * 300 + "]" * 300, "AIO001", 3),
    "indentation-past-pythons-limit": (
        "".join("    " * i + "if x:\n" for i in range(120)) + "    " * 120 + "pass",
        "AIO001",
        None,
    ),
    # Chains too long for Python to compile: skipped, with a notice.
    "operator-chain": ("x = 1" + " + 1" * 30000, "AIO003", 1),
    "unary-chain": ("x = " + "-" * 30000 + "1", "AIO003", 1),
}


@pytest.mark.parametrize(("body", "code", "line"), DEEP.values(), ids=DEEP.keys())
def test_pathologically_deep_code_is_answered_not_crashed(
    tmp_path: Path, body: str, code: str, line: int | None
) -> None:
    source = f"async def f():\n    pass\n{body}\n".encode()
    if line is None:
        line = python_error(source).lineno
    status, out, err = asynclint(cwd=with_finding(tmp_path, "deep.py", source))
    assert status == 1, err
    first, second = out.splitlines()
    assert first.startswith(f"deep.py:{line}:")
    assert f" {code} " in first
    assert second.startswith(FINDING_LINE)
    assert "internal error" not in err


NESTED_WITHIN_LIMITS = {
    "brackets-190-deep": "x = " + "(" * 190 + "w" + ")" * 190 + ".write(b'x')",
    "lists-150-deep": "x = " + "[" * 150 + "]" * 150 + "; w.write(b'x')",
    "blocks-90-deep": "".join("    " * i + "if x:\n" for i in range(90))
    + "    " * 90
    + "w.write(b'x')",
    "functions-60-deep": "".join("    " * i + f"async def f{i}():\n" for i in range(60))
    + "    " * 60
    + "w.write(b'x')",
}


@pytest.mark.parametrize("body", NESTED_WITHIN_LIMITS.values(), ids=NESTED_WITHIN_LIMITS.keys())
def test_deep_code_within_pythons_limits_is_analysed(tmp_path: Path, body: str) -> None:
    source = (
        "import asyncio\nasync def outer(w: asyncio.StreamWriter):\n"
        + textwrap.indent(body, "    ")
        + "\n"
    )
    ast.parse(source)
    (tmp_path / "deep.py").write_text(source)
    status, out, err = asynclint("deep.py", cwd=tmp_path)
    assert status == 1, err
    # The one finding, at the write on the last line, however deep it is.
    (line,) = out.splitlines()
    assert line.startswith(f"deep.py:{len(source.splitlines())}:")
    assert " AIO401 " in line


# Long, flat constructs: nothing nested in the source, but libcst's tree is as deep as the
# chain is long. Real code has them: CPython's own Lib/pydoc_data/topics.py concatenates over
# 2,000 string literals in one expression. Python compiles all of these.
LONG_CHAINS = {
    "implicit-string-concatenation": "X = (\n"
    + "".join(f"    'part {i}'\n" for i in range(1200))
    + ")",
    "elif-chain": "def pick(x):\n    if x == -1:\n        return -1\n"
    + "".join(f"    elif x == {i}:\n        return {i}\n" for i in range(1200)),
    "plus-chain": "X = (\n    0\n" + "".join(f"    + {i}\n" for i in range(1200)) + ")",
    "boolean-chain": "X = (\n    a\n" + "".join(f"    and a{i}\n" for i in range(1200)) + ")",
}


@pytest.mark.parametrize("body", LONG_CHAINS.values(), ids=LONG_CHAINS.keys())
def test_long_flat_chains_are_analysed_not_skipped(tmp_path: Path, body: str) -> None:
    source = FINDING + "\n\n" + body + "\n"
    compile(source, "chain.py", "exec", dont_inherit=True)
    (tmp_path / "chain.py").write_text(source)
    status, out, err = asynclint("chain.py", cwd=tmp_path)
    assert out.splitlines()[0].startswith(FINDING_LINE.replace("z_finding.py", "chain.py")), out
    assert "AIO003" not in out
    assert status == 1, err


# Chains that overflowed the stack of libcst's native parser (a segmentation fault that ended
# the whole run) at about 9,000 links, in short lines one bracket deep, so that no cheap screen
# sends them to Python's parser first. (Python takes the `and` chain; it refuses an `elif`
# chain this long, but only if asked.)
NATIVE_PARSER_KILLERS = {
    "and-chain": "X = (\n    a\n" + "    and a\n" * 12000 + ")",
    "elif-chain": "def pick(x):\n    if x == -1:\n        return -1\n"
    + "".join(f"    elif x == {i}:\n        return {i}\n" for i in range(12000)),
}


@pytest.mark.parametrize("body", NATIVE_PARSER_KILLERS.values(), ids=NATIVE_PARSER_KILLERS.keys())
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_chains_that_overflowed_the_parser_do_not_crash(
    tmp_path: Path, body: str, jobs: str
) -> None:
    source = FINDING + "\n\n" + body + "\n"
    status, out, err = asynclint(
        "--jobs", jobs, cwd=with_finding(tmp_path, "chain.py", source.encode())
    )
    assert status == 1, err
    first, *_, last = out.splitlines()
    # Analysed, or skipped with a notice; never a crash, and the other file is still checked.
    assert first.startswith(("chain.py:1:1: AIO003 ", "chain.py:5:5: AIO401 ")), first
    assert last.startswith(FINDING_LINE)
    assert "internal error" not in err


def test_syntax_libcst_cannot_parse_is_reported_as_such(tmp_path: Path) -> None:
    # Python accepts thousands of implicitly concatenated literals; libcst's parser does not.
    body = "X = (\n" + "".join(f"    'part {i}'\n" for i in range(5000)) + ")"
    source = FINDING + "\n" + body + "\n"
    compile(source, "many.py", "exec", dont_inherit=True)
    status, out, err = asynclint(cwd=with_finding(tmp_path, "many.py", source.encode()))
    assert status == 1, err
    first, second = out.splitlines()
    assert first.startswith("many.py:")
    assert " AIO001 syntax error: libcst " in first
    assert f"cannot parse this file, although Python {sys.version_info[0]}." in first
    assert second.startswith(FINDING_LINE)


# --- files and directories that change during a run ----------------------------------------------

_AFTER_DISCOVERY = """
import os, shutil
import asynclint.runner as runner
_discover = runner.discover
def discover(*args, **kwargs):
    found = _discover(*args, **kwargs)
{action}
    return found
runner.discover = discover
"""


def _after_discovery(action: str) -> str:
    return _AFTER_DISCOVERY.format(action=textwrap.indent(textwrap.dedent(action), "    "))


def test_file_removed_after_discovery_is_aio002_and_the_run_goes_on(tmp_path: Path) -> None:
    with_finding(tmp_path, "gone.py", b"async def f():\n    pass\n")
    prelude = _after_discovery("os.remove('gone.py')")
    status, out, err = asynclint(".", cwd=tmp_path, prelude=prelude)
    assert status == 1, err
    first, second = out.splitlines()
    assert first == "gone.py:1:1: AIO002 cannot read file: No such file or directory"
    assert second.startswith(FINDING_LINE)
    assert not (tmp_path / "gone.py").exists()


def test_file_replaced_by_a_directory_after_discovery(tmp_path: Path) -> None:
    with_finding(tmp_path, "moved.py", b"async def f():\n    pass\n")
    prelude = _after_discovery("os.remove('moved.py'); os.mkdir('moved.py')")
    status, out, err = asynclint(".", cwd=tmp_path, prelude=prelude)
    assert status == 1, err
    first, second = out.splitlines()
    assert first == "moved.py:1:1: AIO002 cannot read file: Is a directory"
    assert second.startswith(FINDING_LINE)


def test_unreadable_file_is_aio002_and_the_run_goes_on(tmp_path: Path) -> None:
    # As root, chmod 000 changes nothing: `open` is made to refuse the file instead, in the
    # process that reads it (--jobs 1 keeps every read in that process).
    with_finding(tmp_path, "secret.py", b"async def f():\n    pass\n")
    prelude = """
import builtins, errno, os
import asynclint.engine, asynclint.runner
def refusing_open(file, *args, **kwargs):
    if os.path.basename(os.fsdecode(file)) == "secret.py":
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), file)
    return builtins.open(file, *args, **kwargs)
asynclint.runner.open = asynclint.engine.open = refusing_open
"""
    status, out, err = asynclint("--jobs", "1", ".", cwd=tmp_path, prelude=prelude)
    assert status == 1, err
    first, second = out.splitlines()
    assert first == "secret.py:1:1: AIO002 cannot read file: Permission denied"
    assert second.startswith(FINDING_LINE)


def test_directory_that_vanishes_during_the_walk_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "lost.py").write_text(FINDING)
    with_finding(tmp_path, "a.py", b"x = 1\n")
    prelude = """
import os
_scandir = os.scandir
def scandir(path=".", *args):
    if isinstance(path, str) and os.path.basename(path) == "pkg":
        os.remove(os.path.join(path, "lost.py"))
        os.rmdir(path)
    return _scandir(path, *args)
os.scandir = scandir
"""
    status, out, err = asynclint(".", cwd=tmp_path, prelude=prelude)
    assert status == 1, err
    assert [line.split(":")[0] for line in out.splitlines()] == ["z_finding.py"]
    assert "asynclint: warning: pkg: cannot list directory: No such file or directory" in err


def test_fix_never_overwrites_a_file_edited_during_the_run(tmp_path: Path) -> None:
    # The user saves the file after asynclint read it and before it writes the fixes: writing
    # the fixed old text would silently undo that edit.
    (tmp_path / "a_edited.py").write_text(FINDING)
    (tmp_path / "b_fixed.py").write_text(FINDING)
    edited = FINDING + "\n\nprint('saved by the user while asynclint ran')\n"
    prelude = f"""
import asynclint.fixes.write as fix_writing
_write_fixes = fix_writing.write_fixes
def write_fixes(results):
    with open("a_edited.py", "w") as handle:
        handle.write({edited!r})
    return _write_fixes(results)
fix_writing.write_fixes = write_fixes
"""
    status, out, err = asynclint("--fix", ".", cwd=tmp_path, prelude=prelude)
    assert (status, out) == (2, ""), err
    assert (tmp_path / "a_edited.py").read_text() == edited
    assert err.splitlines() == [
        "Found 1 finding (1 fixed, 0 remaining).",
        "asynclint: internal error: a_edited.py: changed while it was being checked;"
        " fixes not written",
    ]
    assert (tmp_path / "b_fixed.py").read_text() == FINDING + "    await writer.drain()\n"


# --- paths ---------------------------------------------------------------------------------------


def test_symlink_loops_are_neither_followed_nor_fatal(tmp_path: Path) -> None:
    with_finding(tmp_path, "a.py", b"x = 1\n")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "b.py").write_text(FINDING)
    (tmp_path / "pkg" / "again").symlink_to(tmp_path / "pkg", target_is_directory=True)
    (tmp_path / "pkg" / "up").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "ping.py").symlink_to(tmp_path / "pong.py")
    (tmp_path / "pong.py").symlink_to(tmp_path / "ping.py")
    status, out, err = asynclint(".", cwd=tmp_path, timeout=60)
    assert status == 1, err
    assert [line.split(":")[0] for line in out.splitlines()] == ["pkg/b.py", "z_finding.py"]
    # Named on the command line, a link loop is an error that names it (exit 2); the other
    # paths are still checked.
    status, out, err = asynclint("ping.py", "pkg", cwd=tmp_path, timeout=60)
    assert status == 2
    assert [line.split(":")[0] for line in out.splitlines()] == ["pkg/b.py"]
    assert err.splitlines()[0] == "asynclint: error: ping.py: symbolic link loop"


def test_a_fifo_named_py_neither_blocks_nor_crashes(tmp_path: Path) -> None:
    with_finding(tmp_path, "a.py", b"x = 1\n")
    os.mkfifo(tmp_path / "pipe.py")
    status, out, err = asynclint(".", cwd=tmp_path, timeout=60)
    assert status == 1, err
    assert [line.split(":")[0] for line in out.splitlines()] == ["z_finding.py"]
    status, out, err = asynclint("pipe.py", cwd=tmp_path, timeout=60)
    assert (status, out) == (2, "")
    assert err.splitlines()[0] == "asynclint: error: pipe.py: not a regular file or directory"


NAMES = {
    "spaces": ("my project", "send data.py"),
    "non-ascii": ("café", "naïve_日本.py"),
    "leading-dash": ("-dir", "-file.py"),
    "shell-characters": ("a;b", "$(x) `y` 'q'.py"),
    "not-utf-8": (b"dir\xff", b"\xfe\xff.py"),
}


@pytest.mark.parametrize(("directory", "name"), NAMES.values(), ids=NAMES.keys())
def test_odd_paths_are_reported_exactly(
    tmp_path: Path, directory: str | bytes, name: str | bytes
) -> None:
    folder = os.path.join(os.fsencode(tmp_path), os.fsencode(directory))
    os.mkdir(folder)
    with open(os.path.join(folder, os.fsencode(name)), "wb") as handle:
        handle.write(FINDING.encode())
    shown = os.path.join(os.fsdecode(directory), os.fsdecode(name))
    status, out, err = asynclint("--", ".", cwd=tmp_path)
    assert status == 1, err
    assert out.startswith(f"{shown}:5:5: AIO401 ")
    # Named on the command line, and in every output format.
    status, out, err = asynclint("--format", "json", "--", os.fsencode(shown), cwd=tmp_path)
    assert status == 1, err
    (item,) = json.loads(out)
    assert item["filename"] == shown
    status, out, err = asynclint("--format", "sarif", "--", ".", cwd=tmp_path)
    assert status == 1, err
    (result,) = json.loads(out)["runs"][0]["results"]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert unquote_to_bytes(uri) == os.fsencode(shown)  # percent-encoded bytes of the name
    status, out, err = asynclint("--format", "github", "--", ".", cwd=tmp_path)
    assert status == 1, err
    assert out.startswith("::warning file=")


# --- configuration -------------------------------------------------------------------------------

BAD_CONFIG = {
    "invalid-toml": (b"[tool.asynclint\nselect = 1\n", "invalid TOML"),
    "not-utf-8": (b'[tool.asynclint]\nselect = ["AIO\xff"]\n', "invalid TOML"),
    "binary": (b"\x00\x01\x02\x03", "invalid TOML"),
    "unknown-key": (b"[tool.asynclint]\nselect = []\nfix-all = true\n", "unknown key 'fix-all'"),
    "section-not-a-table": (b'[tool]\nasynclint = "strict"\n', "[tool.asynclint]"),
    "wrong-type": (b'[tool.asynclint]\nselect = "AIO4"\n', "select"),
    "unknown-rule-code": (b'[tool.asynclint]\nignore = ["AIO999"]\n', "unknown rule code"),
    "unknown-code-per-file": (
        # another tool's code (E501) there is only a warning: test_cli covers it
        b'[tool.asynclint.per-file-ignores]\n"tests/*" = ["AIO999"]\n',
        "unknown rule code",
    ),
    "bad-target-version": (b'[tool.asynclint]\ntarget-version = "py27"\n', "target version"),
}


@pytest.mark.parametrize(("content", "message"), BAD_CONFIG.values(), ids=BAD_CONFIG.keys())
def test_bad_configuration_is_a_clear_error_from_a_subdirectory(
    tmp_path: Path, content: bytes, message: str
) -> None:
    (tmp_path / "pyproject.toml").write_bytes(content)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "m.py").write_text(FINDING)
    status, out, err = asynclint("src", cwd=tmp_path)
    assert (status, out) == (2, "")
    assert err.startswith(f"asynclint: error: {tmp_path / 'pyproject.toml'}")
    assert message in err
    assert "Traceback" not in err and len(err.splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--extend-select", "AIO1,AIO99"], "--extend-select: unknown rule code or prefix 'AIO99'"),
        # Other tools' codes in ignores are only warned about (test_cli); unknown AIO ones fail.
        (["--per-file-ignores", "src/*:AIO991"], "unknown rule code or prefix 'AIO991'"),
        (["--ignore", "AIO4,,AIOX"], "--ignore: unknown rule code or prefix 'AIOX'"),
    ],
)
def test_unknown_rule_codes_on_the_command_line(
    tmp_path: Path, args: list[str], message: str
) -> None:
    (tmp_path / "m.py").write_text(FINDING)
    status, out, err = asynclint(*args, "m.py", cwd=tmp_path)
    assert (status, out) == (2, "")
    assert message in err


@pytest.mark.parametrize(
    ("args", "reported"),
    [
        (["--select", ""], False),  # selects nothing
        (["--ignore", "aio401"], False),  # codes are not case-sensitive
        (["--select", " aio4 , "], True),
    ],
)
def test_odd_but_valid_rule_selections(tmp_path: Path, args: list[str], reported: bool) -> None:
    (tmp_path / "m.py").write_text(FINDING)
    status, out, err = asynclint(*args, "m.py", cwd=tmp_path)
    assert "Traceback" not in err
    if reported:
        assert status == 1
        assert out.startswith("m.py:5:5: AIO401 ")
    else:
        assert (status, out, err) == (0, "", "All checks passed!\n")


def test_unknown_codes_in_noqa_comments_are_not_errors(tmp_path: Path) -> None:
    # Other tools' codes share noqa comments; an unknown code there suppresses nothing.
    source = FINDING.replace("b'ping')", "b'ping')  # noqa: XYZ123, E501")
    (tmp_path / "m.py").write_text(source)
    status, out, err = asynclint("m.py", cwd=tmp_path)
    assert status == 1, err
    assert out.startswith("m.py:5:5: AIO401 ")


def test_a_directory_named_pyproject_toml_is_not_a_config(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").mkdir()
    (tmp_path / "m.py").write_text(FINDING)
    status, out, err = asynclint("m.py", cwd=tmp_path)
    assert status == 1, err
    assert out.startswith("m.py:5:5: AIO401 ")


# --- a crash inside the analysis never takes the run down ----------------------------------------


def test_a_parser_crash_is_an_internal_error_and_the_run_goes_on(tmp_path: Path) -> None:
    with_finding(tmp_path, "boom.py", b"async def f():\n    pass\n")
    prelude = """
import asynclint.engine as engine
_parse = engine._parse
def parse(text, *args):
    if "async def f():" in text:
        raise ValueError("parser exploded")
    return _parse(text, *args)
engine._parse = parse
"""
    # --jobs 1: the patch lives in this process (a crashed worker is test_runner's case).
    status, out, err = asynclint("--jobs", "1", ".", cwd=tmp_path, prelude=prelude)
    assert status == 2, err
    assert out.splitlines() == [FINDING_LINE + FINDING_MESSAGE_END]
    assert "asynclint: internal error: boom.py: analysis failed: ValueError: parser exploded" in err
    assert "Traceback" not in err
