"""A warm run carries the last run's context keys over for the files an edit cannot reach
(project/keys.py): whatever the edit, its keys and findings must be a cold run's."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from asynclint.project.changes import changed_names, referenced_names
from asynclint.project.keys import PROJECT_ENTRY
from asynclint.runner import Outcome, run
from asynclint.settings import Settings

PROJECTS = Path(__file__).resolve().parent / "fixtures" / "projects"

EDITS: dict[str, Callable[[str], str]] = {
    "a private coroutine function added": lambda text: (
        text + "\n\nasync def _carried_new():\n    pass\n"
    ),
    "a public helper nobody calls added": lambda text: (
        text + "\n\ndef carried_helper(writer):\n    writer.write(b'')\n"
    ),
    # Change what callers elsewhere are told, on the same lines.
    "coroutine functions made plain": lambda text: text.replace("async def", "def"),
    "drains made closes": lambda text: text.replace(".drain()", ".close()"),
    "task_done() left out": lambda text: text.replace(".task_done()", ".qsize()"),
}


def _found(outcome: Outcome) -> list[tuple[str, int, str, str]]:
    return [(d.path, d.line, d.code, d.message) for d in outcome.diagnostics]


def _keys(cache: Path) -> dict[str, str]:
    [summaries] = cache.glob("summaries-*.json")
    entry: dict[str, Any] = json.loads(summaries.read_text())["files"][PROJECT_ENTRY]
    return entry["keys"]  # type: ignore[no-any-return]


def _cases() -> list[tuple[str, str]]:
    return [
        (project.name, str(path.relative_to(project)))
        for project in sorted(PROJECTS.iterdir())
        if project.is_dir()
        for path in sorted(project.rglob("*.py"))
    ]


@pytest.mark.parametrize(("project", "module"), _cases())
def test_every_edit_gives_the_keys_and_findings_of_a_cold_run(
    project: str, module: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / project
    shutil.copytree(PROJECTS / project, root)
    monkeypatch.chdir(root)
    original = (root / module).read_text()
    warm_cache = tmp_path / "warm"
    run(["."], Settings(), jobs=1, cache_dir=str(warm_cache))
    for label, edit in EDITS.items():
        edited = edit(original)
        if edited == original:
            continue
        (root / module).write_text(edited)
        warm = run(["."], Settings(), jobs=1, cache_dir=str(warm_cache))
        cold_cache = tmp_path / "cold"
        shutil.rmtree(cold_cache, ignore_errors=True)
        cold = run(["."], Settings(), jobs=1, cache_dir=str(cold_cache))
        assert _found(warm) == _found(cold), label
        assert _keys(warm_cache) == _keys(cold_cache), label
        (root / module).write_text(original)
        run(["."], Settings(), jobs=1, cache_dir=str(warm_cache))  # back to the start


def test_a_function_no_one_names_works_out_only_its_own_modules_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from asynclint.project.index import ProjectIndex

    root = tmp_path / "flat"
    shutil.copytree(PROJECTS / "flat", root)
    cache = str(tmp_path / "cache")
    cold = run([str(root)], Settings(), jobs=1, cache_dir=cache)
    asked: list[str] = []
    worked_out = ProjectIndex.context_key

    def recording(index: ProjectIndex, path: str) -> str | None:
        asked.append(path)
        return worked_out(index, path)

    monkeypatch.setattr(ProjectIndex, "context_key", recording)
    net = root / "shop" / "net.py"  # imported by views.py, re-exported by shop/__init__.py
    net.write_text(net.read_text() + "\n\nasync def _retry_later():\n    pass\n")
    warm = run([str(root)], Settings(), jobs=1, cache_dir=cache)
    assert asked == [str(net)]
    assert _found(warm) == _found(cold)
    assert warm.cache_hits == len(cold.results) - 1
    # A change to a function others call: every key is worked out again.
    asked.clear()
    net.write_text(net.read_text().replace("async def", "def"))
    run([str(root)], Settings(), jobs=1, cache_dir=cache)
    assert len(asked) > 1


SUMMARY: dict[str, Any] = {
    "name": "pkg.net",
    "is_package": False,
    "path": "pkg/net.py",
    "imports": {"helpers": "pkg.helpers", "retry": "pkg.util.retry"},
    "functions": [
        [3, "fetch", True, ["host"], False],
        [9, "Client.send", True, ["self", "w"], False, {"forwards": [["w", "", "pkg.io.f", 0]]}],
        [14, "opened", True, [], False, {"returns_from": "pkg.conn.dial"}],
    ],
    "defined": ["Client", "fetch", "opened"],
    "classes": {"Client": [8, ["pkg.base.Base", None]]},
    "attributes": {"Client._lock": ["lock", []]},
    "dotted_imports": ["os.path"],
    "joined_calls": [["pkg.workers.consume", 0, 20]],
}


def _with(**changes: Any) -> dict[str, Any]:
    return {**json.loads(json.dumps(SUMMARY)), **changes}


def test_changed_names_are_the_top_level_names_whose_summaries_differ() -> None:
    assert changed_names(SUMMARY, _with()) == set()
    functions = [*SUMMARY["functions"], [30, "_later", True, [], False]]
    assert changed_names(SUMMARY, _with(functions=functions)) == {"_later"}
    method = [[3, "fetch", True, ["host"], False], [9, "Client.send", False, [], False]]
    assert changed_names(SUMMARY, _with(functions=method)) == {"Client", "opened"}
    assert changed_names(SUMMARY, _with(attributes={})) == {"Client"}
    assert changed_names(SUMMARY, _with(defined=["Client", "fetch", "opened", "x"])) == {"x"}
    assert changed_names(SUMMARY, _with(classes={})) == {"Client"}


@pytest.mark.parametrize(
    "field", ["name", "is_package", "path", "imports", "dotted_imports", "joined_calls"]
)
def test_a_change_to_the_module_as_a_whole_is_not_narrowed_to_names(field: str) -> None:
    changed = _with(**{field: SUMMARY[field] if field == "name" else None})
    changed[field] = {"name": "pkg.other", "is_package": True, "path": "x.py"}.get(field, [])
    assert changed_names(SUMMARY, changed) is None


def test_referenced_names_are_every_part_of_every_name_referred_to() -> None:
    assert set(referenced_names(SUMMARY)) == {
        *("pkg", "helpers", "util", "retry"),  # imports
        *("os", "path"),  # dotted imports
        "base",
        "Base",  # a base class
        *("io", "f"),  # a forward
        *("conn", "dial"),  # a returned call
        *("workers", "consume"),  # a joined queue's consumer
    }
