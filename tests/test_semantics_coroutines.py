"""Coroutine, task and blocking-call facts: which calls return coroutines, which results are
dropped, which tasks nobody keeps, what blocks the loop, which names hide imports."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from asynclint.rules.tasks.blocking import blocking_calls, busy_waits
from asynclint.rules.tasks.coroutines import (
    allows_nested_loops,
    dropped_tasks,
    is_coroutine_function,
    returns_coroutine,
    runs_event_loop,
    unawaited_coroutines,
)
from asynclint.semantics.expressions import is_shadowed, reads_name
from asynclint.semantics.model import FunctionInfo, ModuleFacts, build_facts
from asynclint.settings import Settings


def facts_for(source: str) -> ModuleFacts:
    return build_facts(cst.parse_module(textwrap.dedent(source)), Settings())


def function(facts: ModuleFacts, qualname: str) -> FunctionInfo:
    return next(f for f in facts.functions if f.qualname == qualname)


def coroutine_calls(source: str, qualname: str = "f") -> list[str]:
    facts = facts_for(source)
    fn = function(facts, qualname)
    found = (returns_coroutine(facts, fn, e) for e in fn.events)
    return [callee for callee in found if callee is not None]


def test_asyncio_coroutine_functions_through_aliases() -> None:
    assert coroutine_calls(
        """
        import asyncio as aio
        from asyncio import sleep, wait_for
        def f(x):
            aio.sleep(1)
            sleep(1)
            wait_for(x, 1)
            aio.gather(x)
            aio.ensure_future(x)
        """
    ) == ["aio.sleep()", "sleep()", "wait_for()"]


def test_coroutine_methods_need_a_known_kind() -> None:
    assert coroutine_calls(
        """
        import asyncio
        def f(q: asyncio.Queue, other, e: asyncio.Event):
            lock = asyncio.Lock()
            q.put(1)
            q.put_nowait(1)
            other.put(1)
            lock.acquire()
            e.wait()
            e.set()
        """
    ) == ["q.put()", "lock.acquire()", "e.wait()"]


def test_module_coroutine_functions() -> None:
    facts = facts_for(
        """
        import contextlib, functools
        async def plain(): pass
        async def generator():
            yield 1
        @contextlib.asynccontextmanager
        async def manager():
            yield
        @functools.wraps(plain)
        async def wrapped(): pass
        class C:
            @staticmethod
            async def static(): pass
            async def nested(self):
                def inner():
                    yield 1
                return inner
        """
    )
    result = {f.qualname: is_coroutine_function(facts, f) for f in facts.functions if f.is_async}
    assert result == {
        "plain": True,
        "generator": False,
        "manager": False,
        "wrapped": True,
        "C.static": True,
        "C.nested": True,
    }


def test_unawaited_coroutines_are_bare_or_assigned_and_unread() -> None:
    facts = facts_for(
        """
        import asyncio
        async def work(): pass
        async def f():
            work()
            a = work()
            b = work()
            await b
            c = work()
            asyncio.create_task(c)
            await work()
            return work()
        class K:
            async def m(self):
                self.n()
            async def n(self): pass
        """
    )
    found = [(u.function.name, u.event.role) for u in unawaited_coroutines(facts)]
    assert found == [("f", "discarded"), ("f", "assigned"), ("m", "discarded")]


def test_names_read_in_nested_scopes_or_declared_outer_count_as_used() -> None:
    facts = facts_for(
        """
        import asyncio
        async def work(): pass
        async def outer():
            coro = work()
            def later():
                return coro
            task = None
            async def inner():
                nonlocal task
                task = asyncio.create_task(work())
            await inner()
            print(task)
        """
    )
    assert unawaited_coroutines(facts) == []
    assert dropped_tasks(facts) == []


def test_dropped_tasks() -> None:
    facts = facts_for(
        """
        import asyncio
        async def work(): pass
        def f(loop: asyncio.AbstractEventLoop, other, fut):
            asyncio.create_task(work())
            t = asyncio.ensure_future(work())
            asyncio.ensure_future(fut)
            loop.create_task(work())
            other.create_task(work())
            asyncio.get_running_loop().create_task(work())
            kept = asyncio.create_task(work())
            return kept
        """
    )
    assert [d.callee for d in dropped_tasks(facts)] == [
        "asyncio.create_task()",
        "asyncio.ensure_future()",
        "loop.create_task()",
        "asyncio.get_running_loop().create_task()",
    ]


def test_runs_event_loop() -> None:
    facts = facts_for(
        """
        import asyncio
        async def f(other, loop: asyncio.AbstractEventLoop):
            asyncio.run(g())
            loop.run_until_complete(g())
            asyncio.new_event_loop().run_forever()
            other.run_until_complete(g())
        async def g(): pass
        """
    )
    fn = function(facts, "f")
    found = [runs_event_loop(facts, fn, e) for e in fn.events]
    assert [x for x in found if x] == [
        "asyncio.run()",
        "loop.run_until_complete()",
        "asyncio.new_event_loop().run_forever()",
    ]
    assert not allows_nested_loops(facts)
    assert allows_nested_loops(facts_for("import nest_asyncio\nasync def f(): pass\n"))


def test_shadowed_imports() -> None:
    facts = facts_for(
        """
        from time import sleep
        import time
        async def param(sleep):
            sleep(1)
        async def own_import():
            import time
            time.sleep(1)
        async def nested():
            def inner(time):
                time.sleep(1)
            time.sleep(1)
        class C:
            sleep = None
            async def m(self):
                sleep(1)
        """
    )
    shadowed = {
        f.qualname: [is_shadowed(f, e.node.func) for e in f.events if isinstance(e.node, cst.Call)]
        for f in facts.functions
        if f.kind == "function"
    }
    assert shadowed == {
        "param": [True],
        "own_import": [False],
        "nested": [False],
        "nested.inner": [True],
        "C.m": [False],
    }


def test_reads_name_ignores_stores_attributes_and_keywords() -> None:
    tree = cst.parse_module(
        textwrap.dedent(
            """
            x = 1
            for x in y: pass
            obj.x = 2
            f(x=3)
            with a as x: pass
            """
        )
    )
    assert not reads_name(tree, "x")
    assert reads_name(cst.parse_module("x = 1\nprint(x)\n"), "x")
    assert reads_name(cst.parse_module("x[0] = 1\n"), "x")
    assert reads_name(cst.parse_module("x += 1\n"), "x")


@pytest.mark.parametrize(
    ("call", "blocking"),
    [
        ("time.sleep(1)", True),
        ("time.sleep(0)", False),
        ("requests.post(u)", True),
        ("urllib.request.urlopen(u)", True),
        ("socket.getaddrinfo(u, 80)", True),
        ("open(u).read()", True),
        ("pathlib.Path(u).read_text()", True),
        ("input()", True),
        ("asyncio.sleep(1)", False),
        ("open(u)", False),
        ("session.get(u)", False),
    ],
)
def test_blocking_calls(call: str, blocking: bool) -> None:
    source = f"""
import asyncio, pathlib, requests, socket, time, urllib.request
async def f(u, session):
    {call}
def g(u):
    {call}
"""
    found = blocking_calls(facts_for(source))
    assert [b.function.name for b in found] == (["f"] if blocking else [])


@pytest.mark.parametrize(
    ("loop", "polls"),
    [
        ("while not self.ready:\n        await asyncio.sleep(0.1)", True),
        ("while self.n < 3 and not self.stop:\n        await asyncio.sleep(1)", True),
        (
            "while True:\n        if self.ready:\n            break\n"
            "        await asyncio.sleep(1)",
            True,
        ),
        ("while not os.path.exists(p):\n        await asyncio.sleep(1)", False),
        ("while not self.ready:\n        await self.step()\n        await asyncio.sleep(1)", False),
        ("while True:\n        await asyncio.sleep(1)", False),
        ("while not self.ready:\n        await asyncio.sleep(1)\n    else:\n        pass", False),
    ],
)
def test_busy_waits(loop: str, polls: bool) -> None:
    source = f"""
import asyncio, os
async def f(self, p):
    {loop}
"""
    assert bool(busy_waits(facts_for(source))) == polls
