"""The semantic layer on its own: object kinds, aliases, parameter binding, the flow model."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from asynclint.semantics import asyncio_api as api
from asynclint.semantics.flow import Interpreter
from asynclint.semantics.model import FunctionInfo, ModuleFacts, build_facts
from asynclint.semantics.obligations import pending_at, unmet_obligations
from asynclint.settings import Settings


def facts_for(source: str) -> ModuleFacts:
    return build_facts(cst.parse_module(textwrap.dedent(source)), Settings())


def function(facts: ModuleFacts, qualname: str) -> FunctionInfo:
    return next(f for f in facts.functions if f.qualname == qualname)


def kinds_of_calls(facts: ModuleFacts, qualname: str) -> dict[str, str | None]:
    """method name -> kind of its receiver, for method calls in one function."""
    return {
        e.method: facts.kind(e.root)
        for e in function(facts, qualname).events
        if e.kind == "call" and e.method
    }


@pytest.mark.parametrize(
    ("imports", "constructor"),
    [
        ("import asyncio", "asyncio.Queue()"),
        ("import asyncio as aio", "aio.Queue()"),
        ("from asyncio import Queue", "Queue()"),
        ("from asyncio import PriorityQueue as PQ", "PQ()"),
        ("import asyncio.queues", "asyncio.queues.LifoQueue()"),
    ],
)
def test_queue_constructors_resolve_through_import_aliases(imports: str, constructor: str) -> None:
    facts = facts_for(
        f"""
        {imports}
        async def main():
            q = {constructor}
            await q.join()
        """
    )
    assert kinds_of_calls(facts, "main")["join"] == api.QUEUE


def test_names_alone_never_decide_the_kind() -> None:
    facts = facts_for(
        """
        import queue
        async def main(writer, queue_):
            q = queue.Queue()
            q.join()
            writer.write(b"x")
        """
    )
    kinds = kinds_of_calls(facts, "main")
    assert kinds["join"] is None
    assert kinds["write"] is None


def test_open_connection_unpacking_and_annotations() -> None:
    facts = facts_for(
        """
        import asyncio
        async def client():
            reader, writer = await asyncio.wait_for(asyncio.open_connection("h", 1), 5)
            writer.write(b"x")
            await reader.read()
        async def annotated(w: asyncio.StreamWriter, r: "object", q: asyncio.Queue[int] | None):
            w.close()
            q.put_nowait(1)
        """
    )
    assert kinds_of_calls(facts, "client") == {
        "wait_for": None,
        "open_connection": None,
        "write": api.WRITER,
        "read": api.READER,
    }
    kinds = kinds_of_calls(facts, "annotated")
    assert kinds["close"] == api.WRITER
    assert kinds["put_nowait"] == api.QUEUE


def test_parameters_are_bound_to_arguments_across_functions() -> None:
    facts = facts_for(
        """
        import asyncio
        async def worker(name, queue):
            item = await queue.get()
        async def main():
            q = asyncio.Queue()
            asyncio.create_task(worker("w", queue=q))
            await q.join()
        """
    )
    worker_get = next(e for e in function(facts, "worker").events if e.method == "get")
    main_join = next(e for e in function(facts, "main").events if e.method == "join")
    assert facts.kind(worker_get.root) == api.QUEUE
    assert worker_get.root == main_join.root


def test_self_attributes_are_shared_between_methods() -> None:
    facts = facts_for(
        """
        import asyncio
        class Pool:
            def __init__(self):
                self._q = asyncio.Queue()
            async def run(self):
                await self._q.get()
        """
    )
    assert kinds_of_calls(facts, "Pool.run")["get"] == api.QUEUE


def test_start_server_callback_parameters_are_streams() -> None:
    facts = facts_for(
        """
        import asyncio
        class Server:
            async def handle(self, r, w):
                w.write(await r.read(10))
            async def serve(self):
                await asyncio.start_server(self.handle, "h", 1)
        """
    )
    assert kinds_of_calls(facts, "Server.handle") == {"write": api.WRITER, "read": api.READER}


def test_process_streams_are_known_through_aliases() -> None:
    facts = facts_for(
        """
        import asyncio
        from asyncio.subprocess import PIPE
        async def run():
            proc = await asyncio.create_subprocess_exec("ls", stdout=PIPE, stdin=PIPE)
            p = proc
            out = p.stdout
            proc.stdin.write(b"x")
            await out.read()
        """
    )
    kinds = kinds_of_calls(facts, "run")
    assert kinds["write"] == api.WRITER
    assert kinds["read"] == api.READER
    create = next(e for e in function(facts, "run").events if e.kind == "create")
    assert create.pipes == frozenset({"stdout", "stdin"})


def test_conflicting_origins_give_no_kind() -> None:
    facts = facts_for(
        """
        import asyncio
        async def main(flag):
            x = asyncio.Queue()
            x = asyncio.Lock()
            await x.acquire()
        """
    )
    assert kinds_of_calls(facts, "main")["acquire"] is None


def test_local_shadowing_and_global_statement() -> None:
    facts = facts_for(
        """
        import asyncio
        q = asyncio.Queue()
        async def uses_global():
            await q.get()
        async def shadows(q):
            await q.get()
        async def declares_global():
            global q
            await q.get()
        """
    )
    assert kinds_of_calls(facts, "uses_global")["get"] == api.QUEUE
    assert kinds_of_calls(facts, "shadows")["get"] is None
    assert kinds_of_calls(facts, "declares_global")["get"] == api.QUEUE


def _unmet(source: str) -> list[int]:
    """Lines of `a()` calls that no `b()` follows on any path in `f`."""
    module = cst.parse_module(textwrap.dedent(source))
    facts = build_facts(module, Settings())
    f = function(facts, "f")

    def opens(event: object) -> object:
        return "k" if getattr(event, "callee", None) == ("name", f.id, "a") else None

    def closes(event: object, key: object) -> bool:
        return getattr(event, "callee", None) == ("name", f.id, "b")

    events = unmet_obligations(f, opens, closes)  # type: ignore[arg-type]
    wrapper = cst.MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(cst.metadata.PositionProvider)
    return [positions[e.node].start.line for e in events]


@pytest.mark.parametrize(
    ("body", "unmet"),
    [
        ("a()\nb()", []),
        ("a()", [2]),
        ("a()\nif x:\n    b()", []),  # some path follows up: not reported
        ("a()\nreturn\nb()", [2]),  # unreachable follow-up
        ("while True:\n    a()\n    c()", [3]),  # back edge, no b ever
        ("for i in x:\n    a()\nb()", []),
        ("try:\n    a()\nfinally:\n    b()", []),
        ("try:\n    a()\nexcept E:\n    return\nb()", []),
        ("try:\n    x()\nexcept E:\n    a()\n    raise", []),  # exception paths do not count
        ("while x:\n    a()\n    if y:\n        break\nelse:\n    b()", []),
        ("match x:\n    case 1:\n        a()\n    case _:\n        pass", [4]),
        ("a()\nmatch x:\n    case 1:\n        return\nb()", []),  # no case taken: b() runs
        ("a()\nmatch x:\n    case _:\n        return\nb()", [2]),  # b() is unreachable
        ("a()\nmatch x:\n    case y:\n        return\nb()", [2]),
        ("a()\nmatch x:\n    case _ if y:\n        return\nb()", []),
        ("a()\nwith c():\n    b()", []),
    ],
)
def test_obligations_follow_every_shape_of_control_flow(body: str, unmet: list[int]) -> None:
    source = "def f():\n" + textwrap.indent(body, "    ") + "\n"
    assert _unmet(source) == unmet


def test_a_match_without_an_irrefutable_case_may_take_none() -> None:
    source = "def f():\n    match x:\n        case 1:\n            return\n{}"
    for last, falls_through in [("", True), ("        case _:\n            return\n", False)]:
        f = function(facts_for(source.format(last)), "f")
        outcome = Interpreter(lambda state, event: state).run(f.body, 0)
        assert bool(outcome.normal) is falls_through


def test_refine_narrows_the_states_of_each_branch() -> None:
    source = "def f():\n    if ok:\n        a()\n    else:\n        return\n"
    f = function(facts_for(source), "f")

    def refine(state: int, condition: cst.BaseExpression, holds: bool) -> int | None:
        assert isinstance(condition, cst.Name) and condition.value == "ok"
        return state + 1 if holds else None  # the else branch cannot be taken

    outcome = Interpreter(lambda state, event: state, refine).run(f.body, 0)
    assert outcome.normal == {1}
    assert outcome.returns == set()


def test_pending_at_reports_open_obligations_on_some_path() -> None:
    module = cst.parse_module("def f():\n    a()\n    if x:\n        b()\n    c()\n")
    facts = build_facts(module, Settings())
    f = function(facts, "f")

    def callee(event: object) -> str:
        ref = getattr(event, "callee", None)
        return str(ref[2]) if ref else ""

    found = pending_at(
        f,
        lambda e: "open" if callee(e) == "a" else None,
        lambda e, key: callee(e) == "b",
        lambda e: callee(e) == "c",
    )
    assert [set(v) for v in found.values()] == [{"open"}]


def test_self_attributes_from_a_closure_inside_a_method() -> None:
    facts = facts_for(
        """
        import asyncio
        class Relay:
            def __init__(self):
                self._q = asyncio.Queue()
            async def run(self):
                async def pump():
                    await self._q.get()
                await pump()
        """
    )
    assert kinds_of_calls(facts, "Relay.run.pump")["get"] == api.QUEUE


def test_with_items_are_entered_and_held_around_the_body() -> None:
    facts = facts_for(
        """
        import asyncio
        lock = asyncio.Lock()
        async def f(other: asyncio.Lock):
            async with lock:
                async with other, asyncio.timeout(1):
                    await asyncio.sleep(0)
        """
    )
    events = function(facts, "f").events
    enters = [e for e in events if e.kind == "enter"]
    assert [facts.kind(e.root) for e in enters] == [api.LOCK, api.LOCK, None]
    assert enters[2].qualname == "asyncio.timeout"
    assert all(e.is_async_with for e in enters)
    sleep = next(e for e in events if e.qualname == "asyncio.sleep")
    assert sleep.held == tuple(enters)


def test_call_roles_say_what_happens_to_the_result() -> None:
    facts = facts_for(
        """
        import asyncio
        async def f():
            asyncio.sleep(1)
            await asyncio.sleep(2)
            t = asyncio.create_task(g())
            return asyncio.ensure_future(g())
        async def g():
            pass
        """
    )
    roles = {
        e.qualname: e.role for e in function(facts, "f").events if e.kind == "call" and e.qualname
    }
    assert roles == {
        "asyncio.sleep": "discarded",  # both sleeps: the awaited one is a statement too
        "asyncio.create_task": "assigned",
        "asyncio.ensure_future": "returned",
    }
    task = next(e for e in function(facts, "f").events if e.qualname == "asyncio.create_task")
    assert task.assigned == ("name", function(facts, "f").id, "t")


def test_handlers_and_asyncio_uses_are_recorded() -> None:
    facts = facts_for(
        """
        import asyncio as aio
        from asyncio import CancelledError
        async def f():
            try:
                await aio.sleep(1)
            except (CancelledError, aio.TimeoutError, ValueError):
                pass
            except:
                raise
        """
    )
    assert [h.caught for h in facts.handlers] == [
        ("asyncio.CancelledError", "asyncio.TimeoutError", "ValueError"),
        (),
    ]
    assert sorted(name for _f, _node, name in facts.asyncio_uses) == [
        "asyncio.CancelledError",
        "asyncio.TimeoutError",
        "asyncio.sleep",
    ]


def test_a_local_name_hides_the_import_it_shadows() -> None:
    facts = facts_for(
        """
        import asyncio
        from time import sleep
        async def f(sleep):
            sleep(1)
        async def g():
            asyncio = make_fake()
            asyncio.sleep(1)
        async def h():
            from time import sleep
            sleep(1)
        """
    )
    names = {
        qualname: [e.qualname for e in function(facts, qualname).events if e.kind == "call"]
        for qualname in ("f", "g", "h")
    }
    assert names == {"f": [None], "g": [None, None], "h": ["time.sleep"]}


def test_a_helpers_stream_is_the_callers_stream() -> None:
    facts = facts_for(
        """
        import asyncio
        from asyncio.subprocess import PIPE
        async def feed(proc, data):
            proc.stdin.write(data)
        async def main():
            proc = await asyncio.create_subprocess_exec("cat", stdin=PIPE)
            await feed(proc, b"x")
            proc.stdin.close()
        """
    )
    write = next(e for e in function(facts, "feed").events if e.method == "write")
    close = next(e for e in function(facts, "main").events if e.method == "close")
    assert facts.kind(write.root) == api.WRITER
    assert write.root == close.root


def test_task_done_skips_are_told_apart() -> None:
    from asynclint.rules.queues.accounting import analyse

    facts = facts_for(
        """
        import asyncio
        async def late(q: asyncio.Queue):
            while True:
                item = await q.get()
                data = parse(item)
                try:
                    await work(data)
                finally:
                    q.task_done()
        async def skipped(q: asyncio.Queue):
            while True:
                item = await q.get()
                if item is None:
                    continue
                try:
                    await work(item)
                finally:
                    q.task_done()
        async def plain(q: asyncio.Queue):
            while True:
                item = await q.get()
                await work(item)
                q.task_done()
        async def covered(q: asyncio.Queue):
            while True:
                item = await q.get()
                try:
                    data = parse(item)
                    if data is None:
                        continue
                    await work(data)
                finally:
                    q.task_done()
        async def main():
            q = asyncio.Queue()
            workers = [
                asyncio.create_task(late(q)),
                asyncio.create_task(skipped(q)),
                asyncio.create_task(plain(q)),
                asyncio.create_task(covered(q)),
            ]
            await q.join()
        """
    )
    found = {(function_of(facts, u.task_done), u.why) for u in analyse(facts).unprotected}
    assert found == {("late", "before try"), ("skipped", "skipped"), ("plain", "no finally")}


def function_of(facts: ModuleFacts, event: object) -> str:
    return next(f.qualname for f in facts.functions if event in f.events)
