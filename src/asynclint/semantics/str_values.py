"""Is an expression a `str` where bytes are needed? (for AIO207)

An expression is known to be a str when it is a str literal (not `b"..."`), an f-string, a call
of the builtins `str()`, `repr()`, `format()` or of `json.dumps()`, a str method such as
`.format()` or `.join()` called on a str literal, `%`-formatting of a str literal, `+` with a
str literal, or a local name that the function binds only by plain assignments of such values
(and that is not one of its parameters), or a parameter annotated `str` that it never
rebinds."""

from __future__ import annotations

import ast
import warnings
from collections.abc import Iterator
from typing import cast

import libcst as cst

from asynclint.semantics.model import FunctionInfo, ModuleFacts
from asynclint.semantics.walk import child_nodes

_STR_BUILTINS = frozenset({"str", "repr", "format"})
_STR_FUNCTIONS = frozenset({"json.dumps"})
_STR_METHODS = frozenset(
    {
        "format",
        "format_map",
        "join",
        "replace",
        "strip",
        "lstrip",
        "rstrip",
        "lower",
        "upper",
        "title",
        "capitalize",
        "ljust",
        "rjust",
        "center",
        "zfill",
        "expandtabs",
    }
)
_MAX_DEPTH = 3


def str_description(
    facts: ModuleFacts, function: FunctionInfo, node: cst.BaseExpression, depth: int = 0
) -> str | None:
    """What kind of str `node` is ("a str literal", "an f-string", "`str()`", ...), or None
    when it is not known to be a str."""
    if isinstance(node, cst.SimpleString):
        return None if "b" in node.prefix.lower() else "a str literal"
    if isinstance(node, cst.ConcatenatedString):
        return str_description(facts, function, node.left, depth)
    if isinstance(node, cst.FormattedString):
        return "an f-string"
    if isinstance(node, cst.Call):
        return _call_description(facts, function, node, depth)
    if isinstance(node, cst.BinaryOperation):
        if isinstance(node.operator, cst.Modulo) and _is_literal_str(node.left):
            return "a %-formatted str"
        if isinstance(node.operator, cst.Add) and (
            _is_literal_str(node.left) or _is_literal_str(node.right)
        ):
            return "a str concatenation"
        return None
    if isinstance(node, cst.Name) and depth < _MAX_DEPTH:
        return _name_description(facts, function, node.value, depth)
    return None


def _call_description(
    facts: ModuleFacts, function: FunctionInfo, node: cst.Call, depth: int
) -> str | None:
    func = node.func
    if isinstance(func, cst.Name):
        if func.value in _STR_BUILTINS and not _shadowed(facts, function, func.value):
            return f"`{func.value}()`"
        imported = facts.imports.get(func.value)
        return f"`{imported}()`" if imported in _STR_FUNCTIONS else None
    if isinstance(func, cst.Attribute):
        if func.attr.value in _STR_METHODS and _is_literal_str(func.value):
            return f"`str.{func.attr.value}()`"
        base = func.value
        if isinstance(base, cst.Name):
            imported = facts.imports.get(base.value)
            name = f"{imported}.{func.attr.value}" if imported else None
            return f"`{name}()`" if name in _STR_FUNCTIONS else None
    return None


def _is_literal_str(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.SimpleString):
        return "b" not in node.prefix.lower()
    if isinstance(node, cst.ConcatenatedString):
        return _is_literal_str(node.left)
    return isinstance(node, cst.FormattedString)


def _shadowed(facts: ModuleFacts, function: FunctionInfo, name: str) -> bool:
    scope: FunctionInfo | None = function
    while scope is not None:
        if name in scope.locals:
            return True
        scope = scope.parent
    return name in facts.imports


def _name_description(
    facts: ModuleFacts, function: FunctionInfo, name: str, depth: int
) -> str | None:
    if function.kind != "function" or name in function.globals:
        return None
    values = facts.assignments.get(function.id, {}).get(name)
    if not values:
        return f"`{name}`, annotated str" if _str_parameter(facts, function.node, name) else None
    for value in values:
        if str_description(facts, function, value, depth + 1) is None:
            return None
    # Last: the walk over the function's body is the costly part.
    if not bound_only_by_assignment(facts, function.node, name):
        return None
    return f"`{name}`, a str"


def bound_only_by_assignment(facts: ModuleFacts, node: cst.CSTNode, name: str) -> bool:
    """Is every binding of `name` in this function a plain `name = value` (or `name += ...`),
    and the name none of the function's parameters?"""
    if isinstance(node, cst.FunctionDef):
        params = node.params
        every = [*params.posonly_params, *params.params, *params.kwonly_params]
        every += [p for p in (params.star_arg, params.star_kwarg) if isinstance(p, cst.Param)]
        if any(param.name.value == name for param in every):
            return False
        return name not in _rebound(facts, node)
    return False


def _str_parameter(facts: ModuleFacts, node: cst.CSTNode, name: str) -> bool:
    """A parameter annotated `str` that the function never rebinds."""
    if not isinstance(node, cst.FunctionDef):
        return False
    params = node.params
    for param in (*params.posonly_params, *params.params, *params.kwonly_params):
        if param.name.value == name:
            annotation = param.annotation.annotation if param.annotation else None
            is_str = isinstance(annotation, cst.Name) and annotation.value == "str"
            return is_str and name not in _rebound(facts, node)
    return False


def _rebound_by_function(facts: ModuleFacts) -> dict[cst.FunctionDef, frozenset[str]]:
    """Per function, filled as asked: see `_rebound`."""
    return {}


def _rebound(facts: ModuleFacts, function: cst.FunctionDef) -> frozenset[str]:
    """The names that the function's body binds other than by a plain `name = value`: as a
    loop, `with` or `except` target, by unpacking, `:=`, `del`, `global`, an import, a nested
    `def` or class, a match pattern. One walk per function, whatever the number of names."""
    known = facts.memo(_rebound_by_function)
    if function not in known:
        found: set[str] = set()
        stack: list[cst.CSTNode] = list(child_nodes(function.body))
        while stack:
            node = stack.pop()
            # Exact types, not isinstance(): these classes have no subclasses, and libcst's
            # ABC instance checks would dominate the walk.
            kind = type(node)
            if kind is cst.FunctionDef or kind is cst.ClassDef:
                found.add(cast(cst.FunctionDef | cst.ClassDef, node).name.value)
                continue  # its own scope
            if kind is cst.Lambda:
                continue
            if kind is cst.Assign:
                assign = cast(cst.Assign, node)
                for target in assign.targets:
                    if type(target.target) is not cst.Name:
                        found.update(_bound_names(target.target))
                stack.append(assign.value)
                continue
            if kind is cst.Global or kind is cst.Nonlocal:
                found.update(n.name.value for n in cast(cst.Global | cst.Nonlocal, node).names)
                continue
            if kind is cst.ImportAlias and cast(cst.ImportAlias, node).asname is None:
                imported = _import_name(cast(cst.ImportAlias, node))
                if imported is not None:
                    found.add(imported)
                continue
            if kind in _TARGETED:
                found.update(_bound_names(cast(_Targeted, node).target))
            elif kind is cst.AsName:
                found.update(_bound_names(cast(cst.AsName, node).name))
            elif kind is cst.MatchAs:
                name = cast(cst.MatchAs, node).name
                if name is not None:
                    found.add(name.value)
            stack.extend(child_nodes(node))
        known[function] = frozenset(found)
    return known[function]


_Targeted = cst.For | cst.CompFor | cst.NamedExpr | cst.Del
_TARGETED: frozenset[type[cst.CSTNode]] = frozenset({cst.For, cst.CompFor, cst.NamedExpr, cst.Del})


def _bound_names(target: cst.CSTNode) -> Iterator[str]:
    """The names an assignment target binds (`a`, `a, *b`, `[a, b]`), not the attributes or
    subscripts it stores into."""
    if isinstance(target, cst.Name):
        yield target.value
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from _bound_names(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from _bound_names(target.value)


def _import_name(alias: cst.ImportAlias) -> str | None:
    node: cst.BaseExpression = alias.name
    while isinstance(node, cst.Attribute):
        node = node.value
    return node.value if isinstance(node, cst.Name) else None


def bytes_literal(node: cst.SimpleString) -> str | None:
    """The same literal as bytes (`"ok\\n"` -> `b"ok\\n"`) when that means exactly the ASCII
    encoding of the str, else None (non-ASCII text, `\\u` or `\\N{...}` escapes)."""
    prefix = node.prefix
    if "b" in prefix.lower():
        return None
    text = "b" + prefix.replace("u", "").replace("U", "") + node.value[len(prefix) :]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # an escape that bytes do not know: not the same
            value = ast.literal_eval(text)
            expected = ast.literal_eval(node.value)
    except (SyntaxError, ValueError, Warning):
        return None
    if not isinstance(expected, str) or not expected.isascii():
        return None
    return text if value == expected.encode("ascii") else None
