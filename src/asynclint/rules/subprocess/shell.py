"""Is a shell command built from values that are not constants? (for AIO202)

A command is *interpolated* when an f-string placeholder, `%` or `.format()` argument, `+`
operand or `join()` iterable inside it is neither a constant nor quoted with `shlex.quote()` /
`shlex.join()`. Local variables are followed to every value assigned to them in the function."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from asynclint.project.param_effects import SHELLS
from asynclint.semantics import asyncio_api as api
from asynclint.semantics.events import Event
from asynclint.semantics.expressions import call_argument
from asynclint.semantics.model import FunctionInfo, ModuleFacts

__all__ = ["SHELLS", "ShellHelper", "interpolated_command", "shell_command", "shell_helpers"]

_QUOTERS = frozenset({"shlex.quote", "shlex.join", "pipes.quote"})
# Values that are not constants but that no user of the program controls.
_TRUSTED = frozenset({"sys.executable"})
_MAX_DEPTH = 4


def string_value(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


class _Taint:
    def __init__(self, facts: ModuleFacts, function: FunctionInfo) -> None:
        self.facts = facts
        self.function = function
        self.assigned = facts.assignments.get(function.id, {})

    def is_constant(self, node: cst.BaseExpression, depth: int = 0) -> bool:
        if isinstance(node, (cst.SimpleString, cst.Integer, cst.Float)):
            return True
        if isinstance(node, cst.ConcatenatedString):
            return self.is_constant(node.left, depth) and self.is_constant(node.right, depth)
        if isinstance(node, cst.FormattedString):
            return not self.interpolated(node, depth)
        if isinstance(node, cst.Call) and self.facts.qualify(node.func) in _QUOTERS:
            return True
        if isinstance(node, cst.Attribute) and self.facts.qualify(node) in _TRUSTED:
            return True
        if isinstance(node, cst.Name):
            if node.value in self.facts.module_constants and node.value not in self.function.locals:
                return True
            values = self.assigned.get(node.value)
            if values and depth < _MAX_DEPTH and node.value not in self.function.params:
                return all(self.is_constant(v, depth + 1) for v in values)
        if isinstance(node, (cst.List, cst.Tuple)):
            return all(self.is_constant(el.value, depth) for el in node.elements)
        return False

    def interpolated(self, node: cst.BaseExpression, depth: int = 0) -> bool:
        """Is `node` a string built from a non-constant value?"""
        if depth > _MAX_DEPTH:
            return False
        if isinstance(node, cst.FormattedString):
            return any(
                isinstance(part, cst.FormattedStringExpression)
                and not self.is_constant(part.expression, depth)
                for part in node.parts
            )
        if isinstance(node, cst.ConcatenatedString):
            return self.interpolated(node.left, depth) or self.interpolated(node.right, depth)
        if isinstance(node, cst.BinaryOperation):
            if isinstance(node.operator, cst.Modulo) and _is_text(node.left):
                return not self.is_constant(node.right, depth)
            if isinstance(node.operator, cst.Add) and (_is_text(node.left) or _is_text(node.right)):
                return not (
                    self.is_constant(node.left, depth) and self.is_constant(node.right, depth)
                )
            if isinstance(node.operator, cst.Add):
                return self.interpolated(node.left, depth) or self.interpolated(node.right, depth)
            return False
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            method = node.func.attr.value
            if method == "format" and _is_text(node.func.value):
                return not all(self.is_constant(arg.value, depth) for arg in node.args)
            if method == "join" and _is_text(node.func.value):
                return not all(self.is_constant(arg.value, depth) for arg in node.args)
            return False
        if isinstance(node, cst.Name) and node.value not in self.function.params:
            values = self.assigned.get(node.value, [])
            return any(self.interpolated(v, depth + 1) for v in values)
        return False


def _is_text(node: cst.BaseExpression) -> bool:
    return isinstance(node, (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString))


def interpolated_command(
    facts: ModuleFacts, function: FunctionInfo, node: cst.BaseExpression
) -> bool:
    return _Taint(facts, function).interpolated(node)


def shell_command(facts: ModuleFacts, event: Event) -> tuple[cst.BaseExpression, str] | None:
    """(the command, the API's name) when a call event runs a shell command."""
    call = event.node
    if event.kind != "call" or not isinstance(call, cst.Call):
        return None
    if event.qualname == "asyncio.create_subprocess_shell":
        command = call_argument(call, 0, "cmd")
        return (command, "create_subprocess_shell()") if command is not None else None
    if event.method == "subprocess_shell" and facts.kind(event.root) == api.LOOP:
        command = call_argument(call, 1, "cmd")
        return (command, "loop.subprocess_shell()") if command is not None else None
    offset = _exec_offset(facts, event)
    positional = [a.value for a in call.args if a.keyword is None and not a.star]
    if offset is not None and len(positional) >= offset + 3:
        shell = string_value(positional[offset])
        flag = string_value(positional[offset + 1])
        if shell in SHELLS and flag == "-c":
            return positional[offset + 2], f"`{shell} -c`"
    return None


def _exec_offset(facts: ModuleFacts, event: Event) -> int | None:
    """Where the program name sits in an exec-style call's positional arguments."""
    if event.qualname == "asyncio.create_subprocess_exec":
        return 0
    if event.method == "subprocess_exec" and facts.kind(event.root) == api.LOOP:
        return 1
    return None


@dataclass(frozen=True)
class ShellHelper:
    """A call of a helper that makes one of its parameters a shell command."""

    name: str  # the helper, as its module names it
    param: str
    sink: str  # "create_subprocess_shell()", "`sh -c`"
    argument: cst.BaseExpression  # what this call passes for the parameter
    place: cst.CSTNode | tuple[str, int]  # the sink: a node of this module, or (path, line)


def shell_helpers(facts: ModuleFacts, event: Event) -> Iterator[ShellHelper]:
    """The helpers' shell sinks that a call feeds: a function of this module (followed one
    helper deeper) or of another checked module (from its summary)."""
    call = event.node
    if event.kind != "call" or not isinstance(call, cst.Call):
        return
    if event.target is not None:
        yield from _local_shell_helpers(facts, event, 0)
        return
    summary = facts.call_summary(event)
    if summary is None:
        return
    params = summary.params[1:] if summary.bound else summary.params
    for param, line, sink in summary.shell:
        position = params.index(param) if param in params else None
        argument = call_argument(call, position, param)
        if argument is not None:
            yield ShellHelper(summary.name, param, sink, argument, (summary.path, line))


_HELPER_DEPTH = 2


def _shell_parameters(
    facts: ModuleFacts, function: FunctionInfo, depth: int
) -> list[tuple[str, str, cst.CSTNode | tuple[str, int]]]:
    """(parameter, sink, the sink's call) for each parameter that a function of this module
    runs as a shell command unchanged, directly or through one more helper."""
    names = set(function.params) | set(function.kwonly)
    assigned = facts.assignments.get(function.id, {})

    def parameter(node: cst.BaseExpression) -> str | None:
        unchanged = isinstance(node, cst.Name) and node.value not in assigned
        return node.value if unchanged and node.value in names else None  # type: ignore[attr-defined]

    found: list[tuple[str, str, cst.CSTNode | tuple[str, int]]] = []
    for event in function.events:
        sink = shell_command(facts, event)
        if sink is not None:
            name = parameter(sink[0])
            if name is not None:
                found.append((name, sink[1], event.node))
            continue
        if depth >= _HELPER_DEPTH or event.target is None or event.target is function:
            continue
        for inner in _local_shell_helpers(facts, event, depth + 1):
            name = parameter(inner.argument)
            if name is not None:
                found.append((name, inner.sink, inner.place))
    return found


def _local_shell_helpers(facts: ModuleFacts, event: Event, depth: int) -> Iterator[ShellHelper]:
    target = event.target
    call = event.node
    if target is None or not isinstance(call, cst.Call):
        return
    params = target.params[1:] if target.self_name is not None else target.params
    for param, sink, node in _shell_parameters(facts, target, depth):
        position = params.index(param) if param in params else None
        argument = call_argument(call, position, param)
        if argument is not None:
            yield ShellHelper(target.qualname, param, sink, argument, node)
