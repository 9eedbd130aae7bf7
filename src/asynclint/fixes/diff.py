"""What `--diff` shows: a unified diff of a file before and after its fixes."""

from __future__ import annotations

import difflib


def unified_diff(before: str, after: str, path: str) -> str:
    """`diff -u` style, with git's a/ b/ prefixes and its marker for a missing final newline."""
    lines = difflib.unified_diff(
        _diff_lines(before), _diff_lines(after), fromfile=f"a/{path}", tofile=f"b/{path}"
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def _diff_lines(text: str) -> list[str]:
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines
