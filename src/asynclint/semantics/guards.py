"""Where a node sits in the syntax tree, and whether the code around it guards it.

The model keeps no parent links (they cost more than the parse), so these helpers search one
function's subtree when a rule asks about a specific node: the path from the function down to
it, the nodes inside a subtree, and whether a use of a newer API is protected by a version
check (`if sys.version_info >= (3, 13):`), a `hasattr()` test, or `except AttributeError`."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from asynclint.semantics.expressions import dotted
from asynclint.semantics.walk import child_nodes

_NESTED_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
_ATTRIBUTE_ERRORS = frozenset({"AttributeError", "Exception", "BaseException"})


def ancestors(root: cst.CSTNode, target: cst.CSTNode) -> list[cst.CSTNode] | None:
    """The nodes from `root` down to `target`'s parent, or None when `target` is not inside."""
    path: list[cst.CSTNode] = []

    def search(node: cst.CSTNode) -> bool:
        if node is target:
            return True
        path.append(node)
        for child in child_nodes(node):
            if search(child):
                return True
        path.pop()
        return False

    return path if search(root) else None


def subtree(node: cst.CSTNode, *, nested_scopes: bool = False) -> Iterator[cst.CSTNode]:
    """`node` and everything below it; without the bodies of nested functions and classes
    unless asked."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if current is not node and not nested_scopes and isinstance(current, _NESTED_SCOPES):
            continue
        stack.extend(child_nodes(current))


def version_guarded(
    root: cst.CSTNode, target: cst.CSTNode, version: tuple[int, int], attribute: str
) -> bool:
    """Does the code around `target` make sure it runs only on `version` or later, or only
    where `attribute` exists? Counts `if sys.version_info >= version:` (and the `else:` of
    the opposite test), an earlier `if sys.version_info < version: return`, `if hasattr(x,
    "attribute"):` and a `try:` whose handler catches AttributeError."""
    path = ancestors(root, target)
    if path is None:
        return False
    for index, node in enumerate(path):
        child = path[index + 1] if index + 1 < len(path) else target
        if isinstance(node, cst.If):
            test = _guard_test(node.test, version, attribute)
            if test is True and child is node.body:
                return True
            if test is False and child is node.orelse:
                return True
        if (
            isinstance(node, cst.Try)
            and child is node.body
            and any(_catches_attribute_error(handler) for handler in node.handlers)
        ):
            return True
        if isinstance(node, (cst.IndentedBlock, cst.Module)):
            for statement in node.body:
                if statement is child:
                    break
                if (
                    isinstance(statement, cst.If)
                    and _guard_test(statement.test, version, attribute) is False
                    and _always_leaves(statement.body)
                ):
                    return True
    return False


def _guard_test(test: cst.BaseExpression, version: tuple[int, int], attribute: str) -> bool | None:
    """True when `test` holding means `version`/`attribute` is available, False when it
    failing means so, None when it says nothing about it."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = _guard_test(test.expression, version, attribute)
        return None if inner is None else not inner
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        left = _guard_test(test.left, version, attribute)
        right = _guard_test(test.right, version, attribute)
        return True if True in (left, right) else None
    if isinstance(test, cst.Call) and dotted(test.func) == "hasattr" and len(test.args) == 2:
        name = test.args[1].value
        if isinstance(name, cst.SimpleString) and name.evaluated_value == attribute:
            return True
        return None
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        target = test.comparisons[0]
        if dotted(test.left) != "sys.version_info":
            return None
        bound = _version_tuple(target.comparator)
        if bound is None:
            return None
        operator = target.operator
        if isinstance(operator, (cst.GreaterThanEqual, cst.GreaterThan)):
            return True if bound >= version else None
        if isinstance(operator, cst.LessThan):
            return False if bound >= version else None
    return None


def _version_tuple(node: cst.BaseExpression) -> tuple[int, int] | None:
    if not isinstance(node, cst.Tuple) or len(node.elements) < 2:
        return None
    numbers = []
    for element in node.elements[:2]:
        if not isinstance(element.value, cst.Integer):
            return None
        numbers.append(int(element.value.value))
    return numbers[0], numbers[1]


def _catches_attribute_error(handler: cst.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    types = (
        [element.value for element in handler.type.elements]
        if isinstance(handler.type, cst.Tuple)
        else [handler.type]
    )
    return any(dotted(item) in _ATTRIBUTE_ERRORS for item in types)


def _always_leaves(body: cst.BaseSuite) -> bool:
    statements = list(body.body)
    if not statements:
        return False
    last = statements[-1]
    if isinstance(last, cst.SimpleStatementLine):
        return any(
            isinstance(s, (cst.Return, cst.Raise, cst.Continue, cst.Break)) for s in last.body
        )
    return isinstance(last, (cst.Return, cst.Raise, cst.Continue, cst.Break))
