"""Rules about asyncio locks and synchronization primitives (AIO3xx)."""

from __future__ import annotations

from collections.abc import Hashable, Iterator

import libcst as cst

from asynclint.fixes.statements import statement_text
from asynclint.rules.base import Finding, FixSpec, Rule
from asynclint.rules.locks.facts import (
    NON_REENTRANT,
    PRIMITIVES,
    Acquisition,
    Held,
    LockFacts,
    Ref,
    is_bare_await,
    lock_facts,
    loose_acquires,
    statement_ancestors,
)
from asynclint.semantics import asyncio_api as api
from asynclint.semantics.events import Event
from asynclint.semantics.model import FunctionInfo, ModuleFacts
from asynclint.semantics.processes import expects_error

_TYPE_ERRORS = frozenset({"TypeError", "builtins.TypeError"})
_NAMES = {api.LOCK: "Lock", api.CONDITION: "Condition", api.SEMAPHORE: "Semaphore"}


def _code(facts: ModuleFacts, node: cst.CSTNode) -> str:
    return facts.module.code_for_node(node)


def _receiver(facts: ModuleFacts, event: Event) -> str:
    return facts.receiver_text(event) or "lock"


def _kind_name(facts: ModuleFacts, root: Hashable) -> str:
    return _NAMES.get(facts.kind(root) or "", "primitive")


class LockAcquireWithoutFinally(Rule):
    code = "AIO301"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        for loose in loose_acquires(facts):
            lock = _receiver(facts, loose.event)
            taken = (
                f"await {lock}" if isinstance(loose.event.node, cst.Await) else f"{lock}.acquire()"
            )
            if loose.inside_try:
                message = (
                    f"`{taken}` is inside the `try` whose `finally` releases it: if "
                    "it is cancelled while waiting, `release()` runs for a lock this task "
                    f"never took; call `acquire()` just before `try:`, or use `async with {lock}:`"
                )
            else:
                message = (
                    f"`{taken}` is not followed by `try:`/`finally: {lock}.release()`: "
                    "an exception or a cancellation before `release()` leaves it held and "
                    f"every later `acquire()` waits forever; use `async with {lock}:`"
                )
            yield self.finding(loose.event.node, message)


def _reacquired(locks: LockFacts, acquisition: Acquisition) -> tuple[Held, Ref] | None:
    for taken in acquisition.taken:
        if locks.kind(taken) not in NON_REENTRANT:
            continue
        for held in acquisition.held:
            if held.site is acquisition.event:
                continue  # a loop coming round to the same acquire() is AIO301's business
            if locks.kind((held.identity, held.root)) in NON_REENTRANT and locks.same(
                (held.identity, held.root), taken
            ):
                return held, taken
    return None


class LockReacquired(Rule):
    code = "AIO302"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        locks = lock_facts(facts)
        seen: set[int] = set()
        for acquisition in locks.acquisitions:
            found = _reacquired(locks, acquisition)
            if found is None or id(acquisition.event.node) in seen:
                continue
            seen.add(id(acquisition.event.node))
            held, taken = found
            name = locks.names(held)
            kind = _kind_name(facts, taken[1])
            if acquisition.via is None:
                message = (
                    f"`{name}` is acquired again while this task already holds it: "
                    f"asyncio.{kind} is not reentrant, so this waits forever"
                )
            else:
                call = _code(facts, acquisition.event.node)
                message = (
                    f"`{call}` acquires `{name}`, which is already held here: "
                    f"asyncio.{kind} is not reentrant, so the call waits forever"
                )
            yield self.finding(acquisition.event.node, message)


class LockOrderInversion(Rule):
    code = "AIO303"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        locks = lock_facts(facts)
        orders: dict[tuple[Hashable, Hashable], list[tuple[Acquisition, Held]]] = {}
        for acquisition in locks.acquisitions:
            if _reacquired(locks, acquisition) is not None:
                continue  # AIO302
            for taken in acquisition.taken:
                if locks.kind(taken) not in NON_REENTRANT:
                    continue
                for held in acquisition.held:
                    ref = (held.identity, held.root)
                    if locks.kind(ref) in NON_REENTRANT and not locks.same(ref, taken):
                        pair = (locks.key(ref), locks.key(taken))
                        orders.setdefault(pair, []).append((acquisition, held))
        reported: set[int] = set()
        for (first, second), sites in orders.items():
            others = orders.get((second, first), [])
            for acquisition, held in sites:
                if id(acquisition.event.node) in reported:
                    continue
                other = next(
                    (
                        (o, h)
                        for o, h in others
                        if o.event is not acquisition.event
                        and not _gated(locks, acquisition, o, {first, second})
                    ),
                    None,
                )
                if other is None:
                    continue
                reported.add(id(acquisition.event.node))
                outer = locks.names(held)
                inner = locks.names(other[1])
                where = other[0].function.qualname
                yield self.finding(
                    acquisition.event.node,
                    f"`{inner}` is acquired while holding `{outer}`, but `{where}` acquires "
                    f"`{outer}` while holding `{inner}`: two tasks running both can deadlock "
                    "each other; always take the locks in one order",
                    related=((other[0].event.node, f"`{where}` takes the locks the other way"),),
                )


def _gated(locks: LockFacts, a: Acquisition, b: Acquisition, pair: set[Hashable]) -> bool:
    """Both orders run under a third lock: they can never interleave."""
    keys_a = {locks.key((h.identity, h.root)) for h in a.held}
    keys_b = {locks.key((h.identity, h.root)) for h in b.held}
    return bool((keys_a & keys_b) - pair)


def _awaits(event: Event) -> bool:
    if event.kind == "call":
        return event.awaited
    if event.kind == "enter":
        return bool(event.is_async_with)
    return event.kind in ("await", "iter")


class SyncLockAcrossAwait(Rule):
    code = "AIO304"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        for function in facts.functions:
            if not function.is_async:
                continue
            for enter in function.events:
                if (
                    enter.kind != "enter"
                    or enter.is_async_with
                    or facts.kind(enter.root) != api.THREADING
                ):
                    continue
                if not any(enter in e.held and _awaits(e) for e in function.events):
                    continue
                constructors = {
                    o.constructor for o in facts.objects.origins(enter.root) if o.constructor
                }
                kind = constructors.pop() if len(constructors) == 1 else "threading lock"
                name = _code(facts, enter.node)
                if kind == "threading.RLock":
                    consequence = (
                        "another task on this thread re-enters it at once, so it excludes "
                        "nothing between tasks"
                    )
                else:
                    consequence = (
                        "a second task that takes it blocks the event loop's thread while the "
                        "holder can never resume: the whole program deadlocks"
                    )
                yield self.finding(
                    enter.node,
                    f"`with {name}:` holds a {kind} across `await`: {consequence}; use an "
                    "asyncio primitive, or release it before awaiting",
                )


class AsyncPrimitivePlainWith(Rule):
    code = "AIO305"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        fixes: dict[int, FixSpec | None] = {}  # one fix per statement, for all its items
        for function in facts.functions:
            for enter in function.events:
                if enter.kind in ("enter", "await") and expects_error(
                    facts, function, enter, _TYPE_ERRORS
                ):
                    continue  # a test that checks the TypeError
                if is_bare_await(facts, enter):
                    if facts.settings.target_version >= (3, 9):
                        yield _bare_await_finding(self, facts, enter)
                    continue
                if (
                    enter.kind != "enter"
                    or enter.is_async_with
                    or facts.kind(enter.root) not in PRIMITIVES
                ):
                    continue
                awaited = isinstance(enter.node, cst.Await)
                if awaited and facts.settings.target_version < (3, 9):
                    continue  # `with (await lock):` still works on Python 3.8
                inner = enter.node.expression if isinstance(enter.node, cst.Await) else enter.node
                name = _code(facts, inner)
                kind = _kind_name(facts, enter.root)
                if awaited:
                    problem = (
                        f"`with (await {name}):` raises TypeError: an asyncio.{kind} is not "
                        "awaitable since Python 3.9"
                    )
                else:
                    problem = (
                        f"`with {name}:` raises TypeError: an asyncio.{kind} supports only "
                        "`async with`"
                    )
                yield self.finding(
                    enter.node,
                    f"{problem}; use `async with {name}:`",
                    _async_with_fix(facts, function, enter, fixes),
                )


def _bare_await_finding(rule: Rule, facts: ModuleFacts, event: Event) -> Finding:
    """`await lock`: Python 3.9 removed the primitives' `__await__` along with `with (await
    lock):`. Discarded, its result was only the acquisition, so `await lock.acquire()` is the
    same code."""
    node = event.node
    assert isinstance(node, cst.Await)
    name = _code(facts, node.expression)
    fix = None
    statement = event.stmt
    if (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and statement.body[0].value is node
    ):
        fix = FixSpec(
            "replace",
            node,
            f"await {name}.acquire()",
            safe=True,
            description="Use `acquire()`",
        )
    return rule.finding(
        node,
        f"`await {name}` raises TypeError: an asyncio.{_kind_name(facts, event.root)} is not "
        f"awaitable since Python 3.9; use `await {name}.acquire()` (released in a `finally`) "
        f"or `async with {name}:`",
        fix,
    )


def _async_with_fix(
    facts: ModuleFacts, function: FunctionInfo, enter: Event, fixes: dict[int, FixSpec | None]
) -> FixSpec | None:
    statement = enter.stmt
    if not function.is_async or not isinstance(statement, cst.With):
        return None
    if id(statement) not in fixes:
        fixes[id(statement)] = _statement_fix(facts, function, statement)
    return fixes[id(statement)]


def _statement_fix(
    facts: ModuleFacts, function: FunctionInfo, statement: cst.With
) -> FixSpec | None:
    items = []
    for item in statement.items:
        value = item.item
        if isinstance(value, cst.Await):
            value = value.expression.with_changes(lpar=(), rpar=())
        items.append(item.with_changes(item=value))
    siblings = [e for e in function.events if e.kind == "enter" and e.stmt is statement]
    if len(siblings) != len(statement.items) or any(
        facts.kind(e.root) not in PRIMITIVES for e in siblings
    ):
        return None  # another item may not be an async context manager
    new = statement.with_changes(asynchronous=cst.Asynchronous(), items=items)
    if len(items) == 1:  # `with (await lock):` -> `async with lock:`
        new = new.with_changes(lpar=cst.MaybeSentinel.DEFAULT, rpar=cst.MaybeSentinel.DEFAULT)
    text = statement_text(facts.module, statement, new)
    if text is None:
        return None
    return FixSpec("replace", statement, text, safe=True, description="Use `async with`")


class ConditionWithoutLock(Rule):
    code = "AIO306"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        locks = lock_facts(facts)
        handed_over = _handed_over(facts, locks)
        for function in facts.functions:
            if function.id in locks.unknown:
                continue
            for event in function.events:
                if not _condition_call(facts, event):
                    continue
                refs = locks.refs(event)
                if any(locks.holds(event, ref) for ref in refs):
                    continue
                if any(locks.key(ref) in handed_over for ref in refs):
                    continue
                if any(locks.held_by_callers(function, ref) for ref in refs):
                    continue
                cond = _receiver(facts, event)
                call = "await " if event.method.startswith("wait") else ""
                when = " as soon as the predicate is false" if event.method == "wait_for" else ""
                yield self.finding(
                    event.node,
                    f"`{call}{cond}.{event.method}()` outside `async with {cond}:` raises "
                    f"RuntimeError{when}: the condition's lock is not held",
                )


def _condition_call(facts: ModuleFacts, event: Event) -> bool:
    if event.kind != "call" or facts.kind(event.root) != api.CONDITION:
        return False
    if event.method in ("wait", "wait_for"):
        return event.awaited
    return event.method in ("notify", "notify_all")


def _handed_over(facts: ModuleFacts, locks: LockFacts) -> set[Hashable]:
    """Primitives acquired in one function and released elsewhere (`__aenter__` acquires,
    `__aexit__` releases): code outside the module may call the class's methods holding them."""
    keys: set[Hashable] = set()
    for function in facts.functions:
        for event in function.events:
            if (
                event.kind == "call"
                and event.method == "acquire"
                and facts.kind(event.root) in PRIMITIVES
                and not any(locks.releases(e, event.root) for e in function.events)
            ):
                keys.update(locks.key(ref) for ref in locks.refs(event))
    return keys


class ConditionWaitNotInLoop(Rule):
    code = "AIO307"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        locks = lock_facts(facts)
        for function in facts.functions:
            for event in function.events:
                if not (
                    event.kind == "call"
                    and event.method == "wait"
                    and event.awaited
                    and facts.kind(event.root) == api.CONDITION
                ):
                    continue
                sites = {
                    id(h.site.node)
                    for h in locks.held_at(event)
                    if h.site.kind == "enter"
                    and locks.same((h.identity, h.root), locks.refs(event)[0])
                }
                chain = statement_ancestors(function.node, event.stmt)
                if chain is None:
                    continue
                start = 0
                for index, node in enumerate(chain):
                    if isinstance(node, cst.With) and any(id(i.item) in sites for i in node.items):
                        start = index + 1
                inside = chain[start:]
                if any(isinstance(n, (cst.While, cst.For)) for n in inside):
                    continue
                # A guard is an `if` without `else`: `if not ready: await cond.wait()`. Without
                # one the code waits for the next notification, whatever it says; with an
                # `else`, the branches choose how to wait (with a timeout or not), not whether.
                if not any(isinstance(n, cst.If) and n.orelse is None for n in inside):
                    continue
                cond = _receiver(facts, event)
                yield self.finding(
                    event.node,
                    f"`await {cond}.wait()` is guarded by `if`, not `while`: when it wakes up, "
                    "another task may already have changed the state again; re-check in a "
                    f"loop or use `await {cond}.wait_for(predicate)`",
                )


_BOUND_KINDS = frozenset({api.QUEUE, api.LOCK, api.EVENT, api.CONDITION, api.SEMAPHORE})


class PrimitiveBoundAtImport(Rule):
    code = "AIO308"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        if facts.settings.target_version >= (3, 10):
            return
        for function in facts.functions:
            if function.kind == "function":
                continue
            defaults = _default_values(facts, function)
            for event in function.events:
                if event.kind != "call" or api.CONSTRUCTORS.get(event.qualname or "") not in (
                    _BOUND_KINDS
                ):
                    continue
                name = event.qualname
                if id(event.node) in defaults:
                    where = "as a default argument value, once at import time"
                elif function.kind == "class":
                    where = "in a class body, at import time"
                else:
                    where = "at module level, at import time"
                yield self.finding(
                    event.node,
                    f"`{name}()` is created {where}: before Python 3.10 it binds the event "
                    "loop current then, and under `asyncio.run()` (a new loop) waiting on it "
                    "raises RuntimeError (attached to a different loop); create it inside a "
                    "coroutine",
                )


def _default_values(facts: ModuleFacts, scope: FunctionInfo) -> set[int]:
    found: set[int] = set()
    for function in facts.functions:
        if function.parent is scope and isinstance(function.node, cst.FunctionDef):
            params = function.node.params
            for param in (*params.posonly_params, *params.params, *params.kwonly_params):
                if param.default is not None:
                    found.add(id(param.default))
    return found
