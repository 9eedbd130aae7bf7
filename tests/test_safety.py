"""What asynclint must never do to the code it checks: import or run it, follow a symlink out of
the paths it was given, or write anywhere but the files it fixes and its cache.

Every test runs the real command line in a subprocess, in a scratch tree whose files would
leave a marker behind if anything executed them, and compares the whole tree (plus HOME and
TMPDIR, pointed into it) before and after."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

FINDING = (
    "import asyncio\n\n\nasync def send(writer: asyncio.StreamWriter):\n    writer.write(b'ping')\n"
)
FIXED = FINDING + "    await writer.drain()\n"
UNFIXABLE = (
    "import asyncio\n\n\n"
    "async def produce(queue: asyncio.Queue):\n"
    "    item = await queue.get()\n"
    "    await queue.join()\n"
)

SCRIPT = Path(sys.executable).with_name("asynclint")


@pytest.fixture
def base(tmp_path: Path) -> Path:
    """The scratch tree, with the HOME and TMPDIR the command line runs with."""
    (tmp_path / "home").mkdir()
    (tmp_path / "tmp").mkdir()
    return tmp_path


def _environment(base: Path) -> dict[str, str]:
    home, tmp = base / "home", base / "tmp"
    return {
        **os.environ,
        "HOME": str(home),
        "TMPDIR": str(tmp),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "PYTHONDONTWRITEBYTECODE": "1",  # what Python itself would write is not asynclint's
    }


def run(command: list[str], cwd: Path, base: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        cwd=cwd,
        env=_environment(base),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def python_m(*args: str) -> list[str]:
    return [sys.executable, "-m", "asynclint", *args]


def snapshot(base: Path) -> dict[str, tuple[str, int]]:
    """Every file, directory and link under `base`: content digest (or link target) and mode."""
    state: dict[str, tuple[str, int]] = {}
    for directory, dirs, files in os.walk(base):
        for name in dirs + files:
            path = os.path.join(directory, name)
            info = os.lstat(path)
            if os.path.islink(path):
                digest = "-> " + os.readlink(path)
            elif name in files:
                with open(path, "rb") as handle:
                    digest = hashlib.sha256(handle.read()).hexdigest()
            else:
                digest = "dir"
            state[os.path.relpath(path, base)] = (digest, info.st_mode)
    return state


def changes(before: dict[str, tuple[str, int]], after: dict[str, tuple[str, int]]) -> set[str]:
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


# --- the code is read, never imported or run -----------------------------------------------------

# Modules asynclint (or the libraries it uses) imports once it runs: a file of the checked
# project with one of these names must not be picked up instead.
SHADOWING = [
    "libcst",
    "pathspec",
    "click",
    "tomllib",
    "tomli",
    "json",
    "tempfile",
    "hashlib",
    "difflib",
    "multiprocessing",
    "concurrent",
    "signal",
]
# Files that tools or Python itself run, given the chance.
RUNNABLE = ["app", "__init__", "__main__", "conftest", "setup", "sitecustomize", "usercustomize"]


def _trap_tree(base: Path) -> tuple[Path, Path]:
    """A project whose every Python file writes a marker when executed, and has a finding."""
    project, markers = base / "project", base / "markers"
    project.mkdir()
    markers.mkdir()
    for name in [*SHADOWING, *RUNNABLE]:
        path = project / (f"{name}/__init__.py" if name == "concurrent" else f"{name}.py")
        path.parent.mkdir(exist_ok=True)
        path.write_text(
            f"import pathlib\npathlib.Path({str(markers / name)!r}).write_text('ran')\n\n" + FINDING
        )
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
    )
    # The trap works: running one of the files leaves its marker.
    subprocess.run([sys.executable, "-I", str(project / "setup.py")], check=True, cwd=base)
    assert os.listdir(markers) == ["setup"]
    (markers / "setup").unlink()
    return project, markers


@pytest.mark.parametrize(
    "how",
    ["python -m from the project", "python -m from elsewhere", "the asynclint command"],
)
@pytest.mark.parametrize("fix", [False, True], ids=["check", "fix"])
def test_checked_code_is_never_imported_or_run(base: Path, how: str, fix: bool) -> None:
    project, markers = _trap_tree(base)
    args = ["check", *(["--fix"] if fix else []), "--no-cache"]
    if how == "the asynclint command":
        if not SCRIPT.exists():
            pytest.fail(f"the asynclint command is not installed next to {sys.executable}")
        done = run([str(SCRIPT), *args, "."], project, base)
    elif how == "python -m from the project":
        done = run(python_m(*args, "."), project, base)
    else:
        done = run(python_m(*args, str(project)), base, base)
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr
    assert sorted(os.listdir(markers)) == []
    checked = len(SHADOWING) + len(RUNNABLE)
    if fix:
        assert "fixed" in done.stderr  # the fixes were made: the files were really analysed
    else:
        assert len([line for line in done.stdout.splitlines() if " AIO401 " in line]) == checked


# --- symlinks out of the given paths --------------------------------------------------------------


def test_symlinks_leading_out_of_the_roots_are_not_followed(base: Path) -> None:
    project, outside = base / "project", base / "outside"
    (project / "pkg").mkdir(parents=True)
    outside.mkdir()
    (project / "pkg" / "inside.py").write_text(FINDING)
    (outside / "secret.py").write_text(FINDING)
    (outside / "deeper").mkdir()
    (outside / "deeper" / "other.py").write_text(FINDING)
    (project / "pkg" / "linked_dir").symlink_to(outside, target_is_directory=True)
    (project / "linked_file.py").symlink_to(outside / "secret.py")
    (project / "parent").symlink_to(base, target_is_directory=True)
    before = snapshot(base)
    done = run(python_m("check", "--fix", "--no-cache", "."), project, base)
    assert done.returncode == 0, done.stderr
    assert changes(before, snapshot(base)) == {"project/pkg/inside.py"}
    assert (project / "pkg" / "inside.py").read_text() == FIXED
    listed = run(python_m("check", "--no-cache", "."), project, base)
    assert listed.stdout == ""  # nothing left inside; nothing outside was looked at


# --- writes: the fixed files and the cache, nothing else -----------------------------------------


def _project(base: Path) -> Path:
    project = base / "project"
    (project / "src").mkdir(parents=True)
    (project / "pyproject.toml").write_text('[project]\nname = "p"\nrequires-python = ">=3.10"\n')
    (project / "src" / "fixable.py").write_text(FINDING)
    (project / "src" / "unfixable.py").write_text(UNFIXABLE)
    (project / "src" / "broken.py").write_text("async def f(:\n    pass\n")
    (project / "src" / "clean.py").write_text("import asyncio\n")
    (project / "README.md").write_text("readme\n")
    (base / "sibling").mkdir()
    (base / "sibling" / "elsewhere.py").write_text(FINDING)
    return project


def _outside_cache(paths: set[str], cache: str) -> set[str]:
    return {path for path in paths if path != cache and not path.startswith(cache + os.sep)}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_fix_writes_only_the_fixed_files_and_the_cache(base: Path, jobs: str) -> None:
    project = _project(base)
    before = snapshot(base)
    done = run(python_m("check", "--fix", "--jobs", jobs, "src"), project, base)
    assert done.returncode == 1, done.stderr  # the unfixable finding and the syntax error
    changed = changes(before, snapshot(base))
    cache = os.path.join("project", ".asynclint_cache")
    assert _outside_cache(changed, cache) == {"project/src/fixable.py"}
    assert any(path.startswith(cache) for path in changed)  # the cache is where it says
    assert (project / "src" / "fixable.py").read_text() == FIXED


def test_a_check_writes_only_its_cache_and_no_cache_writes_nothing(base: Path) -> None:
    project = _project(base)
    before = snapshot(base)
    done = run(python_m("check", "src"), project, base)
    assert done.returncode == 1, done.stderr
    cache = os.path.join("project", ".asynclint_cache")
    assert _outside_cache(changes(before, snapshot(base)), cache) == set()
    before = snapshot(base)
    for args in (["--no-cache"], ["--no-cache", "--diff"], ["--no-cache", "--format", "json"]):
        done = run(python_m("check", *args, "src"), project, base)
        assert done.returncode == 1, done.stderr
        assert changes(before, snapshot(base)) == set(), args


def test_the_cache_goes_where_it_is_told(base: Path) -> None:
    project = _project(base)
    before = snapshot(base)
    done = run(python_m("check", "--fix", "--cache-dir", "../cache", "src"), project, base)
    assert done.returncode == 1, done.stderr
    changed = changes(before, snapshot(base))
    assert _outside_cache(changed, "cache") == {"project/src/fixable.py"}
    assert "cache" in changed
