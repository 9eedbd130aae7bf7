"""asynclint: find asyncio deadlocks and pitfalls with libcst."""

from __future__ import annotations

__version__ = "0.1.0"

from asynclint.api import lint_paths, lint_source
from asynclint.diagnostics import Diagnostic, Edit, Fix, Severity

__all__ = [
    "Diagnostic",
    "Edit",
    "Fix",
    "Severity",
    "__version__",
    "lint_paths",
    "lint_source",
]
