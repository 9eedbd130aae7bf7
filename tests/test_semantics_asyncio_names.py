"""The table of asyncio's names per version, checked against the interpreter running the tests."""

from __future__ import annotations

import ast
import asyncio
import inspect
import sys
from pathlib import Path
from typing import Any

import pytest

from asynclint.semantics import asyncio_names as names

RUNNING = sys.version_info[:2]
PACKAGE = Path(asyncio.__file__).parent


def _all_of(module: str) -> set[str]:
    """The `__all__` of one of asyncio's submodules, read from its source (importing
    `windows_events` fails off Windows)."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            value = ast.literal_eval(node.value)
            return set(value)
    return set()


def _submodules() -> set[str]:
    return {path.stem for path in PACKAGE.glob("*.py") if not path.stem.startswith("_")}


def test_every_public_name_of_the_running_asyncio_is_in_the_table() -> None:
    public = {name for name in dir(asyncio) if not name.startswith("_")}
    missing = public - names.names_at(RUNNING)
    assert missing == set(), f"asyncio {RUNNING} has names the table lacks: {sorted(missing)}"


def test_every_name_in_the_table_exists_on_some_platform_of_the_running_version() -> None:
    other_platforms = _all_of("windows_events") | _all_of("unix_events")
    table = names.names_at(RUNNING)
    unknown = table - set(dir(asyncio)) - other_platforms - _submodules()
    assert unknown == set(), f"the table has names asyncio {RUNNING} lacks: {sorted(unknown)}"


def test_submodules_of_the_running_version_are_names() -> None:
    assert _submodules() <= names.names_at(RUNNING)


@pytest.mark.parametrize(
    ("name", "added"),
    [
        ("to_thread", (3, 9)),
        ("TaskGroup", (3, 11)),
        ("timeout", (3, 11)),
        ("Runner", (3, 11)),
        ("eager_task_factory", (3, 12)),
        ("QueueShutDown", (3, 13)),
        ("capture_call_graph", (3, 14)),
        ("Queue", None),
    ],
)
def test_added_in(name: str, added: tuple[int, int] | None) -> None:
    assert names.added_in(name) == added
    if added is not None:
        assert not names.exists(name, (added[0], added[1] - 1))
        assert names.exists(name, added)


@pytest.mark.parametrize(
    ("name", "removed"),
    [("coroutine", (3, 11)), ("get_child_watcher", (3, 14)), ("SafeChildWatcher", (3, 14))],
)
def test_removed_in(name: str, removed: tuple[int, int]) -> None:
    assert names.removed_in(name) == removed
    assert names.exists(name, (removed[0], removed[1] - 1))
    assert not names.exists(name, removed)


def test_platform_specific_names_exist_everywhere() -> None:
    for name in ("ProactorEventLoop", "WindowsSelectorEventLoopPolicy", "open_unix_connection"):
        assert names.exists(name, (3, 8))
        assert names.exists(name, (3, 14))


def test_versions_outside_the_table_are_clamped() -> None:
    assert names.names_at((3, 7)) == names.names_at((3, 8))
    assert names.names_at((3, 15)) == names.names_at(names.LAST_VERSION)


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("QueueShutdown", "QueueShutDown"),
        ("Taskgroup", "TaskGroup"),
        ("create_taks", "create_task"),
        ("run_in_executor", None),
    ],
)
def test_closest(typo: str, meant: str | None) -> None:
    assert names.closest(typo) == meant


def _takes_loop(target: Any) -> bool:
    """Does `target` accept `loop=`? On 3.10 the primitives keep a `loop` parameter whose
    default is a private marker, only to raise TypeError when it is passed."""
    try:
        parameter = inspect.signature(target).parameters.get("loop")
    except (TypeError, ValueError):
        return False
    if parameter is None:
        return False
    if parameter.default is None or parameter.default is inspect.Parameter.empty:
        return True
    assert inspect.isclass(target), target
    with pytest.raises(TypeError):
        target(loop=None)
    return False


@pytest.mark.skipif(RUNNING < (3, 10), reason="the loop parameter exists before 3.10")
def test_the_loop_parameter_is_gone_from_every_listed_api() -> None:
    for qualname in names.LOOP_PARAMETER_REMOVED:
        assert not _takes_loop(getattr(asyncio, qualname.split(".")[1])), qualname


@pytest.mark.skipif(RUNNING < (3, 10), reason="every API takes loop before 3.10")
def test_apis_that_still_take_loop_are_not_listed() -> None:
    still = {name for name in asyncio.__all__ if _takes_loop(getattr(asyncio, name, None))}
    assert {"Future", "Task", "ensure_future", "StreamReader"} <= still
    assert {f"asyncio.{name}" for name in still}.isdisjoint(names.LOOP_PARAMETER_REMOVED)
