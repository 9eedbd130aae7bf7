"""Rules about tasks, coroutines and the event loop (AIO6xx)."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from asynclint.rules.base import Finding, FixSpec, Rule
from asynclint.rules.tasks.blocking import blocking_calls, busy_waits
from asynclint.rules.tasks.coroutines import (
    allows_nested_loops,
    dropped_tasks,
    runs_event_loop,
    unawaited_coroutines,
)
from asynclint.rules.tasks.file_opening import file_openings
from asynclint.semantics.expressions import call_qualname
from asynclint.semantics.model import ModuleFacts


class CoroutineNeverAwaited(Rule):
    code = "AIO601"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        for found in unawaited_coroutines(facts):
            call = found.event.node
            fix = None
            if found.function.is_coroutine:
                text = f"await {facts.module.code_for_node(call)}"
                fix = FixSpec("replace", call, text, safe=True, description="Add `await`")
            where = ""
            elsewhere: tuple[tuple[str, int, str], ...] = ()
            if found.defined_at is not None:
                path, _, line = found.defined_at.rpartition(":")
                elsewhere = ((path, int(line), f"`{found.callee}` is defined here"),)
                where = f" (`{found.callee}` is a coroutine function ({found.defined_at}))"
            if found.event.role == "tested":
                yield self.finding(
                    call,
                    f"`{found.callee}` returns a coroutine, which is always true{where}: the test "
                    "never sees the result and the coroutine never runs; `await` it",
                    fix,
                    elsewhere=elsewhere,
                )
                continue
            kept = "is thrown away" if found.event.role == "discarded" else "is never used"
            yield self.finding(
                call,
                f"`{found.callee}` returns a coroutine that {kept}{where}: nothing runs "
                "(RuntimeWarning: coroutine was never awaited); `await` it or wrap it in "
                "a task",
                fix,
                elsewhere=elsewhere,
            )


class TaskReferenceDropped(Rule):
    code = "AIO602"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        for found in dropped_tasks(facts):
            yield self.finding(
                found.event.node,
                f"the task from `{found.callee}` is not kept: the event loop holds only a weak "
                "reference, so it can be garbage-collected before it finishes, and its "
                "exception is never seen; keep it (a set, a TaskGroup) until it is done",
            )


class AsyncioRunInCoroutine(Rule):
    code = "AIO603"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        if allows_nested_loops(facts):
            return
        for function, event in facts.events():
            called = runs_event_loop(facts, function, event) if function.is_coroutine else None
            if called is not None:
                yield self.finding(
                    event.node,
                    f"`{called}` inside a coroutine raises RuntimeError: an event loop is "
                    "already running in this thread; `await` the coroutine instead",
                )


class GetEventLoopInCoroutine(Rule):
    code = "AIO604"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        for function, event in facts.events():
            if not function.is_coroutine:
                continue
            if call_qualname(function, event) != "asyncio.get_event_loop":
                continue
            assert isinstance(event.node, cst.Call)
            func = event.node.func
            fix = None
            if isinstance(func, cst.Attribute):
                fix = FixSpec(
                    "replace",
                    func.attr,
                    "get_running_loop",
                    safe=True,
                    description="Use `get_running_loop()`",
                )
            yield self.finding(
                event.node,
                "`get_event_loop()` in a coroutine: use `asyncio.get_running_loop()`, which "
                "returns the same loop here and, unlike `get_event_loop()`, can never create "
                "or return a loop that is not running",
                fix,
            )


class BlockingCallInAsync(Rule):
    code = "AIO605"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        for found in blocking_calls(facts):
            yield self.finding(
                found.event.node,
                f"`{found.callee}` blocks the event loop's thread: no other task runs until "
                f"it returns; {found.instead}",
            )


class BlockingFileOpenInAsync(Rule):
    code = "AIO607"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        for found in file_openings(facts):
            yield self.finding(
                found.event.node,
                f"`{found.callee}` opens a file on the event loop's thread, and reading or "
                "writing it blocks too: no other task runs meanwhile; do the file work in "
                "`await asyncio.to_thread(...)` (or use an async file library)",
            )


class BusyWaitSleepLoop(Rule):
    code = "AIO606"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        for _function, loop in busy_waits(facts):
            yield self.finding(
                loop,
                "this loop polls with `asyncio.sleep()`: it wakes up late, or wastes the loop "
                "with a short interval; wait on an `asyncio.Event` that the code setting the "
                "flag sets",
            )
