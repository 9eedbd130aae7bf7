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
        return f"`{name}`, annotated str" if _str_parameter(function.node, name) else None
    if not bound_only_by_assignment(function.node, name):
        return None
    for value in values:
        if str_description(facts, function, value, depth + 1) is None:
            return None
    return f"`{name}`, a str"


def bound_only_by_assignment(node: cst.CSTNode, name: str) -> bool:
    """Is every binding of `name` in this function a plain `name = value` (or `name += ...`),
    and the name none of the function's parameters?"""
    if isinstance(node, cst.FunctionDef):
        params = node.params
        every = [*params.posonly_params, *params.params, *params.kwonly_params]
        every += [p for p in (params.star_arg, params.star_kwarg) if isinstance(p, cst.Param)]
        if any(param.name.value == name for param in every):
            return False
        return all(_plain_bindings(child, name) for child in child_nodes(node.body))
    return False


def _str_parameter(node: cst.CSTNode, name: str) -> bool:
    """A parameter annotated `str` that the function never rebinds."""
    if not isinstance(node, cst.FunctionDef):
        return False
    params = node.params
    for param in (*params.posonly_params, *params.params, *params.kwonly_params):
        if param.name.value == name:
            annotation = param.annotation.annotation if param.annotation else None
            is_str = isinstance(annotation, cst.Name) and annotation.value == "str"
            return is_str and all(_plain_bindings(child, name) for child in child_nodes(node.body))
    return False


def _plain_bindings(node: cst.CSTNode, name: str) -> bool:
    if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
        return node.name.value != name
    if isinstance(node, cst.Lambda):
        return True
    if isinstance(node, cst.Assign):
        plain = all(
            isinstance(t.target, cst.Name) or not _binds(t.target, name) for t in node.targets
        )
        return plain and _plain_bindings(node.value, name)
    if isinstance(node, cst.For) and _binds(node.target, name):
        return False
    if isinstance(node, cst.CompFor) and _binds(node.target, name):
        return False
    if isinstance(node, cst.AsName) and _binds(node.name, name):
        return False
    if isinstance(node, cst.NamedExpr) and _binds(node.target, name):
        return False
    if isinstance(node, (cst.Global, cst.Nonlocal)):
        return all(n.name.value != name for n in node.names)
    if isinstance(node, cst.Del) and _binds(node.target, name):
        return False
    if isinstance(node, cst.ImportAlias) and node.asname is None:
        return _import_name(node) != name
    if isinstance(node, cst.MatchAs) and node.name is not None and node.name.value == name:
        return False
    return all(_plain_bindings(child, name) for child in child_nodes(node))


def _binds(target: cst.CSTNode, name: str) -> bool:
    if isinstance(target, cst.Name):
        return target.value == name
    if isinstance(target, (cst.Tuple, cst.List)):
        return any(_binds(element.value, name) for element in target.elements)
    if isinstance(target, cst.StarredElement):
        return _binds(target.value, name)
    return False


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
