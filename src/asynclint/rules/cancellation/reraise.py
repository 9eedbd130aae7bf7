"""How an `except` clause lets an exception of a given kind go: the ways out of the handler
(falling off its end, `return`, `break`, `continue`) that some path reaches without raising.

The handler's body is run through the flow model (`flow.Interpreter`) with one bit of state
per path: "the caught exception may still be of the kind we follow". `raise` (bare, or another
exception) ends a path; `sys.exit()`, `pytest.fail()` and other calls that never return end it
too. A test on the caught exception narrows the bit on each branch: under `if isinstance(exc,
GeneratorExit): raise` the raise is taken only by exceptions that are not the one we follow,
so it does not count for it; a test against a type we cannot name narrows nothing."""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from asynclint.semantics.events import Event
from asynclint.semantics.expressions import dotted
from asynclint.semantics.flow import Block, FlowNode, Handler, If, Interpreter, Loop, Match, Try
from asynclint.semantics.model import FunctionInfo

FALL = "fall"
RETURN = "return"
BREAK = "break"
CONTINUE = "continue"

# Calls that never return (they end the process or raise): nothing after them runs.
NEVER_RETURN = frozenset(
    {
        "sys.exit",
        "os._exit",
        "os.abort",
        "pytest.fail",
        "pytest.skip",
        "pytest.xfail",
        "pytest.exit",
    }
)

# covers(names) -> may an exception matched by an isinstance() over these types be the kind
# followed? `names` are import-resolved dotted names (None for what is not a name).
Covers = Callable[[tuple[str | None, ...]], bool]


def flow_handler(function: FunctionInfo, clause: cst.CSTNode) -> Handler | None:
    """The flow-model handler built for an `except` clause of `function`."""
    stack: list[FlowNode] = [function.body]
    while stack:
        node = stack.pop()
        if isinstance(node, Block):
            stack.extend(node.items)
        elif isinstance(node, (If, Loop)):
            stack.extend(b for b in (node.body, node.orelse) if b is not None)
        elif isinstance(node, Match):
            stack.extend(node.cases)
        elif isinstance(node, Try):
            for handler in node.handlers:
                if handler.node is clause:
                    return handler
                stack.append(handler.body)
            stack.extend(b for b in (node.body, node.orelse, node.finalbody) if b is not None)
    return None


def unraised_exits(
    handler: Handler,
    exception_name: str | None,
    covers: Covers,
    qualify: Callable[[cst.BaseExpression], str | None],
) -> frozenset[str]:
    """The ways out of `handler` (FALL, RETURN, BREAK, CONTINUE) that a path still carrying
    the followed exception reaches without raising."""

    def transfer(live: bool, event: Event) -> bool:
        if event.kind == "call" and event.qualname in NEVER_RETURN:
            return False
        return live

    def refine(live: bool, condition: cst.BaseExpression, holds: bool) -> bool | None:
        if not live:
            return live
        verdict = _is_followed(condition, exception_name, covers, qualify)
        if verdict is None or verdict == holds:
            return live
        return False  # on this branch the exception is known not to be the followed kind

    outcome = Interpreter(transfer, refine).run(handler.body, True)
    ways = {FALL: outcome.normal, RETURN: outcome.returns, BREAK: outcome.breaks}
    ways[CONTINUE] = outcome.continues
    return frozenset(way for way, states in ways.items() if True in states)


def _is_followed(
    condition: cst.BaseExpression,
    name: str | None,
    covers: Covers,
    qualify: Callable[[cst.BaseExpression], str | None],
) -> bool | None:
    """For a test on the caught exception: True when it holds only if the exception may be
    the followed kind (`isinstance(exc, CancelledError)`), False when it holds only if it is
    not (`isinstance(exc, GeneratorExit)`, `not isinstance(exc, CancelledError)`); None when
    the test says nothing about it."""
    if isinstance(condition, cst.UnaryOperation) and isinstance(condition.operator, cst.Not):
        inner = _is_followed(condition.expression, name, covers, qualify)
        # `not isinstance(exc, CancelledError)` holds only for other exceptions; `not
        # isinstance(exc, GeneratorExit)` fails only for them.
        return None if inner is None else not inner
    if not (
        name is not None
        and isinstance(condition, cst.Call)
        and dotted(condition.func) == "isinstance"
        and len(condition.args) == 2
        and dotted(condition.args[0].value) == name
    ):
        return None
    kinds = condition.args[1].value
    items = [e.value for e in kinds.elements] if isinstance(kinds, cst.Tuple) else [kinds]
    names = tuple(qualify(item) or dotted(item) for item in items)
    if None in names:
        return None  # `isinstance(exc, get_cancelled_exc_class())`: we cannot tell
    return covers(names)
