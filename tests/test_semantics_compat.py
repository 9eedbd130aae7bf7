"""Version facts: asyncio names the target lacks (and the code that guards them), and the
`loop=` argument removed in 3.10 with the edit that drops it."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from asynclint.rules.cancellation.compat import (
    describe_missing,
    missing_names,
    outermost_call,
    removed_loop_arguments,
    without_argument,
    without_loop_arguments,
)
from asynclint.semantics.model import ModuleFacts, build_facts
from asynclint.settings import Settings


def facts_for(source: str, target: tuple[int, int] = (3, 10)) -> ModuleFacts:
    return build_facts(cst.parse_module(textwrap.dedent(source)), Settings(target_version=target))


def missing(source: str, target: tuple[int, int] = (3, 10)) -> list[str]:
    return [m.written for m in missing_names(facts_for(source, target))]


def test_missing_names_through_aliases_and_imports() -> None:
    source = """
    import asyncio as aio
    from asyncio import TaskGroup, Queue
    from asyncio.taskgroups import TaskGroup as TG
    async def f():
        aio.timeout(1)
        aio.to_thread(print)
        aio._private_helper()
        aio.QueueShutdown
    """
    assert missing(source, (3, 10)) == [
        "asyncio.TaskGroup",
        "asyncio.taskgroups.TaskGroup",
        "aio.timeout",
        "aio.QueueShutdown",
    ]
    assert missing(source, (3, 11)) == ["aio.QueueShutdown"]
    assert "aio.to_thread" in missing(source, (3, 8))


def test_removed_names_depend_on_the_target() -> None:
    source = "import asyncio\n@asyncio.coroutine\ndef f():\n    yield\n"
    assert missing(source, (3, 10)) == []
    assert missing(source, (3, 11)) == ["asyncio.coroutine"]


@pytest.mark.parametrize(
    "guarded",
    [
        "if sys.version_info >= (3, 11):\n    x = asyncio.timeout",
        "if sys.version_info < (3, 11):\n    x = None\nelse:\n    x = asyncio.timeout",
        "x = asyncio.timeout if sys.version_info >= (3, 11) else None",
        "if hasattr(asyncio, 'timeout'):\n    x = asyncio.timeout",
        "try:\n    from asyncio import timeout\nexcept ImportError:\n    timeout = None",
        "try:\n    x = asyncio.timeout\nexcept AttributeError:\n    x = None",
        "if TYPE_CHECKING:\n    from asyncio import timeout",
        "PY311 = sys.version_info >= (3, 11)\nif PY311:\n    x = asyncio.timeout",
        "from compat import PY_311\nif PY_311:\n    x = asyncio.timeout",
        "def f():\n    if sys.version_info < (3, 11):\n        return None\n"
        "    return asyncio.timeout",
        "@pytest.mark.skipif(sys.version_info < (3, 11), reason='new')\ndef test():\n"
        "    return asyncio.timeout",
    ],
)
def test_version_aware_code_is_left_alone(guarded: str) -> None:
    source = "import asyncio, sys, pytest\nfrom typing import TYPE_CHECKING\n" + guarded + "\n"
    assert missing(source) == []


def test_an_unrelated_guard_does_not_protect() -> None:
    source = """
    import asyncio, os
    if os.name == "posix":
        x = asyncio.timeout
    try:
        y = asyncio.TaskGroup
    except ValueError:
        pass
    """
    assert missing(source) == ["asyncio.timeout", "asyncio.TaskGroup"]


def test_describe_missing() -> None:
    assert describe_missing("TaskGroup", (3, 10)) == (
        "is new in Python 3.11; the target version 3.10 lacks it"
    )
    assert describe_missing("coroutine", (3, 12)) == (
        "was removed in Python 3.11; the target version is 3.12"
    )
    assert describe_missing("QueueShutdown", (3, 12)) == (
        "does not exist in any Python version; did you mean `asyncio.QueueShutDown` (new in 3.13)?"
    )
    assert describe_missing("QueueShutdown", (3, 13)).endswith("`asyncio.QueueShutDown`?")
    assert describe_missing("nonsense_name", (3, 12)) == "does not exist in any Python version"


LOOP_SOURCE = """
import asyncio
from asyncio import Queue
class Thing:
    def __init__(self, loop):
        pass
def f(loop):
    asyncio.sleep(1, loop=loop)
    Queue(loop=loop)
    asyncio.Future(loop=loop)
    asyncio.ensure_future(g(), loop=loop)
    Thing(loop=loop)
async def g(): pass
"""


def test_removed_loop_arguments_depend_on_the_target() -> None:
    found = removed_loop_arguments(facts_for(LOOP_SOURCE, (3, 10)))
    assert [f.event.qualname for f in found] == ["asyncio.sleep", "asyncio.Queue"]
    assert removed_loop_arguments(facts_for(LOOP_SOURCE, (3, 9))) == []


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("f(a, loop=loop)", "f(a)"),
        ("f(loop=loop, a=1)", "f(a=1)"),
        ("f(a, loop=l, b=2)", "f(a, b=2)"),
        ("f(loop=l)", "f()"),
        ("f(a, loop=loop,)", "f(a,)"),
        ("f(\n    a,  # keep\n    loop=loop,  # drop\n)", "f(\n    a,  # keep\n)"),
        ("f(\n    a,\n    loop=loop\n)", "f(\n    a\n)"),
        ("f(\n    loop=loop,\n    maxsize=10,\n)", "f(\n    maxsize=10,\n)"),
    ],
)
def test_without_argument_keeps_the_layout(before: str, after: str) -> None:
    module = cst.parse_module(before + "\n")
    statement = module.body[0]
    assert isinstance(statement, cst.SimpleStatementLine)
    expression = statement.body[0]
    assert isinstance(expression, cst.Expr) and isinstance(expression.value, cst.Call)
    call = expression.value
    arg = next(a for a in call.args if a.keyword is not None and a.keyword.value == "loop")
    assert module.code_for_node(without_argument(call, arg)) == after


def test_nested_calls_are_fixed_by_one_edit_of_the_outer_call() -> None:
    facts = facts_for(
        """
        import asyncio
        async def f(loop):
            await asyncio.wait_for(asyncio.open_connection("h", 1, loop=loop), 5, loop=loop)
        """
    )
    every = removed_loop_arguments(facts)
    assert len(every) == 2
    outer = {id(outermost_call(found, every)) for found in every}
    assert len(outer) == 1
    call = outermost_call(every[0], every)
    fixed = facts.module.code_for_node(without_loop_arguments(call, every))
    assert fixed == 'asyncio.wait_for(asyncio.open_connection("h", 1), 5)'
