"""run_deep: one file's analysis on a thread where deep recursion is safe, still bounded by the
time budget."""

from __future__ import annotations

import sys
import threading
import time

import pytest

from asynclint.budget import OverBudget, time_budget
from asynclint.deep import RECURSION_LIMIT, run_deep


def _depth(n: int) -> int:
    return 0 if n == 0 else 1 + _depth(n - 1)


def test_returns_the_result_and_restores_the_recursion_limit() -> None:
    limit = sys.getrecursionlimit()
    assert run_deep(lambda: 42) == 42
    assert sys.getrecursionlimit() == limit


def test_recursion_far_past_the_default_limit_works() -> None:
    with pytest.raises(RecursionError):
        _depth(sys.getrecursionlimit() + 10)
    assert run_deep(lambda: _depth(RECURSION_LIMIT // 2)) == RECURSION_LIMIT // 2


def test_exceptions_reach_the_caller() -> None:
    def fail() -> None:
        raise KeyError("x")

    with pytest.raises(KeyError):
        run_deep(fail)
    with pytest.raises(RecursionError):
        run_deep(lambda: _depth(RECURSION_LIMIT * 2))
    assert sys.getrecursionlimit() < RECURSION_LIMIT


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_the_time_budget_ends_the_wait_and_stops_the_analysis_thread() -> None:
    stopped = threading.Event()
    work = 3.0

    def spin() -> None:
        try:
            deadline = time.monotonic() + work
            while time.monotonic() < deadline:
                pass
        finally:
            stopped.set()

    started = time.monotonic()
    with pytest.raises(OverBudget), time_budget(0.2):
        run_deep(spin)
    assert time.monotonic() - started < 1.5  # the caller is not held up by the analysis
    analysis = [t for t in threading.enumerate() if t.name == "asynclint-analysis"]
    # Told to stop, it stops at once where CPython delivers that promptly (3.13.0, as tried
    # here, sometimes delivers it only when the thread is done).
    if sys.version_info[:2] != (3, 13):
        assert stopped.wait(1), "the analysis thread went on after the budget"
    for thread in analysis:  # and in any case it ends
        thread.join(work + 5)
        assert not thread.is_alive()


def test_without_a_thread_the_work_runs_here_under_the_usual_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import asynclint.deep as deep

    def no_threads(target: object) -> threading.Thread:
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(deep, "_start", no_threads)
    limit = sys.getrecursionlimit()
    assert run_deep(lambda: (threading.current_thread(), sys.getrecursionlimit())) == (
        threading.main_thread(),
        limit,
    )
