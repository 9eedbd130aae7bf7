"""Apply text edits from fixes: non-overlapping, in order, the first of two clashing edits wins.
Also what writing fixes needs: a unified diff, and an atomic write that keeps the encoding."""

from __future__ import annotations

import contextlib
import difflib
import os
import stat
import tempfile
from collections.abc import Iterable, Sequence

from asynclint.diagnostics import Edit, Fix


def compatible_fixes(fixes: Sequence[Fix]) -> list[int]:
    """Indices of the fixes `apply_fixes` applies: each one that clashes with none before it."""
    chosen: list[int] = []
    taken: list[tuple[int, int]] = []
    for index, fix in enumerate(fixes):
        spans = [(edit.start, edit.end) for edit in fix.edits]
        if any(_overlaps(span, other) for span in spans for other in taken):
            continue  # a later run of --fix picks it up once the first edit is in place
        taken.extend(spans)
        chosen.append(index)
    return chosen


def apply_fixes(text: str, fixes: Iterable[Fix]) -> str:
    fixes = list(fixes)
    chosen: list[Edit] = [edit for i in compatible_fixes(fixes) for edit in fixes[i].edits]
    pieces: list[str] = []
    cursor = 0
    for edit in sorted(chosen, key=lambda e: (e.start, e.end)):
        pieces.append(text[cursor : edit.start])
        pieces.append(edit.content)
        cursor = max(cursor, edit.end)
    pieces.append(text[cursor:])
    return "".join(pieces)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    # Two insertions at one point clash too: their order would be arbitrary.
    return (a[0] < b[1] and b[0] < a[1]) or a == b


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


def write_atomic(path: str, text: str, encoding: str) -> None:
    """Replace the file's contents in one step (a reader sees the old or the new file, never
    half of one), keeping its permissions and encoding; `utf-8-sig` writes the BOM back.
    Raises UnicodeEncodeError or OSError, leaving the file untouched."""
    data = text.encode(encoding)
    target = os.path.realpath(path)  # write through a symlink instead of replacing it
    mode = stat.S_IMODE(os.stat(target).st_mode)
    directory, name = os.path.split(target)
    handle, temp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
