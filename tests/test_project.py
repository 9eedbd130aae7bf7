"""Project mode: module names from the layout, the index across modules, and the real
`asynclint check` over the multi-module fixture projects in tests/fixtures/projects, whose
`# error: CODE` markers sit in the module where each finding belongs."""

from __future__ import annotations

import ast
import json
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rule_docs import markers

from asynclint.project.index import build_index
from asynclint.project.layout import ModuleName, module_name
from asynclint.project.summaries import ModuleContext, resolve_relative

PROJECTS = Path(__file__).resolve().parent / "fixtures" / "projects"


def _check(*args: str, cwd: Path) -> list[dict[str, object]]:
    command = [sys.executable, "-m", "asynclint", "check", "-j", "1", "--exit-zero"]
    completed = subprocess.run(
        [*command, "--format", "json", *args], cwd=cwd, capture_output=True, text=True, check=True
    )
    found: list[dict[str, object]] = json.loads(completed.stdout)
    return found


def _expected(root: Path) -> set[tuple[str, int, str]]:
    return {
        (path.relative_to(root).as_posix(), line, code)
        for path in sorted(root.rglob("*.py"))
        for line, code in markers(path.read_text(encoding="utf-8"))
    }


def _copy(project: str, tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    shutil.copytree(PROJECTS / project, root)
    return root


def _edit(path: Path, old: str, new: str) -> str:
    """Replace `old` (which must be there) in the file; return the text before."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text


def _reported(found: list[dict[str, object]]) -> set[tuple[str, int, str]]:
    return {
        (Path(str(d["filename"])).as_posix(), d["location"]["row"], str(d["code"]))  # type: ignore[index]
        for d in found
    }


@pytest.mark.parametrize("project", ["flat", "srclayout", "effects", "cancellation"])
def test_project_findings_are_the_marked_lines(project: Path) -> None:
    root = PROJECTS / project
    assert _reported(_check("--no-cache", ".", cwd=root)) == _expected(root)


def test_message_names_the_definition_elsewhere() -> None:
    found = _check("--no-cache", "--select", "AIO601", ".", cwd=PROJECTS / "flat")
    messages = {(d["filename"], d["location"]["row"]): d["message"] for d in found}  # type: ignore[index]
    assert "is a coroutine function (shop/auth.py:4)" in str(messages[("shop/views.py", 12)])


def test_messages_name_the_helper_in_the_other_module() -> None:
    found = _check("--no-cache", "--select", "AIO201,AIO202,AIO401", ".", cwd=PROJECTS / "effects")
    messages = {(d["filename"], d["code"]): str(d["message"]) for d in found}
    wait = messages[("jobs/main.py", "AIO201")]
    assert "(`feed()` is given it, jobs/procs.py:6, and does not read it)" in wait
    shell = messages[("jobs/main.py", "AIO202")]
    assert "`run_command()` passes `cmd` to create_subprocess_shell() (jobs/procs.py:26)" in shell
    undrained = [str(d["message"]) for d in found if d["code"] == "AIO401"]
    assert any("`frame()` (jobs/wire.py:4) writes to `writer`" in m for m in undrained)


def test_sarif_points_at_the_helper_in_the_other_module() -> None:
    command = [sys.executable, "-m", "asynclint", "check", "-j", "1", "--exit-zero", "--no-cache"]
    completed = subprocess.run(
        [*command, "--format", "sarif", "--select", "AIO202,AIO401", "."],
        cwd=PROJECTS / "effects",
        capture_output=True,
        text=True,
        check=True,
    )
    results = json.loads(completed.stdout)["runs"][0]["results"]
    related = {
        (
            r["ruleId"],
            place["physicalLocation"]["artifactLocation"]["uri"],
            place["physicalLocation"]["region"]["startLine"],
        )
        for r in results
        for place in r["relatedLocations"]
    }
    assert ("AIO202", "jobs/procs.py", 26) in related
    assert ("AIO401", "jobs/wire.py", 4) in related
    assert ("AIO401", "jobs/main.py", 54) in related  # where the coroutine suspends


def test_a_helper_module_without_async_is_still_summarised(tmp_path: Path) -> None:
    root = _copy("effects", tmp_path)
    assert ("jobs/main.py", 53, "AIO401") in _reported(_check("--no-cache", ".", cwd=root))
    _edit(root / "jobs" / "wire.py", "writer.write(payload)", "writer.close()")
    assert ("jobs/main.py", 53, "AIO401") not in _reported(_check("--no-cache", ".", cwd=root))


def test_effects_follow_helpers_through_modules_and_a_cycle(tmp_path: Path) -> None:
    """`relay.relay()` hands the writer to `wire.frame()`, `relay.forward()` and
    `echo.answer()` call each other: a cached caller follows an edit two modules away."""
    root = _copy("effects", tmp_path)
    cache = ["--cache-dir", str(tmp_path / "cache"), "--select", "AIO401", "."]
    found = _check(*cache, cwd=root)
    messages = {
        d["location"]["row"]: str(d["message"]) for d in found if d["filename"] == "jobs/main.py"
    }  # type: ignore[index]
    relayed = [row for row, text in messages.items() if "`relay()` (jobs/relay.py:" in text]
    forwarded = [row for row, text in messages.items() if "`forward()` (jobs/relay.py:" in text]
    assert len(relayed) == 1 and len(forwarded) == 1
    _edit(root / "jobs" / "wire.py", "writer.write(payload)", "writer.close()")
    rows = {row for name, row, _ in _reported(_check(*cache, cwd=root)) if name == "jobs/main.py"}
    assert relayed[0] not in rows  # frame() now closes the writer
    assert forwarded[0] in rows  # echo.answer() still writes


def test_swallowed_cancellation_is_reported_at_the_await_with_the_handler_related() -> None:
    found = _check("--no-cache", "--select", "AIO501", ".", cwd=PROJECTS / "cancellation")
    (crawl,) = [d for d in found if d["filename"] == "svc/worker.py" and d["location"]["row"] == 12]  # type: ignore[index]
    assert "`fetch()` (svc/client.py:12) catches `CancelledError`" in str(crawl["message"])
    assert crawl["related"] == [
        {
            "filename": "svc/client.py",
            "location": {"row": 12, "column": 1},
            "end_location": None,
            "message": "`fetch()` swallows `CancelledError` here",
        }
    ]


def test_cached_caller_follows_the_callee_that_stops_swallowing(tmp_path: Path) -> None:
    root = _copy("cancellation", tmp_path)
    cache = ["--cache-dir", str(tmp_path / "cache"), "--select", "AIO501", "."]
    assert ("svc/worker.py", 12, "AIO501") in _reported(_check(*cache, cwd=root))
    swallowing = 'log.info("fetch of %s cancelled", url)\n    return'
    _edit(root / "svc" / "client.py", swallowing, "raise\n    return")
    assert ("svc/worker.py", 12, "AIO501") not in _reported(_check(*cache, cwd=root))


def test_swallowed_cancellation_summary_is_conservative(tmp_path: Path) -> None:
    source = """\
import asyncio

async def plain(s):
    try:
        await s.get()
    except asyncio.CancelledError:
        pass

async def reraises_on_one_path(s, strict):
    try:
        await s.get()
    except asyncio.CancelledError:
        if strict:
            raise

async def goes_on(s):
    try:
        await s.get()
    except asyncio.CancelledError:
        pass
    await s.close()

async def keeps_it(s, errors):
    try:
        await s.get()
    except asyncio.CancelledError as exc:
        errors.append(exc)

async def in_a_loop(s):
    while True:
        try:
            await s.get()
        except asyncio.CancelledError:
            return

async def looks_at_cancelling(s):
    try:
        await s.get()
    except asyncio.CancelledError:
        if asyncio.current_task().cancelling():
            pass

async def awaited_here(s):
    try:
        await s.get()
    except BaseException:
        return None

async def caller(s):
    await awaited_here(s)

async def awaited_later(s):
    try:
        await s.get()
    except asyncio.CancelledError:
        pass

async def later_caller(s):
    pending = awaited_later(s)
    await pending
"""
    (tmp_path / "mod.py").write_text(source, encoding="utf-8")
    index = build_index([(str(tmp_path / "mod.py"), source.encode())])
    functions = index.modules["mod"].functions
    swallowing = {name for name, f in functions.items() if f.swallows_cancellation is not None}
    assert swallowing == {"plain"}
    assert functions["plain"].swallows_cancellation == 6


def test_a_single_file_run_knows_only_its_module() -> None:
    root = PROJECTS / "srclayout"
    assert _check("--no-cache", "src/lib/api.py", cwd=root) == []


def test_cache_entry_follows_the_summaries_it_used(tmp_path: Path) -> None:
    root = _copy("srclayout", tmp_path)
    cache = ["--cache-dir", str(tmp_path / "cache"), "src"]
    assert ("src/lib/api.py", 5, "AIO601") in _reported(_check(*cache, cwd=root))
    _edit(root / "src" / "lib" / "core.py", "async def work", "def work")
    assert not any(d["filename"] == "src/lib/api.py" for d in _check(*cache, cwd=root))


def test_module_names_from_the_layout(tmp_path: Path) -> None:
    (tmp_path / "top" / "pkg" / "sub").mkdir(parents=True)
    for folder in ("top/pkg", "top/pkg/sub"):
        (tmp_path / folder / "__init__.py").write_text("")
    (tmp_path / "src" / "ns" / "inner").mkdir(parents=True)
    assert module_name(str(tmp_path / "top/pkg/sub/mod.py")) == ModuleName("pkg.sub.mod", False)
    assert module_name(str(tmp_path / "top/pkg/__init__.py")) == ModuleName("pkg", True)
    assert module_name(str(tmp_path / "src/ns/inner/mod.py")) == ModuleName("ns.inner.mod", False)
    assert module_name(str(tmp_path / "top/my-script.py")) is None


@pytest.mark.parametrize(
    ("name", "is_package", "level", "module", "expected"),
    [
        ("pkg.sub.mod", False, 1, "core", "pkg.sub.core"),
        ("pkg.sub.mod", False, 2, None, "pkg"),
        ("pkg.sub", True, 1, "core", "pkg.sub.core"),
        ("mod", False, 1, None, None),
        ("pkg.mod", False, 3, "x", None),
    ],
)
def test_relative_imports(
    name: str, is_package: bool, level: int, module: str | None, expected: str | None
) -> None:
    assert resolve_relative(ModuleContext(name, is_package), level, module) == expected


def test_summaries_follow_reexports_and_are_plain_data(tmp_path: Path) -> None:
    files = {
        "pkg/__init__.py": "from .impl import helper as public\n",
        "pkg/impl.py": (
            "import asyncio\n"
            "async def helper(): ...\n"
            "def loop() -> asyncio.AbstractEventLoop: ...\n"
            "async def spawn():\n"
            "    return await asyncio.create_subprocess_exec(\n"
            "        'ls', stdout=asyncio.subprocess.PIPE)\n"
        ),
        "user.py": "from pkg import public\nfrom pkg.impl import loop, spawn\nimport requests\n",
    }
    for relative, text in files.items():
        (tmp_path / relative).parent.mkdir(exist_ok=True)
        (tmp_path / relative).write_text(text)
    index = build_index((str(tmp_path / r), (tmp_path / r).read_bytes()) for r in files)
    context = index.context_for(str(tmp_path / "user.py"))
    assert context is not None and context.name == "user"
    assert context.functions["pkg.public"].name == "helper"
    assert context.functions["pkg.public"].is_coroutine
    assert context.functions["pkg.impl.loop"].returns == "loop"
    spawn = context.functions["pkg.impl.spawn"]
    assert (spawn.returns, spawn.pipes) == ("process", frozenset({"stdout"}))
    assert not any(name.startswith("requests") for name in context.functions)
    assert pickle.loads(pickle.dumps(context)) == context


def test_sarif_points_at_the_definition_in_the_other_module() -> None:
    command = [sys.executable, "-m", "asynclint", "check", "-j", "1", "--exit-zero", "--no-cache"]
    completed = subprocess.run(
        [*command, "--format", "sarif", "--select", "AIO601", "src"],
        cwd=PROJECTS / "srclayout",
        capture_output=True,
        text=True,
        check=True,
    )
    results = json.loads(completed.stdout)["runs"][0]["results"]
    places = {
        (
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["relatedLocations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in results
    }
    assert ("src/lib/api.py", "src/lib/core.py", 4) in places
    assert ("src/nsp/runner.py", "src/nsp/plugin.py", 4) in places


def test_a_warm_run_reads_summaries_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from asynclint import runner
    from asynclint.project import index as index_module
    from asynclint.settings import Settings

    root = _copy("srclayout", tmp_path)
    api = root / "src" / "lib" / "api.py"

    def check() -> set[tuple[int, str]]:
        outcome = runner.run(
            [str(root / "src")], Settings(), jobs=1, cache_dir=str(tmp_path / "cache")
        )
        return {(d.line, d.code) for d in outcome.diagnostics if d.path == str(api)}

    assert (5, "AIO601") in check()
    api.write_text(api.read_text() + "\n# edited: this file is analysed again\n")

    real = index_module.summarize

    def only_the_edited_file(
        source: bytes, path: str, name: str, is_package: bool, tree: ast.Module | None = None
    ) -> object:
        assert path == str(api), f"{path}: its summary should come from the cache"
        return real(source, path, name, is_package, tree)

    monkeypatch.setattr(index_module, "summarize", only_the_edited_file)
    core = root / "src" / "lib" / "core.py"
    assert core.read_text().count("async def work") == 1
    assert (5, "AIO601") in check()


def test_parameter_effects_are_summarised_and_followed_through_helpers() -> None:
    from asynclint.project.extract import summarize
    from asynclint.project.stored import summary_from_json, summary_to_json

    source = (
        "import asyncio\n"
        "async def feed(proc, data):\n"
        "    proc.stdin.write(data)\n"
        "    proc.stdin.close()\n"
        "async def pump(stream):\n"
        "    async for line in stream:\n"
        "        print(line)\n"
        "async def both(proc, data):\n"
        "    await feed(proc, data)\n"
        "    await pump(proc.stdout)\n"
        "def keep(proc, registry):\n"
        "    registry.append(proc)\n"
        "async def run(cmd, *, cwd=None):\n"
        "    proc = await asyncio.create_subprocess_shell(cmd, cwd=cwd)\n"
        "    return await proc.wait()\n"
        "async def via(command):\n"
        "    return await run(command)\n"
        "class Worker:\n"
        "    async def consume(self, queue):\n"
        "        while True:\n"
        "            await queue.get()\n"
        "            queue.task_done()\n"
    )
    summary = summarize(source, "m.py", "m", False)
    assert summary is not None
    functions = summary.functions
    assert functions["feed"].effects_on("proc") == {"stdin.write", "stdin.close"}
    assert functions["pump"].effects_on("stream") == {"read"}
    assert functions["both"].effects_on("proc") == {"stdin.write", "stdin.close", "stdout.read"}
    assert "store" in functions["keep"].effects_on("proc")
    assert functions["run"].shell == (("cmd", 14, "create_subprocess_shell()"),)
    assert functions["via"].shell == (("command", 14, "create_subprocess_shell()"),)
    consume = functions["Worker.consume"]
    assert consume.bound and consume.parameter(0) == "queue"
    assert consume.effects_on("queue") == {"task_done"}
    assert summary_from_json(summary_to_json(summary)).functions == functions


def test_digest_follows_parameter_effects() -> None:
    from asynclint.project.summaries import FunctionSummary

    plain = FunctionSummary("h.py", 1, "feed", True, params=("proc",), followed=True)
    reads = FunctionSummary(
        "h.py",
        1,
        "feed",
        True,
        params=("proc",),
        followed=True,
        effects=(("stdout.read", ("proc",)),),
    )
    first = ModuleContext("m", functions={"h.feed": plain})
    second = ModuleContext("m", functions={"h.feed": reads})
    assert first.digest() != second.digest()
    assert pickle.loads(pickle.dumps(second)) == second


def test_a_queue_joined_in_another_module_is_owed_task_done(tmp_path: Path) -> None:
    root = _copy("effects", tmp_path)
    cache = ["--cache-dir", str(tmp_path / "cache"), "--select", "AIO101", "."]
    found = _check(*cache, cwd=root)
    assert _reported(found) == {("jobs/consumers.py", 6, "AIO101")}
    assert "join()ed (in jobs/pipeline.py:11)" in str(found[0]["message"])
    # The consumer's module did not change, but what it receives did: its cache entry follows
    # (its key holds the modules that join its queues, which it does not import).
    pipeline = root / "jobs" / "pipeline.py"
    joined = _edit(pipeline, "await queue.join()", "await asyncio.sleep(1)")
    assert _check(*cache, cwd=root) == []
    pipeline.write_text(joined, encoding="utf-8")
    assert _reported(_check(*cache, cwd=root)) == {("jobs/consumers.py", 6, "AIO101")}
