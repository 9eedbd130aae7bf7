"""Calls of the blocking `subprocess` and `os` process APIs inside coroutines (for AIO210).

A call blocks the event loop when it runs a child to completion (`subprocess.run()`, `call()`,
`check_call()`, `check_output()`, `getoutput()`, `getstatusoutput()`, `os.system()`), starts a
shell pipe (`os.popen()`), waits for a `subprocess.Popen` (`.wait()`, `.communicate()`, also
leaving `with Popen(...) as p:`, which waits), or waits for any child (`os.wait()`, and
`os.waitpid()`/`wait3()`/`wait4()` with options 0, `os.waitid()` without `WNOHANG`), or runs
a child with `os.spawn*()` in a mode that waits (`P_WAIT`, or any mode not known to be one of
those that return at once: `P_NOWAIT`, `P_NOWAITO`, `P_DETACH`, `P_OVERLAY`). Starting a
child without waiting (`Popen(...)`, `os.posix_spawn()`, `P_NOWAIT`) is not reported: the
loop goes on while the child runs. Names resolve through imports (`from subprocess import
run`, `import subprocess as sp`). A `Popen` is recognised when the receiver is the
`Popen(...)` call itself or a local name bound only to such calls."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from asynclint.semantics.events import Event
from asynclint.semantics.expressions import call_qualname
from asynclint.semantics.model import FunctionInfo, ModuleFacts

POPEN = "subprocess.Popen"
RUNS_TO_COMPLETION = frozenset(
    {
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_call",
        "subprocess.check_output",
        "subprocess.getoutput",
        "subprocess.getstatusoutput",
        "os.system",
        "os.popen",
    }
)
# os.wait*() and the position of their `options` argument (None: it has none, always blocks).
WAITS: dict[str, int | None] = {
    "os.wait": None,
    "os.waitpid": 1,
    "os.wait3": 0,
    "os.wait4": 1,
    "os.waitid": 2,
}
POPEN_WAITS = frozenset({"wait", "communicate"})
SPAWNS = frozenset(
    f"os.spawn{suffix}" for suffix in ("l", "le", "lp", "lpe", "v", "ve", "vp", "vpe")
)
# spawn*() modes that return without waiting for the child; os.P_WAIT is 0 on every platform.
_NOT_WAITING = frozenset({"os.P_NOWAIT", "os.P_NOWAITO", "os.P_DETACH", "os.P_OVERLAY"})


@dataclass(frozen=True)
class BlockingCall:
    node: cst.CSTNode  # the call (or the `with` item) to report
    name: str  # what it is, for the message: `subprocess.run()`, `Popen.wait()`


def blocking_subprocess_calls(facts: ModuleFacts) -> Iterator[BlockingCall]:
    for function in facts.functions:
        if not function.is_async:
            continue
        popens = _popen_names(facts, function)
        for event in function.events:
            if event.kind == "call" and call_qualname(function, event) != event.qualname:
                continue  # a local name hides the import
            found = _blocking(facts, function, event, popens)
            if found is not None:
                yield found


def _blocking(
    facts: ModuleFacts, function: FunctionInfo, event: Event, popens: set[str]
) -> BlockingCall | None:
    node = event.node
    if event.kind == "enter":
        if event.qualname == POPEN:
            return BlockingCall(node, "leaving `with subprocess.Popen(...)`, which waits,")
        return None
    if event.kind != "call" or not isinstance(node, cst.Call):
        return None
    qualname = event.qualname or ""
    if qualname in RUNS_TO_COMPLETION:
        return BlockingCall(node, f"`{qualname}()`")
    if qualname in WAITS and _waits_blocking(facts, node, WAITS[qualname]):
        return BlockingCall(node, f"`{qualname}()`")
    if qualname in SPAWNS and _spawn_waits(facts, function, node):
        return BlockingCall(node, f"`{qualname}()` in a mode that waits for the child,")
    if event.method in POPEN_WAITS and isinstance(node.func, cst.Attribute):
        receiver = node.func.value
        is_popen = (isinstance(receiver, cst.Call) and facts.qualify(receiver.func) == POPEN) or (
            isinstance(receiver, cst.Name) and receiver.value in popens
        )
        if is_popen:
            return BlockingCall(node, f"`Popen.{event.method}()`")
    return None


def _waits_blocking(facts: ModuleFacts, call: cst.Call, options_at: int | None) -> bool:
    """`os.wait()` always blocks; the others unless their options say WNOHANG (unknown
    options, say a variable, are given the benefit of the doubt). `os.waitid()` needs
    WEXITED, WSTOPPED or WCONTINUED, so it waits unless WNOHANG is among its options."""
    if options_at is None:
        return True
    positional = [arg for arg in call.args if arg.keyword is None]
    if any(arg.star for arg in positional) or len(positional) <= options_at:
        return False
    options = positional[options_at].value
    if isinstance(options, cst.Integer):
        return options.evaluated_value == 0
    flags = _flags(facts, options) if options_at == 2 else None
    return flags is not None and "os.WNOHANG" not in flags


def _flags(facts: ModuleFacts, node: cst.BaseExpression) -> set[str] | None:
    """The `os.W*` names or-ed together in `node` (`os.WEXITED | os.WNOHANG`), or None when
    anything else is part of it."""
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        left, right = _flags(facts, node.left), _flags(facts, node.right)
        return None if left is None or right is None else left | right
    name = facts.qualify(node)
    return {name} if name is not None and name.startswith("os.W") else None


def _spawn_waits(facts: ModuleFacts, function: FunctionInfo, call: cst.Call) -> bool:
    """Does this `os.spawn*()` call wait for its child? Its mode (first argument, or `mode=`)
    must be known not to wait for it to be left out: a mode from a call or an unknown name
    may be P_WAIT."""
    mode = next((arg.value for arg in call.args if arg.keyword is None and not arg.star), None)
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "mode":
            mode = arg.value
    if mode is None:
        return not any(arg.star for arg in call.args)
    return not _is_not_waiting_mode(facts, function, mode)


def _is_not_waiting_mode(
    facts: ModuleFacts, function: FunctionInfo, mode: cst.BaseExpression
) -> bool:
    if isinstance(mode, cst.Integer):
        return mode.evaluated_value != 0  # P_WAIT is 0; the others are not
    if facts.qualify(mode) in _NOT_WAITING:
        return True
    if isinstance(mode, cst.Name):  # `P_NOWAIT = os.P_NOWAIT` in the function
        values = facts.assignments.get(function.id, {}).get(mode.value, [])
        return bool(values) and all(facts.qualify(v) in _NOT_WAITING for v in values)
    return False


def _popen_names(facts: ModuleFacts, function: FunctionInfo) -> set[str]:
    """Local names bound only to `subprocess.Popen(...)` calls (by assignment or `with`)."""
    names: set[str] = set()
    for name, values in facts.assignments.get(function.id, {}).items():
        if values and all(
            isinstance(v, cst.Call) and facts.qualify(v.func) == POPEN for v in values
        ):
            names.add(name)
    for event in function.events:
        if event.kind == "enter" and event.qualname == POPEN:
            alias = _with_alias(event)
            if alias is not None and alias not in facts.assignments.get(function.id, {}):
                names.add(alias)
    return names


def _with_alias(event: Event) -> str | None:
    statement = event.stmt
    if not isinstance(statement, cst.With):
        return None
    for item in statement.items:
        if item.item is event.node and item.asname is not None:
            target = item.asname.name
            return target.value if isinstance(target, cst.Name) else None
    return None
