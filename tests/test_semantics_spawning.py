"""How coroutines are started and waited for (spawning.py), and whether code can finish
(termination.py)."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from asynclint.semantics import spawning
from asynclint.semantics.model import FunctionInfo, ModuleFacts, build_facts
from asynclint.semantics.termination import can_finish, is_infinite, loop_exits
from asynclint.settings import Settings


def facts_for(source: str) -> ModuleFacts:
    return build_facts(cst.parse_module(textwrap.dedent(source)), Settings())


def with_main(header: str, body: str) -> ModuleFacts:
    """The `header` module source plus `async def main(other_task):` with `body` (written at
    indentation zero) as its body."""
    main = "async def main(other_task):\n" + textwrap.indent(body, "    ") + "\n"
    return facts_for(textwrap.dedent(header) + main)


def function(facts: ModuleFacts, qualname: str) -> FunctionInfo:
    return next(f for f in facts.functions if f.qualname == qualname)


def spawns_of(facts: ModuleFacts, qualname: str) -> list[tuple[str, str, bool]]:
    return [
        (s.spawner.qualname, s.how, s.many)
        for s in spawning.spawns(facts).get(function(facts, qualname), [])
    ]


def test_how_coroutines_are_started() -> None:
    facts = facts_for(
        """
        import asyncio
        async def work(n=0):
            pass
        async def main(loop):
            await work()
            await asyncio.gather(work(), work(1))
            await asyncio.gather(*(work(i) for i in range(3)))
            task = asyncio.create_task(work())
            tasks = [asyncio.ensure_future(work()) for _ in range(2)]
            async with asyncio.TaskGroup() as tg:
                tg.create_task(work())
                for _ in range(2):
                    tg.create_task(work())
            loop.create_task(work())
            await asyncio.wait_for(work(), 1)
            coro = work()
        asyncio.run(main(None))
        """
    )
    assert spawns_of(facts, "work") == [
        ("main", spawning.AWAIT, False),
        ("main", spawning.GATHER, False),
        ("main", spawning.GATHER, False),
        ("main", spawning.GATHER, True),
        ("main", spawning.TASK, False),
        ("main", spawning.TASK, True),
        ("main", spawning.TASK_GROUP, False),
        ("main", spawning.TASK_GROUP, True),
        ("main", spawning.TASK, False),
        ("main", spawning.TIMEOUT, False),
        ("main", spawning.OTHER, False),
    ]
    assert spawns_of(facts, "main") == [("<module>", spawning.RUN, False)]


def test_a_create_task_outside_its_task_group_is_a_plain_task() -> None:
    facts = facts_for(
        """
        import asyncio
        async def work():
            pass
        async def main(tg):
            async with asyncio.TaskGroup() as group:
                tg.create_task(work())
        """
    )
    assert spawns_of(facts, "work") == [("main", spawning.TASK, False)]


@pytest.mark.parametrize(
    ("body", "copies"),
    [
        ("await work()", 0),
        ("await asyncio.gather(work())", 1),
        ("await asyncio.gather(work(), work())", 2),
        ("[asyncio.create_task(work()) for _ in range(3)]", 2),
        ("for _ in range(3):\n    await work()", 0),  # one after the other
        ("for _ in range(3):\n    asyncio.create_task(work())", 2),
        ("asyncio.create_task(indirect())\nasyncio.create_task(indirect())", 2),
    ],
)
def test_concurrent_copies(body: str, copies: int) -> None:
    header = """
        import asyncio
        async def work():
            pass
        async def indirect():
            await work()
        """
    facts = with_main(header, body)
    assert spawning.concurrent_copies(facts, function(facts, "work")) == copies


@pytest.mark.parametrize(
    ("body", "waits"),
    [
        ("await work()", True),
        ("await asyncio.gather(work(), other())", True),
        ("asyncio.gather(work())", False),  # not awaited
        ("async with asyncio.TaskGroup() as tg:\n    tg.create_task(work())", True),
        ("t = asyncio.create_task(work())\nawait t", True),
        ("t = asyncio.create_task(work())\nawait asyncio.gather(t, other())", True),
        ("t = asyncio.create_task(work())\nawait asyncio.sleep(1)", False),
        ("t = asyncio.create_task(work())\nawait asyncio.sleep(1)\nt.cancel()", False),
        ("await asyncio.wait_for(work(), 5)", False),
        ("async with asyncio.timeout(5):\n    await work()", False),
        ("await work()\nother_task.cancel()", False),
    ],
)
def test_waits_for(body: str, waits: bool) -> None:
    header = """
        import asyncio
        async def work():
            pass
        async def other():
            pass
        """
    facts = with_main(header, body)
    spawns = spawning.spawns(facts)[function(facts, "work")]
    assert [spawning.waits_for(facts, s) for s in spawns] == [waits]


@pytest.mark.parametrize(
    ("body", "finishes"),
    [
        ("pass", True),
        ("while True:\n        await x()", False),
        ("while True:\n        if await x():\n            break", True),
        ("while True:\n        if await x():\n            return", True),
        ("while True:\n        if await x():\n            raise ValueError", False),
        ("while flag:\n        await x()", True),
        ("async for item in x():\n        pass", True),
    ],
)
def test_can_finish(body: str, finishes: bool) -> None:
    facts = facts_for(f"async def f(flag):\n    {body}\n")
    assert can_finish(function(facts, "f")) is finishes


@pytest.mark.parametrize(
    ("loop", "exits"),
    [
        ("while True:\n    x()", False),
        ("while True:\n    if x():\n        break", True),
        ("while True:\n    return", True),
        ("while True:\n    raise E", True),
        ("while True:\n    sys.exit(1)", True),
        ("while True:\n    for y in z:\n        break", False),  # leaves only the inner loop
        ("while True:\n    for y in z:\n        pass\n    else:\n        break", True),
        ("while True:\n    while True:\n        return", True),
        ("while True:\n    def inner():\n        return 1", False),
        ("while True:\n    f = lambda: 1", False),
    ],
)
def test_loop_exits(loop: str, exits: bool) -> None:
    facts = facts_for(f"import sys\n{loop}\n")
    node = facts.module.body[1]
    assert isinstance(node, cst.While)
    assert is_infinite(node)
    assert loop_exits(facts, node) is exits


@pytest.mark.parametrize(
    ("test", "infinite"), [("True", True), ("1", True), ("0", False), ("x", False)]
)
def test_is_infinite(test: str, infinite: bool) -> None:
    node = cst.parse_statement(f"while {test}:\n    pass\n")
    assert is_infinite(node) is infinite
