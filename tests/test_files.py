"""File discovery: what a run checks, in which order, and what it leaves alone."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from asynclint.files import (
    DEFAULT_EXCLUDES,
    DiscoveryOptions,
    discover,
    is_excluded,
)


def _make(root: Path, *paths: str, content: str = "x = 1\n") -> None:
    for path in paths:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)


def _found(*paths: str, **options: Any) -> list[str]:
    return discover(list(paths), DiscoveryOptions(**options)).files


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_finds_py_and_pyi_recursively_in_sorted_order(tree: Path) -> None:
    _make(tree, "b.py", "a/z.py", "a/b/c.pyi", "a/y.py", "notes.txt", "a/script", "a.py")
    # Component by component, as pathlib (and ruff) order paths: directory "a" before "a.py".
    assert _found(".") == ["a/b/c.pyi", "a/y.py", "a/z.py", "a.py", "b.py"]


def test_sorting_is_by_path_components_not_raw_strings(tree: Path) -> None:
    # As raw strings "a-b/x.py" < "a/x.py" because "-" < "/".
    _make(tree, "a/x.py", "a-b/x.py")
    assert _found(".") == ["a/x.py", "a-b/x.py"]


def test_no_paths_means_the_current_directory(tree: Path) -> None:
    _make(tree, "m.py")
    assert discover([]).files == ["m.py"]


def test_display_paths_keep_the_root_as_given(tree: Path) -> None:
    _make(tree, "src/pkg/m.py")
    assert _found("src") == [os.path.join("src", "pkg", "m.py")]
    assert _found("src/") == [os.path.join("src", "pkg", "m.py")]
    absolute = str(tree / "src")
    assert _found(absolute) == [os.path.join(absolute, "pkg", "m.py")]


def test_default_excludes_skip_tool_and_build_directories(tree: Path) -> None:
    skipped = [f"{name}/m.py" for name in DEFAULT_EXCLUDES]
    _make(tree, "keep.py", "pkg/venv/m.py", *skipped)
    assert _found(".") == ["keep.py"]


def test_exclude_replaces_the_defaults(tree: Path) -> None:
    _make(tree, "venv/m.py", "gen/m.py", "keep.py")
    assert _found(".", exclude=("gen",)) == ["keep.py", "venv/m.py"]


def test_extend_exclude_adds_globs_and_anchored_paths(tree: Path) -> None:
    _make(tree, "api_pb2.py", "pkg/api_pb2.py", "src/gen/m.py", "other/src/gen/m.py", "venv/m.py")
    found = _found(".", extend_exclude=("*_pb2.py", "src/gen/"), base=str(tree))
    assert found == ["other/src/gen/m.py"]


def test_gitignore_in_root_and_nested_directories(tree: Path) -> None:
    (tree / ".git").mkdir()
    (tree / ".gitignore").write_text("generated/\n*_tmp.py\n")
    _make(tree, "generated/m.py", "a_tmp.py", "keep.py", "sub/local.py", "sub/kept.py")
    (tree / "sub" / ".gitignore").write_text("local.py\n")
    assert _found(".") == ["keep.py", "sub/kept.py"]


def test_nested_gitignore_can_re_include_what_a_parent_ignores(tree: Path) -> None:
    (tree / ".gitignore").write_text("*.pyi\n")
    _make(tree, "a.pyi", "stubs/b.pyi", "stubs/c.pyi")
    (tree / "stubs" / ".gitignore").write_text("!b.pyi\n")
    assert _found(".") == ["stubs/b.pyi"]


def test_later_pattern_in_one_gitignore_wins(tree: Path) -> None:
    (tree / ".gitignore").write_text("*.py\n!main.py\n")
    _make(tree, "main.py", "other.py")
    assert _found(".") == ["main.py"]


def test_gitignore_of_the_repository_applies_to_a_subdirectory_walk(tree: Path) -> None:
    (tree / ".git").mkdir()
    (tree / ".gitignore").write_text("pkg/skip.py\n")
    _make(tree, "pkg/skip.py", "pkg/keep.py")
    assert _found("pkg") == [os.path.join("pkg", "keep.py")]


def test_git_info_exclude_is_honoured(tree: Path) -> None:
    (tree / ".git" / "info").mkdir(parents=True)
    (tree / ".git" / "info" / "exclude").write_text("scratch.py\n")
    _make(tree, "scratch.py", "keep.py")
    assert _found(".") == ["keep.py"]


def test_gitignore_above_the_repository_root_is_not_used(tree: Path) -> None:
    (tree / ".gitignore").write_text("*.py\n")
    (tree / "repo" / ".git").mkdir(parents=True)
    _make(tree, "repo/m.py")
    assert _found("repo") == [os.path.join("repo", "m.py")]


def test_gitignore_can_be_turned_off(tree: Path) -> None:
    (tree / ".gitignore").write_text("m.py\n")
    _make(tree, "m.py")
    assert _found(".", respect_gitignore=False) == ["m.py"]


def test_explicit_files_are_checked_even_if_excluded_or_ignored(tree: Path) -> None:
    (tree / ".gitignore").write_text("ignored.py\n")
    _make(tree, "build/x.py", "ignored.py", "tool")
    assert _found("build/x.py", "ignored.py", "tool") == ["build/x.py", "ignored.py", "tool"]


def test_force_exclude_applies_excludes_to_explicit_paths_and_their_parents(tree: Path) -> None:
    _make(tree, "build/x.py", "gen_pb2.py", "keep.py")
    found = _found(
        "build/x.py",
        "gen_pb2.py",
        "keep.py",
        force_exclude=True,
        extend_exclude=("*_pb2.py",),
        base=str(tree),
    )
    assert found == ["keep.py"]


def test_force_exclude_does_not_look_above_the_project_root(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The project itself lives under a directory called "build": that must not exclude it.
    project = tree / "build" / "project"
    _make(project, "m.py")
    monkeypatch.chdir(project)
    options = {"force_exclude": True, "base": str(project)}
    assert _found("m.py", **options) == ["m.py"]
    assert _found(str(project / "m.py"), **options) == [str(project / "m.py")]


def test_is_excluded_for_a_stdin_filename(tree: Path) -> None:
    options = DiscoveryOptions(base=str(tree))
    assert is_excluded("venv/lib/m.py", options)
    assert not is_excluded("src/m.py", options)


def test_symlink_loop_is_not_followed(tree: Path) -> None:
    _make(tree, "pkg/m.py")
    (tree / "pkg" / "loop").symlink_to(tree / "pkg", target_is_directory=True)
    (tree / "pkg" / "up").symlink_to(tree, target_is_directory=True)
    assert _found(".") == ["pkg/m.py"]


def test_symlinks_out_of_the_root_are_not_followed(
    tree: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside")
    _make(outside, "secret.py", "deep/other.py")
    _make(tree, "m.py")
    (tree / "out").symlink_to(outside, target_is_directory=True)
    (tree / "linked.py").symlink_to(outside / "secret.py")
    assert _found(".") == ["m.py"]


def test_a_symlinked_root_is_walked(tree: Path) -> None:
    _make(tree, "real/m.py")
    (tree / "alias").symlink_to(tree / "real", target_is_directory=True)
    assert _found("alias") == [os.path.join("alias", "m.py")]


def test_overlapping_roots_list_each_file_once(tree: Path) -> None:
    _make(tree, "src/a.py", "src/b.py", "lib/c.py")
    assert _found("src", "src/a.py", ".") == ["lib/c.py", "src/a.py", "src/b.py"]
    assert _found("src/a.py", "lib", "src/a.py") == ["lib/c.py", "src/a.py"]
    (tree / "alias").symlink_to(tree / "src", target_is_directory=True)
    assert _found("alias", "src") == [os.path.join("alias", "a.py"), os.path.join("alias", "b.py")]
    assert _found("lib", "src") == ["lib/c.py", "src/a.py", "src/b.py"]  # apart: all


def test_missing_path_is_an_error_naming_it_and_the_rest_is_found(tree: Path) -> None:
    _make(tree, "m.py")
    found = discover(["nope.py", "m.py"])
    assert found.files == ["m.py"]
    assert found.errors == ["nope.py: No such file or directory"]


def test_broken_symlink_named_explicitly_is_an_error(tree: Path) -> None:
    (tree / "dangling.py").symlink_to(tree / "missing.py")
    found = discover(["dangling.py"])
    assert (found.files, found.errors) == ([], ["dangling.py: broken symbolic link"])


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any directory")
def test_unreadable_directory_is_a_warning_not_a_crash(tree: Path) -> None:
    _make(tree, "locked/m.py", "ok.py")
    (tree / "locked").chmod(0)
    try:
        found = discover(["."])
    finally:
        (tree / "locked").chmod(0o755)
    assert found.files == ["ok.py"]
    assert any("locked" in warning for warning in found.warnings)


def test_a_gitignored_directory_named_explicitly_is_walked(tree: Path) -> None:
    (tree / ".git").mkdir()
    (tree / ".gitignore").write_text("scratch/\n*.tmp.py\n")
    _make(tree, "scratch/a.py", "scratch/deep/b.py", "scratch/c.tmp.py", "other.py")
    (tree / "scratch" / ".gitignore").write_text("deep/\n")
    assert _found("scratch") == [os.path.join("scratch", "a.py")]
    assert _found(".") == ["other.py"]


def test_an_excluded_directory_named_explicitly_is_walked(tree: Path) -> None:
    _make(tree, "gen/api/m.py", "gen/api/m_pb2.py")
    options = {"exclude": ("gen/", "*_pb2.py"), "base": str(tree)}
    assert _found("gen/api", **options) == [os.path.join("gen", "api", "m.py")]
    assert _found(".", **options) == []
    assert _found("gen/api", force_exclude=True, **options) == []
