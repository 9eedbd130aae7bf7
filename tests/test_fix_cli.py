"""`--fix`, `--unsafe-fixes`, `--diff` and `--show-fixes` on the command line, with the safe
fixes the rules have now: AIO401 (insert `await writer.drain()`), AIO504 (drop `loop=`),
AIO601 (add `await`), AIO604 (`get_event_loop()` -> `get_running_loop()`), and AIO201's
unsafe `wait()` -> `communicate()`.

What a fix may change is the edit itself: every other byte of the file (line endings, tabs,
comments, an encoding cookie, a byte-order mark) stays as it was."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from asynclint.cli import cli

LOOP_604 = """\
import asyncio


async def read_file(path):
\t# the loop runs the work on a thread
\tloop = asyncio.get_event_loop()  # keep this comment
\treturn await loop.run_in_executor(None, len, path)
"""
LOOP_604_FIXED = LOOP_604.replace("get_event_loop()", "get_running_loop()")

LOOP_ARG_504 = """\
import asyncio


async def make(size, loop):
    queue = asyncio.Queue(maxsize=size, loop=loop)  # queue for the workers
    return queue
"""
LOOP_ARG_504_FIXED = LOOP_ARG_504.replace(", loop=loop)", ")")

SLEEP_601 = """\
import asyncio


async def retry(operation, attempts):
    for attempt in range(attempts):
        try:
            return await operation()
        except ConnectionError:
            asyncio.sleep(2**attempt)
"""
SLEEP_601_FIXED = SLEEP_601.replace("asyncio.sleep(", "await asyncio.sleep(")

DRAIN_401 = """\
import asyncio


async def send(host):
\treader, writer = await asyncio.open_connection(host, 80)
\twriter.write(b"ping")  # no drain
"""
DRAIN_401_FIXED = DRAIN_401 + "\tawait writer.drain()\n"

WAIT_201 = """\
import asyncio
from asyncio.subprocess import PIPE


async def run_tests(path):
    proc = await asyncio.create_subprocess_exec("pytest", path, stdout=PIPE)
    await proc.wait()
    return proc.returncode
"""
WAIT_201_FIXED = WAIT_201.replace("proc.wait()", "proc.communicate()")

FIXABLE = {
    "loop604.py": (LOOP_604, LOOP_604_FIXED),
    "loop504.py": (LOOP_ARG_504, LOOP_ARG_504_FIXED),
    "sleep601.py": (SLEEP_601, SLEEP_601_FIXED),
    "drain401.py": (DRAIN_401, DRAIN_401_FIXED),
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str, stdin: bytes | None = None) -> Result:
    # AIO604 is opt-in; its fix is one of those exercised here.
    command = ["--no-cache", "--extend-select", "AIO604", *args]
    return CliRunner().invoke(cli, command, input=stdin, catch_exceptions=False)


def _write_bytes(root: Path, name: str, data: bytes) -> Path:
    path = root / name
    path.write_bytes(data)
    return path


def _crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode()


# Each safe fix, and what it leaves alone


@pytest.mark.parametrize("name", sorted(FIXABLE))
def test_each_safe_fix_with_crlf_tabs_and_comments_kept(project: Path, name: str) -> None:
    before, after = FIXABLE[name]
    path = _write_bytes(project, name, _crlf(before))
    result = invoke("--fix", name)
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == _crlf(after)
    assert result.stderr == "Found 1 finding (1 fixed, 0 remaining).\n"


@pytest.mark.parametrize("name", sorted(FIXABLE))
def test_a_second_fix_changes_nothing(project: Path, name: str) -> None:
    before, after = FIXABLE[name]
    path = _write_bytes(project, name, before.encode())
    assert invoke("--fix", name).exit_code == 0
    written = path.stat().st_mtime_ns, path.read_bytes()
    os.utime(path, ns=(0, 0))
    again = invoke("--fix", name)
    assert (again.exit_code, again.stdout, again.stderr) == (0, "", "All checks passed!\n")
    assert path.read_bytes() == written[1] == after.encode()
    assert path.stat().st_mtime_ns == 0  # not even rewritten with the same bytes


def test_latin1_cookie_and_its_bytes_are_kept(project: Path) -> None:
    header = b"# -*- coding: latin-1 -*-\n# r\xe9sum\xe9 of the retries\n"
    path = _write_bytes(project, "m.py", header + SLEEP_601.encode())
    assert invoke("--fix", "m.py").exit_code == 0
    assert path.read_bytes() == header + SLEEP_601_FIXED.encode()


def test_byte_order_mark_is_kept(project: Path) -> None:
    bom = b"\xef\xbb\xbf"
    path = _write_bytes(project, "m.py", bom + _crlf(LOOP_ARG_504))
    assert invoke("--fix", "m.py").exit_code == 0
    assert path.read_bytes() == bom + _crlf(LOOP_ARG_504_FIXED)


def test_file_without_final_newline(project: Path) -> None:
    path = _write_bytes(project, "m.py", DRAIN_401.rstrip("\n").encode())
    assert invoke("--fix", "m.py").exit_code == 0
    assert path.read_bytes() == DRAIN_401_FIXED.rstrip("\n").encode()


def test_several_fixes_in_one_file(project: Path) -> None:
    path = _write_bytes(project, "m.py", (LOOP_604 + "\n\n" + SLEEP_601).encode())
    result = invoke("--fix", "--show-fixes", "m.py")
    assert result.exit_code == 0
    assert path.read_text() == LOOP_604_FIXED + "\n\n" + SLEEP_601_FIXED
    assert result.stderr.splitlines() == [
        "Fixed 2 findings:",
        "- m.py:",
        "    1 x AIO601 (coroutine-never-awaited)",
        "    1 x AIO604 (get-event-loop-in-coroutine)",
        "Found 2 findings (2 fixed, 0 remaining).",
    ]


# Writing: permissions, atomicity, only code that parses


def test_permissions_are_kept_and_no_temporary_file_is_left(project: Path) -> None:
    path = _write_bytes(project, "m.py", LOOP_604.encode())
    path.chmod(0o750)
    assert invoke("--fix", "m.py").exit_code == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o750
    assert sorted(p.name for p in project.iterdir()) == ["m.py"]


def test_file_is_replaced_not_rewritten_in_place(project: Path) -> None:
    # An atomic replace gives the path a new inode; a reader holding the old file sees it whole.
    path = _write_bytes(project, "m.py", LOOP_604.encode())
    before = path.stat().st_ino
    with path.open("rb") as reader:
        assert invoke("--fix", "m.py").exit_code == 0
        assert reader.read() == LOOP_604.encode()
    assert path.stat().st_ino != before
    assert path.read_text() == LOOP_604_FIXED


def test_a_failed_write_leaves_the_file_and_reports_it(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write_bytes(project, "m.py", LOOP_604.encode())

    def refuse(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    result = invoke("--fix", "m.py")
    assert result.exit_code == 2
    assert "asynclint: internal error: m.py: cannot write fixes: Permission denied" in (
        result.stderr
    )
    assert path.read_text() == LOOP_604
    assert sorted(p.name for p in project.iterdir()) == ["m.py"]


def test_fixes_that_do_not_parse_are_not_written(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from asynclint.fixes import apply as fix

    path = _write_bytes(project, "m.py", LOOP_604.encode())
    monkeypatch.setattr(fix, "apply_fixes", lambda text, fixes: text + "def broken(:\n")
    for args in (["--fix"], ["--diff"]):
        result = invoke(*args, "m.py")
        assert result.exit_code == 2
        assert "m.py: fixes for AIO604 produced code that does not parse; not applied" in (
            result.stderr
        )
        assert path.read_text() == LOOP_604


# Safe and unsafe


def test_unsafe_fix_needs_unsafe_fixes(project: Path) -> None:
    path = _write_bytes(project, "m.py", WAIT_201.encode())
    safe_only = invoke("--fix", "m.py")
    assert safe_only.exit_code == 1
    assert path.read_text() == WAIT_201
    assert safe_only.stdout.startswith("m.py:7:11: AIO201 ")
    assert safe_only.stderr == (
        "Found 1 finding: 1 warning.\n"
        "(1 hidden fix can be enabled with the `--unsafe-fixes` option.)\n"
    )
    unsafe = invoke("--fix", "--unsafe-fixes", "m.py")
    assert (unsafe.exit_code, unsafe.stdout) == (0, "")
    assert path.read_text() == WAIT_201_FIXED


def test_unsafe_fixes_without_fix_only_count_them_as_fixable(project: Path) -> None:
    path = _write_bytes(project, "m.py", WAIT_201.encode())
    result = invoke("--unsafe-fixes", "m.py")
    assert result.exit_code == 1
    assert result.stderr == "Found 1 finding: 1 warning.\n[*] 1 fixable with the `--fix` option.\n"
    assert path.read_text() == WAIT_201


# --diff


def test_diff_shows_every_change_writes_nothing_and_exits_one(project: Path) -> None:
    for name, (before, _) in FIXABLE.items():
        _write_bytes(project, name, before.encode())
    _write_bytes(project, "unsafe.py", WAIT_201.encode())
    result = invoke("--diff", ".")
    assert result.exit_code == 1
    assert result.stderr == "Would fix 4 findings.\n"
    for name, (before, _) in FIXABLE.items():
        assert f"--- a/{name}\n+++ b/{name}\n" in result.stdout
        assert (project / name).read_text() == before
    assert "unsafe.py" not in result.stdout
    assert "-\tloop = asyncio.get_event_loop()  # keep this comment\n" in result.stdout
    assert "+\tloop = asyncio.get_running_loop()  # keep this comment\n" in result.stdout
    with_unsafe = invoke("--diff", "--unsafe-fixes", "unsafe.py")
    assert with_unsafe.exit_code == 1
    assert "+    await proc.communicate()\n" in with_unsafe.stdout
    assert (project / "unsafe.py").read_text() == WAIT_201


def test_diff_without_changes_exits_zero(project: Path) -> None:
    _write_bytes(project, "unsafe.py", WAIT_201.encode())
    result = invoke("--diff", "unsafe.py")
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        "",
        "No findings would be fixed.\n",
    )


def test_diff_is_exactly_the_edit(project: Path) -> None:
    _write_bytes(project, "m.py", LOOP_ARG_504.encode())
    result = invoke("--diff", "m.py")
    assert result.stdout == (
        "--- a/m.py\n+++ b/m.py\n@@ -2,5 +2,5 @@\n \n \n async def make(size, loop):\n"
        "-    queue = asyncio.Queue(maxsize=size, loop=loop)  # queue for the workers\n"
        "+    queue = asyncio.Queue(maxsize=size)  # queue for the workers\n"
        "     return queue\n"
    )


def test_diff_goes_to_the_output_file(project: Path) -> None:
    _write_bytes(project, "m.py", SLEEP_601.encode())
    result = invoke("--diff", "--output", "changes.diff", "m.py")
    assert (result.exit_code, result.stdout) == (1, "")
    assert (
        "+            await asyncio.sleep(2**attempt)\n" in (project / "changes.diff").read_text()
    )
    assert (project / "m.py").read_text() == SLEEP_601


def test_diff_of_standard_input(project: Path) -> None:
    result = invoke("-", "--diff", "--stdin-filename", "m.py", stdin=SLEEP_601.encode())
    assert result.exit_code == 1
    assert result.stdout.startswith("--- a/m.py\n+++ b/m.py\n")
    assert not (project / "m.py").exists()


# --show-fixes


def test_show_fixes_lists_fixes_per_file_and_remaining_findings(project: Path) -> None:
    _write_bytes(project, "a.py", LOOP_604.encode())
    _write_bytes(project, "b.py", (DRAIN_401 + "\n\n" + WAIT_201).encode())
    result = invoke("--fix", "--show-fixes", ".")
    assert result.exit_code == 1
    (remaining,) = result.stdout.splitlines()[:1]
    assert remaining.startswith("b.py:16:11: AIO201 ")  # where it is after the fix
    assert result.stdout.splitlines()[1] == (
        "    fix (unsafe): Replace `proc.wait()` with `proc.communicate()`"
    )
    assert result.stderr.splitlines() == [
        "Fixed 2 findings:",
        "- a.py:",
        "    1 x AIO604 (get-event-loop-in-coroutine)",
        "- b.py:",
        "    1 x AIO401 (stream-write-without-drain)",
        "Found 3 findings (2 fixed, 1 remaining: 1 warning).",
        "(1 hidden fix can be enabled with the `--unsafe-fixes` option.)",
    ]


def test_show_fixes_when_nothing_was_fixed(project: Path) -> None:
    _write_bytes(project, "m.py", WAIT_201.encode())
    result = invoke("--fix", "--show-fixes", "m.py")
    assert result.stderr.splitlines()[0] == "No findings fixed."


# flake8 never writes


def test_flake8_reports_but_never_changes_the_file(project: Path) -> None:
    path = _write_bytes(project, "m.py", _crlf(LOOP_604))
    path.chmod(0o644)
    before = path.stat().st_mtime_ns
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "AIO,AIO604", "m.py"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1
    assert "m.py:6:9: AIO604 " in result.stdout
    assert path.read_bytes() == _crlf(LOOP_604)
    assert path.stat().st_mtime_ns == before


def test_flake8_plugin_asks_the_engine_for_no_fixes(monkeypatch: pytest.MonkeyPatch) -> None:
    from asynclint import engine
    from asynclint.flake8_plugin import Plugin

    calls: list[dict[str, object]] = []
    real = engine.check_source

    def spy(*args: object, **kwargs: object) -> object:
        calls.append(kwargs)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "check_source", spy)
    from asynclint.config import CliOptions

    # AIO604 is opt-in: select it as `flake8 --select AIO,AIO604` would.
    monkeypatch.setattr(Plugin, "cli", CliOptions(extend_select=("AIO604",)))
    monkeypatch.setattr(Plugin, "_projects", None)
    found = list(Plugin(None, LOOP_604.splitlines(keepends=True), "m.py").run())  # type: ignore[arg-type]
    assert [message.split()[0] for _, _, message, _ in found] == ["AIO604"]
    assert calls and all(not call.get("fix") and not call.get("unsafe") for call in calls)
