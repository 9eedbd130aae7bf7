"""asynclint: find asyncio deadlocks and pitfalls with libcst."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from asynclint.diagnostics import Diagnostic, Edit, Fix, Severity

__version__ = "0.1.0"

if TYPE_CHECKING:
    from asynclint.api import lint_paths, lint_source

# The API functions live with the engine, which imports libcst (~0.25 s). Load them on first
# use so that the command line can answer from its cache without paying for the parser.
_LAZY = {"lint_paths": "asynclint.api", "lint_source": "asynclint.api"}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'asynclint' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


__all__ = [
    "Diagnostic",
    "Edit",
    "Fix",
    "Severity",
    "__version__",
    "lint_paths",
    "lint_source",
]
