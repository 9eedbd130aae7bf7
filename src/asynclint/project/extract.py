"""A module's summary, extracted with the stdlib `ast` (several times faster than libcst,
and enough for what other modules need to know): its module-level imports and, for its
functions and methods, whether each is a coroutine function and what kind a call returns."""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field

from asynclint.parsing import python_ast
from asynclint.project import cancellation
from asynclint.project.ast_names import qualify
from asynclint.project.param_effects import (
    ParamUses,
    as_summary_fields,
    compose,
    own_calls,
    parameter_uses,
)
from asynclint.project.summaries import FunctionSummary, ModuleContext, ReturnKind
from asynclint.project.summaries import resolve_relative as _resolve_relative
from asynclint.semantics import asyncio_api as api
from asynclint.semantics.asyncio_api import TRANSPARENT_DECORATORS


@dataclass
class ModuleSummary:
    name: str
    is_package: bool
    path: str = ""
    # Module-level imports: local name -> absolute dotted name (relative imports resolved).
    imports: dict[str, str] = field(default_factory=dict)
    # Top-level functions ("fetch") and methods ("Client.fetch").
    functions: MutableMapping[str, FunctionSummary] = field(default_factory=dict)
    # Names the module binds at top level other than by import (shadowing a re-export).
    defined: set[str] = field(default_factory=set)
    # Classes: name -> (line, absolute names of the bases; None for a base that is no name).
    classes: dict[str, tuple[int, list[str | None]]] = field(default_factory=dict)
    # "Class.attr" -> the kind every store to `self.attr` in the class's methods agrees on.
    attributes: dict[str, tuple[ReturnKind, frozenset[str]]] = field(default_factory=dict)
    # `import a.b.c` binds `a` but makes `a.b.c.f` reachable too.
    dotted_imports: set[str] = field(default_factory=set)
    # Queues this module join()s and hands to functions of other modules: (the callee's
    # absolute dotted name, the argument's position or keyword, the line of the join).
    joined_calls: list[tuple[str, int | str, int]] = field(default_factory=list)


def summarize(
    source: bytes | str, path: str, name: str, is_package: bool, tree: ast.Module | None = None
) -> ModuleSummary | None:
    """None when the file does not parse (the engine reports that). `tree`: the source's
    `ast`, when the caller has it."""
    if tree is None:
        tree = python_ast(source)
        if tree is None:
            return None
    summary = ModuleSummary(name, is_package, path)
    context = ModuleContext(name, is_package)
    text = source.decode("utf-8", "replace") if isinstance(source, bytes) else source
    lines = text.splitlines()
    own = frozenset(
        n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
    )
    uses: dict[str, ParamUses | None] = {}
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            _record_import(node, context, summary.imports)
            if isinstance(node, ast.Import):
                summary.dotted_imports.update(a.name for a in node.names if not a.asname)
    imported = frozenset(k for k, v in summary.imports.items() if v.split(".")[0] != "asyncio")
    calls_own = own_calls(own, imported)
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            summary.defined.add(node.name)
            summary.functions[node.name] = _function(node, node.name, path, summary.imports, lines)
            uses[node.name] = _parameter_uses(node, summary.imports, lines, own, calls_own)
            summary.joined_calls.extend(_joined_calls(node, summary.imports, lines))
        elif isinstance(node, ast.ClassDef):
            summary.defined.add(node.name)
            bases = [_base_name(base, summary) for base in node.bases]
            summary.classes[node.name] = (node.lineno, bases)
            for attr, kind in _attribute_kinds(node, summary.imports, lines).items():
                summary.attributes[f"{node.name}.{attr}"] = kind
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    qualname = f"{node.name}.{item.name}"
                    method = summary.functions[qualname] = _function(
                        item, qualname, path, summary.imports, lines
                    )
                    uses[qualname] = _parameter_uses(
                        item, summary.imports, lines, own, calls_own, method.bound
                    )
                    summary.joined_calls.extend(_joined_calls(item, summary.imports, lines))
                    if method.returns not in (None, "pair") and _is_property(item):
                        assert method.returns is not None
                        summary.attributes[qualname] = (method.returns, method.pipes)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            summary.defined.update(t.id for t in targets if isinstance(t, ast.Name))
    compose({name: found for name, found in uses.items() if found is not None})
    for qualname, found in uses.items():
        function = summary.functions[qualname]
        effects, shell, followed, forwards = as_summary_fields(found)
        summary.functions[qualname] = dataclasses.replace(
            function, effects=effects, shell=shell, followed=followed, forwards=forwards
        )
    _cancellation_facts(tree, summary, lines)
    return summary


def _joined_calls(
    node: ast.FunctionDef | ast.AsyncFunctionDef, imports: dict[str, str], lines: list[str]
) -> list[tuple[str, int | str, int]]:
    """`q = asyncio.Queue()` (or a parameter annotated as one), `await q.join()`, and `q`
    handed to an imported function: that function's parameter holds a joined queue."""
    text = "\n".join(lines[node.lineno - 1 : node.end_lineno or node.lineno])
    if ".join(" not in text or "Queue" not in text:
        return []
    queues = {
        a.arg
        for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)
        if a.annotation is not None and _annotation_kind(a.annotation, imports) == api.QUEUE
    }
    for statement in _own_statements(node.body):
        if isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value is not None:
            made = _produced(statement.value, imports)
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            for target in targets:
                if isinstance(target, ast.Name) and made is not None and made[0] == api.QUEUE:
                    queues.add(target.id)
    if not queues:
        return []
    nodes = _own_nodes(node)
    joins: dict[str, int] = {}
    for item in nodes:
        if (
            isinstance(item, ast.Call)
            and isinstance(item.func, ast.Attribute)
            and item.func.attr == "join"
            and isinstance(item.func.value, ast.Name)
            and item.func.value.id in queues
        ):
            joins.setdefault(item.func.value.id, item.lineno)
    found: list[tuple[str, int | str, int]] = []
    for item in nodes if joins else ():
        if not isinstance(item, ast.Call):
            continue
        callee = qualify(item.func, imports)
        if callee is None or callee.startswith("asyncio."):
            continue
        for index, arg in enumerate(item.args):
            if isinstance(arg, ast.Starred):
                break
            if isinstance(arg, ast.Name) and arg.id in joins:
                found.append((callee, index, joins[arg.id]))
        for keyword in item.keywords:
            value = keyword.value
            if keyword.arg is not None and isinstance(value, ast.Name) and value.id in joins:
                found.append((callee, keyword.arg, joins[value.id]))
    return found


def _parameter_uses(
    node: ast.FunctionDef | ast.AsyncFunctionDef,
    imports: dict[str, str],
    lines: list[str],
    own: frozenset[str],
    calls_own: Callable[[str], bool],
    bound: bool = False,
) -> ParamUses | None:
    body = "\n".join(lines[node.body[0].lineno - 1 : node.end_lineno or node.lineno])
    return parameter_uses(node, body, lambda n: qualify(n, imports), own, calls_own, bound)


def _cancellation_facts(tree: ast.Module, summary: ModuleSummary, lines: list[str]) -> None:
    """`swallows_cancellation` of the coroutines that swallow one and that this module does
    not await directly itself (see project/cancellation.py)."""
    uses_asyncio = any(full.split(".")[0] == "asyncio" for full in summary.imports.values())
    swallowing: dict[str, int] = {}
    for qualname, node in _function_nodes(tree):
        function = summary.functions.get(qualname)
        if function is None or not function.is_coroutine:
            continue
        assert isinstance(node, ast.AsyncFunctionDef)
        text = "\n".join(lines[node.lineno - 1 : node.end_lineno or node.lineno])
        line = cancellation.swallowed_at(node, summary.imports, text, uses_asyncio)
        if line is not None:
            swallowing[qualname] = line
    if not swallowing:
        return
    awaited = cancellation.awaited_names(tree)
    for qualname, line in swallowing.items():
        if qualname.rpartition(".")[2] not in awaited:
            summary.functions[qualname] = dataclasses.replace(
                summary.functions[qualname], swallows_cancellation=line
            )


def _function_nodes(
    tree: ast.Module,
) -> list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """Top-level functions and methods, by the names the summary gives them."""
    found: list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.append((node.name, node))
        elif isinstance(node, ast.ClassDef):
            found.extend(
                (f"{node.name}.{item.name}", item)
                for item in node.body
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
            )
    return found


def _is_property(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(
        (isinstance(d, ast.Name) and d.id in ("property", "cached_property"))
        or (isinstance(d, ast.Attribute) and d.attr == "cached_property")
        for d in node.decorator_list
    )


def _base_name(node: ast.expr, summary: ModuleSummary) -> str | None:
    if isinstance(node, ast.Name) and node.id == "object":
        return "builtins.object"
    if isinstance(node, ast.Name) and node.id not in summary.imports:
        return f"{summary.name}.{node.id}"  # a class of this module (or unknown: not indexed)
    if isinstance(node, ast.Subscript):  # Generic[T], Base[int]
        node = node.value
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.insert(0, node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or node.id not in summary.imports:
        return None
    return ".".join([summary.imports[node.id], *parts])


def _attribute_kinds(
    node: ast.ClassDef, imports: dict[str, str], lines: list[str]
) -> dict[str, tuple[ReturnKind, frozenset[str]]]:
    """`self.x = asyncio.Lock()` in the methods and `x: asyncio.Lock` in the class body,
    when every store of the attribute agrees (`= None` stores do not count)."""
    seen: dict[str, set[Produced | None]] = {}
    for item in node.body:
        if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            kind = _annotation_kind(item.annotation, imports)
            seen.setdefault(item.target.id, set()).add((kind, frozenset()) if kind else None)
        if not isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) or not item.args.args:
            continue
        text = "\n".join(lines[item.lineno - 1 : item.end_lineno or item.lineno])
        this = item.args.args[0].arg
        if f"{this}." not in text:
            continue
        for statement in _own_statements(item.body):
            if isinstance(statement, ast.Assign):
                targets, value = statement.targets, statement.value
            elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
                targets, value = [statement.target], statement.value
            else:
                continue
            for target in targets:
                if (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == this
                    and not _is_none(value)
                ):
                    seen.setdefault(target.attr, set()).add(_produced(value, imports))
    kinds: dict[str, tuple[ReturnKind, frozenset[str]]] = {}
    for attr, found in seen.items():
        only = found.pop() if len(found) == 1 else None
        if only is not None and only[0] != "pair":
            kinds[attr] = only
    return kinds


def _record_import(
    node: ast.Import | ast.ImportFrom, context: ModuleContext, imports: dict[str, str]
) -> None:
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                imports[alias.asname] = alias.name
            else:
                top = alias.name.split(".")[0]
                imports[top] = top
        return
    module = node.module
    if node.level:
        module = _resolve_relative(context, node.level, node.module)
    if module is None:
        return
    for alias in node.names:
        if alias.name != "*":
            imports[alias.asname or alias.name] = f"{module}.{alias.name}"


def _function(
    node: ast.FunctionDef | ast.AsyncFunctionDef,
    qualname: str,
    path: str,
    imports: dict[str, str],
    lines: list[str],
) -> FunctionSummary:
    # Walking every node of every function in Python costs more than parsing: look at the
    # text first, and walk statements only (returns and assignments are statements).
    text = "\n".join(lines[node.lineno - 1 : node.end_lineno or node.lineno])
    is_coroutine = isinstance(node, ast.AsyncFunctionDef) and all(
        _decorator_name(d, imports) in TRANSPARENT_DECORATORS for d in node.decorator_list
    )
    if is_coroutine and "yield" in text:
        is_coroutine = not any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in _own_nodes(node))
    returns: ReturnKind | None = None
    pipes: frozenset[str] = frozenset()
    if node.returns is not None:
        returns = _annotation_kind(node.returns, imports)
    returns_from = None
    if returns is None and "return" in text and ":=" not in text:
        own = list(_own_statements(node.body))
        returns, pipes = _return_kind(own, imports)
        if returns is None:
            returns_from = _returned_call(own, imports, is_coroutine)
    args = node.args
    params = tuple(a.arg for a in (*args.posonlyargs, *args.args))
    bound = "." in qualname and not any(
        isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list
    )
    kwonly = tuple(a.arg for a in args.kwonlyargs)
    return FunctionSummary(
        path,
        node.lineno,
        qualname,
        is_coroutine,
        returns,
        pipes,
        params,
        kwonly,
        bound,
        returns_from=returns_from,
    )


def _returned_call(own: list[ast.stmt], imports: dict[str, str], awaits: bool) -> str | None:
    """The imported function whose call's result every `return` gives (`return await
    make(...)` in a coroutine, `return make(...)` in a plain function), or None."""
    callees: set[str | None] = set()
    for item in own:
        if not isinstance(item, ast.Return) or item.value is None:
            continue
        value = item.value
        if awaits != isinstance(value, ast.Await):
            return None
        if isinstance(value, ast.Await):
            value = value.value
        if not isinstance(value, ast.Call):
            return None
        callees.add(qualify(value.func, imports))
    if len(callees) != 1:
        return None
    callee = callees.pop()
    return None if callee is None or callee.startswith("asyncio.") else callee


def _decorator_name(node: ast.expr, imports: dict[str, str]) -> str | None:
    if isinstance(node, ast.Call):
        node = node.func
    qualified = qualify(node, imports)
    if qualified is not None:
        return qualified
    return node.id if isinstance(node, ast.Name) else None


def _own_nodes(function: ast.AST) -> list[ast.AST]:
    """The nodes of a function's own body (not those of functions or classes nested in it)."""
    found: list[ast.AST] = []
    stack = list(ast.iter_child_nodes(function))
    while stack:
        node = stack.pop()
        found.append(node)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(node))
    return found


def _own_statements(body: list[ast.stmt]) -> list[ast.stmt]:
    """Every statement of a function's body, nested blocks included, nested scopes not."""
    found: list[ast.stmt] = []
    stack = list(body)
    while stack:
        statement = stack.pop()
        found.append(statement)
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for name in ("body", "orelse", "finalbody"):
            stack.extend(getattr(statement, name, ()))
        for handler in getattr(statement, "handlers", ()):
            stack.extend(handler.body)
        for case in getattr(statement, "cases", ()):
            stack.extend(case.body)
    return found


Produced = tuple[ReturnKind, frozenset[str]]


def _return_kind(
    own: list[ast.stmt], imports: dict[str, str]
) -> tuple[ReturnKind | None, frozenset[str]]:
    """From every `return` agreeing on one produced kind."""
    assigned: dict[str, list[Produced | None]] = {}
    for item in own:
        if isinstance(item, ast.Assign):
            made = _produced(item.value, imports)
            for target in item.targets:
                _bind(target, made, assigned)
        elif isinstance(item, (ast.AnnAssign, ast.AugAssign)):
            target = item.target
            if isinstance(target, ast.Name):
                source = None if isinstance(item, ast.AugAssign) else item.value
                made = _produced(source, imports) if source is not None else None
                assigned.setdefault(target.id, []).append(made)
        elif isinstance(item, (ast.For, ast.AsyncFor, ast.With, ast.AsyncWith)):
            for target in _loop_or_with_targets(item):
                _bind(target, None, assigned)
    results: set[Produced | None] = set()
    for item in own:
        if not isinstance(item, ast.Return) or item.value is None:
            continue
        returned = item.value
        if isinstance(returned, ast.Name):
            results.update(assigned.get(returned.id, [None]))
        elif isinstance(returned, ast.Tuple) and len(returned.elts) == 2:
            kinds = [_name_kind(e, assigned) for e in returned.elts]
            results.add(("pair", frozenset()) if kinds == ["reader", "writer"] else None)
        else:
            results.add(_produced(returned, imports))
    if len(results) != 1:
        return None, frozenset()
    only = results.pop()
    return (None, frozenset()) if only is None else only


def _bind(
    target: ast.expr, value: Produced | None, assigned: dict[str, list[Produced | None]]
) -> None:
    if isinstance(target, ast.Name):
        assigned.setdefault(target.id, []).append(value)
    elif isinstance(target, (ast.Tuple, ast.List)):
        pair = value is not None and value[0] == "pair" and len(target.elts) == 2
        for element, part in zip(target.elts, api.STREAM_PAIR, strict=False):
            _bind(element, (part, frozenset()) if pair else None, assigned)
        for element in target.elts[2:]:
            _bind(element, None, assigned)
    elif isinstance(target, ast.Starred):
        _bind(target.value, None, assigned)


def _loop_or_with_targets(
    node: ast.For | ast.AsyncFor | ast.With | ast.AsyncWith,
) -> list[ast.expr]:
    if isinstance(node, (ast.For, ast.AsyncFor)):
        return [node.target]
    return [item.optional_vars for item in node.items if item.optional_vars is not None]


def _name_kind(node: ast.expr, assigned: dict[str, list[Produced | None]]) -> str | None:
    if not isinstance(node, ast.Name):
        return None
    values = set(assigned.get(node.id, [None]))
    only = values.pop() if len(values) == 1 else None
    return only[0] if only is not None else None


def _produced(value: ast.expr, imports: dict[str, str]) -> Produced | None:
    awaited = False
    while isinstance(value, ast.Await):
        value, awaited = value.value, True
    if not isinstance(value, ast.Call):
        return None
    qualname = qualify(value.func, imports)
    if qualname is None:
        return None
    if qualname in api.PASS_THROUGH and awaited and value.args:
        return _produced(ast.Await(value.args[0]), imports)
    if qualname in api.CONSTRUCTORS:
        return api.CONSTRUCTORS[qualname], frozenset()
    if awaited and qualname in api.AWAITED_FACTORIES:
        pipes = frozenset(
            k.arg
            for k in value.keywords
            if k.arg in api.PROCESS_STREAMS and qualify(k.value, imports) == "subprocess.PIPE"
        )
        return api.AWAITED_FACTORIES[qualname], pipes
    if awaited and qualname in api.STREAM_PAIR_FACTORIES:
        return "pair", frozenset()
    return None


def _annotation_kind(node: ast.expr, imports: dict[str, str]) -> ReturnKind | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            node = ast.parse(node.value, mode="eval").body
        except SyntaxError:
            return None
    if isinstance(node, ast.Subscript):
        outer = qualify(node.value, imports)
        if outer == "typing.Optional":
            return _annotation_kind(node.slice, imports)
        return _annotation_kind(node.value, imports)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        sides = [s for s in (node.left, node.right) if not _is_none(s)]
        kinds = {_annotation_kind(s, imports) for s in sides}
        return kinds.pop() if len(kinds) == 1 else None
    qualname = qualify(node, imports)
    return api.ANNOTATIONS.get(qualname) if qualname else None


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None
