"""Which coroutine functions swallow a cancellation and then return normally, for callers in
other modules (AIO501 across modules). Computed with the stdlib `ast`, conservatively: only
the simple shape, where the function-level analysis of the callee's own module (see
rules/cancellation/swallowed.py) would say the coroutine ends normally:

    async def fetch():
        try:
            await ...                       # the body can be cancelled
        except asyncio.CancelledError:      # or BaseException, or a bare except
            log.info("cancelled")           # no raise anywhere in the handler
        return None                         # nothing after the `try` suspends or raises

Anything less plain (a `try` inside a loop or an `if`, a handler that raises on some path,
keeps the exception object, looks at `cancelling()`, sets a flag to raise later; a function
that cancels tasks itself) is left out: a missed finding, never a wrong one."""

from __future__ import annotations

import ast

from asynclint.project.ast_names import qualify

_CANCELLED = "asyncio.CancelledError"
_BASE = frozenset({"BaseException", "builtins.BaseException"})
# Calls that only look at the exception: handing it to them keeps nothing.
_INSPECTS = frozenset(
    {"critical", "debug", "error", "exception", "info", "log", "print", "repr", "str", "warning"}
)
# Calls whose argument coroutine a cancellation of the awaiting task reaches.
_PASSES_CANCELLATION = frozenset({"gather", "wait_for"})


def swallowed_at(
    node: ast.AsyncFunctionDef, imports: dict[str, str], text: str, uses_asyncio: bool
) -> int | None:
    """The line of the `except` clause through which `node` swallows a cancellation and
    returns normally, or None. `text` is the function's source (a cheap first test)."""
    if "except" not in text or "cancel(" in text or "cancelling" in text:
        return None
    for index, statement in enumerate(node.body):
        if not isinstance(statement, ast.Try) or not _suspends(statement.body):
            continue
        handler = _first_catch(statement, imports, uses_asyncio)
        if handler is None or not _lets_go(handler):
            continue
        after = [*node.body[index + 1 :], *statement.finalbody]
        if _suspends(node.body[index + 1 :]) or _raises(after):
            continue  # it goes on (its own module reports that) or does not return normally
        return handler.lineno
    return None


def awaited_names(tree: ast.Module) -> set[str]:
    """Names of the functions and methods a module awaits directly (`await f()`,
    `await self.f()`, `return f()`, `await gather(f())`, `c = f()` then `await c`): the
    module's own analysis reports a swallowed cancellation of a function it awaits (compared
    by name: an unrelated function of the same name only keeps the cross-module finding
    away)."""
    found: set[str] = set()
    assigned: dict[str, set[str]] = {}  # `c = f()` ... `await c`
    awaited_variables: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            callee = _own_callee(node.value)
            for target in node.targets:
                if callee is not None and isinstance(target, ast.Name):
                    assigned.setdefault(target.id, set()).add(callee)
        if isinstance(node, ast.Await) and isinstance(node.value, ast.Name):
            awaited_variables.add(node.value.id)
        if isinstance(node, (ast.Await, ast.Return)) and isinstance(node.value, ast.Call):
            call = node.value
            name = _own_callee(call)
            if name is not None:
                found.add(name)
            if _called_name(call) in _PASSES_CANCELLATION:
                found.update(
                    n for a in call.args if isinstance(a, ast.Call) and (n := _own_callee(a))
                )
    for name in awaited_variables:
        found.update(assigned.get(name, ()))
    return found


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _own_callee(call: ast.Call) -> str | None:
    """`f()` or `self.f()` / `cls.f()`: a call the module's own analysis can follow."""
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id in ("self", "cls")
    ):
        return func.attr
    return None


def _catches(node: ast.expr | None, imports: dict[str, str], uses_asyncio: bool) -> bool:
    if node is None:
        return uses_asyncio  # a bare except: in trio code it catches trio's cancellation
    items = node.elts if isinstance(node, ast.Tuple) else [node]
    for item in items:
        name = qualify(item, imports)
        if name == _CANCELLED:
            return True
        written = item.id if isinstance(item, ast.Name) else None
        if uses_asyncio and (name in _BASE or written in _BASE):
            return True
    return False


def _first_catch(
    statement: ast.Try, imports: dict[str, str], uses_asyncio: bool
) -> ast.ExceptHandler | None:
    for handler in statement.handlers:
        if _catches(handler.type, imports, uses_asyncio):
            return handler
    return None


def _own(nodes: list[ast.stmt]) -> list[ast.AST]:
    """Every node under `nodes`, not those of nested functions, classes or lambdas."""
    found: list[ast.AST] = []
    stack: list[ast.AST] = list(nodes)
    while stack:
        node = stack.pop()
        found.append(node)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(node))
    return found


def _suspends(nodes: list[ast.stmt]) -> bool:
    return any(isinstance(n, (ast.Await, ast.AsyncFor, ast.AsyncWith)) for n in _own(nodes))


def _raises(nodes: list[ast.stmt]) -> bool:
    return any(isinstance(n, ast.Raise) for n in _own(nodes))


def _lets_go(handler: ast.ExceptHandler) -> bool:
    """No raise anywhere in the handler, no exit, no flag set to raise later, and the
    exception object, if named, only looked at."""
    nodes = _own(handler.body)
    for node in nodes:
        if isinstance(node, ast.Raise):
            return False
        value = node.value if isinstance(node, ast.Assign) else None
        if isinstance(value, ast.Constant) and value.value is True:
            return False  # `cancelled = True`, raised once the cleanup is done
        if isinstance(node, ast.Call) and _called_name(node) in ("exit", "_exit", "uncancel"):
            return False
    name = handler.name
    if name is None:
        return True
    looked_at = {
        id(arg)
        for node in nodes
        if isinstance(node, ast.Call) and _called_name(node) in _INSPECTS
        for arg in node.args
    }
    return not any(
        isinstance(node, ast.Name) and node.id == name and id(node) not in looked_at
        for node in nodes
    )
