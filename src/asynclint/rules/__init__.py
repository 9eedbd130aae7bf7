"""The rule implementations. Importing this package defines every rule class, and each class
registers itself under its code (`Rule.__init_subclass__`); the metadata lives in
`asynclint.registry`, which needs no libcst."""

from __future__ import annotations

from asynclint.registry import ALL_CODES
from asynclint.rules import cancellation, locks, queues, streams, subprocess, tasks
from asynclint.rules.base import IMPLEMENTATIONS, Finding, FixSpec, Rule

# Every implemented rule by code, in code order.
RULES_BY_CODE: dict[str, type[Rule]] = {
    code: IMPLEMENTATIONS[code] for code in ALL_CODES if code in IMPLEMENTATIONS
}
RULE_CLASSES: tuple[type[Rule], ...] = tuple(RULES_BY_CODE.values())

# The modules above are imported for the classes they define.
_RULE_MODULES = (cancellation, locks, queues, streams, subprocess, tasks)

__all__ = ["RULES_BY_CODE", "RULE_CLASSES", "Finding", "FixSpec", "Rule"]
