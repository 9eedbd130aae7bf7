"""Module summaries as JSON, for the cache: a warm run reads them instead of parsing every
file again to build the project index."""

from __future__ import annotations

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
    functions = [_function_from_json(item) for item in data["functions"]]
    return ModuleSummary(
        name=str(data["name"]),
        is_package=bool(data["is_package"]),
        path=str(data["path"]),
        imports={str(k): str(v) for k, v in data["imports"].items()},
        functions={f.name: f for f in functions},
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


def _function_to_json(function: FunctionSummary) -> list[Any]:
    return [
        function.path,
        function.line,
        function.name,
        function.is_coroutine,
        function.returns,
        sorted(function.pipes),
        list(function.params),
        list(function.kwonly),
        function.bound,
        [[effect, list(params)] for effect, params in function.effects],
        [list(sink) for sink in function.shell],
        function.followed,
        function.swallows_cancellation,
        [list(forward) for forward in function.forwards],
        function.returns_from,
    ]


def _function_from_json(item: list[Any]) -> FunctionSummary:
    path, line, name, is_coroutine, returns, pipes, params, kwonly, bound = item[:9]
    effects, shell, followed, swallows, forwards, returns_from = item[9:]
    return FunctionSummary(
        str(path),
        int(line),
        str(name),
        bool(is_coroutine),
        returns,
        frozenset(pipes),
        tuple(str(p) for p in params),
        tuple(str(p) for p in kwonly),
        bool(bound),
        tuple((str(effect), tuple(str(p) for p in names)) for effect, names in effects),
        tuple((str(param), int(line), str(sink)) for param, line, sink in shell),
        bool(followed),
        None if swallows is None else int(swallows),
        tuple(
            (str(param), str(prefix), str(callee), key if isinstance(key, int) else str(key))
            for param, prefix, callee, key in forwards
        ),
        None if returns_from is None else str(returns_from),
    )
