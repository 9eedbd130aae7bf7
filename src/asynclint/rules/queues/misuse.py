"""Queue misuse that one look at the code can prove: the stdlib exception caught around an
asyncio queue call, an unorderable item put into a PriorityQueue, a `put()` into a bounded
queue that nothing can be consuming yet, and an emptiness test that a suspension makes stale
before the `get()` it guards."""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from dataclasses import dataclass

import libcst as cst

from asynclint.semantics import asyncio_api as api
from asynclint.semantics.events import Event
from asynclint.semantics.flow import (
    Block,
    Exit,
    If,
    Interpreter,
    Loop,
    Match,
    Step,
    TooComplex,
    Try,
)
from asynclint.semantics.guards import subtree
from asynclint.semantics.model import FunctionInfo, HandlerInfo, ModuleFacts
from asynclint.semantics.spawning import Spawn, concurrent_copies, spawns, waits_for
from asynclint.semantics.termination import can_finish, is_infinite, loop_exits

# The stdlib queue exception a handler names, the asyncio one the call raises instead, and
# the asyncio queue methods that raise it.
WRONG_EXCEPTIONS: dict[str, tuple[str, frozenset[str]]] = {
    "queue.Empty": ("QueueEmpty", frozenset({"get_nowait"})),
    "queue.Full": ("QueueFull", frozenset({"put_nowait"})),
}
# Methods that may raise the stdlib queue exceptions when the receiver is a `queue.Queue`.
_STDLIB_RAISERS = frozenset({"get", "get_nowait", "put", "put_nowait"})


@dataclass(frozen=True)
class WrongException:
    handler: HandlerInfo
    caught: cst.BaseExpression  # the `queue.Empty` expression in the handler
    stdlib_name: str  # "queue.Empty"
    asyncio_name: str  # "QueueEmpty"
    calls: tuple[Event, ...]  # the asyncio queue calls in the try body that raise the other one
    # True when nothing else in the try body can raise the stdlib exception, so replacing the
    # name changes nothing but the bug.
    only_asyncio: bool


def wrong_exception_handlers(facts: ModuleFacts) -> Iterator[WrongException]:
    for handler in facts.handlers:
        wrong = [
            (index, name) for index, name in enumerate(handler.caught) if name in WRONG_EXCEPTIONS
        ]
        if not wrong or not isinstance(handler.node, cst.ExceptHandler):
            continue
        body_events = _try_body_events(handler)
        for index, name in wrong:
            asyncio_name, methods = WRONG_EXCEPTIONS[name]
            if _also_caught(facts, handler, f"asyncio.{asyncio_name}"):
                continue
            calls = tuple(
                e
                for e in body_events
                if e.kind == "call" and e.method in methods and facts.kind(e.root) == api.QUEUE
            )
            if not calls:
                continue
            only_asyncio = all(
                facts.kind(e.root) == api.QUEUE
                for e in body_events
                if e.kind == "call" and (e.method in _STDLIB_RAISERS or e.target is not None)
            )
            caught = _caught_expressions(handler.node)[index]
            yield WrongException(handler, caught, name, asyncio_name, calls, only_asyncio)


def _try_body_events(handler: HandlerInfo) -> list[Event]:
    inside = {id(node) for node in subtree(handler.try_node.body)}
    return [e for e in handler.function.events if id(e.node) in inside]


def _also_caught(facts: ModuleFacts, handler: HandlerInfo, asyncio_name: str) -> bool:
    """Is the asyncio exception caught by this try statement anyway: named next to the stdlib
    one, by another handler, or by a catch-all handler before this one?"""
    siblings = [other for other in facts.handlers if other.try_node is handler.try_node]
    if any(asyncio_name in other.caught for other in siblings):
        return True
    for other in siblings[: siblings.index(handler)]:
        if not other.caught or any(n in ("Exception", "BaseException") for n in other.caught):
            return True
    return False


def _caught_expressions(handler: cst.ExceptHandler) -> list[cst.BaseExpression]:
    if handler.type is None:
        return []
    if isinstance(handler.type, cst.Tuple):
        return [element.value for element in handler.type.elements]
    return [handler.type]


def asyncio_alias(facts: ModuleFacts, name: str) -> str | None:
    """How this module can spell `asyncio.<name>`: `asyncio.QueueEmpty`, `aio.QueueEmpty` or
    a directly imported `QueueEmpty`; None when asyncio is not imported under a usable name."""
    for local, full in facts.imports.items():
        if full == f"asyncio.{name}":
            return local
    for local, full in sorted(facts.imports.items()):
        if full == "asyncio":
            return f"{local}.{name}"
    return None


def is_priority_queue(facts: ModuleFacts, root: Hashable) -> bool:
    """Every constructor or annotation that gives this queue its kind says PriorityQueue."""
    origins = facts.objects.origins(root)
    names = [_origin_class(facts, origin.node, origin.constructor) for origin in origins]
    return bool(names) and all(name == "asyncio.PriorityQueue" for name in names)


def _origin_class(facts: ModuleFacts, node: cst.CSTNode, constructor: str) -> str | None:
    if constructor:
        return constructor
    if isinstance(node, cst.Param):
        node = node.annotation.annotation if node.annotation is not None else node
    if isinstance(node, cst.Subscript):
        node = node.value
    return facts.qualify(node) if isinstance(node, cst.BaseExpression) else None


# -- AIO107: PriorityQueue items that cannot be compared ------------------------------------

PUT_METHODS = frozenset({"put", "put_nowait"})
_ORDERING_METHODS = frozenset({"__lt__", "__gt__", "__le__", "__ge__"})
_DATACLASS = frozenset({"dataclasses.dataclass"})


@dataclass(frozen=True)
class UnorderableItem:
    put: Event
    payload: cst.BaseExpression  # the tuple's second element
    what: str  # "a dict", "a `Job` instance"


def unorderable_items(facts: ModuleFacts) -> Iterator[UnorderableItem]:
    """`pq.put((priority, payload))` where two payloads cannot be compared: when two items
    have the same priority, the heap compares the payloads and raises TypeError."""
    for function, event in facts.events():
        if event.kind != "call" or event.method not in PUT_METHODS:
            continue
        if facts.kind(event.root) != api.QUEUE or not isinstance(event.node, cst.Call):
            continue
        args = event.node.args
        if not args or args[0].keyword is not None or args[0].star:
            continue
        item = args[0].value
        if not isinstance(item, cst.Tuple) or len(item.elements) != 2:
            continue
        if any(isinstance(element, cst.StarredElement) for element in item.elements):
            continue
        payload = item.elements[1].value
        what = _unorderable(facts, function, payload)
        if what is not None and is_priority_queue(facts, event.root):
            yield UnorderableItem(event, payload, what)


def _unorderable(
    facts: ModuleFacts, function: FunctionInfo, value: cst.BaseExpression, depth: int = 0
) -> str | None:
    if isinstance(value, (cst.Dict, cst.DictComp)):
        return "a dict"
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Name):
        name = value.func.value
        if name == "dict" and not _defined(facts, name):
            return "a dict"
        cls = _module_class(facts, name)
        if cls is not None and not _orderable_class(facts, cls):
            return f"a `{name}` instance"
        return None
    if isinstance(value, cst.Name) and depth == 0:
        assigned = facts.assignments.get(function.id, {}).get(value.value, [])
        kinds = {_unorderable(facts, function, v, depth + 1) for v in assigned}
        if len(kinds) == 1:
            return kinds.pop()
    return None


def _defined(facts: ModuleFacts, name: str) -> bool:
    return name in facts.imports or any(name in f.locals for f in facts.functions)


def _module_class(facts: ModuleFacts, name: str) -> FunctionInfo | None:
    """A class defined at the module's top level under this name (and nothing else is)."""
    module = facts.functions[0]
    found = [f for f in facts.functions if f.kind == "class" and f.qualname == name]
    if len(found) != 1 or module.classes.get(name) != name:
        return None
    if facts.assignments.get(module.id, {}).get(name):
        return None
    return found[0]


def _orderable_class(facts: ModuleFacts, cls: FunctionInfo) -> bool:
    """Could instances be ordered? Unknown bases, decorators other than a plain
    `@dataclass`, and comparison methods all say they could."""
    node = cls.node
    assert isinstance(node, cst.ClassDef)
    if any(not (isinstance(b.value, cst.Name) and b.value.value == "object") for b in node.bases):
        return True
    if set(facts.methods.get(cls.qualname, {})) & _ORDERING_METHODS:
        return True
    for decorator in node.decorators:
        expression = decorator.decorator
        call = expression if isinstance(expression, cst.Call) else None
        name = facts.qualify(call.func if call is not None else expression)
        if name not in _DATACLASS:
            return True
        if call is not None and any(
            a.keyword is not None and a.keyword.value == "order" for a in call.args
        ):
            return True
    return False


# -- AIO106: an emptiness test made stale by a suspension before the get ---------------------

GET = "get"
_CHECKS = frozenset({"empty", "qsize"})


@dataclass(frozen=True)
class StaleCheck:
    get: Event  # the `await q.get()` that may block
    check: Event  # the `q.empty()` / `q.qsize()` test it relies on


def stale_empty_checks(facts: ModuleFacts) -> list[StaleCheck]:
    """`await q.get()` guarded by a test that the queue is not empty, with a suspension point
    between the test and the get: other consumers may empty the queue meanwhile, and the get
    then blocks. (With no suspension in between the test still holds: `get()` on a non-empty
    queue returns at once, so `while not q.empty(): item = await q.get()` is fine.)"""
    found: list[StaleCheck] = []
    for function in facts.functions:
        checks = [e for e in function.events if _on(facts, e, _CHECKS)]
        if not checks or not any(_on(facts, e, frozenset({GET})) for e in function.events):
            continue
        for check, region in _non_empty_regions(facts, function.body, checks):
            found.extend(_stale_gets(facts, check, region))
        found = [stale for stale in found if not _timed(function, stale.get)]
    unique = {(s.get, s.check): s for s in found}
    return list(unique.values())


def _on(facts: ModuleFacts, event: Event, methods: frozenset[str]) -> bool:
    return event.kind == "call" and event.method in methods and facts.kind(event.root) == api.QUEUE


def _non_empty_regions(
    facts: ModuleFacts, block: Block, checks: list[Event]
) -> Iterator[tuple[Event, Block]]:
    """(check, code that runs only when the check found the queue non-empty)."""
    for index, item in enumerate(block.items):
        rest = Block(block.items[index + 1 :])
        if isinstance(item, If):
            check = _check_in(item.test, checks)
            polarity = _polarity(facts, check) if check is not None else None
            if check is not None and polarity is True:
                yield check, item.body
            elif check is not None and polarity is False:
                if item.orelse is not None:
                    yield check, item.orelse
                if _always_leaves(item.body):
                    yield check, rest
            yield from _non_empty_regions(facts, item.body, checks)
            if item.orelse is not None:
                yield from _non_empty_regions(facts, item.orelse, checks)
        elif isinstance(item, Loop):
            check = _check_in(item.header, checks)
            polarity = _polarity(facts, check) if check is not None else None
            if check is not None and polarity is True and isinstance(check.stmt, cst.While):
                yield check, item.body
            elif check is not None and polarity is False and isinstance(check.stmt, cst.While):
                yield check, rest
            yield from _non_empty_regions(facts, item.body, checks)
            if item.orelse is not None:
                yield from _non_empty_regions(facts, item.orelse, checks)
        elif isinstance(item, Try):
            for part in (item.body, item.orelse, item.finalbody):
                if part is not None:
                    yield from _non_empty_regions(facts, part, checks)
            for handler in item.handlers:
                yield from _non_empty_regions(facts, handler.body, checks)
        elif isinstance(item, Match):
            for case in item.cases:
                yield from _non_empty_regions(facts, case, checks)
        elif isinstance(item, Block):
            yield from _non_empty_regions(facts, item, checks)


def _check_in(step: Step, checks: list[Event]) -> Event | None:
    for event in step.events:
        if event in checks:
            return event
    return None


def _always_leaves(block: Block) -> bool:
    return bool(block.items) and isinstance(block.items[-1], Exit)


def _polarity(facts: ModuleFacts, check: Event) -> bool | None:
    """True when the test holding means "not empty", False when it failing does."""
    statement = check.stmt
    if not isinstance(statement, (cst.If, cst.While)):
        return None
    return _test_polarity(statement.test, check.node)


def _test_polarity(test: cst.BaseExpression, call: cst.CSTNode) -> bool | None:
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = _test_polarity(test.expression, call)
        return None if inner is None else not inner
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        sides = (_test_polarity(test.left, call), _test_polarity(test.right, call))
        return True if True in sides else None
    if test is call:
        method = (
            call.func.attr.value
            if isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)
            else ""
        )
        return method == "qsize" if method in _CHECKS else None
    if isinstance(test, cst.Comparison) and test.left is call and len(test.comparisons) == 1:
        comparison = test.comparisons[0]
        if not isinstance(comparison.comparator, cst.Integer):
            return None
        bound = int(comparison.comparator.value)
        operator = comparison.operator
        if isinstance(operator, (cst.GreaterThan, cst.NotEqual)) and bound == 0:
            return True
        if isinstance(operator, cst.GreaterThanEqual) and bound == 1:
            return True
        if isinstance(operator, cst.Equal) and bound == 0:
            return False
    return None


def _stale_gets(facts: ModuleFacts, check: Event, region: Block) -> list[StaleCheck]:
    queue = check.root
    found: list[StaleCheck] = []

    def transfer(state: str, event: Event) -> str:
        if event.kind == "call" and event.root == queue:
            if event.method in _CHECKS:
                return "fresh"
            if event.method == GET and event.awaited:
                if state == "stale":
                    found.append(StaleCheck(event, check))
                return "none"
            if event.method == "get_nowait":
                return "none"
        if state == "fresh" and _suspends(event):
            return "stale"
        return state

    try:
        Interpreter(transfer).run(region, "fresh")
    except TooComplex:
        return []
    return found


def _suspends(event: Event) -> bool:
    if event.kind == "await" or event.kind == "iter":
        return True
    if event.kind == "enter":
        return event.is_async_with is True
    return event.kind == "call" and event.awaited


def concurrent_consumers(facts: ModuleFacts, queue: Hashable) -> int:
    """How many tasks may get from this queue at the same time (counted up to 2)."""
    total = 0
    for function in facts.functions:
        if any(_on(facts, e, GET_METHODS) and e.root == queue for e in function.events):
            total += concurrent_copies(facts, function)
            if total >= 2:
                return 2
    return total


GET_METHODS = frozenset({"get", "get_nowait"})


# -- AIO110: filling a bounded queue before anything can consume it --------------------------

_QUEUE_CONSTRUCTORS = frozenset({"asyncio.Queue", "asyncio.PriorityQueue", "asyncio.LifoQueue"})


@dataclass(frozen=True)
class SelfDeadlock:
    put: Event  # the `await q.put()` that finds the queue full
    maxsize: int
    created: Event  # the constructor call


def self_deadlocking_puts(facts: ModuleFacts) -> list[SelfDeadlock]:
    """`await q.put()` on a queue created in this function with `maxsize=N`, when more than N
    items go in before the queue is handed to anything that could consume it: the put waits
    for a free slot that only a consumer could make, and none exists yet."""
    found: list[SelfDeadlock] = []
    for function in facts.functions:
        if function.kind != "function" or not function.is_async:
            continue
        for created in function.events:
            maxsize = _bounded_constructor(created)
            name = _local_name(function, created) if maxsize is not None else None
            if maxsize is None or name is None or not _only_called_or_passed(function, name):
                continue
            ref = ("name", function.id, name)
            mine = frozenset(e for e in function.events if e.ref == ref)
            if any(e.kind == "call" and e.method in _SELF_CONSUMING for e in mine):
                continue
            found.extend(_overfilling_puts(function, created, mine, maxsize))
    return found


# A function that takes from its own queue, or tests whether it is full, manages its size.
_SELF_CONSUMING = frozenset({"get", "get_nowait", "full"})


def _bounded_constructor(event: Event) -> int | None:
    if event.kind != "call" or event.qualname not in _QUEUE_CONSTRUCTORS:
        return None
    if not isinstance(event.node, cst.Call):
        return None
    for index, arg in enumerate(event.node.args):
        keyword = arg.keyword.value if arg.keyword is not None else None
        if (keyword, index) in ((None, 0), ("maxsize", index)) and isinstance(
            arg.value, cst.Integer
        ):
            size = int(arg.value.value, 0)
            return size if size > 0 else None
    return None


def _local_name(function: FunctionInfo, created: Event) -> str | None:
    """The local variable a constructor's result is assigned to (`q = Queue(...)`, `q: T =
    Queue(...)`), if that is the only value it is ever given."""
    statement = created.stmt
    if not isinstance(statement, cst.SimpleStatementLine):
        return None
    name = None
    for small in statement.body:
        if isinstance(small, cst.Assign) and small.value is created.node:
            targets = [t.target for t in small.targets]
            if len(targets) == 1 and isinstance(targets[0], cst.Name):
                name = targets[0].value
        elif isinstance(small, cst.AnnAssign) and small.value is created.node:
            name = small.target.value if isinstance(small.target, cst.Name) else None
    if name is None or name in function.globals or _assignments(function, name) != 1:
        return None
    return name


def _assignments(function: FunctionInfo, name: str) -> int:
    count = 0
    for node in subtree(function.node, nested_scopes=True):
        if isinstance(node, cst.Assign):
            count += sum(
                isinstance(t.target, cst.Name) and t.target.value == name for t in node.targets
            )
        elif isinstance(node, cst.AnnAssign) and node.value is None:
            continue  # a declaration, not an assignment
        elif isinstance(node, (cst.AnnAssign, cst.AugAssign, cst.NamedExpr, cst.For)):
            count += isinstance(node.target, cst.Name) and node.target.value == name
    return count


def _only_called_or_passed(function: FunctionInfo, name: str) -> bool:
    """Is every use of the name `q.method(...)`, `f(q)` or the assignment that creates it? Any
    other use (stored, returned, captured by a nested function, `q.put` as a callback) may
    give the queue to a consumer we cannot see."""
    allowed: set[int] = set()
    uses: list[cst.Name] = []
    for node in subtree(function.node):
        if isinstance(node, cst.Call):
            if isinstance(node.func, cst.Attribute):
                allowed.add(id(node.func.value))
            allowed.update(id(arg.value) for arg in node.args if not arg.star)
        elif isinstance(node, cst.Assign):
            allowed.update(id(t.target) for t in node.targets)
        elif isinstance(node, cst.AnnAssign):
            allowed.add(id(node.target))
        elif isinstance(node, cst.Name) and node.value == name:
            uses.append(node)
    captured = any(
        isinstance(node, cst.Name) and node.value == name
        for scope in subtree(function.node)
        if scope is not function.node and isinstance(scope, (cst.FunctionDef, cst.Lambda))
        for node in subtree(scope, nested_scopes=True)
    )
    return not captured and all(id(use) in allowed for use in uses)


def _overfilling_puts(
    function: FunctionInfo, created: Event, mine: frozenset[Event], maxsize: int
) -> list[SelfDeadlock]:
    found: dict[Event, None] = {}
    # State: None before the queue exists or once something may consume it; else the puts
    # (and put_nowait calls) made so far on this path.
    State = frozenset[Event] | None

    def transfer(state: State, event: Event) -> State:
        if event is created:
            return frozenset()
        if state is None or event not in mine:
            return state
        if event.kind in ("escape", "iter"):
            return None
        if event.kind == "call" and event.method in PUT_METHODS:
            state = state | {event}
            filled = sum(_times(function, put, maxsize) for put in state)
            if event.method == "put" and event.awaited and filled > maxsize:
                found[event] = None
        return state

    try:
        Interpreter[State](transfer).run(function.body, None)
    except TooComplex:
        return []
    return [SelfDeadlock(put, maxsize, created) for put in found]


def _times(function: FunctionInfo, put: Event, maxsize: int) -> int:
    """How many times a put runs per pass: the product of its loops' known trip counts, or
    more than the queue holds when a loop's count is not a small constant."""
    total = 1
    for loop_id in put.loops:
        count = _trip_count(function.loop_nodes.get(loop_id))
        if count is None:
            return maxsize + 1
        total *= count
    return total


def _trip_count(loop: cst.CSTNode | None) -> int | None:
    if not isinstance(loop, cst.For):
        return None
    iterable = loop.iter
    if isinstance(iterable, (cst.List, cst.Tuple, cst.Set)):
        if any(isinstance(e, cst.StarredElement) for e in iterable.elements):
            return None
        return len(iterable.elements)
    if (
        isinstance(iterable, cst.Call)
        and isinstance(iterable.func, cst.Name)
        and iterable.func.value == "range"
        and len(iterable.args) == 1
        and isinstance(iterable.args[0].value, cst.Integer)
    ):
        return int(iterable.args[0].value.value, 0)
    return None


# -- AIO104: a consumer loop that never ends, awaited by a spawner that feeds it a finite supply


@dataclass(frozen=True)
class EndlessConsumer:
    get: Event  # the `await q.get()` in the loop
    loop: cst.While
    spawn: Spawn  # a place that waits for the consumer to finish


def endless_consumers(facts: ModuleFacts) -> list[EndlessConsumer]:
    """A consumer whose `while True:` loop around `await q.get()` has no way out (no `break`,
    `return` or `raise`, no timeout on the get, no `q.shutdown()` anywhere), started by a
    function that waits for it to finish (awaits it, gathers it, runs it in a TaskGroup) and
    never cancels it, while everything that feeds the queue is visible and finishes: once the
    items run out the consumer waits for ever, and so does its spawner."""
    found: list[EndlessConsumer] = []
    for consumer, sites in spawns(facts).items():
        for get in consumer.events:
            if not (_on(facts, get, frozenset({GET})) and get.awaited):
                continue
            loop = _endless_loop(facts, consumer, get)
            if loop is None or _has_way_out(facts, consumer, get):
                continue
            for spawn in sites:
                if waits_for(facts, spawn) and _finite_supply(facts, spawn.spawner, get.root):
                    found.append(EndlessConsumer(get, loop, spawn))
                    break
    return found


def _endless_loop(facts: ModuleFacts, function: FunctionInfo, get: Event) -> cst.While | None:
    for loop_id in get.loops:
        node = function.loop_nodes.get(loop_id)
        if isinstance(node, cst.While) and is_infinite(node) and not loop_exits(facts, node):
            return node
    return None


def _has_way_out(facts: ModuleFacts, consumer: FunctionInfo, get: Event) -> bool:
    """A timeout around the get, or a shutdown() of the queue anywhere in the module."""
    if _timed(consumer, get):
        return True
    return any(e.root == get.root for _f, e in facts.method_calls(api.QUEUE, "shutdown"))


def _timed(function: FunctionInfo, get: Event) -> bool:
    """Is the get bounded by a timeout: `async with asyncio.timeout()` or `wait_for(get)`?"""
    if any(enter.qualname in _TIMEOUT_BLOCKS for enter in get.held):
        return True
    timed = [e.node for e in function.events if e.qualname in _TIMEOUT_CALLS]
    return any(
        isinstance(call, cst.Call) and any(arg.value is get.node for arg in call.args)
        for call in timed
    )


_TIMEOUT_BLOCKS = frozenset({"asyncio.timeout", "asyncio.timeout_at"})
_TIMEOUT_CALLS = frozenset({"asyncio.wait_for"})


def _finite_supply(facts: ModuleFacts, spawner: FunctionInfo, queue: Hashable) -> bool:
    """Is the queue created in the spawner, seen only by code we can read, and fed only by
    the spawner and by functions that it alone starts and that finish?"""
    if _created_queue_in(facts, spawner, queue) is None:
        return False
    producers: set[FunctionInfo] = set()
    for function in facts.functions:
        touches = [e for e in function.events if e.root == queue]
        if not touches:
            continue
        if not _within(function, spawner) and not _only_arguments(function, touches):
            return False
        if _escapes(function, touches) or _put_referenced(function):
            return False
        if any(e.kind == "call" and e.method in PUT_METHODS for e in touches):
            producers.add(function)
    if not producers:
        return False
    for producer in producers - {spawner}:
        if not can_finish(producer):
            return False
        callers = [f for f, _event in facts.calls_of(producer)]
        if not callers or any(not _within(caller, spawner) for caller in callers):
            return False
    return True


def _created_queue_in(facts: ModuleFacts, function: FunctionInfo, queue: Hashable) -> Event | None:
    constructors = [o for o in facts.objects.origins(queue) if o.constructor]
    if len(constructors) != 1:
        return None
    for event in function.events:
        if event.kind == "call" and event.node is constructors[0].node:
            return event
    return None


def _within(function: FunctionInfo, outer: FunctionInfo) -> bool:
    scope: FunctionInfo | None = function
    while scope is not None:
        if scope is outer:
            return True
        scope = scope.parent
    return False


def _only_arguments(function: FunctionInfo, touches: list[Event]) -> bool:
    names = (*function.params, *function.kwonly)
    return all(e.ref is not None and e.ref[0] == "name" and e.ref[2] in names for e in touches)


def _escapes(function: FunctionInfo, touches: list[Event]) -> bool:
    """Is the queue handed to code other than the module's own functions?"""
    followed = {
        id(arg.value)
        for event in function.events
        if event.kind == "call"
        and (event.target is not None or event.launched is not None)
        and isinstance(event.node, cst.Call)
        for arg in event.node.args
    }
    return any(e.kind == "escape" and id(e.node) not in followed for e in touches)


def _put_referenced(function: FunctionInfo) -> bool:
    """`q.put_nowait` used as a value (a callback), not called: a producer we cannot see."""
    called: set[int] = set()
    references: list[cst.Attribute] = []
    for node in subtree(function.node):
        if isinstance(node, cst.Call):
            called.add(id(node.func))
        elif isinstance(node, cst.Attribute) and node.attr.value in PUT_METHODS:
            references.append(node)
    return any(id(node) not in called for node in references)
