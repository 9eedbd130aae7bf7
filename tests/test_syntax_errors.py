"""A file that does not parse is reported whatever rules are selected, through the installed
`asynclint` command; files without `async` are skipped unparsed, and the summary says so."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXECUTABLE = Path(sys.executable).with_name("asynclint")
COMMAND = [str(EXECUTABLE)] if EXECUTABLE.exists() else [sys.executable, "-m", "asynclint"]
BROKEN = "import asyncio\nasync def f(:\n    pass\n"
BROKEN_WITHOUT_ASYNC = "def g(:\n    pass\n"
SYNTAX_LINE = "broken.py:2:13: AIO001 syntax error: invalid syntax"


def asynclint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, "check", "--no-cache", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "broken.py").write_text(BROKEN)
    (tmp_path / "plain.py").write_text(BROKEN_WITHOUT_ASYNC)
    return tmp_path


@pytest.mark.parametrize(
    "selection",
    [(), ("--select", "AIO6"), ("--select", "AIO401"), ("--ignore", "AIO4")],
)
def test_selection_never_hides_a_syntax_error(project: Path, selection: tuple[str, ...]) -> None:
    done = asynclint(*selection, ".", cwd=project)
    assert (done.returncode, done.stdout.splitlines()) == (1, [SYNTAX_LINE]), done.stderr


def test_config_selection_never_hides_a_syntax_error(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.asynclint]\nselect = ["AIO4"]\n')
    done = asynclint(".", cwd=project)
    assert done.stdout.splitlines() == [SYNTAX_LINE]


@pytest.mark.parametrize(
    ("option", "config"),
    [
        (("--ignore", "AIO001"), None),
        (("--ignore", "AIO0"), None),
        (("--select", "AIO4", "--ignore", "AIO"), None),
        (("--per-file-ignores", "broken.py:AIO001"), None),
        ((), '[tool.asynclint.per-file-ignores]\n"broken.py" = ["AIO001"]\n'),
    ],
)
def test_ignoring_aio001_hides_it(
    project: Path, option: tuple[str, ...], config: str | None
) -> None:
    if config is not None:
        (project / "pyproject.toml").write_text(config)
    done = asynclint(*option, ".", cwd=project)
    assert (done.returncode, done.stdout) == (0, ""), done.stderr


def test_files_without_async_are_counted_as_skipped(project: Path) -> None:
    done = asynclint(".", cwd=project)
    assert "plain.py" not in done.stdout
    assert done.stderr.splitlines()[-1] == "1 file without async skipped (not parsed)."
    (project / "other.py").write_text("x = 1\n")
    assert asynclint(".", cwd=project).stderr.endswith(
        "2 files without async skipped (not parsed).\n"
    )
    quiet = asynclint("-q", ".", cwd=project)
    assert quiet.stderr == ""


def test_help_says_files_without_async_are_not_parsed() -> None:
    done = subprocess.run(
        [*COMMAND, "check", "--help"], capture_output=True, text=True, check=False, timeout=60
    )
    assert "syntax error in them is not reported" in " ".join(done.stdout.split())
