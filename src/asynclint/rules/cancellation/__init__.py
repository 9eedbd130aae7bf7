"""Rules about exceptions, cancellation and asyncio's API across versions (AIO5xx)."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from asynclint.rules.base import Finding, FixSpec, Rule
from asynclint.rules.cancellation.compat import (
    describe_missing,
    missing_names,
    outermost_call,
    removed_loop_arguments,
    without_loop_arguments,
)
from asynclint.rules.cancellation.swallowed import (
    ENDS,
    GOES_ON,
    CancellationCatch,
    swallowed_cancellations,
    swallowing_callees,
    timeout_mismatches,
)
from asynclint.semantics.model import ModuleFacts


def _what(catch: CancellationCatch) -> str:
    what = "`suppress()`" if isinstance(catch.node, cst.Call) else "this handler"
    return f"{what} catches `CancelledError` (through {catch.catches})"


class CancelledErrorSwallowed(Rule):
    code = "AIO501"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        for swallowed in swallowed_cancellations(facts):
            if swallowed.after == ENDS:
                continue  # AIO505
            after = (
                "the coroutine keeps running after `cancel()`"
                if swallowed.after == GOES_ON
                else "its caller carries on as if nothing was cancelled"
            )
            yield self.finding(
                swallowed.catch.node,
                f"{_what(swallowed.catch)} and does not re-raise it on every path: {after}, "
                "and `asyncio.timeout()` or a `TaskGroup` around it cannot stop it; clean "
                "up, then `raise`",
            )
        for found in swallowing_callees(facts):
            callee = found.callee
            name = callee.name
            line = callee.swallows_cancellation or callee.line
            yield self.finding(
                found.node,
                f"`{name}()` ({callee.path}:{line}) catches `CancelledError` and returns "
                "normally, and this coroutine goes on after awaiting it: its own "
                "cancellation, arriving during the call, is lost, and `asyncio.timeout()` "
                f"or a `TaskGroup` around it cannot stop it; re-raise in `{name}()`, or "
                "check `asyncio.current_task().cancelling()` after the call",
                elsewhere=((callee.path, line, f"`{name}()` swallows `CancelledError` here"),),
            )


class CancellationEndsNormally(Rule):
    code = "AIO505"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        for swallowed in swallowed_cancellations(facts):
            if swallowed.after != ENDS:
                continue
            yield self.finding(
                swallowed.catch.node,
                f"{_what(swallowed.catch)} and the coroutine then ends normally: its task "
                "reports `cancelled()` False, a caller awaiting it keeps running after its "
                "own cancellation, and `asyncio.timeout()` or a `TaskGroup` relying on the "
                "exception misbehave; clean up, then `raise`",
            )


class TimeoutErrorMismatch(Rule):
    code = "AIO502"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        module_names = [local for local, full in facts.imports.items() if full == "asyncio"]
        for mismatch in timeout_mismatches(facts):
            fix = None
            if module_names:
                caught = f"{module_names[0]}.TimeoutError, TimeoutError"
                tuple_ = isinstance(mismatch.handler.node.type, cst.Tuple)
                fix = FixSpec(
                    "replace",
                    mismatch.name,
                    caught if tuple_ else f"({caught})",
                    safe=True,
                    description=f"Catch `{module_names[0]}.TimeoutError` too",
                )
            yield self.finding(
                mismatch.name,
                f"`{mismatch.source}()` raises `asyncio.TimeoutError`, which is not the builtin "
                "`TimeoutError` before Python 3.11: this handler never runs on a timeout",
                fix,
            )


class AsyncioAttributeMissing(Rule):
    code = "AIO503"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        target = facts.settings.target_version
        for use in missing_names(facts):
            error = "ImportError" if isinstance(use.node, cst.ImportAlias) else "AttributeError"
            yield self.finding(
                use.node,
                f"`{use.written}` {describe_missing(use.name, target)}: {error} at run time",
            )


class LoopArgumentRemoved(Rule):
    code = "AIO504"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        every = removed_loop_arguments(facts)
        for found in every:
            call = outermost_call(found, every)
            fixed = facts.module.code_for_node(without_loop_arguments(call, every))
            yield self.finding(
                found.arg,
                f"`{found.event.qualname}()` has no `loop` parameter since Python 3.10: "
                "the call raises TypeError; the running loop is used anyway",
                FixSpec("replace", call, fixed, safe=True, description="Remove `loop=`"),
            )
