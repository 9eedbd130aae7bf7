"""Small questions about syntax that several fact modules ask of a subtree: what dotted name an
expression is, what it resolves to through the module's imports, which nodes belong to a
function's own body (not to the functions nested in it), and whether a name is read again."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, cast

import libcst as cst

from asynclint.semantics import asyncio_api as api
from asynclint.semantics.walk import child_nodes

if TYPE_CHECKING:
    from asynclint.semantics.events import Event
    from asynclint.semantics.model import FunctionInfo

# Nodes that open a new scope: what is inside them does not run where they are written.
SCOPES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)


def dotted(node: cst.CSTNode) -> str | None:
    """`a.b.c` for a chain of names and attributes, else None."""
    # Exact types: cheaper than isinstance() with libcst's ABC-based classes, and called for
    # most expressions of a module.
    kind = type(node)
    if kind is cst.Name:
        return cast(cst.Name, node).value
    if kind is cst.Attribute:
        attribute = cast(cst.Attribute, node)
        base = dotted(attribute.value)
        return f"{base}.{attribute.attr.value}" if base else None
    return None


def qualify(imports: dict[str, str], node: cst.CSTNode) -> str | None:
    """The import-resolved dotted name of `node`, normalized to asyncio's public names
    (`aio.queues.Queue` -> `asyncio.Queue`); None when its head is not imported."""
    name = dotted(node)
    if name is None:
        return None
    head, _, rest = name.partition(".")
    base = imports.get(head)
    if base is None:
        return None
    return api.normalize(f"{base}.{rest}" if rest else base)


def call_argument(call: cst.Call, position: int | None, keyword: str) -> cst.BaseExpression | None:
    """The argument a call passes for a parameter: by its `keyword`, or at its `position`
    (0-based; None for a keyword-only parameter). None when the call does not pass it or when
    it cannot be told: a `*args` at or before the position may fill it, and a `**kwargs` may
    hold the keyword."""
    index = 0
    positional: cst.BaseExpression | None = None
    for arg in call.args:
        if arg.keyword is not None:
            if arg.keyword.value == keyword:
                return arg.value
        elif arg.star == "*":
            index = -1_000_000  # it fills positions we cannot count: later ones are unknown
        elif not arg.star:
            if index == position:
                positional = arg.value
            index += 1
    return positional


def ends_in_exit(suite: cst.BaseSuite) -> bool:
    """Does the block's last statement `return` or `raise`?"""
    last: cst.CSTNode | None = suite.body[-1] if suite.body else None
    if isinstance(last, cst.SimpleStatementLine):
        last = last.body[-1] if last.body else None
    return isinstance(last, (cst.Return, cst.Raise))


def receiver_source(module: cst.Module, node: cst.CSTNode) -> str | None:
    """Source text of what a method call (`writer.write(...)` -> `writer`) or a bare `await`
    (`await lock`) acts on; None for anything else."""
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        return module.code_for_node(node.func.value)
    if isinstance(node, cst.Await):
        return module.code_for_node(node.expression)
    return None


def own_nodes(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """`node` and every node below it that runs in the same scope (nested functions, lambdas
    and classes are yielded but not entered)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if current is not node and isinstance(current, SCOPES):
            continue
        stack.extend(reversed(list(child_nodes(current))))


def body_nodes(statements: Sequence[cst.CSTNode]) -> Iterator[cst.CSTNode]:
    for statement in statements:
        yield from own_nodes(statement)


def suite_statements(suite: cst.BaseSuite) -> tuple[cst.CSTNode, ...]:
    return tuple(suite.body)


def is_suspension_point(node: cst.CSTNode) -> bool:
    """`await`, `async for`, `async with` (and async comprehensions): where a task can be
    cancelled."""
    if isinstance(node, cst.Await):
        return True
    if isinstance(node, (cst.For, cst.With, cst.CompFor)):
        return node.asynchronous is not None
    return False


def reads_name(root: cst.CSTNode, name: str) -> bool:
    """Is the variable `name` read anywhere under `root` (nested functions included)? Names
    that are only assigned, attribute names and keyword names do not count."""
    stack: list[cst.CSTNode] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Name):
            if node.value == name:
                return True
            continue
        stack.extend(_read_children(node))
    return False


def _read_children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The children of `node` that may contain reads (store targets left out)."""
    if isinstance(node, (cst.Attribute, cst.Arg, cst.NamedExpr)):
        return [node.value]
    if isinstance(node, cst.Assign):
        targets = [part for t in node.targets for part in _target_reads(t.target)]
        return [node.value, *targets]
    if isinstance(node, cst.AnnAssign):
        value = [node.value] if node.value is not None else []
        return [node.annotation, *_target_reads(node.target), *value]
    if isinstance(node, (cst.For, cst.CompFor)):
        rest = [c for c in child_nodes(node) if c is not node.target]
        return [*rest, *_target_reads(node.target)]
    if isinstance(node, (cst.AsName, cst.Import, cst.ImportFrom, cst.Global, cst.Nonlocal)):
        return []
    if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Param)):
        return [c for c in child_nodes(node) if c is not node.name]
    return list(child_nodes(node))


def _target_reads(target: cst.CSTNode) -> list[cst.CSTNode]:
    """The parts of a store target that are read: nothing for a plain name, `x` and `i` for
    `x[i] = ...`, `x` for `x.a = ...`."""
    if isinstance(target, cst.Name):
        return []
    if isinstance(target, (cst.Tuple, cst.List)):
        return [part for element in target.elements for part in _target_reads(element.value)]
    if isinstance(target, cst.StarredElement):
        return _target_reads(target.value)
    return [target]


def is_shadowed(function: FunctionInfo, node: cst.CSTNode) -> bool:
    """Is the first name of the dotted `node` bound locally in `function` or an enclosing
    function (a parameter or variable hiding the module-level import of that name)? The
    model resolves names through the module's imports only; a function's own import of the
    name does not hide it."""
    head = dotted(node)
    if head is None:
        return False
    name = head.partition(".")[0]
    scope: FunctionInfo | None = function
    first = True
    while scope is not None and scope.kind != "module":
        if (first or scope.kind != "class") and name in scope.locals:
            return not _imports_name(scope.node, name)
        first = False
        scope = scope.parent
    return False


def _imports_name(scope: cst.CSTNode, name: str) -> bool:
    """Does the scope bind `name` with an import statement of its own?"""
    for node in own_nodes(scope):
        if isinstance(node, (cst.Import, cst.ImportFrom)) and not isinstance(
            node.names, cst.ImportStar
        ):
            for alias in node.names:
                bound = dotted(alias.asname.name if alias.asname is not None else alias.name)
                if bound is not None and bound.partition(".")[0] == name:
                    return True
    return False


def call_qualname(function: FunctionInfo, event: Event) -> str | None:
    """The import-resolved name of the function a call event calls, or None when the call
    goes through a local name that hides the import."""
    node = event.node
    if event.qualname is None or not isinstance(node, cst.Call):
        return None
    return None if is_shadowed(function, node.func) else event.qualname
