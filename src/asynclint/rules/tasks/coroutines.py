"""Facts about coroutines, tasks and the event loop: which calls return a coroutine, which of
those results nobody awaits, which tasks nobody keeps, and calls that must not run on the
event loop's thread.

A call returns a coroutine when it is one of asyncio's coroutine functions, a coroutine
method of an object whose kind is known (`q.get()`, `lock.acquire()`, `writer.drain()`,
`loop.sock_recv()`), or an `async def` of the module (including `self.method()`), unless that
function is an async generator or carries a decorator that may change what it returns."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from asynclint.semantics import asyncio_api as api
from asynclint.semantics.asyncio_api import TRANSPARENT_DECORATORS
from asynclint.semantics.events import Event
from asynclint.semantics.expressions import call_qualname, dotted, own_nodes, qualify, reads_name
from asynclint.semantics.model import FunctionInfo, ModuleFacts

# asyncio's own coroutine functions.
COROUTINE_FUNCTIONS = frozenset(
    {
        "asyncio.sleep",
        "asyncio.wait_for",
        "asyncio.wait",
        "asyncio.open_connection",
        "asyncio.open_unix_connection",
        "asyncio.start_server",
        "asyncio.start_unix_server",
        "asyncio.create_subprocess_exec",
        "asyncio.create_subprocess_shell",
        "asyncio.to_thread",
    }
)
# Coroutine methods, by the kind of the object they are called on.
COROUTINE_METHODS: dict[str, frozenset[str]] = {
    api.QUEUE: frozenset({"put", "get", "join"}),
    api.LOCK: frozenset({"acquire"}),
    api.EVENT: frozenset({"wait"}),
    api.CONDITION: frozenset({"acquire", "wait", "wait_for"}),
    api.SEMAPHORE: frozenset({"acquire"}),
    api.PROCESS: frozenset({"wait", "communicate"}),
    api.WRITER: frozenset({"drain", "wait_closed", "start_tls"}),
    api.READER: frozenset({"read", "readline", "readexactly", "readuntil"}),
    api.LOOP: frozenset(
        {
            "connect_accepted_socket",
            "connect_read_pipe",
            "connect_write_pipe",
            "create_connection",
            "create_datagram_endpoint",
            "create_server",
            "create_unix_connection",
            "create_unix_server",
            "getaddrinfo",
            "getnameinfo",
            "sendfile",
            "shutdown_asyncgens",
            "shutdown_default_executor",
            "sock_accept",
            "sock_connect",
            "sock_recv",
            "sock_recv_into",
            "sock_recvfrom",
            "sock_recvfrom_into",
            "sock_sendall",
            "sock_sendfile",
            "sock_sendto",
            "start_tls",
            "subprocess_exec",
            "subprocess_shell",
        }
    ),
}
TASK_FACTORIES = frozenset({"asyncio.create_task", "asyncio.ensure_future"})
_LOOP_GETTERS = frozenset(
    {"asyncio.get_running_loop", "asyncio.get_event_loop", "asyncio.new_event_loop"}
)


def returns_coroutine(facts: ModuleFacts, function: FunctionInfo, event: Event) -> str | None:
    """What `event` calls, spelt for a message (`asyncio.sleep()`, `q.get()`), when the call
    returns a coroutine; None otherwise."""
    if event.kind != "call" or not isinstance(event.node, cst.Call):
        return None
    func = event.node.func
    qualname = call_qualname(function, event)
    if qualname in COROUTINE_FUNCTIONS:
        return f"{dotted(func) or qualname}()"
    if event.method:
        kind = facts.kind(event.root)
        if kind is not None and event.method in COROUTINE_METHODS.get(kind, ()):
            return f"{dotted(func) or event.method}()"
    target = event.target
    if target is not None and is_coroutine_function(facts, target):
        return f"{dotted(func) or target.name}()"
    imported = facts.imported_function(function, event) or facts.inherited_method(event)
    if imported is not None and imported.is_coroutine:
        return f"{dotted(func) or imported.name}()"
    return None


def is_coroutine_function(facts: ModuleFacts, function: FunctionInfo) -> bool:
    """An `async def` (not an async generator) whose decorators keep it one."""
    node = function.node
    if not function.is_async or not isinstance(node, cst.FunctionDef):
        return False
    for decorator in node.decorators:
        expression = decorator.decorator
        if isinstance(expression, cst.Call):
            expression = expression.func
        name = qualify(facts.imports, expression) or dotted(expression)
        if name not in TRANSPARENT_DECORATORS:
            return False
    return not is_generator(node)


def is_generator(node: cst.FunctionDef) -> bool:
    return any(isinstance(n, cst.Yield) for n in own_nodes(node.body))


@dataclass(frozen=True)
class UnawaitedCall:
    function: FunctionInfo
    event: Event
    callee: str  # spelt for a message: "asyncio.sleep()"
    defined_at: str | None = None  # "pkg/net.py:12" for a coroutine function of another module


def unawaited_coroutines(facts: ModuleFacts) -> list[UnawaitedCall]:
    """Coroutine calls whose result is thrown away: a bare statement, or assigned to a name
    that is never read again; or tested for truth (`if not is_admin(user):`), always true."""
    found = []
    for function, event in facts.events():
        if event.awaited or event.role not in ("discarded", "assigned", "tested"):
            continue
        callee = returns_coroutine(facts, function, event)
        if callee is None:
            continue
        if event.role == "assigned" and not _assigned_name_unused(facts, function, event):
            continue
        imported = facts.imported_function(function, event) or facts.inherited_method(event)
        place = imported.place if imported is not None else None
        found.append(UnawaitedCall(function, event, callee, place))
    return found


def dropped_tasks(facts: ModuleFacts) -> list[UnawaitedCall]:
    """`create_task()` / `ensure_future()` / `loop.create_task()` results nobody keeps: thrown
    away, only tested for truth, or bound to local names never read. A module-level, `global`
    or `nonlocal` name keeps its task whether or not anything reads it."""
    found = []
    for function, event in facts.events():
        if event.awaited or event.role not in ("discarded", "assigned", "tested"):
            continue
        spawner = task_spawner(facts, function, event)
        if spawner is None:
            continue
        if event.role == "assigned" and not _assigned_name_unused(
            facts, function, event, outer_keeps=True
        ):
            continue
        found.append(UnawaitedCall(function, event, spawner))
    return found


def task_spawner(facts: ModuleFacts, function: FunctionInfo, event: Event) -> str | None:
    """`asyncio.create_task()`, `loop.create_task()`, or `asyncio.ensure_future()` of a
    coroutine call (of a future it returns the future itself): spelt for a message."""
    call = event.node
    if event.kind != "call" or not isinstance(call, cst.Call):
        return None
    qualname = call_qualname(function, event)
    if qualname == "asyncio.ensure_future":
        first = call.args[0].value if call.args and call.args[0].keyword is None else None
        return f"{dotted(call.func)}()" if isinstance(first, cst.Call) else None
    if qualname in TASK_FACTORIES:
        return f"{dotted(call.func)}()"
    if event.method != "create_task" or not isinstance(call.func, cst.Attribute):
        return None
    receiver = call.func.value
    if facts.kind(event.root) == api.LOOP or (
        isinstance(receiver, cst.Call) and qualify(facts.imports, receiver.func) in _LOOP_GETTERS
    ):
        return f"{facts.module.code_for_node(call.func)}()"
    return None


def _assigned_name_unused(
    facts: ModuleFacts, function: FunctionInfo, event: Event, outer_keeps: bool = False
) -> bool:
    """`name = call()` (or `a = b = call()`) where every target is a plain local never read in
    its function. A module-level, `global` or `nonlocal` name counts as unused when nothing in
    the module reads it, unless `outer_keeps`: such a name outlives the call, so it keeps what
    it holds."""
    targets = [event.assigned, *event.also_assigned]
    return all(_name_unused(facts, function, target, outer_keeps) for target in targets)


def _name_unused(
    facts: ModuleFacts, function: FunctionInfo, target: object, outer_keeps: bool
) -> bool:
    if not (isinstance(target, tuple) and target and target[0] == "name"):
        return False
    name = str(target[2])
    scope = function.node
    if not isinstance(scope, cst.FunctionDef) or name in function.globals | function.nonlocals:
        return not outer_keeps and not reads_name(facts.module, name)
    return not reads_name(scope.body, name) and not any(
        reads_name(d.decorator, name) for d in scope.decorators
    )


# -- the event loop's own thread ----------------------------------------------------------


def runs_event_loop(facts: ModuleFacts, function: FunctionInfo, event: Event) -> str | None:
    """`asyncio.run()`, `loop.run_until_complete()`, `loop.run_forever()`: spelt for a message."""
    call = event.node
    if event.kind != "call" or not isinstance(call, cst.Call):
        return None
    if call_qualname(function, event) == "asyncio.run":
        return f"{dotted(call.func)}()"
    if event.method not in ("run_until_complete", "run_forever"):
        return None
    assert isinstance(call.func, cst.Attribute)
    receiver = call.func.value
    if facts.kind(event.root) == api.LOOP or (
        isinstance(receiver, cst.Call) and qualify(facts.imports, receiver.func) in _LOOP_GETTERS
    ):
        return f"{facts.module.code_for_node(call.func)}()"
    return None


def allows_nested_loops(facts: ModuleFacts) -> bool:
    """`nest_asyncio` patches asyncio so that a running loop can be re-entered."""
    return any(full.split(".")[0] == "nest_asyncio" for full in facts.imports.values())
