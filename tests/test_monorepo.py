"""Several projects checked in one run, through the installed `asynclint` command: each file
gets its own project's configuration and Python version, paths in a config file are relative
to that file's directory, and `--config` gives one configuration to every file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from asynclint.config import CliOptions, resolve
from asynclint.runner import Outcome, run

EXECUTABLE = Path(sys.executable).with_name("asynclint")
COMMAND = [str(EXECUTABLE)] if EXECUTABLE.exists() else [sys.executable, "-m", "asynclint"]

# AIO503 below Python 3.11 only.
TASK_GROUP = """\
import asyncio


async def main():
    async with asyncio.TaskGroup() as group:
        group.create_task(asyncio.sleep(1))
"""
TASK_GROUP_FINDING = "5:16: AIO503"
# AIO401 whatever the version.
UNDRAINED = """\
import asyncio


async def send(host):
    reader, writer = await asyncio.open_connection(host, 80)
    writer.write(b"ping")
"""
UNDRAINED_FINDING = "6:5: AIO401"


def write(root: Path, files: dict[str, str]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)


def findings(*args: str, cwd: Path) -> list[str]:
    """`path:line:column: CODE` of each finding, the paths with `/`."""
    done = subprocess.run(
        [*COMMAND, "check", "--no-cache", "-q", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode in (0, 1), done.stderr
    return sorted(" ".join(line.split()[:2]) for line in done.stdout.splitlines())


@pytest.fixture
def monorepo(tmp_path: Path) -> Path:
    """Two projects side by side: `old` supports Python 3.9, `new` 3.11 and has settings."""
    write(
        tmp_path,
        {
            "old/pyproject.toml": '[project]\nname = "old"\nrequires-python = ">=3.9"\n',
            "old/app.py": TASK_GROUP,
            "old/tests/test_send.py": UNDRAINED,
            "old/gen/send.py": UNDRAINED,
            "new/pyproject.toml": (
                '[project]\nname = "new"\nrequires-python = ">=3.11"\n'
                "[tool.asynclint]\n"
                'per-file-ignores = { "tests/*" = ["AIO401"] }\n'
                'extend-exclude = ["/gen/"]\n'
            ),
            "new/app.py": TASK_GROUP,
            "new/tests/test_send.py": UNDRAINED,
            "new/gen/send.py": UNDRAINED,
        },
    )
    return tmp_path


EACH_PROJECT_ITS_OWN = [
    f"old/app.py:{TASK_GROUP_FINDING}",
    f"old/gen/send.py:{UNDRAINED_FINDING}",
    f"old/tests/test_send.py:{UNDRAINED_FINDING}",
]


@pytest.mark.parametrize("paths", [(".",), ("new", "old"), ("old", "new")])
def test_each_file_gets_its_own_projects_configuration(
    monorepo: Path, paths: tuple[str, ...]
) -> None:
    assert findings(*paths, cwd=monorepo) == EACH_PROJECT_ITS_OWN


def test_the_same_from_inside_a_project(monorepo: Path) -> None:
    expected = [line.replace("old/", "../old/", 1) for line in EACH_PROJECT_ITS_OWN]
    assert findings("../old", ".", cwd=monorepo / "new") == expected


def test_files_named_one_by_one_keep_their_projects(monorepo: Path) -> None:
    names = ["new/app.py", "old/app.py", "new/tests/test_send.py", "old/tests/test_send.py"]
    assert findings(*names, cwd=monorepo) == [
        f"old/app.py:{TASK_GROUP_FINDING}",
        f"old/tests/test_send.py:{UNDRAINED_FINDING}",
    ]


def test_a_project_with_only_requires_python_keeps_the_settings_around_it(
    monorepo: Path,
) -> None:
    (monorepo / "pyproject.toml").write_text(
        '[project]\nrequires-python = ">=3.12"\n'
        '[tool.asynclint]\nper-file-ignores = { "old/tests/*" = ["AIO4"] }\n'
    )
    # old: the root's per-file-ignores (relative to the root), its own Python 3.9.
    assert findings(".", cwd=monorepo) == [
        f"old/app.py:{TASK_GROUP_FINDING}",
        f"old/gen/send.py:{UNDRAINED_FINDING}",
    ]


def test_config_option_gives_one_configuration_to_every_file(monorepo: Path) -> None:
    # new's settings and Python for both projects; its paths stay relative to new/.
    assert findings("--config", "new/pyproject.toml", ".", cwd=monorepo) == [
        f"old/gen/send.py:{UNDRAINED_FINDING}",
        f"old/tests/test_send.py:{UNDRAINED_FINDING}",
    ]


@pytest.mark.parametrize(
    "text",
    [
        # pyproject-style, in a file named otherwise
        '[tool.asynclint]\ntarget-version = "py311"\nper-file-ignores = { "tests/*" = ["AIO4"] }\n',
        # the keys at the top level
        'target-version = "py311"\nper-file-ignores = { "tests/*" = ["AIO4"] }\n',
    ],
)
def test_config_file_of_either_form_with_paths_relative_to_it(monorepo: Path, text: str) -> None:
    write(monorepo, {"old/lint.toml": text})
    assert findings("--config", "old/lint.toml", "old", "new/app.py", cwd=monorepo) == [
        f"old/gen/send.py:{UNDRAINED_FINDING}",
    ]


def test_a_second_run_is_served_from_the_cache_project_by_project(
    monorepo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(monorepo)
    config = resolve(CliOptions(), start=".")
    assert config.projects is not None

    def check() -> Outcome:
        return run(
            ["."],
            config.settings,
            discovery=config.discovery,
            project_root=config.project_root,
            settings_for=config.projects.settings_for if config.projects else None,
            jobs=1,
        )

    first, second = check(), check()
    assert len(second.results) == 5  # new/gen is excluded
    assert (first.cache_hits, second.cache_hits) == (0, 5)
    assert second.results == first.results
    found = sorted(f"{d.path}:{d.line}:{d.column}: {d.code}" for d in second.diagnostics)
    assert found == EACH_PROJECT_ITS_OWN


def test_a_broken_config_file_of_a_nested_project_is_an_error_naming_it(monorepo: Path) -> None:
    write(monorepo, {"old/pyproject.toml": "[tool.asynclint\n"})
    done = subprocess.run(
        [*COMMAND, "check", "--no-cache", "."],
        cwd=monorepo,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.startswith(f"asynclint: error: {monorepo / 'old' / 'pyproject.toml'}: ")
    assert "invalid TOML" in done.stderr
