"""Containers of asyncio objects: `{n: asyncio.Lock() for n in names}`, `d[k] = asyncio.Lock()`,
`defaultdict(asyncio.Lock)`, `tasks.append(asyncio.create_task(...))`.

An element of a container is the reference `("elem", <container ref>, key)`: `locks[name]`,
`locks.get(name)`, `locks.setdefault(name, ...)`, or the variable of `for t in tasks:` (key
"*"). The model collects every store into a container (see `Stored`) and gives its elements a
kind only when every store agrees on one known kind; a store of another or unknown kind, or the
container handed to code that is not followed (which may store anything into it), leaves the
elements without a kind. All elements of a container are one object for the model (`root`):
`procs[0].stdout.read()` may read the stream `procs[i].wait()` waits for. The key stays in
`event.identity`, so that rules asking whether two places hold the same object (a Lock
taken twice) see `locks[a]` and `locks[b]` as two, and `locks[name]` twice as one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import libcst as cst

from asynclint.semantics.asyncio_api import ObjectKind
from asynclint.semantics.events import RawRef
from asynclint.semantics.objects import Origin


@dataclass(frozen=True)
class Stored:
    """A value stored into a container; all None: of unknown kind."""

    origin: Origin | None = None  # an asyncio object made here
    ref: RawRef | None = None  # another reference: whatever kind it has
    # `loop.create_task()`: a task if `loop` is a loop.
    derived: tuple[RawRef, ObjectKind, cst.CSTNode] | None = None
    call: tuple[RawRef, bool, cst.Call] | None = None  # a module function's (awaited) result
    # An annotation (`dict[str, asyncio.Lock]`): the type checker holds every store to it, so
    # stores of unknown kind and unknown callees do not undo it (another known kind does).
    declared: bool = False
    # `d["lock"] = v`, `{"lock": v}`, `d.setdefault("lock", v)`: the literal key it is stored
    # under. A container stored into only under literal keys is a record: `d["lock"]` has the
    # kind of what is stored under "lock", whatever is stored under other keys.
    key: str | None = None


UNKNOWN = Stored()

# Methods that store their argument (at this position) into the container.
STORE_METHODS: dict[str, int] = {"append": 0, "add": 0, "appendleft": 0, "insert": 1}
# The key of the variable of `for x in c`: an element of a list or set, a key of a dict.
ITERATED = "<iter>"
# Methods only dicts have, and methods only lists, sets and deques have.
MAPPING_METHODS = frozenset({"get", "setdefault", "keys", "values", "items", "popitem", "update"})
SEQUENCE_METHODS = frozenset({"append", "add", "appendleft", "insert", "extend", "discard"})
# Methods whose result is an element: `d.get(k)`, `d.setdefault(k, v)` (which also stores `v`),
# `d.pop(k)`, `tasks.pop()`, `tasks.popleft()`.
ELEMENT_METHODS = frozenset({"get", "setdefault", "pop", "popleft"})
# Methods that leave the elements as they are.
KEEPING_METHODS = frozenset(
    {
        "keys",
        "values",
        "items",
        "copy",
        "clear",
        "remove",
        "discard",
        "popitem",
        "index",
        "count",
        "sort",
        "reverse",
        "difference",
        "intersection",
        "union",
        "issubset",
        "issuperset",
        "isdisjoint",
        "__contains__",
        "__len__",
        "__iter__",
        "__getitem__",
        "__delitem__",
    }
)
# Calls that read a container without storing into it or keeping it.
READING_CALLS = frozenset(
    {
        "len",
        "list",
        "tuple",
        "set",
        "frozenset",
        "sorted",
        "reversed",
        "iter",
        "enumerate",
        "zip",
        "any",
        "all",
        "bool",
        "min",
        "max",
        "print",
        "repr",
        "str",
        "id",
        "isinstance",
        "asyncio.gather",
        "asyncio.wait",
        "asyncio.as_completed",
    }
)
# Calls that make an empty container.
EMPTY_CONTAINERS = frozenset(
    {
        "dict",
        "list",
        "set",
        "collections.deque",
        "collections.OrderedDict",
        "weakref.WeakSet",
        "weakref.WeakValueDictionary",
    }
)
DEFAULTDICT = "collections.defaultdict"
# Container annotations, and which subscript argument is the element type.
MAPPING_TYPES = frozenset(
    {
        "dict",
        "typing.Dict",
        "typing.Mapping",
        "typing.MutableMapping",
        "collections.abc.Mapping",
        "collections.abc.MutableMapping",
        "collections.defaultdict",
        "typing.DefaultDict",
        "collections.OrderedDict",
        "weakref.WeakValueDictionary",
    }
)
SEQUENCE_TYPES = frozenset(
    {
        "list",
        "set",
        "frozenset",
        "tuple",
        "typing.List",
        "typing.Set",
        "typing.FrozenSet",
        "typing.Tuple",
        "typing.Sequence",
        "typing.MutableSequence",
        "typing.Iterable",
        "typing.Collection",
        "collections.abc.Sequence",
        "collections.abc.MutableSequence",
        "collections.abc.Set",
        "collections.abc.MutableSet",
        "collections.abc.Iterable",
        "collections.abc.Collection",
        "collections.deque",
        "typing.Deque",
        "weakref.WeakSet",
    }
)
# `for x in c`, `for x in list(c)`, `for x in c.values()` iterate the elements; `for k, x in
# c.items()` and `for i, x in enumerate(c)` give them second.
_COPYING_CALLS = frozenset({"list", "tuple", "set", "sorted", "reversed", "frozenset"})
_VIEWS = frozenset({"values", "items"})


def is_copy(node: cst.Call) -> bool:
    """`c.copy()`: another container of the same shape and elements."""
    func = node.func
    return isinstance(func, cst.Attribute) and func.attr.value == "copy" and not node.args


def literal_key(node: cst.BaseExpression | None) -> str | None:
    """The text of a string literal used as a key (`"lock"`), else None."""
    if not isinstance(node, cst.SimpleString):
        return None
    value = node.evaluated_value  # `"lock"` and `'lock'` are one key
    return repr(value) if isinstance(value, str) else None


def literal_key_text(key: str) -> bool:
    """Is an element's key (see `subscript_key`) a string literal?"""
    return key.startswith(("'", '"'))


def subscript_key(node: cst.Subscript) -> str | None:
    """The key of `c[key]` as written (distinct for expressions other than names and
    literals); None for a slice (`c[1:]` is another container)."""
    if len(node.slice) != 1:
        return None
    index = node.slice[0].slice
    if not isinstance(index, cst.Index) or index.star is not None:
        return None
    return expression_key(index.value)


def expression_key(value: cst.BaseExpression | None) -> str:
    if value is None:
        return f"#{id(value)}"
    if isinstance(value, cst.Name):
        return value.value
    if isinstance(value, cst.SimpleString):
        return literal_key(value) or value.value
    if isinstance(value, cst.Integer):
        return value.value
    return f"#{id(value)}"


def element_call(node: cst.Call) -> tuple[cst.BaseExpression, str] | None:
    """`c.get(k)` / `c.setdefault(k, v)` / `c.pop(k)`: (the container expression, the key)."""
    func = node.func
    if not isinstance(func, cst.Attribute) or func.attr.value not in ELEMENT_METHODS:
        return None
    if any(arg.star or arg.keyword is not None for arg in node.args):
        return None
    key = expression_key(node.args[0].value) if node.args else f"#{id(node)}"
    return func.value, key


@dataclass(frozen=True)
class Iterated:
    """What a loop or a copy goes over: `container`, its `values()` or, for a plain `for x in
    c` (`values` False), whatever iterating it gives: the elements of a list or set, the keys
    of a dict. `second`: the element is the second item of each step (`items()`,
    `enumerate()`)."""

    container: cst.BaseExpression
    values: bool
    second: bool


def iterated(
    node: cst.BaseExpression, resolve: Callable[[cst.BaseExpression], str | None]
) -> Iterated | None:
    """What `for ... in node` or `list(node)` goes over; None when it is not a container's
    elements. `resolve` gives a callee's import-resolved name."""
    second = values = False
    for _ in range(4):
        if not isinstance(node, cst.Call):
            return Iterated(node, values, second)
        func = node.func
        if isinstance(func, cst.Attribute) and is_copy(node):
            node = func.value
            continue
        if isinstance(func, cst.Attribute) and func.attr.value in _VIEWS and not node.args:
            if func.attr.value == "items":
                if second:
                    return None
                second = True
            values = True
            node = func.value
            continue
        name = resolve(func)
        single = len(node.args) == 1 and not node.args[0].star and node.args[0].keyword is None
        if not single or (name not in _COPYING_CALLS and name != "enumerate"):
            return None
        if name == "enumerate":
            if second:
                return None
            second = True
        node = node.args[0].value
    return None
