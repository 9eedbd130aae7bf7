"""Quicker constructors for libcst's nodes, doing what the dataclass ones do.

A libcst node is a frozen dataclass with slots: its generated `__init__` stores each field with
`object.__setattr__(self, name, value)` (a frozen class's own `__setattr__` refuses), which
finds the field's slot by name every time. The constructor made here stores each field through
its slot directly, in the same order, with the same parameters and defaults (a default factory
called as the dataclass calls it), then calls `__post_init__` as the dataclass does. The parser
makes millions of nodes: this saves about 6% of a parse.

A class gets one only where its `__init__` is the one `dataclasses` generated for the plain
fields it lists (no init-only, keyword-only or excluded fields), every field is a slot, and the
new signature is the old one; any other class keeps its own."""

from __future__ import annotations

import builtins
import dataclasses
import inspect
import sys
import types
from typing import Any

from asynclint.once import once

_GENERATED = "__create_fn__.<locals>.__init__"  # what dataclasses compiles it as
# The stand-in default of a field with a factory (should it go, no such class is replaced).
_FACTORY = getattr(dataclasses, "_HAS_DEFAULT_FACTORY", object())

replaced: dict[type, Any] = {}  # each class given one: its own


@once
def install_quick_inits() -> int:
    """Give libcst's node classes their quicker constructors (once per process); how many
    classes have one."""
    import libcst as cst

    for cls, init in quick_inits(_node_classes(cst.CSTNode)).items():
        replaced[cls] = cls.__dict__["__init__"]
        cls.__init__ = init  # type: ignore[misc]
    return len(replaced)


def quick_inits(classes: list[type]) -> dict[type, Any]:
    """The quicker `__init__` of each class that has one to replace (see the module)."""
    # One compiled template per arrangement of plain and default-factory fields (some 45 for
    # libcst's 170 node classes), its parameters renamed per class: compiling a function per
    # class would cost more than a small run saves.
    templates: dict[tuple[bool, ...], types.CodeType] = {}
    made: dict[type, Any] = {}
    for cls in classes:
        fields = _plain_fields(cls)
        if fields is None:
            continue
        slots = [_slot(cls, field.name) for field in fields]
        if None in slots:
            continue
        factories = tuple(field.default_factory is not dataclasses.MISSING for field in fields)
        template = templates.get(factories)
        if template is None:
            template = templates[factories] = _template(factories)
        names: dict[str, Any] = {"_FACTORY": _FACTORY, "__builtins__": builtins}
        defaults: list[Any] = []
        for index, (field, slot) in enumerate(zip(fields, slots, strict=True)):
            names[f"_set{index}"] = slot.__set__
            if field.default_factory is not dataclasses.MISSING:
                names[f"_factory{index}"] = field.default_factory
                defaults.append(_FACTORY)
            elif field.default is not dataclasses.MISSING:
                defaults.append(field.default)
        qualname = f"{cls.__qualname__}.__init__"
        code = template.replace(
            co_varnames=("self", *(field.name for field in fields)), co_name="__init__"
        )
        if sys.version_info >= (3, 11):
            code = code.replace(co_qualname=qualname)
        init = types.FunctionType(code, names, "__init__", tuple(defaults) or None)
        init.__qualname__ = qualname
        init.__module__ = cls.__module__
        if _parameters(init) == _parameters(cls.__dict__["__init__"]):
            made[cls] = init
    return made


def _node_classes(root: type) -> list[type]:
    """libcst's own subclasses of `root` (not a caller's), each once."""
    found: dict[type, None] = {}
    stack: list[type] = [root]
    while stack:
        subclasses: list[type] = type.__subclasses__(stack.pop())
        for cls in subclasses:
            if cls not in found and cls.__module__.startswith("libcst."):
                found[cls] = None
                stack.append(cls)
    return list(found)


def _template(factories: tuple[bool, ...]) -> types.CodeType:
    """The code of an `__init__` storing one parameter per field, a default factory's called
    when the parameter is its stand-in, as dataclasses does."""
    parameters = [f"_{index}" for index in range(len(factories))]
    stores = [
        f"    _set{index}(self, _factory{index}() if _{index} is _FACTORY else _{index})\n"
        if factory
        else f"    _set{index}(self, _{index})\n"
        for index, factory in enumerate(factories)
    ]
    source = (
        f"def __init__(self, {', '.join(parameters)}):\n{''.join(stores)}    self.__post_init__()\n"
    )
    namespace: dict[str, Any] = {}
    exec(source, namespace)
    code: types.CodeType = namespace["__init__"].__code__
    return code


def _plain_fields(cls: type) -> tuple[dataclasses.Field[Any], ...] | None:
    """The fields of a frozen dataclass whose `__init__` is the generated one, all set by
    it from parameters of its own (no init-only, keyword-only or excluded fields); None for
    any other class."""
    init = cls.__dict__.get("__init__")
    params = getattr(cls, "__dataclass_params__", None)
    if init is None or params is None or not params.frozen or not _generated(cls, init):
        return None
    fields = dataclasses.fields(cls)
    if not hasattr(cls, "__post_init__") or any(
        not field.init or field.kw_only is True for field in fields
    ):
        return None
    return fields


def _generated(cls: type, init: Any) -> bool:
    """Whether `init` is what `dataclasses` made for `cls` (code it compiled from a string,
    named after the class)."""
    code = getattr(init, "__code__", None)
    return (
        code is not None
        and code.co_filename == "<string>"
        and getattr(code, "co_qualname", _GENERATED) == _GENERATED
        and init.__qualname__ == f"{cls.__qualname__}.__init__"
    )


def _parameters(function: Any) -> tuple[Any, ...]:
    """The function's parameters: names, kinds, defaults (by identity)."""
    code = function.__code__
    count = code.co_argcount + code.co_kwonlyargcount
    keyword_defaults = function.__kwdefaults__ or {}
    return (
        code.co_varnames[:count],
        code.co_kwonlyargcount,
        code.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS),
        tuple(map(id, function.__defaults__ or ())),
        {key: id(value) for key, value in keyword_defaults.items()},
    )


def _slot(cls: type, name: str) -> Any:
    """The slot `object.__setattr__` stores `name` in: what the class finds first by that name,
    when it is a slot."""
    for base in cls.__mro__:
        if name in base.__dict__:
            found = base.__dict__[name]
            return found if isinstance(found, types.MemberDescriptorType) else None
    return None
