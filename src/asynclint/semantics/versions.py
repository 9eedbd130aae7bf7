"""What a test of the Python version says at the target version.

The target version is the oldest Python the code must run on, so a test is decided only when
it comes out the same on the target and on every later release: `sys.version_info < (3, 7)`
is False from 3.7 on, `sys.version_info >= (3, 8)` is True from 3.8 on, while
`sys.version_info >= (3, 12)` at target 3.10 stays open (the code may run on 3.12 too). The
model builder skips the branch such a test rules out, at module level, in classes and in
functions alike, so no rule reports code that cannot run at the target version.

Understood: `sys.version_info` (through any import alias) compared with a tuple, a slice of it
(`[:2]`), its first two fields (`[0]`, `[1]`, `.major`, `.minor`) compared with an int, either
side of the operator, chained comparisons, `not`, `and`, `or`, and module-level flags bound
to such a test (`PY37 = sys.version_info >= (3, 7)`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import libcst as cst

from asynclint.semantics.expressions import qualify

Version = tuple[int, ...]

# The comparison seen from the other side: `(3, 7) <= v` is `v >= (3, 7)`.
_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_OPERATORS: Mapping[type[cst.BaseCompOp], str] = {
    cst.LessThan: "<",
    cst.LessThanEqual: "<=",
    cst.GreaterThan: ">",
    cst.GreaterThanEqual: ">=",
    cst.Equal: "==",
    cst.NotEqual: "!=",
}


def outcome(
    test: cst.BaseExpression,
    imports: dict[str, str],
    target: tuple[int, int],
    flags: Mapping[str, bool] | None = None,
) -> bool | None:
    """True when `test` holds on the target version and every later one, False when it fails
    on all of them, None when it is not a version test or depends on the release."""
    known = flags or {}

    def decide(node: cst.BaseExpression) -> bool | None:
        if isinstance(node, cst.Name) and node.value in known:
            return known[node.value]
        if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
            inner = decide(node.expression)
            return None if inner is None else not inner
        if isinstance(node, cst.BooleanOperation):
            return _combine(node, decide)
        if isinstance(node, cst.Comparison):
            return _comparison(node, imports, target)
        return None

    return decide(test)


def _combine(
    node: cst.BooleanOperation, decide: Callable[[cst.BaseExpression], bool | None]
) -> bool | None:
    left, right = decide(node.left), decide(node.right)
    if isinstance(node.operator, cst.And):
        if False in (left, right):
            return False
        return True if left is True and right is True else None
    if True in (left, right):
        return True
    return False if left is False and right is False else None


def _comparison(
    node: cst.Comparison, imports: dict[str, str], target: tuple[int, int]
) -> bool | None:
    """A chain `a < b <= c` holds when each pair does; every pair must be a version test."""
    results = []
    left = node.left
    for target_op in node.comparisons:
        operator = _OPERATORS.get(type(target_op.operator))
        if operator is None:
            return None
        right = target_op.comparator
        results.append(_pair(left, operator, right, imports, target))
        left = right
    if False in results:
        return False
    return True if all(r is True for r in results) else None


def _pair(
    left: cst.BaseExpression,
    operator: str,
    right: cst.BaseExpression,
    imports: dict[str, str],
    target: tuple[int, int],
) -> bool | None:
    lowest = _lowest(left, imports, target)
    bound = _constant(right)
    if lowest is None:
        lowest, bound = _lowest(right, imports, target), _constant(left)
        operator = _FLIPPED[operator]
    if lowest is None or bound is None:
        return None
    value, exact = lowest
    if not exact and operator in ("==", "!="):
        return None  # the whole `sys.version_info` never equals a short tuple: a typo, skip
    if not exact:
        # The 5-field `sys.version_info` sorts after any shorter tuple it starts with.
        operator = {"<=": "<", ">": ">="}.get(operator, operator)
    # `value` is the smallest the compared part can be; it has no upper limit.
    lowest_value = value[: len(bound)] + (0,) * (len(bound) - len(value))
    if operator in ("<", "<="):
        above = lowest_value > bound or (operator == "<" and lowest_value == bound)
        return False if above else None
    if operator in (">", ">="):
        above = lowest_value > bound or (operator == ">=" and lowest_value == bound)
        return True if above else None
    if lowest_value > bound:  # every release is past the one compared with
        return operator == "!="
    return None


def _lowest(
    node: cst.BaseExpression, imports: dict[str, str], target: tuple[int, int]
) -> tuple[Version, bool] | None:
    """The smallest value `node` takes on the target version or later, and whether the
    comparison with it is exact (False for the whole 5-field `sys.version_info`)."""
    if _is_version_info(node, imports):
        return target, False
    if isinstance(node, cst.Attribute) and _is_version_info(node.value, imports):
        field = {"major": 0, "minor": 1}.get(node.attr.value)
        return None if field is None else ((target[field],), True)
    if not isinstance(node, cst.Subscript) or not _is_version_info(node.value, imports):
        return None
    if len(node.slice) != 1:
        return None
    index = node.slice[0].slice
    if isinstance(index, cst.Index) and isinstance(index.value, cst.Integer):
        field = int(index.value.value)
        return ((target[field],), True) if field in (0, 1) else None
    if (
        isinstance(index, cst.Slice)
        and index.lower is None
        and index.step is None
        and isinstance(index.upper, cst.Integer)
        and int(index.upper.value) in (1, 2)
    ):
        return target[: int(index.upper.value)], True
    return None


def _is_version_info(node: cst.BaseExpression, imports: dict[str, str]) -> bool:
    return qualify(imports, node) == "sys.version_info"


def _constant(node: cst.BaseExpression) -> Version | None:
    """`(3, 7)` -> (3, 7); `3` -> (3,); None for anything else."""
    if isinstance(node, cst.Integer):
        return (int(node.value, 0),)
    if not isinstance(node, cst.Tuple) or not node.elements:
        return None
    numbers = []
    for element in node.elements:
        if not isinstance(element.value, cst.Integer) or isinstance(element, cst.StarredElement):
            return None
        numbers.append(int(element.value.value, 0))
    return tuple(numbers)
