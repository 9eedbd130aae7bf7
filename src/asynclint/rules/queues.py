"""Rules about asyncio queues (AIO1xx)."""

from __future__ import annotations

from collections.abc import Iterator

from asynclint.diagnostics import Severity
from asynclint.rules.base import Finding, Rule
from asynclint.semantics.model import ModuleFacts
from asynclint.semantics.queues import QueueReport, analyse


def _report(facts: ModuleFacts) -> QueueReport:
    # The three rules share one pass over the consumers.
    cached = facts.cache.get("queues")
    if not isinstance(cached, QueueReport):
        cached = facts.cache["queues"] = analyse(facts)
    return cached


class QueueTaskDoneMissing(Rule):
    code = "AIO101"
    name = "queue-task-done-missing"
    severity = Severity.WARNING
    summary = "get() from a joined queue with no task_done() after it"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        for get in _report(facts).missing:
            yield self.finding(
                get.node,
                f"`{get.method}()` from a queue that is join()ed, but no `task_done()` follows "
                "on any path: the unfinished-task count never reaches zero and `join()` "
                "never returns",
            )


class QueueTaskDoneExcess(Rule):
    code = "AIO102"
    name = "queue-task-done-excess"
    severity = Severity.ERROR
    summary = "task_done() called twice for one get()"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        for task_done in _report(facts).excess:
            yield self.finding(
                task_done.node,
                "`task_done()` runs a second time for the same `get()` on this path: it raises "
                "`ValueError: task_done() called too many times` or lets `join()` return early",
            )


class QueueTaskDoneNotInFinally(Rule):
    code = "AIO103"
    name = "queue-task-done-not-in-finally"
    severity = Severity.WARNING
    summary = "task_done() that an exception after get() skips"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        for task_done in _report(facts).unprotected:
            yield self.finding(
                task_done.node,
                "`task_done()` is skipped when the work since `get()` raises or is cancelled, "
                "and then `join()` never returns: call it in a `finally:` block",
            )
