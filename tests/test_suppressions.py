"""Turning findings off: `per-file-ignores` (globs relative to the project root, as in ruff),
file-level `# asynclint: noqa[: codes]`, line `# noqa`, and the exclusions
(`--extend-exclude`, `--force-exclude`) as the command line applies them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from asynclint.cli import cli
from asynclint.selection import enabled_codes_for_path
from asynclint.settings import Settings

SYNTAX_ERROR = "async def broken(:\n    pass\n"
# AIO201 at line 7 and AIO401 at line 11.
TWO_FINDINGS = """\
import asyncio
from asyncio.subprocess import PIPE


async def run(path):
    proc = await asyncio.create_subprocess_exec("ls", path, stdout=PIPE)
    await proc.wait()
    reader, writer = await asyncio.open_connection("localhost", 80)
    await reader.read(10)
    await writer.drain()
    writer.write(b"bye")
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _write(root: Path, files: dict[str, str]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)


def invoke(*args: str, stdin: bytes | None = None) -> Result:
    return CliRunner().invoke(cli, ["--no-cache", *args], input=stdin, catch_exceptions=False)


def reported(result: Result) -> list[str]:
    return [line.split(": ")[0] + " " + line.split()[1] for line in result.stdout.splitlines()]


# per-file-ignores: relative to the project root


@pytest.fixture
def tree(project: Path) -> Path:
    (project / "pyproject.toml").write_text(
        '[tool.asynclint.per-file-ignores]\n"gen/*" = ["AIO001"]\n'
    )
    _write(
        project,
        {"gen/bad.py": SYNTAX_ERROR, "sub/gen/bad.py": SYNTAX_ERROR, "sub/bad.py": SYNTAX_ERROR},
    )
    return project


def test_glob_is_anchored_at_the_project_root(tree: Path) -> None:
    result = invoke(".")
    # sub/gen/bad.py is not gen/*: the glob is relative to the root, not to any directory.
    assert reported(result) == ["sub/bad.py:1:18 AIO001", "sub/gen/bad.py:1:18 AIO001"]


@pytest.mark.parametrize("given", ["gen/bad.py", "./gen/bad.py", "gen//bad.py", "ABSOLUTE"])
def test_glob_matches_however_the_path_is_given(tree: Path, given: str) -> None:
    path = str(tree / "gen" / "bad.py") if given == "ABSOLUTE" else given
    assert invoke(path).exit_code == 0


def test_glob_matches_from_a_subdirectory(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tree / "gen")
    assert invoke("bad.py").exit_code == 0
    assert invoke(".").exit_code == 0
    monkeypatch.chdir(tree / "sub")
    assert invoke("../gen/bad.py").exit_code == 0
    assert reported(invoke("gen/bad.py")) == ["gen/bad.py:1:18 AIO001"]  # that is sub/gen/
    stdin = invoke("-", "--stdin-filename", "../gen/x.py", stdin=SYNTAX_ERROR.encode())
    assert stdin.exit_code == 0


def test_command_line_globs_are_relative_to_the_project_root_too(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tree / "sub")
    result = invoke("--per-file-ignores", "sub/*:AIO001", ".")
    assert result.exit_code == 0
    assert invoke("--per-file-ignores", "bad.py:AIO001", "bad.py").exit_code == 0  # a name


def test_without_a_config_file_the_root_is_the_current_directory(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(project, {"a/gen/bad.py": SYNTAX_ERROR})
    monkeypatch.chdir(project / "a")
    assert invoke("--per-file-ignores", "gen/*:AIO001", ".").exit_code == 0
    monkeypatch.chdir(project)
    assert invoke("--per-file-ignores", "gen/*:AIO001", ".").exit_code == 1


def test_an_explicit_config_file_roots_the_project_where_it_is(project: Path) -> None:
    _write(project, {"conf/lint.toml": 'per-file-ignores = { "gen/*" = ["AIO001"] }\n'})
    _write(project, {"conf/gen/bad.py": SYNTAX_ERROR, "gen/bad.py": SYNTAX_ERROR})
    result = invoke("--config", "conf/lint.toml", ".")
    assert reported(result) == ["gen/bad.py:1:18 AIO001"]


def test_name_globs_and_double_star(project: Path) -> None:
    _write(
        project,
        {
            "test_top.py": SYNTAX_ERROR,
            "deep/er/test_low.py": SYNTAX_ERROR,
            "conftest.py": SYNTAX_ERROR,
            "x/conftest.py": SYNTAX_ERROR,
            "keep.py": SYNTAX_ERROR,
        },
    )
    result = invoke(
        "--per-file-ignores", "test_*.py:AIO001", "--per-file-ignores", "**/conftest.py:AIO0", "."
    )
    assert reported(result) == ["keep.py:1:18 AIO001"]


def test_selection_on_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(
        per_file_ignores=(("src/gen/*", ("AIO4",)), ("/abs/*", ("AIO2",))),
        project_root=str(tmp_path),
    )
    monkeypatch.chdir(tmp_path)
    assert "AIO401" not in enabled_codes_for_path("src/gen/m.py", settings)
    assert "AIO401" not in enabled_codes_for_path(str(tmp_path / "src/gen/m.py"), settings)
    assert "AIO401" in enabled_codes_for_path("other/src/gen/m.py", settings)
    assert "AIO201" not in enabled_codes_for_path("/abs/m.py", settings)
    monkeypatch.chdir(tmp_path / "..")
    # Same relative path, another working directory: another file.
    assert "AIO401" in enabled_codes_for_path("src/gen/m.py", settings)


# File-level and line-level noqa


def test_file_level_noqa_silences_the_whole_file(project: Path) -> None:
    _write(project, {"m.py": "# asynclint: noqa\n" + TWO_FINDINGS})
    assert (invoke("m.py").exit_code, invoke("m.py").stdout) == (0, "")


def test_file_level_noqa_with_codes_silences_only_those(project: Path) -> None:
    _write(project, {"m.py": TWO_FINDINGS + "# asynclint: noqa: AIO201\n"})
    assert reported(invoke("m.py")) == ["m.py:11:5 AIO401"]
    _write(project, {"m.py": "# asynclint: noqa: AIO4\n" + TWO_FINDINGS})
    assert reported(invoke("m.py")) == ["m.py:8:11 AIO201"]


def test_file_level_noqa_must_be_a_comment_line_of_its_own(project: Path) -> None:
    _write(
        project,
        {"m.py": TWO_FINDINGS.replace("import asyncio", "import asyncio  # asynclint: noqa")},
    )
    assert reported(invoke("m.py")) == ["m.py:7:11 AIO201", "m.py:11:5 AIO401"]


def test_line_noqa_and_fix(project: Path) -> None:
    source = "import asyncio\n\n\nasync def f():\n    asyncio.sleep(1)  # noqa: AIO601\n"
    _write(project, {"m.py": source})
    result = invoke("--fix", "m.py")
    assert (result.exit_code, result.stderr) == (0, "All checks passed!\n")
    assert (project / "m.py").read_text() == source  # a suppressed finding is not fixed either


# Exclusions


def test_extend_exclude_from_config_and_command_line_add_up(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.asynclint]\nextend-exclude = ["gen/"]\n')
    _write(
        project,
        {"gen/a.py": SYNTAX_ERROR, "x_pb2.py": SYNTAX_ERROR, "build/b.py": SYNTAX_ERROR},
    )
    _write(project, {"ok.py": SYNTAX_ERROR})
    result = invoke("--extend-exclude", "*_pb2.py", ".")
    assert reported(result) == ["ok.py:1:18 AIO001"]  # build/ is a default exclusion


def test_force_exclude_applies_exclusions_to_named_files(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "pyproject.toml").write_text('[tool.asynclint]\nextend-exclude = ["/gen/"]\n')
    _write(project, {"gen/a.py": SYNTAX_ERROR, "src/gen/b.py": SYNTAX_ERROR})
    assert invoke("gen/a.py").exit_code == 1  # named explicitly: checked
    assert invoke("--force-exclude", "gen/a.py").exit_code == 0
    # An anchored pattern (`/gen/`) is relative to the project root, from anywhere.
    assert invoke("--force-exclude", "src/gen/b.py").exit_code == 1
    monkeypatch.chdir(project / "src")
    assert invoke("--force-exclude", "../gen/a.py").exit_code == 0
    assert invoke("--force-exclude", "gen/b.py").exit_code == 1
