"""Which codes are enabled: select/ignore by prefix; the most specific selector wins, as in ruff."""

from __future__ import annotations

import functools
import os
import re
from pathlib import PurePath

from asynclint.registry import ALL_CODES, SYNTAX_ERROR, metadata
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
    if meta is not None and ((meta.preview and not settings.preview) or meta.opt_in):
        # Preview and opt-in rules run only when asked for by their full code.
        return code in settings.select + settings.extend_select
    return True


def on_by_default(code: str) -> bool:
    """Does the default selection (`AIO`, no preview) run `code`?"""
    return is_enabled(code, Settings())


@functools.lru_cache(maxsize=64)
def enabled_codes(settings: Settings) -> frozenset[str]:
    return frozenset(code for code in ALL_CODES if is_enabled(code, settings))


@functools.lru_cache(maxsize=256)
def _glob(pattern: str) -> re.Pattern[str]:
    """A per-file-ignores glob as a regular expression. `*` and `?` match any characters,
    `/` included, as in ruff and flake8; `[...]` is a character class (`[!...]` negated); `**/`
    matches any number of directories, none included."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        char = pattern[i]
        i += 1
        if char == "*":
            out.append(".*")
        elif char == "?":
            out.append(".")
        elif char == "[" and (close := _class_end(pattern, i)) > 0:
            out.append(_class(pattern[i:close]))
            i = close + 1
        else:
            out.append(re.escape(char))
    return re.compile("".join(out), re.DOTALL)


def _class_end(pattern: str, start: int) -> int:
    """Index of the `]` that closes a class whose body starts at `start`, or -1. A `]` right
    after the `[` (or `[!`) belongs to the class, as in fnmatch."""
    at = start + 1 if pattern.startswith("!", start) else start
    at = at + 1 if pattern.startswith("]", at) else at
    return pattern.find("]", at)


def _class(body: str) -> str:
    negate = body.startswith("!")
    escaped = "".join("\\" + c if c in "\\]^[&~|" else c for c in body[negate:])
    return f"[{'^' if negate else ''}{escaped}]"


def _normalize(pattern: str) -> str:
    pattern = pattern.replace("\\", "/") if os.sep == "\\" else pattern
    while pattern.startswith("./"):
        pattern = pattern[2:]
    return pattern


@functools.lru_cache(maxsize=1024)
def _matching_patterns(
    path: str, root: str | None, cwd: str, patterns: tuple[str, ...]
) -> tuple[bool, ...]:
    absolute = os.path.normpath(os.path.join(cwd, path))
    base = os.path.normpath(os.path.join(cwd, root)) if root else cwd
    try:
        relative: str | None = os.path.relpath(absolute, base)
    except ValueError:  # another drive
        relative = None
    if relative is not None and (relative == ".." or relative.startswith(".." + os.sep)):
        relative = None  # outside the project: only name and absolute patterns can match
    name = os.path.basename(absolute)
    found = []
    for raw in patterns:
        pattern = _normalize(raw)
        glob = _glob(pattern)
        if os.path.isabs(pattern) or pattern.startswith("/"):
            found.append(glob.fullmatch(PurePath(absolute).as_posix()) is not None)
            continue
        matched = relative is not None and bool(glob.fullmatch(PurePath(relative).as_posix()))
        if not matched and "/" not in pattern:
            matched = glob.fullmatch(name) is not None
        found.append(matched)
    return tuple(found)


def enabled_codes_for_path(path: str, settings: Settings) -> frozenset[str]:
    """The enabled codes less those `per-file-ignores` turns off for `path`.

    As in ruff, a glob is matched against the file's path relative to the project root (the
    directory of the pyproject.toml that configured the run; the current directory when there
    is none), however the file was named (`src/a.py`, `./src/a.py`, an absolute path, or a
    path relative to a subdirectory one runs from). A glob without a `/` also matches the file
    name alone (`test_*.py`); an absolute glob is matched against the absolute path."""
    codes = enabled_codes(settings)
    for ignored in _per_file_ignored(path, settings):
        codes = frozenset(c for c in codes if not any(c.startswith(i) for i in ignored))
    return codes


def _per_file_ignored(path: str, settings: Settings) -> list[tuple[str, ...]]:
    """The code lists of the `per-file-ignores` entries whose glob matches `path`."""
    if not settings.per_file_ignores:
        return []
    patterns = tuple(pattern for pattern, _ in settings.per_file_ignores)
    matches = _matching_patterns(path, settings.project_root, os.getcwd(), patterns)
    entries = zip(settings.per_file_ignores, matches, strict=True)
    return [ignored for (_, ignored), matched in entries if matched]


def reports_syntax_errors(path: str, settings: Settings) -> bool:
    """A file that does not parse is reported (AIO001) whatever is selected, as ruff does:
    `--select AIO6` must not hide that nothing in the file was checked. Only ignoring AIO001
    (by code or prefix, in `ignore` or a `per-file-ignores` entry for this file) hides it,
    for deliberately broken test data."""
    code = SYNTAX_ERROR.code
    ignores = [settings.ignore, *_per_file_ignored(path, settings)]
    return not any(code.startswith(prefix) for ignored in ignores for prefix in ignored)
