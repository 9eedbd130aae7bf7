"""What changed between two stored summaries of one module (see project/stored.py), and which
names the project's summaries refer to: together they tell a warm run whether an edited module
can change what any other module is told (see project/keys.py)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

# Fields that shape how names resolve through the module (imports, re-exports) or reach other
# modules whatever name they use (its joined queues): a change to any of them may reach any
# module, and is never narrowed to names.
_MODULE_FIELDS = ("name", "is_package", "path", "imports", "dotted_imports", "joined_calls")


def changed_names(old: dict[str, Any], new: dict[str, Any]) -> set[str] | None:
    """The top-level names (functions, classes, other bindings) whose summaries differ; None
    when a module-wide field differs. Both in their stored JSON shape."""
    if any(old[key] != new[key] for key in _MODULE_FIELDS):
        return None
    changed: set[str] = set()
    changed.update(_differing(_functions_by_name(old), _functions_by_name(new)))
    changed.update(_differing(old["classes"], new["classes"]))
    changed.update(_differing(old["attributes"], new["attributes"]))
    changed.update(set(old["defined"]) ^ set(new["defined"]))
    return {name.split(".")[0] for name in changed}


def _functions_by_name(summary: dict[str, Any]) -> dict[str, Any]:
    return {item[1]: item for item in summary["functions"]}


def _differing(old: dict[str, Any], new: dict[str, Any]) -> Iterator[str]:
    for key in old.keys() | new.keys():
        if old.get(key) != new.get(key):
            yield key


def referenced_names(summary: dict[str, Any]) -> Iterator[str]:
    """Every name part of every dotted name the summary refers to: its imports, its classes'
    bases, its functions' forwards and returned calls, its joined queues' callees. A lookup
    of `pkg.mod.f` made for this module asks for nothing outside these (and the names the
    module's text spells after a dot, see index.attribute_names)."""
    dotted: list[str] = list(summary["imports"].values())
    dotted.extend(summary["dotted_imports"])
    for _line, bases in summary["classes"].values():
        dotted.extend(base for base in bases if base is not None)
    dotted.extend(callee for callee, _key, _line in summary["joined_calls"])
    for item in summary["functions"]:
        optional = item[5] if len(item) > 5 else {}
        dotted.extend(forward[2] for forward in optional.get("forwards", ()))
        if optional.get("returns_from") is not None:
            dotted.append(optional["returns_from"])
    for name in dotted:
        yield from name.split(".")


def names_referenced(summaries: Iterable[tuple[dict[str, Any], Iterable[str]]]) -> set[str]:
    """Of (summary, names used) pairs: every name any of them may look up."""
    names: set[str] = set()
    for summary, uses in summaries:
        names.update(referenced_names(summary))
        names.update(uses)
    return names
