"""A statement-level control-flow model of one function, and a generic interpreter over it.

The model builder (model.py) turns a function body into a tree of `Step`s (the events of one
simple statement or compound-statement header, in evaluation order) nested in `If`, `Loop`,
`Try`, `Match` and `Exit` nodes. An analysis supplies a per-path state and a transfer function
per event; `run` pushes the set of possible path states through the tree, joining by union,
iterating loops to a fixed point. Exception paths enter handlers with the state before each
step of the `try` body (a step that raised did not complete), and `finally` runs on every way
out. This is enough to answer "is X followed by Y on every path" without building a CFG.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

import libcst as cst

from asynclint.semantics.events import Event

S = TypeVar("S", bound=Hashable)

# Past this many distinct path states the function is too tangled to reason about cheaply;
# the analysis gives up (and its rules stay silent) rather than guess.
MAX_STATES = 256
MAX_LOOP_ROUNDS = 12


class TooComplex(Exception):
    pass


ExitKind = Literal["return", "raise", "break", "continue"]


@dataclass(slots=True)
class Step:
    events: list[Event] = field(default_factory=list)


@dataclass(slots=True)
class Block:
    items: list[FlowNode] = field(default_factory=list)


@dataclass(slots=True)
class If:
    test: Step
    body: Block
    orelse: Block | None
    condition: cst.BaseExpression | None = None  # the test as written, for `Refine`
    # A test that says whether a value is None (`if proc.stdout is None:`), as an unlisted
    # "guard" event whose `none_branch` ("body"/"orelse") runs when it is None.
    guard: Event | None = None


@dataclass(slots=True)
class Loop:
    header: Step
    body: Block
    orelse: Block | None
    infinite: bool  # `while True:`: only break, return or raise leave it


@dataclass(slots=True)
class Handler:
    catches_all: bool
    body: Block
    node: cst.CSTNode | None = None  # the `except` clause


@dataclass(slots=True)
class Try:
    body: Block
    handlers: list[Handler]
    orelse: Block | None
    finalbody: Block | None


@dataclass(slots=True)
class Match:
    subject: Step
    cases: list[Block]
    exhaustive: bool = False  # the last case is an unguarded `case _:` or `case name:`


@dataclass(slots=True)
class Exit:
    kind: ExitKind
    step: Step


FlowNode = Step | Block | If | Loop | Try | Match | Exit


@dataclass(slots=True)
class Outcome(Generic[S]):
    """Path states leaving a node, by the way they leave."""

    normal: set[S]
    returns: set[S] = field(default_factory=set)
    breaks: set[S] = field(default_factory=set)
    continues: set[S] = field(default_factory=set)
    raises: set[S] = field(default_factory=set)  # states an exception may be raised in

    def absorb_jumps(self, other: Outcome[S]) -> None:
        self.returns |= other.returns
        self.breaks |= other.breaks
        self.continues |= other.continues
        self.raises |= other.raises


Transfer = Callable[[S, Event], S]
# refine(state, condition, holds) -> the state on the branch where `condition` is `holds`, or
# None when no path in that state can take the branch.
Refine = Callable[[S, cst.BaseExpression, bool], S | None]
# Which branch of an `if` can never run ("body" or "orelse"), or None when both can.
DeadBranch = Callable[[If], str | None]


class Interpreter(Generic[S]):
    def __init__(
        self,
        transfer: Transfer[S],
        refine: Refine[S] | None = None,
        dead: DeadBranch | None = None,
    ) -> None:
        self.transfer = transfer
        self.refine = refine
        self.dead = dead
        # By the node's exact type (flow nodes are final classes): an isinstance chain ran
        # for every node on every path and loop round. Steps run inline in `block`.
        self._by_type: dict[type, Callable[[Any, set[S]], Outcome[S]]] = {
            Block: self.block,
            If: self.branch,
            Loop: self.loop,
            Try: self.try_,
            Match: self.match,
            Exit: self.exit,
        }

    def run(self, body: Block, initial: S) -> Outcome[S]:
        """States at the function's normal exits are `normal | returns`."""
        return self.block(body, {initial})

    def step(self, step: Step, ins: Iterable[S]) -> set[S]:
        if not step.events:
            return set(ins)
        out: set[S] = set()
        for state in ins:
            for event in step.events:
                state = self.transfer(state, event)
            out.add(state)
        if len(out) > MAX_STATES:
            raise TooComplex
        return out

    def block(self, block: Block | None, ins: set[S]) -> Outcome[S]:
        result: Outcome[S] = Outcome(set(ins))
        if block is None:
            return result
        for item in block.items:
            if not result.normal:
                break  # the rest of the block is unreachable
            if type(item) is Step:  # the common case, without an Outcome of its own
                result.raises |= result.normal
                result.normal = self.step(item, result.normal)
                continue
            out = self._by_type[type(item)](item, result.normal)
            result.normal = out.normal
            result.absorb_jumps(out)
        return result

    def branch(self, node: If, ins: set[S]) -> Outcome[S]:
        after_test = self.step(node.test, ins)
        dead = self.dead(node) if self.dead is not None else None
        body_ins = self.narrow(node, after_test, True) if dead != "body" else set()
        orelse_ins = self.narrow(node, after_test, False) if dead != "orelse" else set()
        body = self.block(node.body, body_ins)
        orelse = self.block(node.orelse, orelse_ins)
        result: Outcome[S] = Outcome(body.normal | orelse.normal, raises=set(ins))
        result.absorb_jumps(body)
        result.absorb_jumps(orelse)
        return result

    def narrow(self, node: If, states: set[S], holds: bool) -> set[S]:
        if self.refine is None or node.condition is None:
            return states
        refined = (self.refine(state, node.condition, holds) for state in states)
        return {state for state in refined if state is not None}

    def loop(self, node: Loop, ins: set[S]) -> Outcome[S]:
        entry = set(ins)
        exits: set[S] = set()
        result: Outcome[S] = Outcome(set(), raises=set(ins))
        for _ in range(MAX_LOOP_ROUNDS):
            after_header = self.step(node.header, entry)
            body = self.block(node.body, after_header)
            if not node.infinite:
                exits |= after_header
            exits |= body.breaks
            result.returns |= body.returns
            result.raises |= body.raises
            again = entry | body.normal | body.continues
            if again == entry:
                break
            entry = again
            if len(entry) > MAX_STATES:
                raise TooComplex
        else:
            raise TooComplex
        # `else:` runs when the loop ends without `break`; approximate with all exits.
        orelse = self.block(node.orelse, exits)
        result.normal = orelse.normal
        result.returns |= orelse.returns
        result.raises |= orelse.raises
        result.breaks |= orelse.breaks
        result.continues |= orelse.continues
        return result

    def try_(self, node: Try, ins: set[S]) -> Outcome[S]:
        body = self.block(node.body, ins)
        handled: Outcome[S] = Outcome(set())
        for handler in node.handlers:
            out = self.block(handler.body, body.raises)
            handled.normal |= out.normal
            handled.absorb_jumps(out)
        orelse = self.block(node.orelse, body.normal)
        escaping = set() if any(h.catches_all for h in node.handlers) else set(body.raises)
        pre: Outcome[S] = Outcome(
            orelse.normal | handled.normal,
            returns=body.returns | handled.returns | orelse.returns,
            breaks=body.breaks | handled.breaks | orelse.breaks,
            continues=body.continues | handled.continues | orelse.continues,
            raises=escaping | handled.raises | orelse.raises,
        )
        if node.finalbody is None:
            return pre
        # `finally` runs on every way out; each way keeps its kind unless finally jumps itself.
        result: Outcome[S] = Outcome(set())
        for kind in ("normal", "returns", "breaks", "continues", "raises"):
            states: set[S] = getattr(pre, kind)
            if not states:
                continue
            out = self.block(node.finalbody, states)
            getattr(result, kind).update(out.normal)
            result.absorb_jumps(out)
        return result

    def match(self, node: Match, ins: set[S]) -> Outcome[S]:
        after_subject = self.step(node.subject, ins)
        no_case = set() if node.exhaustive else set(after_subject)
        result: Outcome[S] = Outcome(no_case, raises=set(ins))
        for case in node.cases:
            out = self.block(case, after_subject)
            result.normal |= out.normal
            result.absorb_jumps(out)
        return result

    def exit(self, node: Exit, ins: set[S]) -> Outcome[S]:
        states = self.step(node.step, ins)
        result: Outcome[S] = Outcome(set(), raises=set(ins))
        if node.kind == "return":
            result.returns = states
        elif node.kind == "break":
            result.breaks = states
        elif node.kind == "continue":
            result.continues = states
        else:
            result.raises |= states
        return result


def flow_nodes(node: FlowNode | None) -> Iterator[FlowNode]:
    """`node` and every flow node inside it, outermost first."""
    stack: list[FlowNode | None] = [node]
    while stack:
        item = stack.pop()
        if item is None:
            continue
        yield item
        # Pushed last to first, so that they come out in order.
        if isinstance(item, Block):
            stack.extend(reversed(item.items))
        elif isinstance(item, (If, Loop)):
            stack += (item.orelse, item.body)
        elif isinstance(item, Try):
            stack += (item.finalbody, item.orelse)
            stack.extend(reversed([handler.body for handler in item.handlers]))
            stack.append(item.body)
        elif isinstance(item, Match):
            stack.extend(reversed(item.cases))


def flow_events(node: FlowNode | None) -> Iterator[Event]:
    """Every event inside `node`: its steps', tests', loop headers' and exits' events."""
    for item in flow_nodes(node):
        if isinstance(item, Step):
            yield from item.events
        elif isinstance(item, If):
            yield from item.test.events
        elif isinstance(item, Loop):
            yield from item.header.events
        elif isinstance(item, Match):
            yield from item.subject.events
        elif isinstance(item, Exit):
            yield from item.step.events
