"""What a rule is: metadata plus a check over the module's semantic facts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import libcst as cst

from asynclint import registry
from asynclint.diagnostics import Severity
from asynclint.fixes.spec import FixSpec as FixSpec  # re-exported: rules import it from here
from asynclint.registry import FixSafety, RuleInfo

if TYPE_CHECKING:
    from asynclint.semantics.model import ModuleFacts


@dataclass(frozen=True)
class Finding:
    """`related`: other nodes the finding involves, each with a note on its role (for a
    lock-order inversion, where the other order is taken); reported as related locations."""

    code: str
    node: cst.CSTNode
    message: str
    fix: FixSpec | None = None
    related: tuple[tuple[cst.CSTNode, str], ...] = ()
    # Places in other files: (path, line, note).
    elsewhere: tuple[tuple[str, int, str], ...] = ()


# Every rule class, by code, in the order the classes were defined (see `Rule.__init_subclass__`).
IMPLEMENTATIONS: dict[str, type[Rule]] = {}


class Rule:
    """A rule names its code; everything else about it comes from the registry, so that the
    metadata is declared once and readable without importing libcst."""

    code: ClassVar[str]
    info: ClassVar[RuleInfo]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    summary: ClassVar[str]
    preview: ClassVar[bool]
    opt_in: ClassVar[bool]
    fix_safety: ClassVar[FixSafety | None]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        info = registry.metadata(cls.code)
        if info is None or info.is_tool_diagnostic:
            raise TypeError(f"{cls.__name__}: {cls.code} has no rule entry in asynclint.registry")
        cls.info = info
        cls.name, cls.severity, cls.summary = info.name, info.severity, info.summary
        cls.preview, cls.opt_in, cls.fix_safety = info.preview, info.opt_in, info.fix_safety
        IMPLEMENTATIONS[cls.code] = cls

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        raise NotImplementedError

    def finding(
        self,
        node: cst.CSTNode,
        message: str,
        fix: FixSpec | None = None,
        related: tuple[tuple[cst.CSTNode, str], ...] = (),
        elsewhere: tuple[tuple[str, int, str], ...] = (),
    ) -> Finding:
        return Finding(self.code, node, message, fix, related, elsewhere)
