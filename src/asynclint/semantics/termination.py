"""Whether code can finish: a function that has a normal way out, a loop with an exit.

`can_finish` runs the function's control-flow skeleton: a `while True:` with no `break` and
no `return` has no normal way out, and neither does the function around it. `loop_exits` reads
a loop's syntax for any statement that leaves it on purpose: a `break` of this loop, a
`return`, a `raise`, or a call that ends the program."""

from __future__ import annotations

import libcst as cst

from asynclint.semantics.flow import Interpreter, TooComplex
from asynclint.semantics.model import FunctionInfo, ModuleFacts
from asynclint.semantics.walk import child_nodes

_PROGRAM_EXITS = frozenset({"sys.exit", "os._exit", "os.abort", "exit", "quit"})
_LOOPS = (cst.For, cst.While)
_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


def can_finish(function: FunctionInfo) -> bool:
    """Does some path reach the end of the function or a `return`? (Exceptions do not count:
    every call may raise.)"""
    try:
        outcome = Interpreter[int](lambda state, _event: state).run(function.body, 0)
    except TooComplex:  # pragma: no cover - one state never grows
        return True
    return bool(outcome.normal or outcome.returns)


def is_infinite(loop: cst.CSTNode) -> bool:
    """`while True:` / `while 1:`."""
    if not isinstance(loop, cst.While):
        return False
    test = loop.test
    if isinstance(test, cst.Name):
        return test.value == "True"
    return isinstance(test, cst.Integer) and test.value not in ("0", "0x0", "0o0", "0b0")


def loop_exits(facts: ModuleFacts, loop: cst.For | cst.While) -> bool:
    """Is there a statement in the loop's body that leaves it: a `break` of this loop (not of
    a loop nested in it), a `return`, a `raise`, or a call such as `sys.exit()`?"""
    return _leaves(facts, loop.body, in_nested_loop=False)


def _leaves(facts: ModuleFacts, node: cst.CSTNode, in_nested_loop: bool) -> bool:
    for child in child_nodes(node):
        if isinstance(child, _SCOPES):
            continue
        if isinstance(child, (cst.Return, cst.Raise)):
            return True
        if isinstance(child, cst.Break) and not in_nested_loop:
            return True
        if isinstance(child, cst.Call) and _ends_program(facts, child):
            return True
        if isinstance(child, _LOOPS):
            # A nested loop's `break` leaves only that loop; its `else:` is outside it.
            if _leaves(facts, child.body, True):
                return True
            if child.orelse is not None and _leaves(facts, child.orelse, in_nested_loop):
                return True
            continue
        if _leaves(facts, child, in_nested_loop):
            return True
    return False


def _ends_program(facts: ModuleFacts, call: cst.Call) -> bool:
    func = call.func
    name = None
    if isinstance(func, cst.Name):
        name = facts.imports.get(func.value, func.value)
    elif isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
        module = facts.imports.get(func.value.value)
        name = f"{module}.{func.attr.value}" if module else None
    return name in _PROGRAM_EXITS
