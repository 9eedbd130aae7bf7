"""`--fix`: apply the fixes, check again, and repeat until nothing more applies; a round whose
result does not parse is not applied."""

from __future__ import annotations

import warnings

from asynclint.project.summaries import ModuleContext
from asynclint.results import FileResult
from asynclint.settings import Settings

MAX_FIX_ROUNDS = 10  # a fix can enable another; stop if they never settle


def fix_until_stable(
    data: bytes | str,
    first: FileResult,
    settings: Settings,
    unsafe: bool,
    context: ModuleContext | None = None,
) -> FileResult:
    """Apply the applicable fixes, re-check, and repeat while fixes remain and apply. The
    diagnostics returned are those of the final text: what is left after fixing. `data` is
    a file's bytes, or already decoded text (an editor's buffer)."""
    from asynclint.engine import check_source
    from asynclint.fixes.apply import apply_fixes, compatible_fixes
    from asynclint.source import UndecodableSource, decode

    result = first
    try:
        original = text = data if isinstance(data, str) else decode(data).text
    except UndecodableSource:
        return first
    applied: list[str] = []
    errors = list(first.internal_errors)
    for _ in range(MAX_FIX_ROUNDS):
        fixable = [d for d in result.diagnostics if d.fix is not None and (d.fix.safe or unsafe)]
        fixes = [d.fix for d in fixable if d.fix is not None]
        chosen = compatible_fixes(fixes)
        fixed = apply_fixes(text, fixes) if chosen else text
        if fixed == text:
            break
        codes = sorted({fixable[i].code for i in chosen})
        if not _parses(fixed):
            errors.append(
                f"{first.path}: fixes for {', '.join(codes)} produced code that does not parse;"
                " not applied"
            )
            break
        applied.extend(fixable[i].code for i in chosen)
        text = fixed
        result = check_source(text, first.path, settings, context=context)
        errors.extend(e for e in result.internal_errors if e not in errors)
    result.internal_errors = errors
    result.encoding = first.encoding
    result.applied_fixes = applied
    result.fixed_text = text if text != original else None
    return result


def _parses(text: str) -> bool:
    import libcst

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            libcst.parse_module(text)
        except (libcst.ParserSyntaxError, libcst.CSTValidationError, RecursionError, MemoryError):
            # CSTValidationError: libcst's grammar accepts the text, its tree does not (`'a' b'b'`).
            return False
    return True
