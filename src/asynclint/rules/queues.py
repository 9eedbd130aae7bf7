"""Placeholder rules."""
from __future__ import annotations

from collections.abc import Iterator

from asynclint.diagnostics import Severity
from asynclint.rules.base import Finding, Rule
from asynclint.semantics.model import ModuleFacts


class QueueTaskDoneMissing(Rule):
    code = "AIO101"
    name = "queue-task-done-missing"
    severity = Severity.WARNING
    summary = "queue-task-done-missing"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        return iter(())


class QueueTaskDoneExcess(Rule):
    code = "AIO102"
    name = "queue-task-done-excess"
    severity = Severity.ERROR
    summary = "queue-task-done-excess"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        return iter(())


class QueueTaskDoneNotInFinally(Rule):
    code = "AIO103"
    name = "queue-task-done-not-in-finally"
    severity = Severity.WARNING
    summary = "queue-task-done-not-in-finally"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        return iter(())
