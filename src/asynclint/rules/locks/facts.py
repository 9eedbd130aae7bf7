"""Facts about asyncio locks and the other synchronization primitives, shared by the AIO3xx rules.

Computed once per module (`lock_facts(facts)`):

- what each event runs under (`held_at`): the primitives of the enclosing `async with` items
  (earlier items of the same statement included) and those taken by an `await x.acquire()` that
  no `release()` has undone yet on some path (followed through the flow model);
- `acquisitions`: every place a primitive is taken, directly (`async with lock:`,
  `await lock.acquire()`) or by awaiting a module function that takes it, with what is already
  held there;
- `takes(function)`: the primitives a function may take while it runs, through the module
  functions it awaits (a parameter of the callee is replaced by the caller's argument).

Two names denote the same primitive when they resolve to one object (`same_key`): the object has
exactly one construction site, or the names are the same variable or `self` attribute. Objects
merged from several constructions (a helper called with two different locks) are never assumed
to be one lock. A Condition created with a lock (`asyncio.Condition(lock)`) holds that lock too.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field

import libcst as cst

from asynclint.semantics import asyncio_api as api
from asynclint.semantics.events import Event
from asynclint.semantics.expressions import call_argument, ends_in_exit
from asynclint.semantics.flow import (
    Block,
    Exit,
    Step,
    Try,
    flow_events,
    flow_nodes,
)
from asynclint.semantics.model import FunctionInfo, ModuleFacts
from asynclint.semantics.obligations import pending_at, unmet_obligations
from asynclint.semantics.walk import child_nodes, statement_children

PRIMITIVES = frozenset({api.LOCK, api.CONDITION, api.SEMAPHORE})
# A second acquisition by the holder waits forever (a Semaphore may allow several holders).
NON_REENTRANT = frozenset({api.LOCK, api.CONDITION})
# Coroutine methods of the primitives: started without `await`, they run in another task.
_COROUTINES = frozenset({"acquire", "wait", "wait_for"})

# A primitive as one site names it: (identity as written, merged object).
Ref = tuple[Hashable, Hashable]


@dataclass(frozen=True, eq=False)
class Held:
    """A primitive held at some point, and the event that took it."""

    identity: Hashable
    root: Hashable
    site: Event  # the `enter` event or the `acquire()` call


@dataclass(frozen=True, eq=False)
class Acquisition:
    """A place where a function takes primitives while it may hold others."""

    function: FunctionInfo
    event: Event  # the `enter` event, the `acquire()` call, or the call of a module function
    taken: tuple[Ref, ...]  # a Condition built on a lock takes both
    held: tuple[Held, ...]
    via: FunctionInfo | None = None  # set when taken by the called module function


@dataclass
class LockFacts:
    facts: ModuleFacts
    acquisitions: list[Acquisition] = field(default_factory=list)
    # Functions whose acquire()/release() pairs were too tangled to follow: what they hold
    # is unknown, so rules that need "nothing is held here" stay silent in them.
    unknown: set[int] = field(default_factory=set)
    _held: dict[int, tuple[Held, ...]] = field(default_factory=dict)  # id(event) -> held
    _takes: dict[int, frozenset[Ref]] = field(default_factory=dict)
    _lock_of: dict[Hashable, Ref | None] = field(default_factory=dict)
    _escapes: dict[int, Event] = field(default_factory=dict)  # id(argument node) -> escape
    _followed: set[int] = field(default_factory=set)  # arguments of module functions run now

    # -- identity -----------------------------------------------------------------------

    def single_object(self, root: Hashable) -> bool:
        """Is `root` one object: exactly one constructor call creates it?"""
        sites = {id(o.node) for o in self.facts.objects.origins(root) if o.constructor}
        return len(sites) == 1

    def key(self, ref: Ref) -> Hashable:
        """Equal keys for names of the same primitive (see the module docstring)."""
        identity, root = ref
        return ("object", root) if self.single_object(root) else ("name", identity)

    def same(self, a: Ref, b: Ref) -> bool:
        return self.key(a) == self.key(b)

    def kind(self, ref: Ref) -> str | None:
        return self.facts.kind(ref[1])

    def lock_of(self, condition_root: Hashable) -> Ref | None:
        """The lock a Condition was built on (`asyncio.Condition(self._lock)`), if known."""
        if condition_root in self._lock_of:
            return self._lock_of[condition_root]
        found: Ref | None = None
        calls = [
            o.node
            for o in self.facts.objects.origins(condition_root)
            if o.constructor == "asyncio.Condition" and isinstance(o.node, cst.Call)
        ]
        if len({id(c) for c in calls}) == 1:
            argument = call_argument(calls[0], 0, "lock")
            escape = self._escapes.get(id(argument)) if argument is not None else None
            if escape is not None and self.facts.kind(escape.root) == api.LOCK:
                found = (escape.identity, escape.root)
        self._lock_of[condition_root] = found
        return found

    def refs(self, event: Event) -> tuple[Ref, ...]:
        """What acquiring `event`'s object takes: the primitive, and a Condition's lock."""
        ref: Ref = (event.identity, event.root)
        if self.facts.kind(event.root) == api.CONDITION:
            lock = self.lock_of(event.root)
            if lock is not None:
                return (ref, lock)
        return (ref,)

    # -- what is held -------------------------------------------------------------------

    def held_at(self, event: Event) -> tuple[Held, ...]:
        return self._held.get(id(event), ())

    def holds(self, event: Event, ref: Ref) -> bool:
        return any(self.same((h.identity, h.root), ref) for h in self.held_at(event))

    def held_by_callers(self, function: FunctionInfo, ref: Ref) -> bool:
        """Does every call of `function` in the module run it while `ref` is held (by the
        caller, or by the caller's own callers)? False when nothing in the module calls it."""
        return self._held_by_callers(function, ref, set())

    def _held_by_callers(self, function: FunctionInfo, ref: Ref, seen: set[int]) -> bool:
        if function.id in seen:
            return True  # a cycle adds no unheld path of its own
        seen.add(function.id)
        sites = [
            (f, e) for f, e in self.facts.events() if e.kind == "call" and e.target is function
        ]
        if not sites:
            return False
        for caller, site in sites:
            if runs_now(site) is not function:
                return False  # a task runs it later, when nothing may be held
            passed = _substitute(self, frozenset({ref}), site, function)
            if not passed:
                continue  # a parameter this call does not bind to a known primitive
            (outer,) = passed
            if not (self.holds(site, outer) or self._held_by_callers(caller, outer, seen)):
                return False
        return True

    def takes(self, function: FunctionInfo) -> frozenset[Ref]:
        return self._takes.get(function.id, frozenset())

    def names(self, held: Held) -> str:
        """Source text naming a held primitive (`self._lock`)."""
        return self.facts.module.code_for_node(_named_node(held.site))

    def shares(self, event: Event, root: Hashable) -> bool:
        """Does `event` hand `root` to code that may release it: pass it to code we do not
        follow, or start one of its coroutines without awaiting it (`create_task(cond.wait())`)?
        After that, whether this function still holds it is unknown."""
        if event.root != root:
            return False
        if event.kind == "escape":
            return id(event.node) not in self._followed
        return event.kind == "call" and not event.awaited and event.method in _COROUTINES

    def releases(self, event: Event, root: Hashable) -> bool:
        """Does `event` release `root` (directly or in a module function it calls)?"""
        if event.kind != "call":
            return False
        if event.method == "release" and event.root == root:
            return True
        return event.target is not None and (root, "release") in self.facts.calls_made(event.target)


def lock_facts(facts: ModuleFacts) -> LockFacts:
    return facts.memo(_build)


def is_primitive(facts: ModuleFacts, event: Event) -> bool:
    return facts.kind(event.root) in PRIMITIVES


def is_acquire(facts: ModuleFacts, event: Event) -> bool:
    """`async with <primitive>` or an awaited `<primitive>.acquire()`, and the forms Python
    3.9 removed (TypeError there, AIO305; an acquisition where they still run): `with (await
    <primitive>):`, which releases at the end of the block, and a bare `await <primitive>`,
    which a `release()` must undo like `acquire()`."""
    if event.kind == "enter":
        return entered_with_lock(event) and is_primitive(facts, event)
    if event.kind == "await":
        return is_bare_await(facts, event)
    return (
        event.kind == "call"
        and event.method == "acquire"
        and event.awaited
        and is_primitive(facts, event)
    )


def entered_with_lock(event: Event) -> bool:
    """An `async with x` item, or a `with (await x)` one."""
    return event.is_async_with or isinstance(event.node, cst.Await)


def is_bare_await(facts: ModuleFacts, event: Event) -> bool:
    """`await lock` on its own (not the item of `with (await lock):`)."""
    return event.kind == "await" and not event.with_item and is_primitive(facts, event)


def runs_now(event: Event) -> FunctionInfo | None:
    """The module function a call runs before the caller goes on: a plain function, or a
    coroutine function whose call is awaited (not one handed to a task or to gather)."""
    callee = event.target
    if event.kind != "call" or callee is None or callee.kind != "function":
        return None
    if callee.is_async and not event.awaited:
        return None
    return callee


def _build(facts: ModuleFacts) -> LockFacts:
    result = LockFacts(facts)
    if not any(facts.kind(e.root) in PRIMITIVES for _, e in facts.events() if e.root is not None):
        return result  # no asyncio primitive in the module: nothing is ever held
    for function in facts.functions:
        for event in function.events:
            if event.kind == "escape" and event.identity is not None:
                result._escapes.setdefault(id(event.node), event)
            if runs_now(event) is not None and isinstance(event.node, cst.Call):
                result._followed.update(id(arg.value) for arg in event.node.args)
    for function in facts.functions:
        _hold(result, function)
    _summarize(result)
    for function in facts.functions:
        for event in function.events:
            held = result.held_at(event)
            if is_acquire(facts, event):
                result.acquisitions.append(Acquisition(function, event, result.refs(event), held))
                continue
            callee = runs_now(event)
            if callee is None:
                continue
            taken = _substitute(result, result.takes(callee), event, callee)
            if taken:
                result.acquisitions.append(
                    Acquisition(function, event, tuple(sorted(taken, key=repr)), held, callee)
                )
    return result


def _hold(result: LockFacts, function: FunctionInfo) -> None:
    facts = result.facts
    acquires = [
        e
        for e in function.events
        if e.kind in ("call", "await") and is_acquire(facts, e) and e.identity
    ]
    pending: dict[Event, set[Hashable]] = {}
    if acquires:
        pending = pending_at(
            function,
            lambda e: e if e in acquires else None,
            lambda e, acquire: _lets_go(result, e, acquire, shared=True),
            lambda e: True,
        )
        if not pending and function.events:
            result.unknown.add(function.id)
    entered: dict[int, list[Event]] = {}  # id(with statement) -> its items entered so far
    for event in function.events:
        held: list[Held] = []
        for enter in event.held:
            held.extend(_entered(result, enter))
        if event.kind == "enter":
            earlier = entered.setdefault(id(event.stmt), [])
            for enter in earlier:
                held.extend(_entered(result, enter))
            earlier.append(event)
        for acquire in acquires:
            if acquire in pending.get(event, ()):
                held.extend(Held(i, r, acquire) for i, r in result.refs(acquire))
        if held:
            result._held[id(event)] = tuple(held)


def _lets_go(locks: LockFacts, event: Event, acquire: Hashable, *, shared: bool) -> bool:
    """Does `event` end the hold taken by the `acquire` event (release it, or share it)?"""
    assert isinstance(acquire, Event)
    root = acquire.root
    return locks.releases(event, root) or (shared and locks.shares(event, root))


def _entered(result: LockFacts, enter: Event) -> list[Held]:
    if not (entered_with_lock(enter) and is_primitive(result.facts, enter)):
        return []
    return [Held(identity, root, enter) for identity, root in result.refs(enter)]


def _summarize(result: LockFacts) -> None:
    """`takes(f)`: primitives taken by f or the module functions it runs, to a fixed point."""
    facts = result.facts
    takes: dict[int, set[Ref]] = {}
    calls: list[tuple[FunctionInfo, Event, FunctionInfo]] = []
    for function in facts.functions:
        own = takes.setdefault(function.id, set())
        for event in function.events:
            if is_acquire(facts, event) and event.identity is not None:
                # An acquisition a caller can switch off is not charged to the callers.
                if not _parameter_guarded(function, event):
                    own.update(result.refs(event))
            else:
                callee = runs_now(event)
                if callee is not None:
                    calls.append((function, event, callee))
    changed = True
    while changed:
        changed = False
        for function, event, callee in calls:
            extra = _substitute(result, frozenset(takes[callee.id]), event, callee)
            extra -= takes[function.id]
            if extra:
                takes[function.id] |= extra
                changed = True
    result._takes = {key: frozenset(value) for key, value in takes.items() if value}


def _substitute(
    result: LockFacts, taken: frozenset[Ref], call: Event, callee: FunctionInfo
) -> set[Ref]:
    """What `taken` (in the callee's terms) is at this call: a parameter becomes the argument
    passed for it; a parameter the call does not bind is dropped (unknown)."""
    out: set[Ref] = set()
    for ref in taken:
        identity = ref[0]
        if (
            isinstance(identity, tuple)
            and len(identity) == 3
            and identity[0] == "var"
            and identity[1] == callee.id
            and (identity[2] in callee.params or identity[2] in callee.kwonly)
        ):
            name = str(identity[2])
            params = callee.params[1:] if callee.self_name else callee.params
            position = params.index(name) if name in params else None
            node = call.node
            argument = call_argument(node, position, name) if isinstance(node, cst.Call) else None
            escape = result._escapes.get(id(argument)) if argument is not None else None
            if escape is not None and result.facts.kind(escape.root) in PRIMITIVES:
                out.add((escape.identity, escape.root))
            continue
        out.add(ref)
    return out


def _named_node(event: Event) -> cst.CSTNode:
    node = event.node
    if isinstance(node, cst.Await):
        node = node.expression
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        return node.func.value
    return node


# -- acquire() without try/finally (AIO301) ---------------------------------------------------


@dataclass(frozen=True, eq=False)
class LooseAcquire:
    event: Event  # the acquire() call
    inside_try: bool  # True: acquire() inside the `try` whose `finally` releases


def loose_acquires(facts: ModuleFacts) -> list[LooseAcquire]:
    """`await x.acquire()` calls whose release an exception or a cancellation can skip.

    Only acquires that a release in the same function follows are judged: acquiring in one
    function and releasing in another (`__aenter__`/`__aexit__`, a task's done-callback) is a
    hand-over.
    A call or await between the acquire and the release that no `try` guards (a `finally`, or
    an `except` that catches everything, releasing it) leaks the lock when it raises. An acquire
    placed inside the guarded `try` is reported too: if it is cancelled while waiting, the
    `finally` releases a lock this task never took."""
    locks = lock_facts(facts)
    found: list[LooseAcquire] = []
    for function in facts.functions:
        acquires = [
            e for e in function.events if e.kind in ("call", "await") and is_acquire(facts, e)
        ]
        acquires = [
            a
            for a in acquires
            if any(locks.releases(e, a.root) for e in function.events)
            and not any(locks.shares(e, a.root) for e in function.events)
            and not _private(facts, function, a)
            and not is_signal(facts, a.root)
        ]
        if not acquires:
            continue
        # An acquire that no release follows on any path is handed over, not leaked here.
        kept = unmet_obligations(
            function,
            lambda e, acquires=acquires: e if e in acquires else None,  # type: ignore[misc]
            lambda e, acquire: _lets_go(locks, e, acquire, shared=False),
        )
        acquires = [a for a in acquires if a not in kept]
        if not acquires:
            continue
        guards = _guards(locks, function.body, {a.root for a in acquires})
        opening = set(acquires)
        pending = pending_at(
            function,
            lambda e, opening=opening: e if e in opening else None,  # type: ignore[misc]
            lambda e, acquire: _lets_go(locks, e, acquire, shared=False),
            lambda e: e.kind in ("call", "await", "iter", "enter"),
        )
        if not pending:
            continue
        loose: set[Event] = set()
        for event, waiting in pending.items():
            for acquire in waiting:
                assert isinstance(acquire, Event)
                if acquire in loose or event is acquire or locks.releases(event, acquire.root):
                    continue
                if event.stmt is acquire.stmt and event.qualname in api.PASS_THROUGH:
                    continue  # `await asyncio.wait_for(lock.acquire(), 5)`
                if event.root == acquire.root and not event.awaited:
                    continue  # `cond.notify()`, `lock.locked()`: nothing raises while held
                if event not in guards.guarded.get(acquire.root, ()):
                    loose.add(acquire)
        for acquire in acquires:
            if acquire in loose:
                found.append(LooseAcquire(acquire, False))
            elif acquire in guards.released_in_finally.get(acquire.root, ()):
                found.append(LooseAcquire(acquire, True))
    return found


def is_signal(facts: ModuleFacts, root: Hashable) -> bool:
    """A Semaphore used to signal, not to exclude: created with no permit (`Semaphore(0)`:
    the first `acquire()` waits for someone else's `release()`), or released by a function
    of the module that never acquires it and that no acquiring function calls (a
    done-callback, another method). Its `acquire()`
    waits for an event; nothing is held that an exception could leak."""
    if facts.kind(root) != api.SEMAPHORE:
        return False
    for origin in facts.objects.origins(root):
        if origin.constructor and isinstance(origin.node, cst.Call):
            value = call_argument(origin.node, 0, "value")
            if isinstance(value, cst.Integer) and int(value.value, 0) == 0:
                return True
    acquirers = [
        f for f in facts.functions if any(is_acquire(facts, e) and e.root == root for e in f.events)
    ]
    helpers = {id(e.target) for f in acquirers for e in f.events if e.target is not None}
    return any(
        function not in acquirers
        and id(function) not in helpers  # a release helper the holder calls is no signal
        and any(
            e.kind == "call" and e.method == "release" and e.root == root for e in function.events
        )
        for function in facts.functions
    )


def _private(facts: ModuleFacts, function: FunctionInfo, acquire: Event) -> bool:
    """A primitive that only this call of `function` can reach (a local variable no other
    function uses, or an element of a container in one): an exception that leaves it held
    leaves it to no one."""
    if not _local(function, acquire.identity):
        return False
    for member in facts.objects.members(acquire.root):  # `lock = self._locks[key]`
        if isinstance(member, tuple) and member[0] == "elem" and not _local(function, member):
            return False
    return not any(e.root == acquire.root for f, e in facts.events() if f is not function)


def _local(function: FunctionInfo, identity: Hashable) -> bool:
    """A local variable of `function` (not a parameter), or an element of a container in one."""
    while isinstance(identity, tuple) and identity[0] == "elem":
        identity = identity[1]
    return (
        isinstance(identity, tuple)
        and identity[:2] == ("var", function.id)
        and identity[2] not in function.params
        and identity[2] not in function.kwonly
    )


@dataclass
class _Guards:
    # root -> events that an enclosing try releases `root` after, whatever they raise
    guarded: dict[Hashable, set[Event]] = field(default_factory=dict)
    # root -> events in a `try` body whose `finally` releases `root` unconditionally
    released_in_finally: dict[Hashable, set[Event]] = field(default_factory=dict)


def _guards(locks: LockFacts, body: Block, roots: set[Hashable]) -> _Guards:
    guards = _Guards()
    for node in flow_nodes(body):
        if not isinstance(node, Try):
            continue
        everything = list(flow_events(node))
        body_events = list(flow_events(node.body))
        final = list(flow_events(node.finalbody)) if node.finalbody is not None else []
        direct = list(_direct_events(node.finalbody)) if node.finalbody is not None else []
        for root in roots:
            if any(locks.releases(e, root) for e in final):
                guards.guarded.setdefault(root, set()).update(everything)
                if any(locks.releases(e, root) for e in direct):
                    guards.released_in_finally.setdefault(root, set()).update(body_events)
            for handler in node.handlers:
                if handler.catches_all and any(
                    locks.releases(e, root) for e in flow_events(handler.body)
                ):
                    guards.guarded.setdefault(root, set()).update(body_events)
                    guards.guarded[root].update(flow_events(handler.body))
    return guards


def _direct_events(block: Block) -> Iterator[Event]:
    """Events of the block's own statements (not inside its `if`s, loops or `try`s)."""
    for item in block.items:
        if isinstance(item, Step):
            yield from item.events
        elif isinstance(item, Exit):
            yield from item.step.events


# -- where a statement sits ------------------------------------------------------------------


def statement_ancestors(root: cst.CSTNode, target: cst.CSTNode | None) -> list[cst.CSTNode] | None:
    """The compound statements from `root` (excluded) down to the statement `target`
    (excluded), outermost first; None when `target` is not a statement of `root`'s own body."""
    if target is None:
        return None

    def visit(node: cst.CSTNode, chain: list[cst.CSTNode]) -> list[cst.CSTNode] | None:
        for child in statement_children(node):
            if child is target:
                return chain
            if isinstance(child, (cst.FunctionDef, cst.ClassDef)):
                continue
            inner = [*chain, child] if isinstance(child, cst.BaseCompoundStatement) else chain
            found = visit(child, inner)
            if found is not None:
                return found
        return None

    return visit(root, [])


def _parameter_guarded(function: FunctionInfo, event: Event) -> bool:
    """Is the acquisition under an `if` that tests one of the function's parameters, or after
    such an `if` that returns (the `locked=True` flag callers pass when they hold the lock)?"""
    params = {p for p in (*function.params, *function.kwonly) if p != function.self_name}
    if not params or event.stmt is None:
        return False
    target = event.stmt

    def tests_parameter(node: cst.CSTNode) -> bool:
        return isinstance(node, cst.If) and any(
            isinstance(n, cst.Name) and n.value in params for n in _names(node.test)
        )

    def visit(node: cst.CSTNode) -> bool | None:
        """None: `target` is not inside `node`; else whether a parameter test guards it."""
        guarded = False
        for child in statement_children(node):
            if child is target:
                return guarded
            if isinstance(child, (cst.FunctionDef, cst.ClassDef)):
                continue
            found = visit(child)
            if found is not None:
                return found or guarded or tests_parameter(child)
            if tests_parameter(child) and isinstance(child, cst.If) and ends_in_exit(child.body):
                guarded = True
        return None

    return bool(visit(function.node))


def _names(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    yield node
    for child in child_nodes(node):
        yield from _names(child)
