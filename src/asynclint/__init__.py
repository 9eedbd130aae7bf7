"""asynclint: find asyncio deadlocks and pitfalls with libcst."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from asynclint.diagnostics import Diagnostic, Edit, Fix, Severity

__version__ = "0.1.0"

if TYPE_CHECKING:
    from asynclint.api import lint_paths, lint_source

# The API functions import libcst (about a quarter of a second), so they load on first use: the
# flake8 plugin and a fully cached CLI run import this package without paying for it.
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
