"""Calls that hand a callable to other code which calls it later, elsewhere: on a new thread
(`threading.Thread(target=f, args=(q,))`, `threading.Timer(1, f)`), in a thread pool
(`asyncio.to_thread(f, q)`, `loop.run_in_executor(None, f, q)`, `executor.submit(f, q)`).

This module reads one call's syntax and says which expression is the callable and which
expressions become its arguments (`functools.partial(f, q)` is looked through). The model binds
those arguments to the callable's parameters, so a queue passed to a thread function has a
known kind inside it; `threads.py` decides which functions therefore run off the loop thread."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import libcst as cst

from asynclint.semantics.events import RawRef
from asynclint.semantics.expressions import call_argument

# Resolves a dotted name through the module's imports (`functools.partial`), or None.
Qualify = Callable[[cst.BaseExpression], str | None]

# How the callable is run: "thread" (a new threading.Thread / Timer), "to_thread",
# "executor" (loop.run_in_executor), "submit" (Executor.submit: the receiver decides).
THREAD = "thread"
TO_THREAD = "to_thread"
EXECUTOR = "executor"
SUBMIT = "submit"

# Constructors whose callable parameter runs on the new thread: (position, keyword) of the
# callable, of its positional-arguments tuple and of its keyword-arguments dict.
_THREAD_CONSTRUCTORS: dict[str, tuple[tuple[int, str], tuple[int, str], tuple[int, str]]] = {
    "threading.Thread": ((1, "target"), (3, "args"), (4, "kwargs")),
    "threading.Timer": ((1, "function"), (2, "args"), (3, "kwargs")),
}
_PARTIAL = frozenset({"functools.partial"})


@dataclass(frozen=True)
class LaunchSite:
    """A launch as the model records it on the call event (`event.launch`): the
    callable and its arguments as references; the model adds `event.launched`, the
    module's own function that runs, when it can tell which one."""

    how: str
    callable: RawRef
    args: tuple[tuple[int | str, RawRef | None], ...]


@dataclass(frozen=True)
class Launch:
    how: str
    callable: cst.BaseExpression
    # The callable's arguments: (position, value) or (keyword, value), as a call would pass them.
    args: tuple[tuple[int | str, cst.BaseExpression], ...]


def launch_of(call: cst.Call, qualname: str | None, method: str, qualify: Qualify) -> Launch | None:
    """The callable a call hands over, or None."""
    if qualname in _THREAD_CONSTRUCTORS:
        return _thread(call, qualname, qualify)
    if qualname == "asyncio.to_thread":
        how, first = TO_THREAD, 0
    elif method == "run_in_executor" and qualname is None:
        how, first = EXECUTOR, 1
    elif method == "submit" and qualname is None:
        how, first = SUBMIT, 0
    else:
        return None
    head = call.args[: first + 1]
    if len(head) <= first or any(arg.star or arg.keyword is not None for arg in head):
        return None
    return _launch(how, head[first].value, list(call.args[first + 1 :]), qualify)


def _launch(
    how: str, target: cst.BaseExpression, rest: list[cst.Arg], qualify: Qualify
) -> Launch | None:
    args: list[tuple[int | str, cst.BaseExpression]] = []
    position = 0
    # functools.partial(f, a, k=b): f is the callable, its bound arguments come first.
    while isinstance(target, cst.Call) and qualify(target.func) in _PARTIAL and target.args:
        inner = target.args
        if inner[0].keyword is not None or inner[0].star:
            return None
        bound = list(inner[1:])
        target = inner[0].value
        rest = bound + rest
    for arg in rest:
        if arg.star:  # the arguments are not known, but the callable is
            return Launch(how, target, ())
        if arg.keyword is not None:
            args.append((arg.keyword.value, arg.value))
        else:
            args.append((position, arg.value))
            position += 1
    return Launch(how, target, tuple(args))


def _thread(call: cst.Call, qualname: str, qualify: Qualify) -> Launch | None:
    (target_at, target_kw), (args_at, args_kw), (kwargs_at, kwargs_kw) = _THREAD_CONSTRUCTORS[
        qualname
    ]
    target = call_argument(call, target_at, target_kw)
    if target is None:
        return None
    if any(arg.star for arg in call.args):
        return Launch(THREAD, _unwrapped(target, qualify), ())
    rest: list[cst.Arg] = []
    tuple_ = call_argument(call, args_at, args_kw)
    if tuple_ is not None:
        starred = any(isinstance(e, cst.StarredElement) for e in getattr(tuple_, "elements", ()))
        if not isinstance(tuple_, (cst.Tuple, cst.List)) or starred:
            return Launch(THREAD, _unwrapped(target, qualify), ())
        rest.extend(cst.Arg(element.value) for element in tuple_.elements)
    mapping = call_argument(call, kwargs_at, kwargs_kw)
    if isinstance(mapping, cst.Dict):
        for element in mapping.elements:
            if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString):
                keyword = element.key.evaluated_value
                if isinstance(keyword, str) and keyword.isidentifier():
                    rest.append(cst.Arg(element.value, keyword=cst.Name(keyword)))
    return _launch(THREAD, target, rest, qualify)


def _unwrapped(target: cst.BaseExpression, qualify: Qualify) -> cst.BaseExpression:
    while isinstance(target, cst.Call) and qualify(target.func) in _PARTIAL and target.args:
        target = target.args[0].value
    return target
