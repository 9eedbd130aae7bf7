"""flake8's format, `path:line:col: CODE message` with a 1-based column, so every editor's and
CI system's flake8 problem matcher reads it as is."""

from __future__ import annotations

from collections.abc import Iterable

from asynclint.diagnostics import Diagnostic


def render(diagnostics: Iterable[Diagnostic], *, show_fixes: bool = False) -> str:
    lines: list[str] = []
    for d in diagnostics:
        lines.append(f"{d.path}:{d.line}:{d.column}: {d.code} {d.message}")
        if show_fixes and d.fix is not None:
            kind = "safe" if d.fix.safe else "unsafe"
            lines.append(f"    fix ({kind}): {d.fix.description}")
    return "".join(line + "\n" for line in lines)
