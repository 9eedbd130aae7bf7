"""What a rule is: metadata plus a check over the module's semantic facts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import libcst as cst

from asynclint.diagnostics import Severity

if TYPE_CHECKING:
    from asynclint.semantics.model import ModuleFacts


@dataclass(frozen=True)
class FixSpec:
    """A fix described against CST nodes; the engine turns it into text edits once positions
    are known. `kind` is one of: insert_after (insert `text` on a new line after `node`, at the
    node's indentation), replace (replace `node`'s text with `text`), delete (remove `node`, and
    `extra`, the separator to delete with it)."""

    kind: str
    node: cst.CSTNode
    text: str
    safe: bool
    description: str
    extra: cst.CSTNode | None = None


@dataclass(frozen=True)
class Finding:
    """`related`: other nodes the finding involves, each with a note on its role (for a
    lock-order inversion, where the other order is taken); reported as related locations."""

    code: str
    node: cst.CSTNode
    message: str
    fix: FixSpec | None = None
    related: tuple[tuple[cst.CSTNode, str], ...] = ()


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    summary: ClassVar[str]  # one line for `asynclint rules`
    preview: ClassVar[bool] = False
    # Opt-in: a stable rule left out of the default selection (it reports style or
    # modernisation rather than bugs); it runs only when selected by its full code.
    opt_in: ClassVar[bool] = False
    fix_safety: ClassVar[str | None] = None  # "safe", "unsafe" or None

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        raise NotImplementedError

    def finding(
        self,
        node: cst.CSTNode,
        message: str,
        fix: FixSpec | None = None,
        related: tuple[tuple[cst.CSTNode, str], ...] = (),
    ) -> Finding:
        return Finding(self.code, node, message, fix, related)
