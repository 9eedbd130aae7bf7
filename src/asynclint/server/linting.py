"""Linting an editor's buffer with the engine, and the fixes the client may apply to it. Only
the edited file is analysed again (there are no cross-module facts to bring up to date), and
only its changed top-level statements are parsed again."""

from __future__ import annotations

from dataclasses import dataclass, field

from asynclint.diagnostics import Diagnostic
from asynclint.engine import FILE_BUDGET_SECONDS, check_buffer, skipped
from asynclint.fixes.stable import fix_until_stable
from asynclint.incremental import IncrementalParser
from asynclint.results import FileResult
from asynclint.settings import Settings


@dataclass(frozen=True)
class Linted:
    """The findings for one version of a buffer. `settings` is None when the file is excluded
    or its configuration is broken: then there are no findings."""

    text: str
    path: str
    version: int | None
    settings: Settings | None
    diagnostics: tuple[Diagnostic, ...] = ()
    internal_errors: tuple[str, ...] = field(default=(), compare=False)


def lint(
    text: str,
    path: str,
    version: int | None,
    settings: Settings | None,
    parser: IncrementalParser | None = None,
) -> Linted:
    """`parser`: the document's own, which reparses only the top-level statements that
    changed since its last parse."""
    if settings is None:
        return Linted(text, path, version, None)
    result = check_buffer(text, path, settings, parser=parser)
    return Linted(
        text,
        path,
        version,
        settings,
        tuple(result.diagnostics),
        tuple(result.internal_errors),
    )


# The command line's limit for one file. Off the main thread the engine cannot enforce it, so
# the server stops waiting instead (the abandoned analysis finishes in the background).
TIME_LIMIT_SECONDS = FILE_BUDGET_SECONDS


def over_time(text: str, path: str, version: int | None, settings: Settings | None) -> Linted:
    """What a buffer whose analysis ran out of time gets: AIO003, as `asynclint check` says."""
    if settings is None:
        return Linted(text, path, version, None)
    message = f"analysis took longer than {TIME_LIMIT_SECONDS:g} s; skipped"
    result = skipped(path, message, settings)
    return Linted(text, path, version, settings, tuple(result.diagnostics))


def has_safe_fix(linted: Linted) -> bool:
    return any(d.fix is not None and d.fix.safe for d in linted.diagnostics)


def fix_all(linted: Linted) -> str | None:
    """The buffer with every safe fix applied, repeated until none is left, as `asynclint
    check --fix` does; None when nothing changes."""
    if linted.settings is None or not has_safe_fix(linted):
        return None
    first = FileResult(linted.path, diagnostics=list(linted.diagnostics))
    result = fix_until_stable(linted.text, first, linted.settings, unsafe=False)
    return result.fixed_text
