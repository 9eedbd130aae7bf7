"""Module names from the package layout, as Python would import the file: the directory above
the topmost `__init__.py` is the import root; in a `src/` layout, `src` is (which also names
namespace packages, directories without `__init__.py`, below it)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class ModuleName:
    name: str  # "pkg.sub.mod"; "pkg.sub" for pkg/sub/__init__.py
    is_package: bool


def module_name(path: str) -> ModuleName | None:
    """None for a file that cannot be imported under its name (`my-script.py`)."""
    absolute = os.path.abspath(path)
    directory, filename = os.path.split(absolute)
    stem, extension = os.path.splitext(filename)
    if extension not in (".py", ".pyi"):
        return None
    is_package = stem == "__init__"
    parts = [*_package_parts(directory), *([] if is_package else [stem])]
    if not parts or not all(part.isidentifier() for part in parts):
        return None
    return ModuleName(".".join(parts), is_package)


@lru_cache(maxsize=4096)
def _package_parts(directory: str) -> tuple[str, ...]:
    """The package names a module in `directory` is imported under (asked once per
    directory: every file of a run asks)."""
    parts: list[str] = []
    while os.path.isfile(os.path.join(directory, "__init__.py")):
        directory, package = os.path.split(directory)
        parts.insert(0, package)
    # No `__init__.py` above: a namespace package, if some ancestor is a `src/` root.
    rest = _below_src(directory)
    return (*(rest or ()), *parts)


def _below_src(directory: str) -> list[str] | None:
    """The directories between the nearest ancestor named `src` and `directory`."""
    parts: list[str] = []
    current = directory
    while True:
        parent, name = os.path.split(current)
        if name == "src":
            return parts
        if not name or parent == current:
            return None
        parts.insert(0, name)
        current = parent
