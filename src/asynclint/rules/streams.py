"""Placeholder rules."""
from __future__ import annotations

from collections.abc import Iterator

from asynclint.diagnostics import Severity
from asynclint.rules.base import Finding, Rule
from asynclint.semantics.model import ModuleFacts


class StreamWriteWithoutDrain(Rule):
    code = "AIO401"
    name = "stream-write-without-drain"
    severity = Severity.WARNING
    summary = "stream-write-without-drain"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        return iter(())
