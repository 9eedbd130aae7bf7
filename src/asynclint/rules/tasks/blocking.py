"""Code in a coroutine that stalls the event loop or wastes it: calls that block the thread
(`time.sleep()`, `requests.get()`, reading a file), and loops that poll a flag with
`asyncio.sleep()` where an `asyncio.Event` would wake them.

Callees are known through the module's imports only (`from time import sleep` is found,
a local function named `sleep` is not); the builtins `input()` and `open()` count only where
nothing in scope shadows them."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from asynclint.semantics import asyncio_api as api
from asynclint.semantics.events import Event
from asynclint.semantics.expressions import (
    call_argument,
    call_qualname,
    dotted,
    is_shadowed,
    qualify,
)
from asynclint.semantics.model import FunctionInfo, ModuleFacts
from asynclint.semantics.walk import child_nodes

_USE_SLEEP = "use `await asyncio.sleep()`"
_USE_THREAD = "run it with `await asyncio.to_thread(...)` or use an asyncio client"
_HTTP_VERBS = ("get", "post", "put", "patch", "delete", "head", "options", "request")
# Import-resolved callee -> what to do instead.
BLOCKING_CALLS: dict[str, str] = {
    "time.sleep": _USE_SLEEP,
    "urllib.request.urlopen": _USE_THREAD,
    "urllib.request.urlretrieve": _USE_THREAD,
    "socket.create_connection": "use `await asyncio.open_connection()`",
    "socket.getaddrinfo": "use `await loop.getaddrinfo()`",
    "socket.gethostbyname": "use `await loop.getaddrinfo()`",
    "socket.gethostbyname_ex": "use `await loop.getaddrinfo()`",
    "socket.gethostbyaddr": "use `await loop.getnameinfo()`",
    **{f"requests.{verb}": _USE_THREAD for verb in _HTTP_VERBS},
    **{
        f"{module}.{verb}": f"use `{module}.AsyncClient`"
        for module in ("httpx", "httpx2")
        for verb in (*_HTTP_VERBS, "stream")
    },
    "urllib3.request": _USE_THREAD,
    "builtins.input": "read input with `await asyncio.to_thread(input)`",
}
_BUILTIN_BLOCKING = {"input": "read input with `await asyncio.to_thread(input)`"}
FILE_METHODS = frozenset({"read", "readline", "readlines", "write", "writelines"})
OPENERS = frozenset({"io.open", "io.open_code", "os.fdopen", "builtins.open", "codecs.open"})
_PATH_METHODS = frozenset({"read_text", "read_bytes", "write_text", "write_bytes"})
_USE_FILE_THREAD = "run the file I/O with `await asyncio.to_thread(...)`"
# Methods of a synchronous HTTP client (httpx.Client, requests.Session, a urllib3 pool) that
# do network I/O, or close pooled connections, on the calling thread.
_CLIENT_METHODS = frozenset(
    {
        *_HTTP_VERBS,
        "send",
        "stream",
        "close",
        "urlopen",
        "request_encode_url",
        "request_encode_body",
    }
)
_USE_ASYNC_CLIENT = (
    "use an asyncio client (`httpx.AsyncClient`, aiohttp) or `await asyncio.to_thread(...)`"
)
# Blocking methods by the kind of object they are called on, and what to do instead.
BLOCKING_METHODS: dict[str, tuple[frozenset[str], str]] = {
    api.SYNC_HTTP_CLIENT: (_CLIENT_METHODS, _USE_ASYNC_CLIENT),
    api.PATH: (_PATH_METHODS, _USE_FILE_THREAD),
}


@dataclass(frozen=True)
class BlockingCall:
    function: FunctionInfo
    event: Event
    callee: str  # as written, e.g. "time.sleep()"
    instead: str


def blocking_calls(facts: ModuleFacts) -> list[BlockingCall]:
    """Blocking calls made directly in a coroutine's body."""
    found = []
    for function, event in facts.events():
        if not (function.is_coroutine and event.kind == "call"):
            continue
        call = event.node
        if not isinstance(call, cst.Call):
            continue
        instead = _blocking(facts, function, event, call)
        if instead is not None:
            found.append(BlockingCall(function, event, f"{_spelt(call.func)}()", instead))
    return found


def _spelt(func: cst.BaseExpression) -> str:
    """`time.sleep`, or `open(...).read` for a method of a call's result."""
    name = dotted(func)
    if name is not None:
        return name
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Call):
        return f"{dotted(func.value.func) or '...'}(...).{func.attr.value}"
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Subscript):
        return f"{dotted(func.value.value) or '...'}[...].{func.attr.value}"  # `sessions[0].get`
    return "..."


def _blocking(
    facts: ModuleFacts, function: FunctionInfo, event: Event, call: cst.Call
) -> str | None:
    qualname = call_qualname(function, event)
    if qualname in BLOCKING_CALLS:
        if qualname == "time.sleep" and _sleeps_zero(call):
            return None
        if qualname == "socket.getaddrinfo" and _numeric_host(facts, function, call):
            return None
        return BLOCKING_CALLS[qualname]
    func = call.func
    if isinstance(func, cst.Name) and func.value in _BUILTIN_BLOCKING:
        return _BUILTIN_BLOCKING[func.value] if is_builtin(facts, function, func.value) else None
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Call):
        opener = func.value.func
        name = None if is_shadowed(function, opener) else qualify(facts.imports, opener)
        if event.method in FILE_METHODS and (
            name in OPENERS
            or (
                isinstance(opener, cst.Name)
                and opener.value == "open"
                and is_builtin(facts, function, "open")
            )
        ):
            return _USE_FILE_THREAD
    if event.method and isinstance(func, cst.Attribute):
        kind = receiver_kind(facts, function, event)
        methods, instead = BLOCKING_METHODS.get(kind or "", (frozenset(), ""))
        if event.method in methods:
            return instead
    return None


def receiver_kind(facts: ModuleFacts, function: FunctionInfo, event: Event) -> str | None:
    """The kind of the object a method is called on: a name or attribute whose kind the model
    knows, or a constructor call written in place (`httpx.Client().get()`)."""
    kind = facts.kind(event.root)
    if kind is not None:
        return None if _rebound_to_a_literal(facts, function, event) else kind
    func = event.node.func if isinstance(event.node, cst.Call) else None
    receiver = func.value if isinstance(func, cst.Attribute) else None
    if isinstance(receiver, cst.Call) and not is_shadowed(function, receiver.func):
        return api.BLOCKING_OBJECTS.get(qualify(facts.imports, receiver.func) or "")
    return None


_LITERALS = (
    cst.Integer,
    cst.Float,
    cst.SimpleString,
    cst.ConcatenatedString,
    cst.FormattedString,
    cst.List,
    cst.Dict,
    cst.Set,
    cst.Tuple,
)


def _rebound_to_a_literal(facts: ModuleFacts, function: FunctionInfo, event: Event) -> bool:
    """Is the receiver a name that its scope also binds to a number, string or display
    (`client = httpx.Client()` ... `client: int = 4`)? Then which object a call reaches is
    not known. `None` does not count: `client = None` before the client is made is common."""
    func = event.node.func if isinstance(event.node, cst.Call) else None
    receiver = func.value if isinstance(func, cst.Attribute) else None
    if not isinstance(receiver, cst.Name):
        return False
    scope: FunctionInfo | None = function
    while scope is not None:
        values = facts.assignments.get(scope.id, {}).get(receiver.value)
        if values is not None or receiver.value in scope.locals:  # the scope binding the name
            return any(isinstance(value, _LITERALS) for value in values or [])
        scope = scope.parent
    return False


def _sleeps_zero(call: cst.Call) -> bool:
    if len(call.args) != 1:
        return False
    value = call.args[0].value
    return isinstance(value, (cst.Integer, cst.Float)) and float(value.value) == 0


def _numeric_host(facts: ModuleFacts, function: FunctionInfo, call: cst.Call) -> bool:
    """`getaddrinfo(..., flags=AI_NUMERICHOST)` only parses an address: with that flag the
    resolver never asks DNS, so the call returns at once (or fails with EAI_NONAME)."""
    flags = call_argument(call, 5, "flags")
    return flags is not None and _has_numeric_host(facts, function, flags, depth=0)


def _has_numeric_host(
    facts: ModuleFacts, function: FunctionInfo, node: cst.BaseExpression, depth: int
) -> bool:
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        return any(
            _has_numeric_host(facts, function, side, depth) for side in (node.left, node.right)
        )
    name = qualify(facts.imports, node)
    if name in ("socket.AI_NUMERICHOST", "socket.AddressInfo.AI_NUMERICHOST"):
        return True
    if isinstance(node, cst.Name) and depth < 3:
        value = _constant_value(facts, function, node.value)
        return value is not None and _has_numeric_host(facts, function, value, depth + 1)
    return False


def _constant_value(
    facts: ModuleFacts, function: FunctionInfo, name: str
) -> cst.BaseExpression | None:
    """The one value assigned to `name` in `function`, else in the module."""
    scope: FunctionInfo | None = function
    while scope is not None:
        if name in scope.locals:
            values = facts.assignments.get(scope.id, {}).get(name, [])
            return values[0] if len(values) == 1 else None
        scope = scope.parent
    return None


def is_builtin(facts: ModuleFacts, function: FunctionInfo, name: str) -> bool:
    """Does `name` in `function` refer to the builtin (nothing imported or bound as it)?"""
    if name in facts.imports:
        return False
    scope: FunctionInfo | None = function
    while scope is not None:
        if name in scope.locals:
            return False
        scope = scope.parent
    return True


# -- polling loops --------------------------------------------------------------------------


def busy_waits(facts: ModuleFacts) -> list[tuple[FunctionInfo, cst.While]]:
    """`while not ready: await asyncio.sleep(x)` (and `while True:` with `if ready: break`) in
    a coroutine, where `ready` is plain state (names, attributes, comparisons: no calls)."""
    found = []
    for function in facts.functions:
        if not function.is_coroutine:
            continue
        for loop in function.loop_nodes.values():
            if isinstance(loop, cst.While) and _polls(facts, loop):
                found.append((function, loop))
    return found


def _polls(facts: ModuleFacts, loop: cst.While) -> bool:
    body = list(loop.body.body) if isinstance(loop.body, cst.IndentedBlock) else []
    if loop.orelse is not None or not body:
        return False
    sleeps = [s for s in body if _is_sleep(facts, s)]
    if len(sleeps) != 1:
        return False
    rest = [s for s in body if s is not sleeps[0]]
    if not _is_true(loop.test):
        return not rest and _is_state(loop.test)
    return len(rest) == 1 and _breaks_on_state(rest[0])


def _is_sleep(facts: ModuleFacts, statement: cst.CSTNode) -> bool:
    if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1):
        return False
    small = statement.body[0]
    if not (isinstance(small, cst.Expr) and isinstance(small.value, cst.Await)):
        return False
    call = small.value.expression
    return isinstance(call, cst.Call) and qualify(facts.imports, call.func) == "asyncio.sleep"


def _breaks_on_state(statement: cst.CSTNode) -> bool:
    if not (isinstance(statement, cst.If) and statement.orelse is None):
        return False
    body = statement.body.body
    if len(body) != 1 or not isinstance(body[0], cst.SimpleStatementLine):
        return False
    smalls = body[0].body
    return (
        len(smalls) == 1
        and isinstance(smalls[0], (cst.Break, cst.Return))
        and _is_state(statement.test)
    )


def _is_state(test: cst.BaseExpression) -> bool:
    """A condition that only reads names and attributes: no calls, awaits or subscripts."""
    stack: list[cst.CSTNode] = [test]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.Call, cst.Await, cst.Subscript, cst.Lambda, cst.Yield)):
            return False
        stack.extend(child_nodes(node))
    return True


def _is_true(node: cst.BaseExpression) -> bool:
    return (isinstance(node, cst.Name) and node.value == "True") or (
        isinstance(node, cst.Integer) and node.value == "1"
    )
