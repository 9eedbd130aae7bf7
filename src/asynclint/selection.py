"""Which codes are enabled: select/ignore by prefix; the most specific selector wins, as in ruff."""

from __future__ import annotations

import fnmatch
import functools
from pathlib import PurePath

from asynclint.rules import ALL_CODES, metadata
from asynclint.settings import Settings


def _best_match(code: str, selectors: tuple[str, ...]) -> int:
    """Length of the longest selector that is a prefix of `code`, or -1."""
    return max((len(s) for s in selectors if code.startswith(s)), default=-1)


def is_enabled(code: str, settings: Settings) -> bool:
    selected = _best_match(code, settings.select + settings.extend_select)
    ignored = _best_match(code, settings.ignore)
    if selected < 0 or ignored >= selected:
        return False
    meta = metadata(code)
    if meta is not None and meta.preview and not settings.preview:
        # Preview rules run only when asked for by their full code.
        return code in settings.select + settings.extend_select
    return True


def enabled_codes(settings: Settings) -> frozenset[str]:
    return frozenset(code for code in ALL_CODES if is_enabled(code, settings))


def _glob_matches(pattern: str, path: str) -> bool:
    posix = PurePath(path).as_posix()
    if fnmatch.fnmatchcase(posix, pattern) or fnmatch.fnmatchcase(posix, f"*/{pattern}"):
        return True
    return "/" not in pattern and fnmatch.fnmatchcase(PurePath(path).name, pattern)


@functools.lru_cache(maxsize=1024)
def enabled_codes_for_path(path: str, settings: Settings) -> frozenset[str]:
    """`per-file-ignores` globs (matched against the path as given and its file name)."""
    codes = enabled_codes(settings)
    for pattern, ignored in settings.per_file_ignores:
        if _glob_matches(pattern, path):
            codes = frozenset(c for c in codes if not any(c.startswith(i) for i in ignored))
    return codes
