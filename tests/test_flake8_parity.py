"""flake8 and `asynclint check` find the same things on the same project: the real flake8 and
the installed `asynclint` command over a project with a `[tool.asynclint]` table,
per-file-ignores, excludes, a preview rule, noqa comments of every form and a
`requires-python`, with a nested project of an older Python."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

EXECUTABLE = Path(sys.executable).with_name("asynclint")
ASYNCLINT = [str(EXECUTABLE)] if EXECUTABLE.exists() else [sys.executable, "-m", "asynclint"]
FINDING = re.compile(r"^(?:\./)?(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>AIO\d+) ")

PYPROJECT = """\
[project]
name = "service"
requires-python = ">=3.11"

[tool.asynclint]
ignore = ["AIO604"]
extend-select = ["AIO403"]
per-file-ignores = { "tests/*" = ["AIO401"] }
extend-exclude = ["generated"]
"""

# Every line that can be reported says what: `# reported` or why not.
APP = """\
import asyncio


async def serve(host):
    reader, writer = await asyncio.open_connection(host, 80)
    writer.write(b"hello")  # reported: AIO401
    body = await reader.read()  # reported: AIO403, a preview rule selected by its code
    asyncio.get_event_loop()  # AIO604 is ignored in the config
    asyncio.create_task(asyncio.sleep(1))  # reported: AIO602
    asyncio.create_task(asyncio.sleep(2))  # NOQA: aio602
    asyncio.create_task(asyncio.sleep(3))  # noqa:AIO6
    async with asyncio.TaskGroup() as group:  # Python 3.11 has it
        group.create_task(asyncio.sleep(4))
    return body
"""

UNDRAINED = """\
import asyncio


async def send(host):
    reader, writer = await asyncio.open_connection(host, 80)
    writer.write(b"ping")
    asyncio.create_task(asyncio.sleep(1))
"""

FILES = {
    "pyproject.toml": PYPROJECT,
    "service/app.py": APP,
    # per-file-ignores leaves the AIO602
    "tests/test_send.py": UNDRAINED,
    # excluded
    "generated/send.py": UNDRAINED,
    # a file-level noqa for every code, and one for some codes
    "service/quiet.py": "# asynclint: noqa\n" + UNDRAINED,
    "service/partly.py": "# ASYNCLINT: NOQA: aio401\n" + UNDRAINED,
    # a nested project of its own, for Python 3.9: the TaskGroup is missing there
    "legacy/pyproject.toml": '[project]\nname = "legacy"\nrequires-python = ">=3.9"\n',
    "legacy/app.py": textwrap.dedent(
        """\
        import asyncio


        async def main():
            async with asyncio.TaskGroup() as group:
                group.create_task(asyncio.sleep(1))
        """
    ),
}

EXPECTED = {
    ("service/app.py", 6, 5, "AIO401"),
    ("service/app.py", 7, 18, "AIO403"),
    ("service/app.py", 9, 5, "AIO602"),
    ("tests/test_send.py", 7, 5, "AIO602"),
    ("service/partly.py", 8, 5, "AIO602"),
    ("legacy/app.py", 5, 16, "AIO503"),
}

Finding = tuple[str, int, int, str]


def findings(output: str) -> set[Finding]:
    found = set()
    for line in output.splitlines():
        match = FINDING.match(line)
        assert match is not None, f"not a finding: {line!r}"
        found.add((match["path"], int(match["line"]), int(match["col"]), match["code"]))
    return found


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name, text in FILES.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, check=False, timeout=300
    )


def from_asynclint(cwd: Path, *paths: str) -> set[Finding]:
    done = run([*ASYNCLINT, "check", "--no-cache", "-q", *paths], cwd)
    assert done.returncode == 1, done.stderr
    return findings(done.stdout)


def from_flake8(cwd: Path, *args: str) -> set[Finding]:
    done = run([sys.executable, "-m", "flake8", "--isolated", "--select", "AIO", *args], cwd)
    assert done.returncode == 1 and done.stderr == "", done.stderr
    return findings(done.stdout)


def test_flake8_and_the_command_line_find_the_same(project: Path) -> None:
    assert from_asynclint(project, ".") == EXPECTED
    assert from_flake8(project, ".") == EXPECTED
    # flake8 in parallel workers, from another directory
    inside = {(f"../{path}", *rest) for path, *rest in EXPECTED}
    assert from_flake8(project / "service", "-j", "2", "..") == inside


def test_flake8_options_still_override_the_project(project: Path) -> None:
    # --asynclint-target-version beats requires-python: the TaskGroup is fine everywhere.
    expected = {item for item in EXPECTED if item[3] != "AIO503"}
    assert from_flake8(project, "--asynclint-target-version", "py311", ".") == expected
    assert from_asynclint(project, "--target-version", "py311", ".") == expected


def test_disable_noqa_turns_off_asynclints_comments_too(project: Path) -> None:
    found = from_flake8(project, "--disable-noqa", ".")
    assert ("service/app.py", 10, 5, "AIO602") in found
    assert ("service/quiet.py", 7, 5, "AIO401") in found


def test_a_bad_configuration_is_one_line_per_file_not_a_traceback(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.asynclint]\nignore = ["AIO999"]\n')
    done = run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "AIO", "service"], project
    )
    assert "Traceback" not in done.stderr
    lines = sorted(done.stdout.splitlines())
    assert len(lines) == 3, done.stdout
    for line, name in zip(lines, ["app.py", "partly.py", "quiet.py"], strict=True):
        assert line.startswith(f"service/{name}:1:1: AIO000 asynclint cannot check this file")
        assert "unknown rule code or prefix 'AIO999'" in line
    cli = run([*ASYNCLINT, "check", "--no-cache", "service"], project)
    assert cli.returncode == 2 and "unknown rule code or prefix 'AIO999'" in cli.stderr
