"""The project index: every checked module by name, and for each module the summaries of the
names it imports from the others (re-exports through `__init__.py` followed). A name from a
module that was not checked (third-party, stdlib) is unknown and stays so."""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from asynclint.project.extract import ModuleSummary, summarize
from asynclint.project.forwards import resolve_forwards
from asynclint.project.layout import module_name
from asynclint.project.summaries import ClassSummary, FunctionSummary, ModuleContext

# Re-exports followed before giving up (`a` re-exports `b.f`, which re-exports `c.f`, ...).
_MAX_HOPS = 8


@dataclass
class ProjectIndex:
    modules: dict[str, ModuleSummary] = field(default_factory=dict)
    by_path: dict[str, ModuleSummary] = field(default_factory=dict)
    # What each import target exports: many modules import the same targets. Cleared by `add`.
    _functions_of: dict[str, dict[str, FunctionSummary]] = field(default_factory=dict)
    _classes_of: dict[str, dict[str, ClassSummary]] = field(default_factory=dict)
    # Module name -> its parameters that other modules hand a joined queue (see ModuleContext).
    _joined: dict[str, set[tuple[str, str, str, int]]] | None = None
    # (module, function) -> its summary with its forwards folded in (see project/forwards.py).
    _resolved: dict[tuple[str, str], FunctionSummary] | None = None
    _class_methods: dict[str, dict[str, list[tuple[str, str]]]] = field(default_factory=dict)
    _digest_of: dict[str, str] = field(default_factory=dict)
    _views: dict[tuple[str, int], ClassSummary | None] = field(default_factory=dict)
    # Per file: the names its text spells after a dot (see `attribute_names`). Of an imported
    # module, a module uses only those: the rest of its exports neither reach its context nor
    # its cache key, so adding a function to a module re-analyses only the files naming it.
    uses: dict[str, frozenset[str]] = field(default_factory=dict)
    # (module, name) -> what the module exports as that name (see _name_export).
    _by_name: dict[tuple[str, str], tuple[dict[str, FunctionSummary], dict[str, ClassSummary]]] = (
        field(default_factory=dict)
    )
    _public: dict[str, list[str]] = field(default_factory=dict)

    def add(
        self,
        path: str,
        source: bytes,
        stored: Callable[[str, str, bool], ModuleSummary | None] | None = None,
    ) -> ModuleSummary | None:
        """Index one file; `stored(path, name, is_package)` may answer from the cache. Returns
        the summary when it was computed here (to be stored), else None."""
        named = module_name(path)
        if named is None or named.name in self.modules:
            return None  # two files claiming one name: keep the first, never guess
        summary = stored(path, named.name, named.is_package) if stored is not None else None
        computed = None
        if summary is None:
            summary = computed = summarize(source, path, named.name, named.is_package)
        if summary is not None:
            self.add_summary(path, summary)
        return computed

    def add_summary(
        self, path: str, summary: ModuleSummary, uses: frozenset[str] | None = None
    ) -> None:
        """Index a module summarised elsewhere (a worker, the cache); the first module to
        claim a name keeps it. `uses`: see `attribute_names` (None: everything)."""
        if summary.name in self.modules:
            return
        self.modules[summary.name] = summary
        self.by_path[path] = summary
        if uses is not None:
            self.uses[path] = uses
        self._by_name.clear()
        self._public.clear()
        self._functions_of.clear()
        self._classes_of.clear()
        self._digest_of.clear()
        self._views.clear()
        self._joined = None
        self._resolved = None
        self._class_methods.clear()

    def context_key(self, path: str) -> str | None:
        """Changes exactly when `context_for(path)` may change (for the cache), without
        building that context: from one digest per import target, computed once per run."""
        summary = self.by_path.get(path)
        if summary is None:
            return None
        targets = sorted(set(summary.imports.values()) | summary.dotted_imports)
        uses = self.uses.get(path)
        parts = [summary.name, str(summary.is_package)]
        for target in targets:
            if uses is None or target not in self.modules:
                self._export(target)
                parts.append(f"{target}={self._digest(target)}")
                continue
            names = [name for name in self._public_of(target) if name in uses]
            parts.extend(
                f"{target}.{name}={self._digest(target, name)}"
                for name in names
                if self._name_export(target, name) != ({}, {})
            )
        parts.extend(
            repr(entry) for entry in sorted(self._joined_parameters().get(summary.name, ()))
        )
        return hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()

    def _digest(self, target: str, name: str | None = None) -> str:
        """Of what `target` exports (only `target.name...` when a name is given)."""
        key = target if name is None else f"{target}\0{name}"
        digest = self._digest_of.get(key)
        if digest is None:
            if name is None:
                functions, classes = self._functions_of[target], self._classes_of[target]
            else:
                functions, classes = self._name_export(target, name)
            digest = self._digest_of[key] = ModuleContext(
                target, False, functions, classes
            ).digest()
        return digest

    def _export(self, target: str) -> None:
        if target not in self._functions_of:
            self._functions_of[target] = self._exported(target)
            self._classes_of[target] = self._exported_classes(target)

    def context_for(self, path: str) -> ModuleContext | None:
        """What `path`'s module can know about the other checked modules it imports."""
        summary = self.by_path.get(path)
        if summary is None:
            return None
        functions: dict[str, FunctionSummary] = {}
        classes: dict[str, ClassSummary] = {}
        uses = self.uses.get(path)
        for target in set(summary.imports.values()) | summary.dotted_imports:
            if uses is None or target not in self.modules:
                self._export(target)
                functions.update(self._functions_of[target])
                classes.update(self._classes_of[target])
                continue
            for name in self._public_of(target):
                if name in uses:
                    its_functions, its_classes = self._name_export(target, name)
                    functions.update(its_functions)
                    classes.update(its_classes)
        joined = tuple(sorted(self._joined_parameters().get(summary.name, ())))
        return ModuleContext(summary.name, summary.is_package, functions, classes, joined)

    def _joined_parameters(self) -> dict[str, set[tuple[str, str, str, int]]]:
        if self._joined is None:
            self._joined = {}
            for module in self.modules.values():
                for callee, key, line in module.joined_calls:
                    function = self.lookup(callee).get("")
                    owner = self.by_path.get(function.path) if function is not None else None
                    param = function.parameter(key) if function is not None else None
                    if function is None or owner is None or param is None:
                        continue
                    entry = (function.name, param, module.path, line)
                    self._joined.setdefault(owner.name, set()).add(entry)
        return self._joined

    def _public_of(self, target: str) -> list[str]:
        names = self._public.get(target)
        if names is None:
            module = self.modules.get(target)
            names = self._public[target] = _public_names(module) if module else []
        return names

    def _name_export(
        self, target: str, name: str
    ) -> tuple[dict[str, FunctionSummary], dict[str, ClassSummary]]:
        """What the module `target` exports as `name`: `target.name` (a function, or a
        class with its methods), only as much of the module as a file that uses the name
        needs (a module's classes cost most, with their bases in other modules)."""
        key = (target, name)
        found = self._by_name.get(key)
        if found is None:
            qualname = f"{target}.{name}"
            functions = {
                f"{qualname}{suffix}": self._resolved_summary(None, function)
                for suffix, function in self.lookup(qualname).items()
            }
            view = self.class_view(qualname)
            found = self._by_name[key] = (functions, {} if view is None else {qualname: view})
        return found

    def _exported_classes(self, target: str) -> dict[str, ClassSummary]:
        found: dict[str, ClassSummary] = {}
        names = [f"{target}.{name}" for name in self._public_of(target)]
        for name in names if target in self.modules else [target]:
            view = self.class_view(name)
            if view is not None:
                found[name] = view
        return found

    def class_view(self, qualname: str, hops: int = 0) -> ClassSummary | None:
        """A checked class with what it inherits from checked bases, re-exports followed."""
        key = (qualname, hops)
        if key not in self._views:  # many modules import the same classes and their bases
            self._views[key] = self._class_view(qualname, hops)
        return self._views[key]

    def _class_view(self, qualname: str, hops: int) -> ClassSummary | None:
        located = self._locate_class(qualname, hops)
        if located is None:
            return None
        module, name = located
        line, bases = module.classes[name]
        methods: dict[str, FunctionSummary] = {}
        attributes: dict[str, tuple[object, frozenset[str]]] = {}
        complete = True
        for base in bases:  # left to right; what comes first wins, as in the MRO
            if base == "builtins.object":
                continue
            inherited = self.class_view(base, hops + 1) if base is not None else None
            if inherited is None:
                complete = False  # anything not found so far may come from this base
                break
            for key, value in inherited.methods.items():
                methods.setdefault(key, value)
            for key, kind in inherited.attributes.items():
                attributes.setdefault(key, kind)
            complete = complete and inherited.complete
            if not complete:
                break
        for method, key in self._methods_of(module).get(name, ()):
            methods[method] = self._resolved_summary(module.name, module.functions[key])
        prefix = f"{name}."
        for key, kind in module.attributes.items():
            if key.startswith(prefix):
                attributes[key[len(prefix) :]] = kind
        return ClassSummary(module.path, line, name, methods, attributes, complete)  # type: ignore[arg-type]

    def _methods_of(self, module: ModuleSummary) -> dict[str, list[tuple[str, str]]]:
        """Class name -> (method, function key) of the module's methods, in one pass over the
        keys (a module with many classes would otherwise scan its functions once per class)."""
        found = self._class_methods.get(module.name)
        if found is None:
            found = self._class_methods[module.name] = {}
            for key in module.functions:
                owner, dot, method = key.partition(".")
                if dot:
                    found.setdefault(owner, []).append((method, key))
        return found

    def _locate_class(self, qualname: str, hops: int) -> tuple[ModuleSummary, str] | None:
        if hops > _MAX_HOPS:
            return None
        module_part, _, name = qualname.rpartition(".")
        module = self.modules.get(module_part)
        if module is None:
            return None
        if name in module.classes:
            return module, name
        imported = module.imports.get(name)
        if imported is not None and imported != qualname and name not in module.defined:
            return self._locate_class(imported, hops + 1)
        return None

    def _exported(self, target: str) -> dict[str, FunctionSummary]:
        """The summaries reachable as `target` or `target.<name>[.<method>]`."""
        found: dict[str, FunctionSummary] = {}
        if target in self.modules:  # a module: every function and method in it, by its name
            for name in self._public_of(target):
                found.update(self._name_export(target, name)[0])
            return found
        for suffix, function in self.lookup(target).items():
            found[f"{target}{suffix}"] = self._resolved_summary(None, function)
        return found

    def _resolved_summary(self, module: str | None, function: FunctionSummary) -> FunctionSummary:
        """`function` with what it hands to other modules' functions folded into its effects,
        and the kind of the call it returns (see FunctionSummary.forwards, .returns_from)."""
        if function.returns_from is not None:
            function = self._returned_kind(function)
        if not function.forwards:
            return function
        if module is None:
            owner = self.by_path.get(function.path)
            if owner is None:
                return function
            module = owner.name
        if self._resolved is None:
            self._resolved = {}
        key = (module, function.name)
        if key not in self._resolved:
            # Only what this function's forwards reach, transitively: a run that analyses one
            # edited file resolves the few chains its imports need, not the whole project's.
            self._resolved.update(
                resolve_forwards(self._reached(key, function), self._function_with_key)
            )
        resolved = self._resolved.get(key)
        if resolved is None:
            return function
        return dataclasses.replace(function, effects=resolved.effects, forwards=())

    def _reached(
        self, key: tuple[str, str], function: FunctionSummary
    ) -> dict[tuple[str, str], FunctionSummary]:
        """`function` and the functions with forwards that its forwards reach."""
        reached = {key: function}
        stack = [function]
        while stack:
            for _param, _prefix, callee, _at in stack.pop().forwards:
                found = self._function_with_key(callee)
                if found is not None and found[1].forwards and found[0] not in reached:
                    reached[found[0]] = found[1]
                    stack.append(found[1])
        return reached

    def _returned_kind(self, function: FunctionSummary) -> FunctionSummary:
        """Follow `returns_from` to a function with a kind of its own (a few hops, no cycle)."""
        seen = {function.name}
        current = function
        for _hop in range(_MAX_HOPS):
            assert current.returns_from is not None
            target = self.lookup(current.returns_from).get("")
            if target is None or target.is_coroutine != current.is_coroutine:
                break  # `return await make()` needs a coroutine, `return make()` a plain call
            if target.returns is not None:
                return dataclasses.replace(
                    function, returns=target.returns, pipes=target.pipes, returns_from=None
                )
            if target.returns_from is None or target.name in seen:
                break
            seen.add(target.name)
            current = target
        return dataclasses.replace(function, returns_from=None)

    def _function_with_key(self, qualname: str) -> tuple[tuple[str, str], FunctionSummary] | None:
        function = self.lookup(qualname).get("")
        owner = self.by_path.get(function.path) if function is not None else None
        if function is None or owner is None:
            return None
        return (owner.name, function.name), function

    def lookup(self, qualname: str, hops: int = 0) -> dict[str, FunctionSummary]:
        """`pkg.net.fetch` -> {"": fetch's summary}; a class -> {".method": ...}; following
        re-exports (`pkg.fetch` where pkg/__init__.py imports it from `.net`)."""
        if hops > _MAX_HOPS:
            return {}
        module_part, _, name = qualname.rpartition(".")
        module = self.modules.get(module_part)
        if module is None or not name:
            return {}
        if name in module.functions:
            return {"": module.functions[name]}
        is_class = name in self._methods_of(module)
        if is_class or name in module.defined:
            return {}  # methods are reached through the class (see class_view)
        imported = module.imports.get(name)
        if imported is not None and imported != qualname:
            return self.lookup(imported, hops + 1)
        return {}


def _public_names(module: ModuleSummary) -> list[str]:
    names = {key.split(".")[0] for key in module.functions}
    names.update(module.imports)
    return sorted(names)


_AFTER_A_DOT = re.compile(r"\.\s*([^\W\d]\w*)")


def attribute_names(text: str) -> frozenset[str]:
    """Every name the text spells after a dot, wherever (code, strings, comments): a superset
    of the attributes it takes of the modules it imports (`tasks.sleep` -> "sleep")."""
    return frozenset(_AFTER_A_DOT.findall(text))


def summarize_file(
    path: str, source: bytes, name: str, is_package: bool, tree: ast.Module | None = None
) -> ModuleSummary | None:
    """One module's summary (in a worker or in the main process). `tree`: the source's
    `ast`, when the caller has it."""
    return summarize(source, path, name, is_package, tree)


def build_index(files: Iterable[tuple[str, bytes]]) -> ProjectIndex:
    index = ProjectIndex()
    for path, source in files:
        index.add(path, source)
    return index
