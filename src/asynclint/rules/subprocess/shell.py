"""Is a shell command built from values that are not constants? (for AIO202)

A command is *interpolated* when an f-string placeholder, `%` or `.format()` argument, `+`
operand or `join()` iterable inside it is neither a constant nor quoted with `shlex.quote()` /
`shlex.join()`. Local variables are followed to every value assigned to them in the function."""

from __future__ import annotations

import libcst as cst

from asynclint.semantics.model import FunctionInfo, ModuleFacts

SHELLS = frozenset(
    {
        "sh",
        "bash",
        "zsh",
        "dash",
        "ksh",
        "/bin/sh",
        "/bin/bash",
        "/usr/bin/bash",
        "/bin/zsh",
        "/bin/dash",
    }
)
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
