"""The standby process (standby.py): a warm run with a few edited files analyses them there,
having imported the engine while the main process read the project."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest

from asynclint import runner, stamps
from asynclint.results import FileResult
from asynclint.runner import run
from asynclint.settings import Settings
from asynclint.standby import Standby

UNDRAINED = (
    "import asyncio\n"
    "async def send(host):\n"
    "    reader, writer = await asyncio.open_connection(host, 80)\n"
    "    writer.write(b'ping')\n"
)
FORK_ONLY = pytest.mark.skipif(
    multiprocessing.get_start_method() != "fork",
    reason="patches the function the standby runs, which only a forked process inherits",
)


def _fails(message: str) -> None:
    raise ValueError(message)


def test_the_standby_runs_functions_in_another_process_and_reports_their_failures() -> None:
    standby = Standby()
    try:
        done, pid = standby.call(os.getpid)
        assert done and isinstance(pid, int) and pid != os.getpid()
        assert standby.call(_fails, "no such file") == (False, "ValueError: no such file")
        assert standby.call(os.getpid) == (True, pid)  # still there after a failure
    finally:
        standby.close()


def test_an_unused_standby_is_ended_without_waiting_for_its_imports() -> None:
    standby = Standby()
    standby.close()
    assert standby.call(os.getpid)[0] is False  # gone: the caller is told, nothing hangs


@FORK_ONLY
@pytest.mark.parametrize(("edited", "in_standby"), [(1, True), (8, True), (9, False)])
def test_a_few_edited_files_are_analysed_in_the_standby(
    edited: int, in_standby: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(stamps, "RACY_NS", 0)  # files written just now count as recorded
    names = [f"m{i}.py" for i in range(12)]
    for name in names:
        (tmp_path / name).write_text(UNDRAINED)
    run(["."], Settings(), jobs=2)
    real_check = runner.check_task
    standbys: list[Standby] = []
    real_standby = runner.Standby

    def recording_standby() -> Standby:
        standbys.append(real_standby())
        return standbys[-1]

    def with_pid(task: runner._Task, *args: object) -> FileResult:
        result = real_check(task, *args)  # type: ignore[arg-type]
        result.internal_errors = [str(os.getpid())]
        return result

    monkeypatch.setattr(runner, "check_task", with_pid)
    monkeypatch.setattr(runner, "Standby", recording_standby)
    for name in names[:edited]:
        (tmp_path / name).write_text(UNDRAINED + "# edited\n")
    outcome = run(["."], Settings(), jobs=2)
    analysed = [r for r in outcome.results if r.internal_errors]
    assert [r.path for r in analysed] == names[:edited]
    assert all([d.code for d in r.diagnostics] == ["AIO401"] for r in outcome.results)
    pids = {r.internal_errors[0] for r in analysed}
    assert str(os.getpid()) not in pids
    assert len(standbys) == (1 if in_standby else 0)  # more: the pool's workers
    if in_standby:
        assert len(pids) == 1  # one after the other in the one standby process


@FORK_ONLY
def test_edited_files_too_large_to_wait_for_go_to_the_pool(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(stamps, "RACY_NS", 0)
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text(UNDRAINED)
    run(["."], Settings(), jobs=2)
    started: list[object] = []
    monkeypatch.setattr(runner, "Standby", lambda: started.append(1))
    padding = ("# " + "x" * 200 + "\n") * (runner._STANDBY_BYTES // 200)  # a long comment
    (tmp_path / "a.py").write_text(UNDRAINED + padding)
    outcome = run(["."], Settings(), jobs=2)
    assert started == []
    assert [(r.path, [d.code for d in r.diagnostics]) for r in outcome.results] == [
        ("a.py", ["AIO401"]),
        ("b.py", ["AIO401"]),
    ]
