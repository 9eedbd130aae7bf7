"""Module summaries as JSON, for the cache: a warm run reads them instead of parsing every
file again to build the project index."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any

from asynclint.project.extract import ModuleSummary
from asynclint.project.summaries import FunctionSummary


def summary_to_json(summary: ModuleSummary) -> dict[str, Any]:
    return {
        "name": summary.name,
        "is_package": summary.is_package,
        "path": summary.path,
        "imports": summary.imports,
        "functions": [_function_to_json(f) for f in summary.functions.values()],
        "defined": sorted(summary.defined),
        "classes": {name: [line, bases] for name, (line, bases) in summary.classes.items()},
        "attributes": {
            key: [kind, sorted(pipes)] for key, (kind, pipes) in summary.attributes.items()
        },
        "dotted_imports": sorted(summary.dotted_imports),
        "joined_calls": [list(call) for call in summary.joined_calls],
    }


def summary_from_json(data: dict[str, Any]) -> ModuleSummary:
    """Raises KeyError/TypeError/ValueError on an entry of another shape (a cache miss)."""
    path = str(data["path"])
    functions = StoredFunctions(data["functions"], path)
    return ModuleSummary(
        name=str(data["name"]),
        is_package=bool(data["is_package"]),
        path=path,
        imports={str(k): str(v) for k, v in data["imports"].items()},
        functions=functions,
        defined={str(name) for name in data["defined"]},
        classes={
            str(name): (int(line), [None if b is None else str(b) for b in bases])
            for name, (line, bases) in data["classes"].items()
        },
        attributes={
            str(key): (kind, frozenset(pipes)) for key, (kind, pipes) in data["attributes"].items()
        },
        dotted_imports={str(name) for name in data["dotted_imports"]},
        joined_calls=[
            (str(callee), key if isinstance(key, int) else str(key), int(line))
            for callee, key, line in data["joined_calls"]
        ],
    )


class StoredFunctions(MutableMapping[str, FunctionSummary]):
    """A stored module's functions, each made a FunctionSummary when first asked for: a warm
    run that analyses one edited file needs the functions of the few modules that file imports,
    not the tens of thousands of the whole project."""

    def __init__(self, items: list[Any], path: str) -> None:
        if not isinstance(items, list) or not all(
            isinstance(item, list) and len(item) in (5, 6) and isinstance(item[1], str)
            for item in items
        ):
            raise ValueError("functions of another shape")
        self._raw: dict[str, list[Any]] = {item[1]: item for item in items}
        self._path = path
        self._made: dict[str, FunctionSummary] = {}

    def __getitem__(self, name: str) -> FunctionSummary:
        made = self._made.get(name)
        if made is None:
            made = self._made[name] = _function_from_json(self._raw[name], self._path)
        return made

    def __setitem__(self, name: str, function: FunctionSummary) -> None:
        self._raw[name] = _function_to_json(function)
        self._made[name] = function

    def __delitem__(self, name: str) -> None:
        del self._raw[name]
        self._made.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def __contains__(self, name: object) -> bool:
        return name in self._raw


def _function_to_json(function: FunctionSummary) -> list[Any]:
    """[line, name, is_coroutine, params, bound] and only the other fields that are not their
    defaults: most functions have none, and a warm run reads tens of thousands of these. The
    path is the module's."""
    item: list[Any] = [
        function.line,
        function.name,
        function.is_coroutine,
        function.params,
        function.bound,
    ]
    optional: dict[str, Any] = {}
    if function.returns is not None:
        optional["returns"] = function.returns
    if function.pipes:
        optional["pipes"] = sorted(function.pipes)
    if function.kwonly:
        optional["kwonly"] = function.kwonly
    if function.effects:
        optional["effects"] = function.effects
    if function.shell:
        optional["shell"] = function.shell
    if function.followed:
        optional["followed"] = True
    if function.swallows_cancellation is not None:
        optional["swallows"] = function.swallows_cancellation
    if function.forwards:
        optional["forwards"] = function.forwards
    if function.returns_from is not None:
        optional["returns_from"] = function.returns_from
    if optional:
        item.append(optional)
    return item


def _function_from_json(item: list[Any], path: str) -> FunctionSummary:
    line, name, is_coroutine, params, bound = item[:5]
    optional: dict[str, Any] = item[5] if len(item) > 5 else {}
    returns_from = optional.get("returns_from")
    return FunctionSummary(
        path,
        int(line),
        str(name),
        bool(is_coroutine),
        optional.get("returns"),
        frozenset(optional.get("pipes", ())),
        tuple(params),
        tuple(optional.get("kwonly", ())),
        bool(bound),
        tuple((effect, tuple(names)) for effect, names in optional.get("effects", ())),
        tuple((param, int(at), sink) for param, at, sink in optional.get("shell", ())),
        bool(optional.get("followed", False)),
        optional.get("swallows"),
        tuple(
            (param, prefix, callee, key)
            for param, prefix, callee, key in optional.get("forwards", ())
        ),
        None if returns_from is None else str(returns_from),
    )
