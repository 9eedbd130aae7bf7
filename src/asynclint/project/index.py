"""The project index: every checked module by name, and for each module the summaries of the
names it imports from the others (re-exports through `__init__.py` followed). A name from a
module that was not checked (third-party, stdlib) is unknown and stays so."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from asynclint.project.extract import ModuleSummary, summarize
from asynclint.project.layout import module_name
from asynclint.project.summaries import FunctionSummary, ModuleContext

# Re-exports followed before giving up (`a` re-exports `b.f`, which re-exports `c.f`, ...).
_MAX_HOPS = 8


@dataclass
class ProjectIndex:
    modules: dict[str, ModuleSummary] = field(default_factory=dict)
    by_path: dict[str, ModuleSummary] = field(default_factory=dict)

    def add(self, path: str, source: bytes) -> None:
        named = module_name(path)
        if named is None or named.name in self.modules:
            return  # two files claiming one name: keep the first, never guess between them
        summary = summarize(source, path, named.name, named.is_package)
        if summary is not None:
            self.modules[named.name] = summary
            self.by_path[path] = summary

    def context_for(self, path: str) -> ModuleContext | None:
        """What `path`'s module can know about the other checked modules it imports."""
        summary = self.by_path.get(path)
        if summary is None:
            return None
        functions: dict[str, FunctionSummary] = {}
        for target in set(summary.imports.values()) | summary.dotted_imports:
            functions.update(self._exported(target))
        return ModuleContext(summary.name, summary.is_package, functions)

    def _exported(self, target: str) -> dict[str, FunctionSummary]:
        """The summaries reachable as `target` or `target.<name>[.<method>]`."""
        found: dict[str, FunctionSummary] = {}
        module = self.modules.get(target)
        if module is not None:  # a module: every function and method in it, by its name
            for name in _public_names(module):
                resolved = self.lookup(f"{target}.{name}")
                for suffix, function in resolved.items():
                    found[f"{target}.{name}{suffix}"] = function
            return found
        for suffix, function in self.lookup(target).items():
            found[f"{target}{suffix}"] = function
        return found

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
        prefix = f"{name}."
        methods = {
            f".{key[len(prefix) :]}": summary
            for key, summary in module.functions.items()
            if key.startswith(prefix)
        }
        if methods or name in module.defined:
            return methods
        imported = module.imports.get(name)
        if imported is not None and imported != qualname:
            return self.lookup(imported, hops + 1)
        return {}


def _public_names(module: ModuleSummary) -> Iterable[str]:
    names = {key.split(".")[0] for key in module.functions}
    names.update(module.imports)
    return sorted(names)


def build_index(files: Iterable[tuple[str, bytes]]) -> ProjectIndex:
    index = ProjectIndex()
    for path, source in files:
        index.add(path, source)
    return index
