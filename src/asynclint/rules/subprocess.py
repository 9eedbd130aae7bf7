"""Placeholder rules."""
from __future__ import annotations

from collections.abc import Iterator

from asynclint.diagnostics import Severity
from asynclint.rules.base import Finding, Rule
from asynclint.semantics.model import ModuleFacts


class SubprocessWaitWithPipe(Rule):
    code = "AIO201"
    name = "subprocess-wait-with-pipe"
    severity = Severity.WARNING
    summary = "subprocess-wait-with-pipe"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        return iter(())


class SubprocessShellInjection(Rule):
    code = "AIO202"
    name = "subprocess-shell-injection"
    severity = Severity.WARNING
    summary = "subprocess-shell-injection"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        return iter(())
