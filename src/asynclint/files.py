"""Which files a run checks: walk the given paths for `.py`/`.pyi` files, skipping what
`.gitignore` files and the exclude patterns name.

Patterns use gitignore syntax: a pattern without a slash (`build`, `*_pb2.py`) matches that name
at any depth; one with a slash (`src/gen/`) is anchored at the project root. Paths named on the
command line are always checked unless `force_exclude` is set (pre-commit passes every staged
file by name and relies on it). Symlinks met during a walk are never followed: a link inside a
root points at something the walk finds anyway, and one pointing elsewhere leaves the roots (or
loops back into them)."""

from __future__ import annotations

import errno
import itertools
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathspec import Pattern

PYTHON_SUFFIXES = (".py", ".pyi")
DEFAULT_EXCLUDES: tuple[str, ...] = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "__pycache__",
    "build",
    "dist",
    "node_modules",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".asynclint_cache",
    "site-packages",
    ".eggs",
)
_GLOB_CHARS = frozenset("*?[]!\\/")


def path_error(root: str) -> str | None:
    """Why a path named by the user cannot be checked, or None if it can."""
    if not os.path.exists(root):
        reason = "No such file or directory"
        if os.path.islink(root):
            reason = "symbolic link loop" if _loops(root) else "broken symbolic link"
        return f"{root}: {reason}"
    if not (os.path.isfile(root) or os.path.isdir(root)):
        return f"{root}: not a regular file or directory"
    return None


@dataclass(frozen=True)
class DiscoveryOptions:
    exclude: tuple[str, ...] = DEFAULT_EXCLUDES  # replaces the defaults when configured
    extend_exclude: tuple[str, ...] = ()
    force_exclude: bool = False
    respect_gitignore: bool = True
    base: str | None = None  # directory anchored patterns are relative to; cwd when None
    # The exclusions in force in a directory, when each project has its own (a monorepo);
    # None: the patterns above, relative to `base`, everywhere.
    excluders: Callable[[str], Excluder] | None = field(default=None, compare=False)


@dataclass
class Discovery:
    files: list[str] = field(default_factory=list)  # display paths, sorted
    warnings: list[str] = field(default_factory=list)  # unreadable directories and the like
    # Named paths that cannot be checked; the others still are, as in ruff (exit 2 at the end).
    errors: list[str] = field(default_factory=list)


def discover(paths: Sequence[str], options: DiscoveryOptions | None = None) -> Discovery:
    """Files to check under `paths` (default `.`), each once, in a stable order. A path that
    cannot be checked is listed in `errors` and the others are still walked."""
    options = options or DiscoveryOptions()
    found = Discovery()
    roots = []
    for root in list(paths) or ["."]:
        error = path_error(root)
        if error is None:
            roots.append(root)
        else:
            found.errors.append(error)
    excluder_for = _excluders(options)
    seen: set[str] = set()
    # A walk never follows links, so only overlapping roots (`src src/a.py`) can name a file
    # twice; resolving every path costs a system call per path component.
    overlapping = _overlapping(roots)

    def add(display: str) -> None:
        if overlapping:
            real = os.path.realpath(display)
            if real in seen:
                return
            seen.add(real)
        found.files.append(display)

    for root in roots:
        if options.force_exclude and _excluded_root(root, excluder_for):
            continue
        if os.path.isdir(root):
            for display in _walk(root, excluder_for, options.respect_gitignore, found.warnings):
                add(display)
        else:
            add(root)
    found.files.sort(key=_sort_key)
    return found


def _overlapping(roots: Sequence[str]) -> bool:
    """Whether one root is another or lies inside it, links resolved."""
    real = sorted(os.path.join(os.path.realpath(root), "") for root in roots)
    return any(later.startswith(earlier) for earlier, later in itertools.pairwise(real))


def _excluders(options: DiscoveryOptions) -> Callable[[str], Excluder]:
    if options.excluders is not None:
        return options.excluders
    everywhere = Excluder.from_options(options)
    return lambda _directory: everywhere


def _excluded_root(path: str, excluder_for: Callable[[str], Excluder]) -> bool:
    """Whether `--force-exclude` drops a path named explicitly, by its own project's rules."""
    is_dir = os.path.isdir(path)
    directory = os.path.abspath(path) if is_dir else os.path.dirname(os.path.abspath(path))
    return excluder_for(directory).excludes_with_parents(path, is_dir)


def _loops(path: str) -> bool:
    try:
        os.stat(path)
    except OSError as error:
        return error.errno == errno.ELOOP
    return False


def _sort_key(path: str) -> tuple[str, ...]:
    return tuple(path.replace(os.sep, "/").split("/"))


def _walk(
    root: str, excluder_for: Callable[[str], Excluder], use_gitignore: bool, warnings: list[str]
) -> list[str]:
    root_abs = os.path.abspath(root)
    ignores = GitIgnores.for_directory(root_abs) if use_gitignore else None
    inherited_by: dict[int, tuple[str, ...]] = {}  # per excluder, see Excluder.inherited
    prefix = "" if os.path.normpath(root) == "." else root.rstrip("/" + os.sep) + os.sep
    files: list[str] = []
    # (directory relative to root, how many .gitignore files were active when it was entered)
    stack: list[tuple[str, int]] = [("", ignores.depth if ignores else 0)]
    while stack:
        rel_dir, depth = stack.pop()
        dir_abs = os.path.join(root_abs, rel_dir) if rel_dir else root_abs
        if ignores is not None:
            ignores.truncate(depth)
            ignores.enter(dir_abs)
        try:
            with os.scandir(dir_abs) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError as error:
            warnings.append(f"{prefix}{rel_dir or '.'}: cannot list directory: {error.strerror}")
            continue
        subdirs: list[str] = []
        # The entries of a directory follow the exclusions of the project it belongs to.
        excluder = excluder_for(dir_abs)
        inherited = inherited_by.get(id(excluder))
        if inherited is None:
            inherited = inherited_by[id(excluder)] = excluder.inherited(root_abs)
        for entry in entries:
            if entry.is_symlink():
                continue
            rel = os.path.join(rel_dir, entry.name) if rel_dir else entry.name
            is_dir = entry.is_dir(follow_symlinks=False)
            if not is_dir and not (
                entry.name.endswith(PYTHON_SUFFIXES) and entry.is_file(follow_symlinks=False)
            ):
                continue
            abs_path = os.path.join(root_abs, rel)
            if excluder.excludes(abs_path, is_dir, inherited):
                continue
            if ignores is not None and ignores.ignores(abs_path, is_dir):
                continue
            if is_dir:
                subdirs.append(rel)
            else:
                files.append(prefix + rel)
        current = ignores.depth if ignores else 0
        stack.extend((sub, current) for sub in reversed(subdirs))
    return files


def _compile(lines: Iterable[str]) -> list[Pattern]:
    import pathspec  # only when there is a pattern a plain name lookup cannot answer

    return [p for p in pathspec.GitIgnoreSpec.from_lines(lines).patterns if p.include is not None]


def _decision(patterns: Sequence[Pattern], rel: str, inherited: Sequence[str] = ()) -> bool | None:
    """gitignore's rule: the last pattern that matches decides (a `!pattern` re-includes).

    `inherited` are the directories from the pattern file's base down to a directory named on
    the command line. A pattern that matches one of them (`build/` when the user asked for
    `build/`) would match everything below it: the user asked for it, so it does not count."""
    for pattern in reversed(patterns):
        if pattern.match_file(rel) is not None:
            if any(pattern.match_file(directory) is not None for directory in inherited):
                continue
            return bool(pattern.include)
    return None


def _dir_prefixes(rel: str) -> tuple[str, ...]:
    """`a/b` -> (`a/`, `a/b/`): a relative directory and its parents, as patterns see them."""
    parts = [part for part in rel.split("/") if part not in ("", ".")]
    return tuple("/".join(parts[: i + 1]) + "/" for i in range(len(parts)))


def _relative(path: str, base: str) -> str:
    inside = path.startswith(base + os.sep)
    rel = path[len(base) + 1 :] if inside else os.path.relpath(path, base)
    return rel.replace(os.sep, "/")


class Excluder:
    """`exclude` + `extend-exclude`; plain names (the defaults) skip the pattern engine."""

    def __init__(self, patterns: Sequence[str], base: str) -> None:
        self.base = os.path.abspath(base)
        self.names = frozenset(p for p in patterns if not _GLOB_CHARS.intersection(p))
        globs = [p for p in patterns if _GLOB_CHARS.intersection(p)]
        self.patterns = _compile(globs) if globs else []

    @classmethod
    def from_options(cls, options: DiscoveryOptions) -> Excluder:
        return cls(options.exclude + options.extend_exclude, options.base or os.getcwd())

    def inherited(self, root_abs: str) -> tuple[str, ...]:
        """What `_decision` should not hold against the entries of a walk from `root_abs`.
        Nothing when the walk starts at or above the base (a nested project's)."""
        if root_abs == self.base or self.base.startswith(root_abs.rstrip(os.sep) + os.sep):
            return ()
        return _dir_prefixes(_relative(root_abs, self.base))

    def excludes(self, abs_path: str, is_dir: bool, inherited: Sequence[str] = ()) -> bool:
        if os.path.basename(abs_path) in self.names:
            return True
        if not self.patterns:
            return False
        rel = _relative(abs_path, self.base) + ("/" if is_dir else "")
        return bool(_decision(self.patterns, rel, inherited))

    def excludes_with_parents(self, path: str, is_dir: bool) -> bool:
        """For paths named explicitly: `build/x.py` is excluded because `build` is. Directories
        at or above the project root (or above where the path leaves it) are not consulted."""
        abs_path = os.path.abspath(path)
        if self.excludes(abs_path, is_dir):
            return True
        parent = os.path.dirname(abs_path)
        while parent != self.base and not self.base.startswith(parent.rstrip(os.sep) + os.sep):
            if self.excludes(parent, True):
                return True
            parent = os.path.dirname(parent)
        return False


class GitIgnores:
    """The `.gitignore` files in force at the directory being walked, outermost first."""

    def __init__(self) -> None:
        # (directory, its patterns, the directories down to the walk's root: see _decision)
        self.specs: list[tuple[str, list[Pattern], tuple[str, ...]]] = []

    @property
    def depth(self) -> int:
        return len(self.specs)

    @classmethod
    def for_directory(cls, directory: str) -> GitIgnores:
        """Start with what applies above `directory`: the repository's `info/exclude` and the
        `.gitignore` files between the repository root and `directory`."""
        ignores = cls()
        repo = _repository_root(directory)
        if repo is None:
            return ignores
        ignores.add(repo, os.path.join(repo, ".git", "info", "exclude"), directory)
        current = repo
        for part in _relative(directory, repo).split("/"):
            if part in ("", "."):
                continue
            ignores.enter(current, directory)
            current = os.path.join(current, part)
        return ignores

    def truncate(self, depth: int) -> None:
        del self.specs[depth:]

    def enter(self, directory: str, root: str | None = None) -> None:
        self.add(directory, os.path.join(directory, ".gitignore"), root)

    def add(self, directory: str, file: str, root: str | None = None) -> None:
        """`root`: the walk starts below `directory`, at this directory named by the user."""
        try:
            with open(file, encoding="utf-8", errors="replace") as handle:
                lines = handle.read().splitlines()
        except OSError:
            return
        patterns = _compile(lines)
        if patterns:
            inherited = _dir_prefixes(_relative(root, directory)) if root else ()
            self.specs.append((directory, patterns, inherited))

    def ignores(self, abs_path: str, is_dir: bool) -> bool:
        # Deeper files override shallower ones, so the innermost file with a match decides.
        for directory, patterns, inherited in reversed(self.specs):
            if not abs_path.startswith(directory + os.sep):
                continue
            rel = abs_path[len(directory) + 1 :].replace(os.sep, "/") + ("/" if is_dir else "")
            decision = _decision(patterns, rel, inherited)
            if decision is not None:
                return decision
        return False


def _repository_root(directory: str) -> str | None:
    current = directory
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def is_excluded(path: str, options: DiscoveryOptions) -> bool:
    """Whether `--force-exclude` drops this explicitly named path (also used for stdin)."""
    return _excluded_root(path, _excluders(options))
