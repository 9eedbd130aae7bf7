"""Queue misuse facts (queue_misuse.py) and the syntax guards they use (guards.py)."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from asynclint.engine import check_source
from asynclint.rules.queues import misuse as qm
from asynclint.semantics.guards import ancestors, subtree, version_guarded
from asynclint.semantics.model import ModuleFacts, build_facts
from asynclint.settings import Settings


def facts_for(source: str) -> ModuleFacts:
    return build_facts(cst.parse_module(textwrap.dedent(source)), Settings())


# -- guards -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "guarded"),
    [
        ("q.shutdown()", False),
        ("if sys.version_info >= (3, 13):\n    q.shutdown()", True),
        ("if sys.version_info >= (3, 13, 0):\n    q.shutdown()", True),
        ("if sys.version_info > (3, 12):\n    pass\nelse:\n    q.shutdown()", False),
        ("if sys.version_info >= (3, 12):\n    q.shutdown()", False),
        ("if sys.version_info < (3, 13):\n    pass\nelse:\n    q.shutdown()", True),
        ("if not sys.version_info >= (3, 13):\n    pass\nelse:\n    q.shutdown()", True),
        ("if ready and sys.version_info >= (3, 13):\n    q.shutdown()", True),
        ("if sys.version_info < (3, 13):\n    return\nq.shutdown()", True),
        ("if sys.version_info < (3, 13):\n    pass\nq.shutdown()", False),
        ("if hasattr(q, 'shutdown'):\n    q.shutdown()", True),
        ("if hasattr(q, 'close'):\n    q.shutdown()", False),
        ("try:\n    q.shutdown()\nexcept AttributeError:\n    pass", True),
        ("try:\n    q.shutdown()\nexcept (ValueError, AttributeError):\n    pass", True),
        ("try:\n    q.shutdown()\nexcept ValueError:\n    pass", False),
        ("try:\n    pass\nexcept AttributeError:\n    q.shutdown()", False),
    ],
)
def test_version_guarded(source: str, guarded: bool) -> None:
    module = cst.parse_module("import sys\ndef f(q, ready):\n" + textwrap.indent(source, "    "))
    call = next(
        node
        for node in _walk(module)
        if isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "shutdown"
    )
    assert version_guarded(module, call, (3, 13), "shutdown") is guarded


def _walk(node: cst.CSTNode) -> list[cst.CSTNode]:
    return list(subtree(node, nested_scopes=True))


def test_ancestors() -> None:
    module = cst.parse_module("def f():\n    if x:\n        y()\n")
    call = next(node for node in _walk(module) if isinstance(node, cst.Call))
    path = ancestors(module, call)
    assert path is not None
    assert [type(node).__name__ for node in path][:4] == [
        "Module",
        "FunctionDef",
        "IndentedBlock",
        "If",
    ]
    assert ancestors(cst.parse_module("z()\n"), call) is None


# -- AIO105 at different target versions ------------------------------------------------------

SHUTDOWN = """
import asyncio
async def stop():
    q = asyncio.Queue()
    q.shutdown()
"""


@pytest.mark.parametrize(
    ("target", "count"), [((3, 10), 1), ((3, 12), 1), ((3, 13), 0), ((3, 14), 0)]
)
def test_shutdown_depends_on_the_target_version(target: tuple[int, int], count: int) -> None:
    settings = Settings(select=("AIO105",), target_version=target)
    result = check_source(SHUTDOWN, "x.py", settings)
    assert len([d for d in result.diagnostics if d.code == "AIO105"]) == count
    if count:
        assert f"on {target[0]}.{target[1]}" in result.diagnostics[0].message


# -- AIO109 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("imports", "expected"),
    [
        ("import asyncio", "asyncio.QueueEmpty"),
        ("import asyncio as aio", "aio.QueueEmpty"),
        ("from asyncio import QueueEmpty", "QueueEmpty"),
        ("from asyncio import QueueEmpty as Drained\nimport asyncio", "Drained"),
        ("from asyncio import Queue", None),
        ("import asyncio.queues", "asyncio.QueueEmpty"),  # binds the name `asyncio`
    ],
)
def test_asyncio_alias(imports: str, expected: str | None) -> None:
    facts = facts_for(imports + "\nasync def f(): pass\n")
    assert qm.asyncio_alias(facts, "QueueEmpty") == expected


def test_wrong_exception_knows_when_the_stdlib_exception_may_still_be_raised() -> None:
    facts = facts_for(
        """
        import asyncio, queue
        def helper():
            pass
        async def only_asyncio(q: asyncio.Queue):
            try:
                q.get_nowait()
            except queue.Empty:
                pass
        async def with_thread_queue(q: asyncio.Queue, t: queue.Queue):
            try:
                t.get(timeout=1)
                q.get_nowait()
            except queue.Empty:
                pass
        async def with_helper(q: asyncio.Queue):
            try:
                helper()
                q.get_nowait()
            except queue.Empty:
                pass
        async def full(q: asyncio.Queue):
            try:
                q.put_nowait(1)
            except queue.Full:
                pass
        """
    )
    found = [
        (w.handler.function.name, w.stdlib_name, w.asyncio_name, w.only_asyncio)
        for w in qm.wrong_exception_handlers(facts)
    ]
    assert found == [
        ("only_asyncio", "queue.Empty", "QueueEmpty", True),
        ("with_thread_queue", "queue.Empty", "QueueEmpty", False),
        ("with_helper", "queue.Empty", "QueueEmpty", False),
        ("full", "queue.Full", "QueueFull", True),
    ]


def test_wrong_exception_fix_spelling() -> None:
    source = textwrap.dedent(
        """
        import asyncio as aio
        import queue
        async def f(q: aio.Queue, t: queue.Queue):
            try:
                q.get_nowait()
            except queue.Empty:
                pass
            try:
                t.get_nowait()
                q.get_nowait()
            except (queue.Empty, KeyError):
                pass
        """
    )
    result = check_source(source, "x.py", Settings(select=("AIO109",)), fix=True)
    assert result.fixed_text is not None
    assert "except aio.QueueEmpty:" in result.fixed_text
    assert "except (queue.Empty, aio.QueueEmpty, KeyError):" in result.fixed_text


def test_wrong_exception_without_an_asyncio_name_has_no_fix() -> None:
    source = textwrap.dedent(
        """
        from asyncio import Queue
        from queue import Empty
        async def f():
            q = Queue()
            try:
                q.get_nowait()
            except Empty:
                pass
        """
    )
    result = check_source(source, "x.py", Settings(select=("AIO109",)), fix=True)
    assert [d.code for d in result.diagnostics] == ["AIO109"]
    assert result.diagnostics[0].fix is None


# -- AIO107 -----------------------------------------------------------------------------------


def test_priority_queue_is_known_from_constructors_and_annotations() -> None:
    facts = facts_for(
        """
        import asyncio
        from asyncio import PriorityQueue as PQ
        async def f(a: asyncio.PriorityQueue, b: "asyncio.PriorityQueue", c: asyncio.Queue):
            d = PQ()
            e = asyncio.LifoQueue()
            for q in (a, b, c, d, e):
                pass
            a.qsize(); c.qsize(); d.qsize(); e.qsize()
        """
    )
    function = next(f for f in facts.functions if f.name == "f")
    sizes = [e.root for e in function.events if e.method == "qsize"]
    assert [qm.is_priority_queue(facts, root) for root in sizes] == [True, False, True, False]


@pytest.mark.parametrize(
    ("payload", "what"),
    [
        ("{'a': 1}", "a dict"),
        ("{k: 1 for k in x}", "a dict"),
        ("dict(a=1)", "a dict"),
        ("meta", "a dict"),
        ("Plain()", "a `Plain` instance"),
        ("Data()", "a `Data` instance"),
        ("Ordered()", None),
        ("Compared()", None),
        ("Derived()", None),
        ("Decorated()", None),
        ("[1, 2]", None),
        ("'text'", None),
        ("other", None),
        ("maybe", None),
    ],
)
def test_unorderable_payloads(payload: str, what: str | None) -> None:
    facts = facts_for(
        f"""
        import asyncio
        import functools
        from dataclasses import dataclass
        class Plain:
            pass
        @dataclass
        class Data:
            x: int = 0
        @dataclass(order=True)
        class Ordered:
            x: int = 0
        class Compared:
            def __lt__(self, other):
                return False
        class Derived(Compared):
            pass
        @functools.total_ordering
        class Decorated:
            pass
        async def put(q: asyncio.PriorityQueue, x, other, flag):
            meta = {{"a": 1}}
            maybe = {{}} if flag else 1
            if flag:
                maybe = 2
            await q.put((1, {payload}))
        """
    )
    assert [item.what for item in qm.unorderable_items(facts)] == ([what] if what else [])


# -- AIO106 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("guard", "flagged"),
    [
        ("while not q.empty():", True),
        ("while q.qsize():", True),
        ("while q.qsize() > 0:", True),
        ("while q.qsize() != 0:", True),
        ("while q.qsize() >= 1:", True),
        ("while running and not q.empty():", True),
        ("while q.empty():", False),
        ("while q.qsize() == 0:", False),
        ("while not q.qsize():", False),
        ("while q.qsize() > 1:", False),
        ("while running:", False),
    ],
)
def test_stale_check_polarity(guard: str, flagged: bool) -> None:
    facts = facts_for(
        f"""
        import asyncio
        async def consume(q: asyncio.Queue, running):
            {guard}
                await asyncio.sleep(0)
                await q.get()
        """
    )
    assert bool(qm.stale_empty_checks(facts)) is flagged


def test_rest_of_block_after_an_empty_test_that_leaves() -> None:
    facts = facts_for(
        """
        import asyncio
        async def consume(q: asyncio.Queue):
            while True:
                if q.empty():
                    break
                await asyncio.sleep(0)
                await q.get()
        async def tested_again(q: asyncio.Queue):
            while True:
                if q.empty():
                    break
                await asyncio.sleep(0)
                if q.empty():
                    continue
                await q.get()
        """
    )
    assert [s.get.node for s in qm.stale_empty_checks(facts)] == [
        e.node
        for f in facts.functions
        if f.name == "consume"
        for e in f.events
        if e.method == "get"
    ]


def test_suspensions_that_make_a_check_stale() -> None:
    facts = facts_for(
        """
        import asyncio
        async def awaited_call(q: asyncio.Queue):
            if not q.empty():
                await asyncio.sleep(0)
                await q.get()
        async def async_with(q: asyncio.Queue, lock: asyncio.Lock):
            if not q.empty():
                async with lock:
                    await q.get()
        async def async_for(q: asyncio.Queue, stream):
            if not q.empty():
                async for _ in stream:
                    pass
                await q.get()
        async def plain_call(q: asyncio.Queue):
            if not q.empty():
                print("taking one")
                await q.get()
        async def second_get(q: asyncio.Queue):
            if not q.empty():
                await q.get()
                await asyncio.sleep(0)
                await q.get()
        """
    )
    stale = {s.get.stmt for s in qm.stale_empty_checks(facts)}
    names = {f.name for f in facts.functions for e in f.events if e.stmt in stale}
    assert names == {"awaited_call", "async_with", "async_for"}


def test_concurrent_consumers_counts_every_getter() -> None:
    facts = facts_for(
        """
        import asyncio
        async def a(q):
            await q.get()
        async def b(q):
            q.get_nowait()
        async def alone(q):
            await q.get()
        async def main():
            q = asyncio.Queue()
            p = asyncio.Queue()
            asyncio.create_task(a(q))
            asyncio.create_task(b(q))
            asyncio.create_task(alone(p))
        """
    )
    main = next(f for f in facts.functions if f.name == "main")
    escaped = [e.root for e in main.events if e.kind == "escape"]
    q, p = escaped[0], escaped[2]
    assert qm.concurrent_consumers(facts, q) == 2
    assert qm.concurrent_consumers(facts, p) == 1


# -- AIO110 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("constructor", "loop", "flagged"),
    [
        ("asyncio.Queue(3)", "for i in range(3):", False),
        ("asyncio.Queue(3)", "for i in range(4):", True),
        ("asyncio.Queue(maxsize=3)", "for i in [1, 2, 3, 4]:", True),
        ("asyncio.Queue(maxsize=3)", "for i in (1, 2):", False),
        ("asyncio.Queue(maxsize=3)", "for i in items:", True),
        ("asyncio.Queue(maxsize=3)", "while True:", True),
        ("asyncio.Queue(maxsize=0)", "for i in items:", False),
        ("asyncio.Queue(maxsize=size)", "for i in items:", False),
        ("asyncio.Queue()", "for i in items:", False),
    ],
)
def test_self_deadlock_counts(constructor: str, loop: str, flagged: bool) -> None:
    facts = facts_for(
        f"""
        import asyncio
        async def fill(items, size):
            q = {constructor}
            {loop}
                await q.put(1)
            await asyncio.gather(consume(q))
        async def consume(q):
            pass
        """
    )
    assert bool(qm.self_deadlocking_puts(facts)) is flagged


@pytest.mark.parametrize(
    "escape",
    [
        "self_queue = q",  # aliased: another name may reach a consumer
        "holder.append(q)",  # passed as an argument before the puts: a consumer may exist
        "asyncio.get_running_loop().call_soon(q.get_nowait)",  # a callback that consumes
        "callback = lambda: q.get_nowait()",  # captured by a nested function
    ],
)
def test_self_deadlock_stays_silent_when_the_queue_may_reach_a_consumer(escape: str) -> None:
    facts = facts_for(
        f"""
        import asyncio
        async def fill(items, holder):
            q = asyncio.Queue(1)
            {escape}
            for item in items:
                await q.put(item)
        """
    )
    assert qm.self_deadlocking_puts(facts) == []


@pytest.mark.parametrize(
    "get",
    [
        "await asyncio.wait_for(q.get(), 1)",
        "await asyncio.wait_for(q.get(), timeout=1)",
    ],
)
def test_a_get_with_a_timeout_cannot_block_for_ever(get: str) -> None:
    facts = facts_for(
        f"""
        import asyncio
        async def consume(q: asyncio.Queue):
            while not q.empty():
                await asyncio.sleep(0)
                {get}
            while not q.empty():
                await asyncio.sleep(0)
                async with asyncio.timeout(1):
                    await q.get()
        """
    )
    assert qm.stale_empty_checks(facts) == []
