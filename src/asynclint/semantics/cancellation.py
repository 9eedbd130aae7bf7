"""Facts about exceptions and cancellation: which `except` clauses and `contextlib.suppress()`
blocks of a coroutine catch `asyncio.CancelledError` and let it go, and which `except
TimeoutError` clauses cannot see the `asyncio.TimeoutError` of Python 3.10 and older.

A catch *swallows* a cancellation when
- it catches `CancelledError` (by name, in a tuple, through `BaseException` or a bare
  `except:` in a module that uses asyncio; `Exception` does not catch it since 3.8),
- in a coroutine, around code that can be cancelled (an `await`, `async for`, `async with`:
  a `fut.result()` that raises a cancelled future's error is not the task's own cancellation),
- and its handler has no `raise` (nor `sys.exit()`), does not keep the exception object
  (`errors.append(exc)`, `fut.set_exception(exc)`, `self._error = exc`: someone raises it
  later), and calls neither `uncancel()` (the documented way to really suppress a
  cancellation) nor `current_task().cancel()` (which asks for it again). A handler that
  re-raises on some path has decided which cancellations to keep, as the
  `current_task().cancelling()` idiom does.
It is left alone when everything the guarded code awaits is a task the code cancelled itself
(`t.cancel(); try: await t; except CancelledError: pass`, also `call_soon(t.cancel)`).

A swallowed cancellation is *harmful* when the coroutine goes on afterwards (the handler is
in a loop that runs again, or code after it awaits more) or when a caller in the module
awaits the coroutine directly (the caller then carries on as if nothing was cancelled). A
coroutine that ends right after the handler and is only ever started as a task (or not
called in the module at all) ends its task quietly: a common, deliberate idiom, left alone."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from asynclint.semantics import spawning
from asynclint.semantics.events import Event
from asynclint.semantics.expressions import (
    SCOPES,
    body_nodes,
    dotted,
    is_suspension_point,
    own_nodes,
    qualify,
)
from asynclint.semantics.model import FunctionInfo, HandlerInfo, ModuleFacts
from asynclint.semantics.walk import child_nodes

CANCELLED_ERROR = "asyncio.CancelledError"
_BASE_EXCEPTION = frozenset({"BaseException", "builtins.BaseException"})
_BROAD = frozenset({"Exception", "builtins.Exception"}) | _BASE_EXCEPTION
_SUPPRESS = frozenset({"contextlib.suppress"})
_EXITS = frozenset({"sys.exit", "os._exit", "os.abort"})
# Awaiting one of these awaits its arguments: a cancellation of the awaiting task reaches them.
_WAITS_FOR_ARGUMENTS = frozenset(
    {"asyncio.gather", "asyncio.wait_for", "asyncio.wait", "asyncio.shield"}
)
# Calls that only look at an exception (log, print, test it): handing it to them keeps nothing.
_INSPECTS = frozenset(
    {
        "critical",
        "debug",
        "error",
        "exception",
        "format",
        "format_exception",
        "id",
        "info",
        "isinstance",
        "log",
        "print",
        "print_exception",
        "repr",
        "str",
        "type",
        "warn",
        "warning",
    }
)


@dataclass(frozen=True)
class CancellationCatch:
    """An `except` clause or a `contextlib.suppress(...)` item that catches CancelledError."""

    function: FunctionInfo
    node: cst.CSTNode  # the ExceptHandler, or the suppress() call
    statement: cst.CSTNode  # the `try` or `with` statement
    catches: str  # "asyncio.CancelledError", "BaseException" or "a bare except"
    guarded: Sequence[cst.CSTNode]  # the statements whose errors it catches
    body: Sequence[cst.CSTNode]  # the handler's statements (empty for suppress)
    exception_name: str | None = None  # `except ... as name`


@dataclass(frozen=True)
class SwallowedCancellation:
    catch: CancellationCatch
    goes_on: bool  # the coroutine keeps running after the handler (else: its caller does)


def catches_cancellation(caught: tuple[str | None, ...]) -> str | None:
    """What in an except clause's caught names catches CancelledError, or None."""
    if not caught:
        return "a bare except"
    if CANCELLED_ERROR in caught:
        return CANCELLED_ERROR
    if any(name in _BASE_EXCEPTION for name in caught):
        return "BaseException"
    return None


def cancellation_catches(facts: ModuleFacts) -> list[CancellationCatch]:
    """Every catch of CancelledError in a coroutine. Catches of everything count only in
    modules that use asyncio (in trio code they catch trio's cancellation instead)."""
    uses_asyncio = any(full.split(".")[0] == "asyncio" for full in facts.imports.values())
    found: list[CancellationCatch] = []
    for handler in facts.handlers:
        catches = catches_cancellation(handler.caught)
        if catches is None or not _in_coroutine(handler.function):
            continue
        if catches != CANCELLED_ERROR and not uses_asyncio:
            continue
        name = handler.node.name
        found.append(
            CancellationCatch(
                handler.function,
                handler.node,
                handler.try_node,
                catches,
                handler.try_node.body.body,
                handler.node.body.body,
                name.name.value if name and isinstance(name.name, cst.Name) else None,
            )
        )
    for function, event in facts.events():
        if not (_in_coroutine(function) and event.kind == "enter" and event.qualname in _SUPPRESS):
            continue
        call, stmt = event.node, event.stmt
        if not isinstance(call, cst.Call) or not isinstance(stmt, cst.With):
            continue
        names = tuple(qualify(facts.imports, a.value) or dotted(a.value) for a in call.args)
        catches = catches_cancellation(names) if names else None
        if catches is not None and (catches == CANCELLED_ERROR or uses_asyncio):
            found.append(CancellationCatch(function, call, stmt, catches, stmt.body.body, ()))
    return found


def _in_coroutine(function: FunctionInfo) -> bool:
    return function.kind == "function" and function.is_async


def swallowed_cancellations(facts: ModuleFacts) -> list[SwallowedCancellation]:
    """The catches that let a cancellation of the running task go, where that does harm
    (see the module doc)."""
    result = []
    for catch in cancellation_catches(facts):
        if not any(is_suspension_point(node) for node in body_nodes(catch.guarded)):
            continue
        if (
            _reraises(facts, catch)
            or _raises_later(catch)
            or _keeps_exception(catch)
            or _manages_cancellation(facts, catch)
        ):
            continue
        if _awaits_only_cancelled(facts, catch):
            continue
        if _goes_on(catch):
            result.append(SwallowedCancellation(catch, goes_on=True))
        elif _awaited_directly(facts, catch.function):
            result.append(SwallowedCancellation(catch, goes_on=False))
    return result


def _reraises(facts: ModuleFacts, catch: CancellationCatch) -> bool:
    for node in body_nodes(catch.body):
        if isinstance(node, cst.Raise):
            return True
        if isinstance(node, cst.Call) and qualify(facts.imports, node.func) in _EXITS:
            return True
    return False


def _raises_later(catch: CancellationCatch) -> bool:
    """`except CancelledError: cancelled = True`, then `if cancelled: raise ...` once the
    cleanup is done (asyncio.Condition.wait re-acquires its lock this way)."""
    flags: set[str] = set()
    for node in body_nodes(catch.body):
        if isinstance(node, cst.Assign) and _is_true_name(node.value):
            flags.update(t.target.value for t in node.targets if isinstance(t.target, cst.Name))
    if not flags:
        return False
    for node in own_nodes(catch.function.node):
        if (
            isinstance(node, cst.If)
            and isinstance(node.test, cst.Name)
            and node.test.value in flags
            and any(isinstance(n, cst.Raise) for n in own_nodes(node.body))
        ):
            return True
    return False


def _is_true_name(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "True"


def _manages_cancellation(facts: ModuleFacts, catch: CancellationCatch) -> bool:
    """`task.uncancel()` in the handler (the documented way to suppress a cancellation), or
    `current_task().cancel()` (it asks for the cancellation again)."""
    for node in body_nodes(catch.body):
        if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)):
            continue
        method = node.func.attr.value
        if method == "uncancel" or (
            method == "cancel" and _is_current_task(facts, catch.function, node.func.value)
        ):
            return True
    return False


def _keeps_exception(catch: CancellationCatch) -> bool:
    """Does the handler hand the caught exception on (store it, return it, pass it to code
    other than logging), so that it can be raised again elsewhere?"""
    name = catch.exception_name
    if name is None:
        return False

    def is_exc(node: cst.CSTNode | None) -> bool:
        return isinstance(node, cst.Name) and node.value == name

    for node in body_nodes(catch.body):
        if isinstance(node, (cst.Assign, cst.AnnAssign, cst.Return)) and is_exc(node.value):
            return True
        if isinstance(node, (cst.Element, cst.DictElement)) and is_exc(node.value):
            return True
        if isinstance(node, cst.Call) and any(is_exc(arg.value) for arg in node.args):
            callee = (
                node.func.attr.value if isinstance(node.func, cst.Attribute) else dotted(node.func)
            )
            if callee not in _INSPECTS:
                return True
    return False


# -- cancelled by the code itself ------------------------------------------------------------


def _text(facts: ModuleFacts, node: cst.CSTNode) -> str:
    return re.sub(r"\s+", "", facts.module.code_for_node(node))


def _awaits_only_cancelled(facts: ModuleFacts, catch: CancellationCatch) -> bool:
    """Is every suspension point of the guarded code an await of something this code
    cancelled: `t.cancel()` then `await t` (or `gather(*tasks)` after cancelling each)?"""
    cancelled = _cancelled_here(facts, catch.function)
    if not cancelled:
        return False
    if _CURRENT_TASK in cancelled:
        return True  # it cancelled its own task: the CancelledError is the one it asked for
    for node in body_nodes(catch.guarded):
        if not is_suspension_point(node):
            continue
        if not isinstance(node, cst.Await):
            return False
        awaited = node.expression
        parts: list[cst.BaseExpression] = [awaited]
        if isinstance(awaited, cst.Call):
            if qualify(facts.imports, awaited.func) not in _WAITS_FOR_ARGUMENTS:
                return False
            parts = [arg.value for arg in awaited.args if arg.keyword is None]
        if not parts or any(_text(facts, part) not in cancelled for part in parts):
            return False
    return True


def _cancelled_here(facts: ModuleFacts, function: FunctionInfo) -> set[str]:
    """What `function` cancels, as code text: `t` for `t.cancel()` or `call_soon(t.cancel)`,
    `tasks` too when `t` is the target of `for t in tasks:`; and `self.x` cancelled in any
    method of the class."""
    cancelled = _cancels(facts, function)
    self_name = function.self_name
    if self_name is not None and function.class_name is not None:
        for method in facts.methods.get(function.class_name, {}).values():
            if method is function or method.self_name is None:
                continue
            prefix = f"{method.self_name}."
            for name in _cancels(facts, method):
                if name.startswith(prefix):
                    cancelled.add(f"{self_name}.{name[len(prefix) :]}")
    return cancelled


_CURRENT_TASK = "<the current task>"


def _is_current_task(facts: ModuleFacts, function: FunctionInfo, node: cst.CSTNode) -> bool:
    """`asyncio.current_task()`, or a local assigned from it (`task = current_task()`)."""
    values: list[cst.CSTNode] = [node]
    if isinstance(node, cst.Name):
        values.extend(facts.assignments.get(function.id, {}).get(node.value, []))
    return any(
        isinstance(part, cst.Call) and qualify(facts.imports, part.func) == "asyncio.current_task"
        for value in values
        for part in own_nodes(value)
    )


def _cancels(facts: ModuleFacts, function: FunctionInfo) -> set[str]:
    cancelled: set[str] = set()
    for event in function.events:
        node = event.node
        if event.kind != "call" or not isinstance(node, cst.Call):
            continue
        receivers = [
            arg.value.value
            for arg in node.args
            if isinstance(arg.value, cst.Attribute) and arg.value.attr.value == "cancel"
        ]
        if event.method == "cancel" and isinstance(node.func, cst.Attribute):
            receivers.append(node.func.value)
        for receiver in receivers:
            if _is_current_task(facts, function, receiver):
                cancelled.add(_CURRENT_TASK)
            text = _text(facts, receiver)
            cancelled.add(text)
            for loop_id in event.loops:
                loop = function.loop_nodes.get(loop_id)
                if isinstance(loop, cst.For) and _text(facts, loop.target) == text:
                    cancelled.add(_text(facts, loop.iter))
    return cancelled


# -- what runs after the handler ------------------------------------------------------------

_Level = tuple[Sequence[cst.CSTNode], int, cst.CSTNode | None]


def _goes_on(catch: CancellationCatch) -> bool:
    """After the handler, can the coroutine reach another suspension point (a loop running
    again, an await after the `try`), rather than end?"""
    function_node = catch.function.node
    assert isinstance(function_node, cst.FunctionDef)
    path = _path(function_node.body.body, catch.statement, None)
    if path is None:
        return True  # not found: assume the worst
    state = _exit_kind(catch.body)
    for block, index, container in reversed(path):
        in_loop_body = isinstance(container, (cst.For, cst.While)) and block is container.body.body
        if state == "return":
            return False
        if state == "fall":
            if any(is_suspension_point(n) for n in body_nodes(block[index + 1 :])):
                return True
            if in_loop_body:
                return True  # the loop runs again
        elif in_loop_body:  # break or continue, at the loop they belong to
            if state == "continue":
                return True
            state = "fall"
    return False


def _exit_kind(body: Sequence[cst.CSTNode]) -> str:
    """How the handler's last statement leaves it: "return", "break", "continue" or "fall"."""
    if body and isinstance(body[-1], cst.SimpleStatementLine):
        last = body[-1].body[-1]
        if isinstance(last, cst.Return):
            return "return"
        if isinstance(last, cst.Break):
            return "break"
        if isinstance(last, cst.Continue):
            return "continue"
    return "fall"


def _path(
    statements: Sequence[cst.CSTNode], target: cst.CSTNode, container: cst.CSTNode | None
) -> list[_Level] | None:
    """The blocks from `statements` down to `target`: (block, index in it, its compound)."""
    for index, statement in enumerate(statements):
        if statement is target:
            return [(statements, index, container)]
        for block in _blocks(statement):
            below = _path(block, target, statement)
            if below is not None:
                return [(statements, index, container), *below]
    return None


def _blocks(statement: cst.CSTNode) -> list[Sequence[cst.CSTNode]]:
    blocks: list[Sequence[cst.CSTNode]]
    if isinstance(statement, cst.If):
        blocks = [statement.body.body]
        if isinstance(statement.orelse, cst.If):
            blocks.append((statement.orelse,))
        elif statement.orelse is not None:
            blocks.append(statement.orelse.body.body)
        return blocks
    if isinstance(statement, (cst.For, cst.While)):
        blocks = [statement.body.body]
        if statement.orelse is not None:
            blocks.append(statement.orelse.body.body)
        return blocks
    if isinstance(statement, (cst.Try, cst.TryStar)):
        blocks = [statement.body.body, *(h.body.body for h in statement.handlers)]
        if statement.orelse is not None:
            blocks.append(statement.orelse.body.body)
        if statement.finalbody is not None:
            blocks.append(statement.finalbody.body.body)
        return blocks
    if isinstance(statement, cst.With):
        return [statement.body.body]
    if isinstance(statement, cst.Match):
        return [case.body.body for case in statement.cases]
    return []


# -- who awaits the coroutine ----------------------------------------------------------------


def _awaited_directly(facts: ModuleFacts, function: FunctionInfo) -> bool:
    """Does some caller in the module await `function`'s coroutine itself (`await f()`,
    `gather(f())`, `wait_for(f())`, `return f()`, `c = f(); await c`), so that a cancellation
    of the caller reaches it and a swallowed one lets the caller carry on?"""
    for spawn in spawning.spawns(facts).get(function, []):
        if spawn.how in (spawning.AWAIT, spawning.GATHER):
            return True
        wrapper = spawn.wrapper
        if spawn.how == spawning.TIMEOUT and wrapper and wrapper.qualname != "asyncio.shield":
            return True  # wait_for() passes the cancellation on; shield() keeps it out
        call = spawn.call
        if spawn.wrapper is None and (
            call.role == "returned"
            or (call.role == "assigned" and _awaits_ref(spawn.spawner, call))
        ):
            return True
    return False


def _awaits_ref(function: FunctionInfo, event: Event) -> bool:
    return any(e.kind == "await" and e.ref == event.assigned for e in function.events)


# -- AIO502: except TimeoutError around asyncio timeouts before 3.11 ------------------------

ASYNCIO_TIMEOUT_ERROR = "asyncio.TimeoutError"
_BUILTIN_TIMEOUT_ERROR = frozenset({"TimeoutError", "builtins.TimeoutError"})
# Calls that raise asyncio.TimeoutError (a class of its own before 3.11) when time runs out.
RAISE_ASYNCIO_TIMEOUT = frozenset(
    {
        "asyncio.wait_for",
        "asyncio.timeout",
        "asyncio.timeout_at",
        "async_timeout.timeout",
        "async_timeout.timeout_at",
    }
)
TIMEOUT_ERROR_UNIFIED_IN = (3, 11)


@dataclass(frozen=True)
class TimeoutMismatch:
    handler: HandlerInfo
    name: cst.CSTNode  # the `TimeoutError` expression in the clause
    source: str  # the call that raises asyncio.TimeoutError, e.g. "asyncio.wait_for"


def timeout_mismatches(facts: ModuleFacts) -> list[TimeoutMismatch]:
    """`except TimeoutError` clauses whose `try` body times out with asyncio.TimeoutError, when
    no clause of the same `try` catches that (both are one class from 3.11 on)."""
    if facts.settings.target_version >= TIMEOUT_ERROR_UNIFIED_IN:
        return []
    by_try: dict[int, list[HandlerInfo]] = {}
    for handler in facts.handlers:
        by_try.setdefault(id(handler.try_node), []).append(handler)
    found = []
    for handler in facts.handlers:
        names = handler.caught
        if not any(name in _BUILTIN_TIMEOUT_ERROR for name in names):
            continue
        siblings = by_try[id(handler.try_node)]
        if any(name in _BROAD for name in names) or any(
            ASYNCIO_TIMEOUT_ERROR in sibling.caught for sibling in siblings
        ):
            continue
        source = _asyncio_timeout_in(facts, by_try, tuple(handler.try_node.body.body))
        if source is not None:
            found.append(TimeoutMismatch(handler, _timeout_name(handler), source))
    return found


def _keeps_asyncio_timeout(handlers: list[HandlerInfo]) -> bool:
    return any(
        not h.caught or any(n == ASYNCIO_TIMEOUT_ERROR or n in _BROAD for n in h.caught)
        for h in handlers
    )


def _timeout_name(handler: HandlerInfo) -> cst.BaseExpression:
    kind = handler.node.type
    assert kind is not None
    items = [e.value for e in kind.elements] if isinstance(kind, cst.Tuple) else [kind]
    return next(item for item in items if dotted(item) in _BUILTIN_TIMEOUT_ERROR)


def _asyncio_timeout_in(
    facts: ModuleFacts, by_try: dict[int, list[HandlerInfo]], statements: tuple[cst.CSTNode, ...]
) -> str | None:
    """The first call under `statements` that can raise asyncio.TimeoutError out of them (the
    body of a nested `try` that catches it does not count)."""
    stack = list(reversed(statements))
    while stack:
        node = stack.pop()
        if isinstance(node, SCOPES):
            continue
        if isinstance(node, (cst.Try, cst.TryStar)) and _keeps_asyncio_timeout(
            by_try.get(id(node), [])
        ):
            stack.extend(c for c in child_nodes(node) if c is not node.body)
            continue
        if isinstance(node, cst.Call):
            name = qualify(facts.imports, node.func)
            if name in RAISE_ASYNCIO_TIMEOUT:
                return name
        stack.extend(reversed(list(child_nodes(node))))
    return None
