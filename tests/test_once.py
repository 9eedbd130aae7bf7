"""A setup step wrapped in `once` runs one time, whichever threads call it first."""

from __future__ import annotations

import threading
import time

from asynclint.once import once


def test_a_step_runs_once_for_every_thread() -> None:
    runs: list[int] = []

    @once
    def step() -> int:
        """The step's own words."""
        runs.append(1)
        time.sleep(0.05)  # long enough for the other threads to arrive while it runs
        return len(runs)

    start = threading.Barrier(8)
    results: list[int] = []

    def call() -> None:
        start.wait()
        results.append(step())

    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert runs == [1]
    assert results == [1] * 8
    assert step() == 1
    assert step.__doc__ == "The step's own words."
