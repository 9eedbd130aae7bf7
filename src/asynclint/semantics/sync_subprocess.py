"""Calls of the blocking `subprocess` and `os` process APIs inside coroutines (for AIO210).

A call blocks the event loop when it runs a child to completion (`subprocess.run()`, `call()`,
`check_call()`, `check_output()`, `getoutput()`, `getstatusoutput()`, `os.system()`), starts a
shell pipe (`os.popen()`), waits for a `subprocess.Popen` (`.wait()`, `.communicate()`, also
leaving `with Popen(...) as p:`, which waits), or waits for any child (`os.wait()`, and
`os.waitpid()`/`wait3()`/`wait4()`/`waitid()` with options 0). Names resolve through imports
(`from subprocess import run`, `import subprocess as sp`). A `Popen` is recognised when the
receiver is the `Popen(...)` call itself or a local name bound only to such calls."""

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
            found = _blocking(facts, event, popens)
            if found is not None:
                yield found


def _blocking(facts: ModuleFacts, event: Event, popens: set[str]) -> BlockingCall | None:
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
    if qualname in WAITS and _waits_blocking(node, WAITS[qualname]):
        return BlockingCall(node, f"`{qualname}()`")
    if event.method in POPEN_WAITS and isinstance(node.func, cst.Attribute):
        receiver = node.func.value
        is_popen = (isinstance(receiver, cst.Call) and facts.qualify(receiver.func) == POPEN) or (
            isinstance(receiver, cst.Name) and receiver.value in popens
        )
        if is_popen:
            return BlockingCall(node, f"`Popen.{event.method}()`")
    return None


def _waits_blocking(call: cst.Call, options_at: int | None) -> bool:
    """`os.wait()` always blocks; the others unless their options say WNOHANG (unknown
    options, say a variable, are given the benefit of the doubt)."""
    if options_at is None:
        return True
    positional = [arg for arg in call.args if arg.keyword is None]
    if any(arg.star for arg in positional) or len(positional) <= options_at:
        return False
    options = positional[options_at].value
    return isinstance(options, cst.Integer) and options.evaluated_value == 0


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
