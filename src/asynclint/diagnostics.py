"""The values every layer passes around: a finding, its position, and its fix."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Severity(str, enum.Enum):
    ERROR = "error"  # raises or misbehaves every time it runs
    WARNING = "warning"  # deadlock, hang, leak or injection risk


@dataclass(frozen=True)
class Edit:
    """Replace source[start:end] (character offsets into the decoded text) with `content`."""

    start: int
    end: int
    content: str


@dataclass(frozen=True)
class Fix:
    edits: tuple[Edit, ...]
    safe: bool
    description: str


@dataclass(frozen=True)
class RelatedLocation:
    """Another place that a finding involves (the other half of a lock-order inversion, the
    definition in another module of a function called there), with a note on its role.
    1-based like Diagnostic's positions. `path`: another file; None for the finding's own."""

    line: int
    column: int
    message: str
    end_line: int | None = None
    end_column: int | None = None
    path: str | None = None


@dataclass(frozen=True)
class Diagnostic:
    """One finding. `line` and `column` are 1-based, like flake8 and ruff print them."""

    path: str
    line: int
    column: int
    code: str
    message: str
    severity: Severity = Severity.WARNING
    end_line: int | None = None
    end_column: int | None = None
    fix: Fix | None = field(default=None, compare=False)
    related: tuple[RelatedLocation, ...] = field(default=(), compare=False)

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)
