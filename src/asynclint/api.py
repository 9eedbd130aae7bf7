"""The library API: lint a string, or lint paths the way the command line does."""

from __future__ import annotations

from collections.abc import Sequence

from asynclint.diagnostics import Diagnostic
from asynclint.engine import check_source
from asynclint.settings import Settings


def lint_source(
    source: str | bytes, filename: str = "<string>", settings: Settings | None = None
) -> list[Diagnostic]:
    """Diagnostics for one module's source, sorted by position. Never raises for bad input."""
    result = check_source(source, filename, settings or Settings())
    if result.internal_errors:
        raise RuntimeError("; ".join(result.internal_errors))
    return result.diagnostics


def lint_paths(paths: Sequence[str], settings: Settings | None = None) -> list[Diagnostic]:
    """Diagnostics for files and directories, discovered as `asynclint check` does."""
    from asynclint.runner import run

    outcome = run(list(paths), settings or Settings(), jobs=1, use_cache=False)
    return [d for result in outcome.results for d in result.diagnostics]
