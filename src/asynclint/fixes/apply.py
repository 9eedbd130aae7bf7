"""Apply text edits from fixes: non-overlapping, in order, the first of two clashing edits wins."""

from __future__ import annotations

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
