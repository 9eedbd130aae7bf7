"""The runner's two phases: module summaries computed where each file is read (the workers),
then the analysis with each module's context; large files kept apart; cache keys that follow
only what a module uses."""

from __future__ import annotations

import shutil
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from asynclint import runner
from asynclint.runner import LARGE_BYTES_IN_FLIGHT, Outcome, run
from asynclint.settings import Settings

PROJECTS = Path(__file__).resolve().parent / "fixtures" / "projects"
UNDRAINED = (
    "import asyncio\n"
    "async def send(host):\n"
    "    reader, writer = await asyncio.open_connection(host, 80)\n"
    "    writer.write(b'ping')\n"
)
DRAINED = UNDRAINED + "    await writer.drain()\n"


def _found(outcome: Outcome) -> list[tuple[str, int, str, str]]:
    return [(d.path, d.line, d.code, d.message) for d in outcome.diagnostics]


@pytest.mark.parametrize("project", ["flat", "srclayout"])
def test_summaries_from_the_workers_give_what_one_process_gives(
    project: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Cycles, re-exports through __init__.py, relative imports, a src layout: the index built
    # from the workers' summaries must be the one built in this process.
    root = tmp_path / project
    shutil.copytree(PROJECTS / project, root)
    monkeypatch.chdir(root)
    monkeypatch.setattr(runner, "_FEW_SUMMARIES", 1)  # never summarise here when parallel
    alone = run(["."], Settings(), jobs=1, use_cache=False)
    pooled = run(["."], Settings(), jobs=2, use_cache=False)
    assert _found(alone) and _found(pooled) == _found(alone)
    assert pooled.internal_errors == []


def _summaries_fail(items: list[Any]) -> list[Any]:
    raise RuntimeError("a summarising worker died")


def test_summarising_workers_that_fail_leave_each_module_to_its_own_analysis(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "flat"
    shutil.copytree(PROJECTS / "flat", root)
    (root / "local.py").write_text(UNDRAINED)
    monkeypatch.chdir(root)
    monkeypatch.setattr(runner, "_FEW_SUMMARIES", 1)
    whole = run(["."], Settings(), jobs=2, use_cache=False)
    monkeypatch.setattr(runner, "summarize_chunk", _summaries_fail)  # in the forked workers
    alone = run(["."], Settings(), jobs=2, use_cache=False)
    assert alone.internal_errors == [] and len(alone.results) == len(whole.results)
    # What needs another module's summary is missed; what a module shows by itself is not.
    assert set(_found(alone)) < set(_found(whole))
    assert [code for path, _, code, _ in _found(alone)] == ["AIO401"]


def test_a_comment_edited_elsewhere_leaves_the_importers_cached(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    shutil.copytree(PROJECTS / "srclayout", root)
    cache = str(tmp_path / "cache")
    cold = run([str(root / "src")], Settings(), jobs=1, cache_dir=cache)
    core = root / "src" / "lib" / "core.py"
    core.write_text(core.read_text() + "\n# a comment changes no summary\n")
    warm = run([str(root / "src")], Settings(), jobs=1, cache_dir=cache)
    assert warm.cache_hits == len(cold.results) - 1
    assert _found(warm) == _found(cold)
    # A summary change reaches the modules that import it (api.py calls core's `work`).
    core.write_text(core.read_text().replace("async def work", "def work"))
    edited = run([str(root / "src")], Settings(), jobs=1, cache_dir=cache)
    assert edited.cache_hits < warm.cache_hits
    assert not any(path.endswith("api.py") for path, *_ in _found(edited))


def test_a_file_changed_during_the_run_is_not_cached_under_its_old_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "send.py"
    target.write_text(DRAINED)
    real_index = runner._index

    def index_then_edit(*args: Any) -> Any:
        indexed = real_index(*args)
        target.write_text(UNDRAINED)  # after the first pass hashed the drained version
        return indexed

    monkeypatch.setattr(runner, "_index", index_then_edit)
    during = run(["send.py"], Settings(), jobs=1, cache_dir="cache")
    assert [d.code for d in during.diagnostics] == ["AIO401"]  # what was checked
    monkeypatch.setattr(runner, "_index", real_index)
    target.write_text(DRAINED)
    after = run(["send.py"], Settings(), jobs=1, cache_dir="cache")
    assert after.diagnostics == [] and after.cache_hits == 0


class _FakePool:
    """Runs each chunk at once; `running` holds what was handed out and not yet collected,
    which is what a real pool would be working on together."""

    def __init__(self) -> None:
        self.running: dict[Future[list[int]], int] = {}
        self.together: list[list[int]] = []  # at each hand-out: the chunks out

    def submit(self, function: Any, chunk: list[int], *args: object) -> Future[list[int]]:
        future: Future[list[int]] = Future()
        future.set_result(function(chunk, *args))
        self.running[future] = chunk[0]
        self.together.append(sorted(self.running.values()))
        return future


def test_large_files_are_analysed_one_or_two_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    import concurrent.futures

    sizes = [390_000, 300_000, 250_000, 120_000, 0, 0, 0, 0, 0, 0, 0, 0]
    chunks = [([n], size) for n, size in enumerate(sizes)]
    pool = _FakePool()

    def wait(futures: Any, return_when: Any) -> Any:
        oldest = next(iter(futures))  # workers finish one chunk at a time
        del pool.running[oldest]
        return {oldest}, set(futures) - {oldest}

    monkeypatch.setattr(concurrent.futures, "wait", wait)
    results = runner._gather(pool, 4, lambda chunk: chunk, chunks, list, lambda c, r: [])
    assert results == [[n] for n in range(len(sizes))]  # every chunk, in the chunks' order
    for together in pool.together:
        heavy = [sizes[n] for n in together if sizes[n]]
        assert len(heavy) <= 1 or sum(heavy) <= LARGE_BYTES_IN_FLIGHT
    # Small files were handed out while the large ones waited their turn: 2 per job at most.
    assert max(len(together) for together in pool.together) == 8


def test_a_warm_run_over_the_same_summaries_resolves_no_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from asynclint.project import stored
    from asynclint.project.index import ProjectIndex

    root = tmp_path / "proj"
    shutil.copytree(PROJECTS / "flat", root)
    cache = str(tmp_path / "cache")
    cold = run([str(root)], Settings(), jobs=1, cache_dir=cache)
    assert _found(cold)

    def unexpected(*args: object) -> None:
        raise AssertionError("the last run's context keys should have been reused")

    monkeypatch.setattr(ProjectIndex, "context_key", unexpected)
    with monkeypatch.context() as nothing_changed:
        # Not even the stored summaries are read back: no file needs a context.
        nothing_changed.setattr(stored, "summary_from_json", unexpected)
        warm = run([str(root)], Settings(), jobs=1, cache_dir=cache)
    assert _found(warm) == _found(cold) and warm.cache_hits == len(cold.results)
    # A comment changes no summary: the keys still hold, only the edited file is analysed.
    (root / "tools" / "cli.py").write_text((root / "tools" / "cli.py").read_text() + "# edit\n")
    edited = run([str(root)], Settings(), jobs=1, cache_dir=cache)
    assert _found(edited) == _found(cold)
    assert edited.cache_hits == len(cold.results) - 1


HELPERS = "async def fetch():\n    pass\n"
USER = "from pkg import helpers\n\n\nasync def main():\n    helpers.fetch()\n"


def test_a_module_imported_whole_counts_only_the_names_used_of_it(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    helpers, user = root / "pkg" / "helpers.py", root / "pkg" / "user.py"
    helpers.write_text(HELPERS)
    user.write_text(USER)
    cache = str(tmp_path / "cache")

    def check() -> tuple[list[tuple[int, str]], int]:
        outcome = run([str(root)], Settings(), jobs=1, cache_dir=cache)
        return [(d.line, d.code) for d in outcome.diagnostics], outcome.cache_hits

    assert check() == ([(5, "AIO601")], 0)
    # A function user.py never names: its cached result still holds.
    helpers.write_text(HELPERS + "\n\nasync def other():\n    pass\n")
    assert check() == ([(5, "AIO601")], 2)  # __init__.py and user.py
    # The function it calls is no coroutine function any more: analysed again.
    helpers.write_text(HELPERS.replace("async def", "def") + "\n\nasync def other():\n    pass\n")
    assert check() == ([], 1)


def test_attribute_names_are_every_name_after_a_dot() -> None:
    from asynclint.project.index import attribute_names

    text = "tasks.sleep(1)\nx = (a\n    . b)\n# see mod.f\ncafé.naïve = 1.5\n"
    assert attribute_names(text) == {"sleep", "b", "f", "naïve"}


LARGE = UNDRAINED + "".join(f"\n\ndef helper_{i}(x):\n    return x + {i}\n" for i in range(1200))


def test_a_large_file_is_cut_by_the_outline_of_its_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its analysis parses no `ast` of it again, unless it changed since it was summarised."""
    from asynclint import engine

    assert len(LARGE) > 32 * 1024
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "large.py"
    target.write_text(LARGE)
    asked: list[object] = []
    real_ast = engine.python_ast

    def counted(text: str) -> object:
        asked.append(text)
        return real_ast(text)

    monkeypatch.setattr(engine, "python_ast", counted)
    outlined = run(["large.py"], Settings(), jobs=1, use_cache=False)
    assert [d.code for d in outlined.diagnostics] == ["AIO401"] and asked == []
    # Changed between the summary and the analysis: its outline says nothing of it.
    real_index = runner._index

    def index_then_edit(*args: Any) -> Any:
        indexed = real_index(*args)
        target.write_text("\n\n" + LARGE)
        return indexed

    monkeypatch.setattr(runner, "_index", index_then_edit)
    edited = run(["large.py"], Settings(), jobs=1, use_cache=False)
    assert [(d.code, d.line) for d in edited.diagnostics] == [("AIO401", 6)] and len(asked) == 1
