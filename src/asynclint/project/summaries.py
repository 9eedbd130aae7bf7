"""What one module may know about functions defined in other checked modules: plain, frozen,
picklable data (never syntax trees), cheap to ship to a worker and to hash for the cache."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from asynclint.semantics.asyncio_api import ObjectKind

# What a call of a function gives: an object kind, or "pair" (a (reader, writer) tuple).
ReturnKind = ObjectKind | Literal["pair"]


@dataclass(frozen=True)
class FunctionSummary:
    """A function or method of a checked module, as far as its callers elsewhere care."""

    path: str  # the file, as the run names it (for messages)
    line: int  # of the `def`
    name: str  # qualified within its module: "fetch", "Client.fetch"
    is_coroutine: bool  # an `async def` that is no generator, with no decorator that may wrap it
    returns: ReturnKind | None = None
    pipes: frozenset[str] = frozenset()  # for a returned process: the streams made with PIPE
    params: tuple[str, ...] = ()  # positional, in order (`self` included for a method)
    kwonly: tuple[str, ...] = ()
    bound: bool = False  # a method called through an instance: the first parameter is bound
    # What the function does with each parameter: (effect, parameter names), both sorted (a
    # stable text for the cache digest). An effect is a method it calls on the parameter
    # ("drain", "task_done"), or on one of its streams ("stdout.read", "stdin.close"; a
    # `read` counts only when it reads to the end), or "store": kept, returned or handed to
    # code that is not summarised, so that anything may happen to it.
    effects: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Parameters that become a shell command: (parameter, line of that call, the sink).
    shell: tuple[tuple[str, int, str], ...] = ()
    followed: bool = False  # False: the parameters were not followed, each counts as stored
    # The line of the `except` clause through which this coroutine swallows a cancellation
    # and returns normally (see project/cancellation.py), when its own module does not await
    # it directly (AIO501 reports the handler there then); None otherwise.
    swallows_cancellation: int | None = None
    # Parameters handed to functions of other modules: (parameter, stream prefix "" or
    # "stdout.", the callee's absolute dotted name, argument key). The project index folds
    # the callee's effects into `effects` and empties this (see project/forwards.py).
    forwards: tuple[tuple[str, str, str, int | str], ...] = ()
    # With no kind of its own: every `return` gives the result of one call of another function
    # of a checked module (absolute dotted name; awaited when this is a coroutine). The index
    # gives this function that function's kind (see ProjectIndex._resolved).
    returns_from: str | None = None

    @property
    def place(self) -> str:
        return f"{self.path}:{self.line}"

    def parameter(self, key: int | str) -> str | None:
        """The parameter that a call's argument (a position or a keyword) binds."""
        params = self.params[1:] if self.bound else self.params
        if isinstance(key, int):
            return params[key] if 0 <= key < len(params) else None
        return key if key in params or key in self.kwonly else None

    def effects_on(self, param: str) -> frozenset[str]:
        if not self.followed:
            return frozenset({"store"})
        return frozenset(effect for effect, names in self.effects if param in names)


@dataclass(frozen=True)
class ClassSummary:
    """A class of a checked module with what its instances get from it and its bases (in
    method resolution order, as far as the bases are known)."""

    path: str
    line: int
    name: str
    methods: Mapping[str, FunctionSummary] = field(default_factory=dict)
    # `self._lock = asyncio.Lock()` in a method, `lock: asyncio.Lock` in the body: attr -> kind.
    attributes: Mapping[str, tuple[ReturnKind, frozenset[str]]] = field(default_factory=dict)
    # False when a base is not a checked class: a name missing here may be defined there.
    complete: bool = True


@dataclass(frozen=True)
class ModuleContext:
    """One module's view of the project: its dotted name (to resolve relative imports) and the
    summaries of the names it imports, keyed by their import-resolved dotted name as the
    module spells them (`pkg.fetch` for `from pkg import fetch`, re-exports followed)."""

    name: str
    is_package: bool = False
    functions: Mapping[str, FunctionSummary] = field(default_factory=dict)
    classes: Mapping[str, ClassSummary] = field(default_factory=dict)
    # Parameters of this module's functions that other modules hand a queue they join():
    # (function qualname, parameter, path of the joining module, line of its join()), sorted.
    joined: tuple[tuple[str, str, str, int], ...] = ()

    def digest(self) -> str:
        """Changes exactly when something this module can use changes (for the cache)."""
        classes = sorted(
            (key, c.path, c.line, sorted(c.methods.items()), sorted(c.attributes.items()))
            for key, c in self.classes.items()
        )
        functions = sorted(self.functions.items())
        text = repr((self.name, self.is_package, functions, classes, self.joined))
        return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def resolve_relative(context: ModuleContext, level: int, module: str | None) -> str | None:
    """The absolute module named by `from <dots><module> import ...` in `context`'s module;
    None when the dots climb above the top-level package."""
    parts = context.name.split(".")
    if not context.is_package:
        parts = parts[:-1]
    climb = level - 1
    if climb > len(parts) or (climb == len(parts) and not module):
        return None
    base = parts[: len(parts) - climb]
    if module:
        base = [*base, module]
    return ".".join(base) or None
