"""Uses of asyncio's API that the target Python version does not have: names that do not exist
there (`asyncio.TaskGroup` before 3.11, a misspelt `asyncio.QueueShutdown`) and the `loop=`
argument that 3.10 removed.

A use in code that is visibly written for several versions is left alone: under an `if` (or
conditional expression) that tests `sys.version_info`, a `PY311`-style flag or
`hasattr(...)`, after an early `return`/`raise` under such a test, in a `try:` whose handlers
catch ImportError or AttributeError, in a function or class whose decorator tests the version
(`pytest.mark.skipif(sys.version_info < ...)`), and under `if TYPE_CHECKING:`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from asynclint.semantics import asyncio_names as names
from asynclint.semantics.events import Event
from asynclint.semantics.expressions import call_qualname, dotted, ends_in_exit, own_nodes, qualify
from asynclint.semantics.model import ModuleFacts
from asynclint.semantics.walk import child_nodes


@dataclass(frozen=True)
class MissingName:
    node: cst.CSTNode  # the `asyncio.X` expression or the `from asyncio import X` alias
    name: str  # X
    written: str  # the name as the code spells it, e.g. "asyncio.TaskGroup"


def missing_names(facts: ModuleFacts) -> list[MissingName]:
    """Uses of `asyncio.X` (through any alias) where X does not exist at the target version."""
    target = facts.settings.target_version
    candidates = []
    for _function, node, qualname in facts.asyncio_uses:
        parts = qualname.split(".")
        if len(parts) < 2 or parts[0] != "asyncio" or parts[1].startswith("_"):
            continue
        if not names.exists(parts[1], target):
            written = dotted(node) if isinstance(node, cst.Attribute) else qualname
            candidates.append(MissingName(node, parts[1], written or qualname))
    if not candidates:
        return []
    guarded = _guarded_nodes(facts)
    return [c for c in candidates if id(c.node) not in guarded]


def describe_missing(name: str, target: tuple[int, int]) -> str:
    """Why `asyncio.<name>` fails at `target`: a clause that follows the name in a message."""
    version = f"{target[0]}.{target[1]}"
    added, removed = names.added_in(name), names.removed_in(name)
    if added is not None and target < added:
        return f"is new in Python {added[0]}.{added[1]}; the target version {version} lacks it"
    if removed is not None and target >= removed:
        return f"was removed in Python {removed[0]}.{removed[1]}; the target version is {version}"
    clause = "does not exist in any Python version"
    meant = names.closest(name)
    if meant is None:
        return clause
    meant_added = names.added_in(meant)
    new = (
        f" (new in {meant_added[0]}.{meant_added[1]})"
        if meant_added and target < meant_added
        else ""
    )
    return f"{clause}; did you mean `asyncio.{meant}`{new}?"


# -- code written for several versions ---------------------------------------------------

_VERSION_FLAG = re.compile(r"^_?(PY|PYTHON)_?3_?\d+", re.IGNORECASE)
_IMPORT_ERRORS = frozenset(
    {
        "ImportError",
        "ModuleNotFoundError",
        "AttributeError",
        "Exception",
        "BaseException",
        "builtins.ImportError",
        "builtins.AttributeError",
    }
)


def _guarded_nodes(facts: ModuleFacts) -> set[int]:
    """ids of the nodes (asyncio uses only) that sit in version-aware code."""
    flags = _version_flags(facts)
    guarded: set[int] = set()
    _Guards(facts, flags, guarded).block(facts.module.body, False)
    return guarded


def _version_flags(facts: ModuleFacts) -> frozenset[str]:
    """Module names bound to a test of the Python version (`PY311 = sys.version_info >= ...`),
    and imported names spelt like one (`from .compat import PY311`)."""
    flags = {local for local, full in facts.imports.items() if _VERSION_FLAG.match(local)}
    for statement in facts.module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign) and _mentions_version(
                    facts, small.value, frozenset()
                ):
                    flags.update(
                        t.target.value for t in small.targets if isinstance(t.target, cst.Name)
                    )
    return frozenset(flags)


def _mentions_version(facts: ModuleFacts, node: cst.CSTNode, flags: frozenset[str]) -> bool:
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, (cst.Name, cst.Attribute)):
            name = qualify(facts.imports, current)
            if name in ("sys.version_info", "typing.TYPE_CHECKING"):
                return True
            if isinstance(current, cst.Name) and current.value in (*flags, "TYPE_CHECKING"):
                return True
        if isinstance(current, cst.Call) and dotted(current.func) in ("hasattr", "getattr"):
            return True
        stack.extend(child_nodes(current))
    return False


# The node types `_Guards.node` looks into (exact types: libcst's node classes have no
# subclasses, and isinstance() against their ABC-based classes costs far more).
_GUARDING = frozenset(
    {
        cst.If,
        cst.IfExp,
        cst.Try,
        cst.TryStar,
        cst.FunctionDef,
        cst.ClassDef,
        cst.IndentedBlock,
        cst.SimpleStatementSuite,
    }
)


class _Guards:
    def __init__(self, facts: ModuleFacts, flags: frozenset[str], guarded: set[int]) -> None:
        self.facts = facts
        self.flags = flags
        self.guarded = guarded

    def mentions(self, node: cst.CSTNode) -> bool:
        return _mentions_version(self.facts, node, self.flags)

    def block(self, statements: Sequence[cst.CSTNode], on: bool) -> None:
        for statement in statements:
            self.node(statement, on)
            if (
                isinstance(statement, cst.If)
                and self.mentions(statement.test)
                and statement.orelse is None
                and ends_in_exit(statement.body)
            ):
                on = True  # `if sys.version_info < (3, 11): return` guards what follows

    def node(self, node: cst.CSTNode, on: bool) -> None:
        if on:
            self.mark(node)
            return
        if type(node) not in _GUARDING:  # most nodes: one lookup, not six isinstance() calls
            for child in child_nodes(node):
                self.node(child, False)
            return
        if isinstance(node, cst.If):
            if self.mentions(node.test):
                self.mark(node)
                return
            self.node(node.test, False)
            self.block(tuple(node.body.body), False)
            if node.orelse is not None:
                self.node(node.orelse, False)
            return
        if isinstance(node, cst.IfExp) and self.mentions(node.test):
            self.mark(node)
            return
        if isinstance(node, (cst.Try, cst.TryStar)) and self.catches_import_errors(node):
            self.mark(node.body)
            for child in child_nodes(node):
                if child is not node.body:
                    self.node(child, False)
            return
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)) and any(
            self.mentions(d.decorator) for d in node.decorators
        ):
            self.mark(node)
            return
        if isinstance(node, (cst.IndentedBlock, cst.SimpleStatementSuite)):
            self.block(tuple(node.body), False)
            return
        for child in child_nodes(node):
            self.node(child, False)

    def catches_import_errors(self, node: cst.Try | cst.TryStar) -> bool:
        for handler in node.handlers:
            if handler.type is None:
                return True
            kind = handler.type
            items = [e.value for e in kind.elements] if isinstance(kind, cst.Tuple) else [kind]
            if any((qualify(self.facts.imports, i) or dotted(i)) in _IMPORT_ERRORS for i in items):
                return True
        return False

    def mark(self, node: cst.CSTNode) -> None:
        stack = [node]
        while stack:
            current = stack.pop()
            if isinstance(current, (cst.Attribute, cst.ImportAlias)):
                self.guarded.add(id(current))
            stack.extend(child_nodes(current))


# -- AIO504: loop= removed in 3.10 ------------------------------------------------------


@dataclass(frozen=True)
class LoopArgument:
    event: Event
    call: cst.Call
    arg: cst.Arg


def removed_loop_arguments(facts: ModuleFacts) -> list[LoopArgument]:
    """`loop=` passed to an asyncio function or primitive that no longer takes it."""
    if facts.settings.target_version < names.LOOP_PARAMETER_REMOVED_IN:
        return []
    found = []
    for function, event in facts.events():
        if call_qualname(function, event) not in names.LOOP_PARAMETER_REMOVED:
            continue
        call = event.node
        assert isinstance(call, cst.Call)
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == "loop":
                found.append(LoopArgument(event, call, arg))
    return found


def without_loop_arguments(call: cst.Call, found: list[LoopArgument]) -> cst.Call:
    """`call` with its `loop=` argument removed, and those of the flagged calls nested in it
    (one edit then fixes `wait_for(open_connection(..., loop=loop), loop=loop)`)."""
    removals = {id(f.call): [i for i, a in enumerate(f.call.args) if a is f.arg] for f in found}

    class Remove(cst.CSTTransformer):
        def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
            for index in removals.get(id(original_node), []):
                updated_node = without_argument(updated_node, updated_node.args[index])
            return updated_node

    fixed = call.visit(Remove())
    assert isinstance(fixed, cst.Call)
    return fixed


def outermost_call(found: LoopArgument, every: list[LoopArgument]) -> cst.Call:
    """The outermost flagged call that contains `found`'s call: fixing that one call fixes
    the ones nested in it too, in one edit."""
    outer = found.call
    for other in every:
        if other.call is not outer and any(node is outer for node in own_nodes(other.call)):
            outer = other.call
    return outer


def without_argument(call: cst.Call, arg: cst.Arg) -> cst.Call:
    """`call` with `arg` removed, keeping the layout: a middle argument goes with its comma and
    whatever follows it on its line; when the last one goes, the new last argument keeps a
    trailing comma if there was one, and the closing parenthesis keeps its place."""
    args = list(call.args)
    index = next(i for i, a in enumerate(args) if a is arg)
    del args[index]
    if index < len(args) or not args:
        return call.with_changes(args=args)
    last = args[-1]
    if isinstance(arg.comma, cst.Comma) and isinstance(last.comma, cst.Comma):
        mine, theirs = last.comma.whitespace_after, arg.comma.whitespace_after
        if isinstance(mine, cst.ParenthesizedWhitespace) and isinstance(
            theirs, cst.ParenthesizedWhitespace
        ):
            theirs = mine.with_changes(last_line=theirs.last_line)
        args[-1] = last.with_changes(comma=last.comma.with_changes(whitespace_after=theirs))
    else:
        args[-1] = last.with_changes(
            comma=cst.MaybeSentinel.DEFAULT, whitespace_after_arg=arg.whitespace_after_arg
        )
    return call.with_changes(args=args)
