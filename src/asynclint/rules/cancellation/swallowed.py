"""Facts about exceptions and cancellation: which `except` clauses and `contextlib.suppress()`
blocks of a coroutine catch `asyncio.CancelledError` and let it go, and which `except
TimeoutError` clauses cannot see the `asyncio.TimeoutError` of Python 3.10 and older.

A catch *swallows* a cancellation when
- it catches `CancelledError` (by name, in a tuple, through `BaseException` or a bare
  `except:` in a module that uses asyncio; `Exception` does not catch it since 3.8), and no
  earlier clause of the same `try` catches it first,
- in a coroutine, around code that can be cancelled (an `await`, `async for`, `async with`:
  a `fut.result()` that raises a cancelled future's error is not the task's own cancellation),
- and on some path through its handler the cancellation leaves without a `raise` (nor
  `sys.exit()`; see `reraise`), the handler does not keep the exception object
  (`errors.append(exc)`, `fut.set_exception(exc)`, `self._error = exc`: someone raises it
  later), and calls neither `uncancel()` nor `cancelling()` (the documented ways to decide
  which cancellations to keep) nor `current_task().cancel()` (which asks for it again).
It is left alone when everything the guarded code awaits is a task the same function
cancelled itself (`t.cancel(); try: await t; except CancelledError: pass`, also
`call_soon(t.cancel)`).

What follows decides the rule: the coroutine goes on (the handler is in a loop that runs
again, or code after it awaits more: AIO501); it ends normally and a caller in the module
awaits it directly, which then carries on as if nothing was cancelled (AIO501); or it ends
normally otherwise, and its task reports itself finished instead of cancelled (AIO505),
unless it is the program's entry point (`asyncio.run(main())`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from asynclint.project.summaries import FunctionSummary
from asynclint.rules.cancellation import reraise
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


# What happens once a handler has let the cancellation go.
GOES_ON = "goes on"  # the coroutine reaches another suspension point
CALLER_GOES_ON = "caller goes on"  # it ends normally, and a caller in the module awaits it
ENDS = "ends"  # it ends normally: the task reports itself finished, not cancelled


@dataclass(frozen=True)
class SwallowedCancellation:
    catch: CancellationCatch
    after: str  # GOES_ON, CALLER_GOES_ON or ENDS
    ways_out: frozenset[str]  # how the handler is left without raising (reraise.FALL, ...)


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
        if catches is None or not handler.function.is_coroutine:
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
        if not (function.is_coroutine and event.kind == "enter" and event.qualname in _SUPPRESS):
            continue
        call, stmt = event.node, event.stmt
        if not isinstance(call, cst.Call) or not isinstance(stmt, cst.With):
            continue
        names = tuple(qualify(facts.imports, a.value) or dotted(a.value) for a in call.args)
        catches = catches_cancellation(names) if names else None
        if catches is not None and (catches == CANCELLED_ERROR or uses_asyncio):
            found.append(CancellationCatch(function, call, stmt, catches, stmt.body.body, ()))
    return found


def swallowed_cancellations(facts: ModuleFacts) -> list[SwallowedCancellation]:
    """The catches that let a cancellation of the running task go, on some path, and what
    follows (see the module doc)."""
    return facts.memo(_swallowed_cancellations)


def _swallowed_cancellations(facts: ModuleFacts) -> list[SwallowedCancellation]:
    result = []
    shadowed = _shadowed_clauses(facts)
    for catch in cancellation_catches(facts):
        if id(catch.node) in shadowed:
            continue
        if not any(is_suspension_point(node) for node in body_nodes(catch.guarded)):
            continue
        if _raises_later(catch) or _keeps_exception(catch) or _manages_cancellation(facts, catch):
            continue
        if _awaits_only_cancelled(facts, catch):
            continue
        ways = _unraised_exits(facts, catch)
        if not ways:
            continue
        if any(_goes_on(catch, way) for way in ways):
            result.append(SwallowedCancellation(catch, GOES_ON, ways))
        elif _awaited_directly(facts, catch.function):
            result.append(SwallowedCancellation(catch, CALLER_GOES_ON, ways))
        elif not _runs_as_program(facts, catch.function):
            result.append(SwallowedCancellation(catch, ENDS, ways))
    return result


def _shadowed_clauses(facts: ModuleFacts) -> set[int]:
    """ids of `except` clauses that an earlier clause of the same `try` leaves no
    cancellation to (`except BaseException:` then a bare `except:`)."""
    seen: set[int] = set()
    shadowed: set[int] = set()
    for handler in facts.handlers:
        if id(handler.try_node) in seen:
            shadowed.add(id(handler.node))
        elif catches_cancellation(handler.caught) is not None:
            seen.add(id(handler.try_node))
    return shadowed


def _unraised_exits(facts: ModuleFacts, catch: CancellationCatch) -> frozenset[str]:
    """How the handler is left without raising, on paths the cancellation may take."""
    if not isinstance(catch.node, cst.ExceptHandler | cst.ExceptStarHandler):
        return frozenset({reraise.FALL})  # suppress(): the block just ends
    handler = reraise.flow_handler(catch.function, catch.node)
    if handler is None:
        return frozenset({reraise.FALL})  # not found: assume the worst

    def covers(names: tuple[str | None, ...]) -> bool:
        return catches_cancellation(names) is not None

    return reraise.unraised_exits(handler, catch.exception_name, covers, facts.qualify)


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
    """`task.uncancel()` in the handler (the documented way to suppress a cancellation), a
    look at `task.cancelling()` (the handler decides which cancellations to keep), or
    `current_task().cancel()` (it asks for the cancellation again)."""
    for node in body_nodes(catch.body):
        if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)):
            continue
        method = node.func.attr.value
        if method in ("uncancel", "cancelling") or (
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
    cancelled = _cancels(facts, catch.function)
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
    """What `function` itself cancels, as code text: `t` for `t.cancel()` or
    `call_soon(t.cancel)`, `tasks` too when `t` is the target of `for t in tasks:`. A task
    cancelled by another method does not count: the caller's own cancellation may be what
    arrives while this one waits, and the handler swallows that too."""
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


def _goes_on(catch: CancellationCatch, way: str) -> bool:
    """Leaving the handler that way (reraise.FALL, RETURN, BREAK, CONTINUE), can the
    coroutine reach another suspension point (a loop running again, an await after the
    `try`), rather than end?"""
    return goes_on_after(catch.function, catch.statement, way)


def goes_on_after(function: FunctionInfo, statement: cst.CSTNode, way: str = reraise.FALL) -> bool:
    """Leaving `statement` that way, can the coroutine reach another suspension point?"""
    function_node = function.node
    assert isinstance(function_node, cst.FunctionDef)
    path = _path(function_node.body.body, statement, None)
    if path is None:
        return True  # not found: assume the worst
    state = way
    for block, index, container in reversed(path):
        in_loop_body = isinstance(container, (cst.For, cst.While)) and block is container.body.body
        if state == reraise.RETURN:
            return False
        if state == reraise.FALL:
            if any(is_suspension_point(n) for n in body_nodes(block[index + 1 :])):
                return True
            if in_loop_body:
                return True  # the loop runs again
        elif in_loop_body:  # break or continue, at the loop they belong to
            if state == reraise.CONTINUE:
                return True
            state = reraise.FALL
    return False


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


def _runs_as_program(facts: ModuleFacts, function: FunctionInfo) -> bool:
    """Is `function` the program's entry point (`asyncio.run(main())`)? Its cancellation
    comes from Ctrl-C or the end of the program, and nothing runs after it."""
    return any(spawn.how == spawning.RUN for spawn in spawning.spawns(facts).get(function, []))


def _awaits_ref(function: FunctionInfo, event: Event) -> bool:
    return any(e.kind == "await" and e.ref == event.assigned for e in function.events)


# -- across modules: awaiting another module's coroutine that swallows cancellations ---------


@dataclass(frozen=True)
class SwallowingCallee:
    """`await fetch()` where `fetch`, in another checked module, swallows a cancellation and
    returns normally, and the awaiting coroutine then goes on."""

    function: FunctionInfo
    node: cst.CSTNode  # the `await` expression
    callee: FunctionSummary


def swallowing_callees(facts: ModuleFacts) -> list[SwallowingCallee]:
    """Direct awaits of other modules' coroutines whose summary says they swallow a
    cancellation (`FunctionSummary.swallows_cancellation`: set only when their own module
    does not already report the handler), after which the awaiting coroutine reaches another
    suspension point. A caller that looks at `cancelling()` or calls `uncancel()` decides
    for itself."""
    if facts.context is None:
        return []
    found = []
    for function in facts.functions:
        if not function.is_coroutine or _rechecks_cancellation(function):
            continue
        for event in function.events:
            if event.kind != "call" or not event.awaited or event.role == "returned":
                continue
            callee = facts.imported_function(function, event) or facts.inherited_method(event)
            if callee is None or callee.swallows_cancellation is None or not callee.is_coroutine:
                continue
            awaited = _await_of(event)
            if awaited is None or event.stmt is None or not goes_on_after(function, event.stmt):
                continue
            found.append(SwallowingCallee(function, awaited, callee))
    return found


def _rechecks_cancellation(function: FunctionInfo) -> bool:
    return any(e.kind == "call" and e.method in ("cancelling", "uncancel") for e in function.events)


def _await_of(event: Event) -> cst.Await | None:
    """The `await` whose operand is the event's call (not `await wait_for(f())`, which the
    summary's caller analysis leaves to the callee's module)."""
    for node in body_nodes([event.stmt] if event.stmt is not None else []):
        if isinstance(node, cst.Await) and node.expression is event.node:
            return node
    return None


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
