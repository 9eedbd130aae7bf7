"""How a rule describes a fix: against the CST nodes it found, before positions are known."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import libcst as cst

FixKind = Literal["insert_after", "replace", "delete"]


@dataclass(frozen=True)
class FixSpec:
    """A fix described against CST nodes; the engine turns it into text edits once positions
    are known. `kind` is one of: insert_after (insert `text` on a new line after `node`, at the
    node's indentation), replace (replace `node`'s text with `text`), delete (remove `node`, and
    `extra`, the separator to delete with it)."""

    kind: FixKind
    node: cst.CSTNode
    text: str
    safe: bool
    description: str
    extra: cst.CSTNode | None = None
