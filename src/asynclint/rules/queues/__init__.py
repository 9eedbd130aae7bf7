"""Rules about asyncio queues (AIO1xx)."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from asynclint.rules.base import Finding, FixSpec, Rule
from asynclint.rules.queues.accounting import QueueReport, analyse
from asynclint.rules.queues.misuse import (
    asyncio_alias,
    concurrent_consumers,
    endless_consumers,
    self_deadlocking_puts,
    stale_empty_checks,
    unorderable_items,
    wrong_exception_handlers,
)
from asynclint.semantics import asyncio_api as api
from asynclint.semantics.guards import version_guarded
from asynclint.semantics.model import ModuleFacts
from asynclint.semantics.threads import bound_launches, off_loop_functions

SHUTDOWN_ADDED = (3, 13)
# Methods of asyncio objects that must run on the loop's thread, by kind.
THREAD_UNSAFE: dict[str, frozenset[str]] = {
    api.QUEUE: frozenset({"put_nowait", "get_nowait", "task_done", "shutdown"}),
    api.FUTURE: frozenset({"set_result", "set_exception", "cancel"}),
    api.TASK: frozenset({"cancel"}),
    api.EVENT: frozenset({"set", "clear"}),
    api.LOOP: frozenset({"call_soon", "call_later", "call_at", "create_task", "stop"}),
}


def _report(facts: ModuleFacts) -> QueueReport:
    # The three rules share one pass over the consumers.
    return facts.memo(analyse)


class QueueTaskDoneMissing(Rule):
    code = "AIO101"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        local = {e.root for _f, e in facts.method_calls(api.QUEUE, "join")}
        elsewhere = facts.joined_elsewhere()
        for get in _report(facts).missing:
            joined = elsewhere.get(get.root) if get.root not in local else None
            where = f" (in {joined[0]}:{joined[1]})" if joined is not None else ""
            yield self.finding(
                get.node,
                f"`{get.method}()` from a queue that is join()ed{where}, but no `task_done()` "
                "follows on any path: the unfinished-task count never reaches zero and "
                "`join()` never returns",
                elsewhere=((joined[0], joined[1], "the queue is join()ed here"),)
                if joined is not None
                else (),
            )


class QueueTaskDoneExcess(Rule):
    code = "AIO102"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        for task_done in _report(facts).excess:
            yield self.finding(
                task_done.node,
                "`task_done()` runs a second time for the same `get()` on this path: it raises "
                "`ValueError: task_done() called too many times` or lets `join()` return early",
            )


class QueueTaskDoneNotInFinally(Rule):
    code = "AIO103"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        for found in _report(facts).unprotected:
            line = f"`{found.get.method}()`"
            if found.why == "before try":
                message = (
                    f"`task_done()` is in a `finally`, but work between {line} and its `try:` "
                    "can raise or be cancelled and skip it, and then `join()` never returns: "
                    f"start the `try:` right after {line}"
                )
            elif found.why == "skipped":
                message = (
                    f"`task_done()` is skipped on a path that comes round to {line} again "
                    "without it (a `continue`), and then `join()` never returns: call it on "
                    "that path too, or put the work in a `try:` whose `finally:` calls it"
                )
            else:
                message = (
                    "`task_done()` is skipped when the work since `get()` raises or is "
                    "cancelled, and then `join()` never returns: call it in a `finally:` block"
                )
            yield self.finding(found.task_done.node, message)


class QueueConsumerNeverExits(Rule):
    code = "AIO104"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        for endless in endless_consumers(facts):
            consumer = endless.spawn.call.target
            name = consumer.name if consumer is not None else "the consumer"
            yield self.finding(
                endless.get.node,
                f"`{name}()` loops on `get()` with no way out (no break, return, sentinel or "
                f"`shutdown()`), but `{endless.spawn.spawner.name}()` waits for it to finish: "
                "once the producers are done it waits for ever",
            )


class QueueShutdownRequiresPy313(Rule):
    code = "AIO105"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        target = facts.settings.target_version
        if target >= SHUTDOWN_ADDED:
            return
        for function, event in facts.method_calls(api.QUEUE, "shutdown"):
            if version_guarded(function.node, event.node, SHUTDOWN_ADDED, "shutdown"):
                continue
            yield self.finding(
                event.node,
                f"`Queue.shutdown()` is new in Python 3.13; on {target[0]}.{target[1]} (the "
                "target version) it raises AttributeError: guard it with "
                "`sys.version_info >= (3, 13)` or end the consumers with a sentinel",
            )


class QueueEmptyThenGetRace(Rule):
    code = "AIO106"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        for stale in stale_empty_checks(facts):
            if concurrent_consumers(facts, stale.get.root) < 2:
                continue
            yield self.finding(
                stale.get.node,
                f"the queue was tested with `{stale.check.method}()` before an `await`, and "
                "other tasks consume it meanwhile: this `get()` can block for ever on a queue "
                "they emptied; use `get_nowait()` and catch `asyncio.QueueEmpty`",
            )


class PriorityQueueUnorderableItem(Rule):
    code = "AIO107"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        for item in unorderable_items(facts):
            yield self.finding(
                item.put.node,
                f"two items with the same priority make the queue compare their payloads, and "
                f"{item.what} cannot be ordered: TypeError; add a tie-breaker such as "
                "`(priority, next(counter), payload)`",
            )


class AsyncioObjectFromThread(Rule):
    code = "AIO108"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        for function in off_loop_functions(facts):
            for event in function.events:
                kind = facts.kind(event.root)
                if event.kind == "call" and event.method in THREAD_UNSAFE.get(kind or "", ()):
                    yield self._report(event.node, kind or "", event.method, function.name)
        for bound in bound_launches(facts):
            kind = facts.kind(bound.receiver)
            if bound.method in THREAD_UNSAFE.get(kind or "", ()):
                yield self._report(bound.launcher.node, kind or "", bound.method, None)

    def _report(self, node: cst.CSTNode, kind: str, method: str, where: str | None) -> Finding:
        place = f"`{where}()` runs on another thread" if where else "this runs it on a thread"
        return self.finding(
            node,
            f"{place}, but asyncio {kind} methods such as `{method}()` are not thread-safe: "
            "hand the call to the loop with `loop.call_soon_threadsafe()` (or "
            "`asyncio.run_coroutine_threadsafe()` for a coroutine)",
        )


class WrongQueueException(Rule):
    code = "AIO109"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        for wrong in wrong_exception_handlers(facts):
            spelled = asyncio_alias(facts, wrong.asyncio_name)
            fix = None
            if spelled is not None:
                # Keep the stdlib name when a thread queue in the same `try` may raise it.
                text, action = spelled, f"Catch `{spelled}` instead"
                if not wrong.only_asyncio:
                    original = facts.module.code_for_node(wrong.caught)
                    in_tuple = isinstance(wrong.handler.node.type, cst.Tuple)
                    text = f"{original}, {spelled}" if in_tuple else f"({original}, {spelled})"
                    action = f"Catch `{spelled}` too"
                fix = FixSpec("replace", wrong.caught, text, safe=True, description=action)
            method = wrong.calls[0].method
            yield self.finding(
                wrong.caught,
                f"asyncio's `{method}()` raises `asyncio.{wrong.asyncio_name}`, not "
                f"`{wrong.stdlib_name}` (the thread queue's exception): this handler never "
                "runs and the exception escapes",
                fix,
            )


class BoundedQueueSelfDeadlock(Rule):
    code = "AIO110"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        for deadlock in self_deadlocking_puts(facts):
            yield self.finding(
                deadlock.put.node,
                f"the queue holds {deadlock.maxsize} item(s) and nothing can consume it yet: "
                "this `put()` waits for a free slot for ever; start the consumers first",
            )
