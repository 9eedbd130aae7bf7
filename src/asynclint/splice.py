"""Where an edit falls in a text cut into pieces: the edited text cut at the same places,
without parsing it again, when the edit lies within one piece."""

from __future__ import annotations

import bisect
import itertools


def respliced(old: str, pieces: list[str], new: str) -> list[str] | None:
    """The pieces of `new` when it differs from `old` (cut into `pieces`) within one piece:
    that piece's new text in its place, the others as they were (an insertion where two
    pieces meet goes to the end of the first). None when the edit spans pieces. Whether the
    new piece still stands alone is for its parse to say."""
    prefix = _common_prefix(old, new)
    suffix = _common_suffix(old, new, min(len(old), len(new)) - prefix)
    old_end = len(old) - suffix
    starts = list(itertools.accumulate((len(p) for p in pieces[:-1]), initial=0))
    index = bisect.bisect_right(starts, prefix) - 1
    if index > 0 and prefix == starts[index] and old_end == prefix:
        index -= 1  # an insertion where two pieces meet: the end of the first
    end = starts[index] + len(pieces[index])
    if old_end > end:
        return None  # the edit spans pieces
    piece = new[starts[index] : end + len(new) - len(old)]
    if not piece:
        return None
    return [*pieces[:index], piece, *pieces[index + 1 :]]


def _common_prefix(a: str, b: str) -> int:
    low, high = 0, min(len(a), len(b))
    while low < high:  # slices compare in C: a few passes over the text
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _common_suffix(a: str, b: str, limit: int) -> int:
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        if a[len(a) - middle :] == b[len(b) - middle :]:
            low = middle
        else:
            high = middle - 1
    return low
