"""Which functions run off the event loop's thread: launches recognized in the syntax
(launch.py), their arguments bound to parameters by the model, and the closure over the
functions such code calls (threads.py)."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from asynclint.semantics import asyncio_api as api
from asynclint.semantics.launch import EXECUTOR, SUBMIT, THREAD, TO_THREAD, launch_of
from asynclint.semantics.model import ModuleFacts, build_facts
from asynclint.semantics.threads import bound_launches, off_loop_functions
from asynclint.settings import Settings


def facts_for(source: str) -> ModuleFacts:
    return build_facts(cst.parse_module(textwrap.dedent(source)), Settings())


def off_loop(source: str) -> set[str]:
    return {function.qualname for function in off_loop_functions(facts_for(source))}


def receiver_kinds(facts: ModuleFacts, qualname: str) -> dict[str, str | None]:
    function = next(f for f in facts.functions if f.qualname == qualname)
    return {e.method: facts.kind(e.root) for e in function.events if e.kind == "call"}


def _qualify(node: cst.BaseExpression) -> str | None:
    names = {"partial": "functools.partial", "functools": "functools"}
    if isinstance(node, cst.Name):
        return names.get(node.value)
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
        base = names.get(node.value.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def _launch(call: str, qualname: str | None, method: str = "") -> tuple[str, str, list[object]]:
    node = cst.parse_expression(call)
    assert isinstance(node, cst.Call)
    launch = launch_of(node, qualname, method, _qualify)
    assert launch is not None
    module = cst.Module([])
    args = [(key, module.code_for_node(value)) for key, value in launch.args]
    return launch.how, module.code_for_node(launch.callable), args


@pytest.mark.parametrize(
    ("call", "qualname", "method", "expected"),
    [
        (
            "Thread(target=f, args=(q, 1))",
            "threading.Thread",
            "",
            (THREAD, "f", [(0, "q"), (1, "1")]),
        ),
        ("Thread(None, f, 'n', [q])", "threading.Thread", "", (THREAD, "f", [(0, "q")])),
        (
            "Thread(target=f, kwargs={'queue': q})",
            "threading.Thread",
            "",
            (THREAD, "f", [("queue", "q")]),
        ),
        ("Timer(1.0, f, args=(q,))", "threading.Timer", "", (THREAD, "f", [(0, "q")])),
        ("to_thread(f, q, x=1)", "asyncio.to_thread", "", (TO_THREAD, "f", [(0, "q"), ("x", "1")])),
        ("loop.run_in_executor(None, f, q)", None, "run_in_executor", (EXECUTOR, "f", [(0, "q")])),
        (
            "pool.submit(partial(f, q), 2)",
            None,
            "submit",
            (SUBMIT, "f", [(0, "q"), (1, "2")]),
        ),
        (
            "loop.run_in_executor(None, functools.partial(f, q, k=3))",
            None,
            "run_in_executor",
            (EXECUTOR, "f", [(0, "q"), ("k", "3")]),
        ),
        # Arguments that cannot be matched to parameters: the callable is still known.
        ("Thread(target=f, args=argv)", "threading.Thread", "", (THREAD, "f", [])),
        ("Thread(target=f, args=(*xs, q))", "threading.Thread", "", (THREAD, "f", [])),
        ("to_thread(f, *xs)", "asyncio.to_thread", "", (TO_THREAD, "f", [])),
    ],
)
def test_launch_of_finds_the_callable_and_its_arguments(
    call: str, qualname: str | None, method: str, expected: tuple[str, str, list[object]]
) -> None:
    assert _launch(call, qualname, method) == expected


@pytest.mark.parametrize(
    ("call", "qualname", "method"),
    [
        ("Thread()", "threading.Thread", ""),  # no target
        ("loop.run_in_executor(None)", None, "run_in_executor"),
        ("asyncio.to_thread()", "asyncio.to_thread", ""),
        ("executor.submit(*calls)", None, "submit"),
        ("something.run(f)", None, "run"),
        ("mod.submit(f)", "mod.submit", "submit"),  # an imported function, not a method
    ],
)
def test_launch_of_ignores_other_calls(call: str, qualname: str | None, method: str) -> None:
    node = cst.parse_expression(call)
    assert isinstance(node, cst.Call)
    assert launch_of(node, qualname, method, _qualify) is None


def test_thread_arguments_are_bound_to_the_target_parameters() -> None:
    facts = facts_for(
        """
        import asyncio, threading, functools
        def work(q, fut, loop):
            q.put_nowait(1)
            fut.set_result(2)
            loop.call_soon(print)
        async def main():
            loop = asyncio.get_running_loop()
            q = asyncio.Queue()
            fut = loop.create_future()
            threading.Thread(target=work, args=(q,), kwargs={"fut": fut, "loop": loop}).start()
        """
    )
    assert receiver_kinds(facts, "work") == {
        "put_nowait": api.QUEUE,
        "set_result": api.FUTURE,
        "call_soon": api.LOOP,
    }


def test_partial_and_executor_arguments_are_bound() -> None:
    facts = facts_for(
        """
        import asyncio, functools
        def work(q, item):
            q.put_nowait(item)
        async def main():
            loop = asyncio.get_running_loop()
            q = asyncio.Queue()
            await loop.run_in_executor(None, functools.partial(work, q), 1)
        """
    )
    assert receiver_kinds(facts, "work") == {"put_nowait": api.QUEUE}


def test_loop_products_and_executors_get_kinds() -> None:
    facts = facts_for(
        """
        import asyncio
        from concurrent.futures import ThreadPoolExecutor
        async def main(unknown):
            loop = asyncio.get_running_loop()
            fut = loop.create_future()
            task = loop.create_task(main(None))
            other = unknown.create_future()
            with ThreadPoolExecutor() as pool:
                pool.submit(print)
            fut.done()
            task.done()
            other.done()
        """
    )
    function = next(f for f in facts.functions if f.qualname == "main")
    kinds = [
        (e.method, facts.kind(e.root)) for e in function.events if e.method in ("done", "submit")
    ]
    assert kinds == [
        ("submit", api.EXECUTOR),
        ("done", api.FUTURE),
        ("done", api.TASK),
        ("done", None),
    ]


def test_off_loop_functions_follow_launches_and_calls() -> None:
    assert off_loop(
        """
        import asyncio, threading
        from concurrent.futures import ThreadPoolExecutor
        def helper():
            pass
        def target():
            helper()
        def in_pool():
            pass
        def in_executor():
            pass
        def submitted():
            pass
        def on_loop():
            helper()
        class Worker(threading.Thread):
            def run(self):
                pass
        class NotAThread:
            def run(self):
                pass
        async def coroutine():
            pass
        async def main(loop, unknown_pool):
            threading.Thread(target=target).start()
            await asyncio.to_thread(in_pool)
            await loop.run_in_executor(None, in_executor)
            with ThreadPoolExecutor() as pool:
                pool.submit(submitted)
            unknown_pool.submit(on_loop)
            await asyncio.to_thread(coroutine)
            on_loop()
        """
    ) == {"target", "helper", "in_pool", "in_executor", "submitted", "Worker.run"}


def test_functions_running_their_own_loop_are_left_out() -> None:
    assert off_loop(
        """
        import asyncio, threading
        def uses_loop_object():
            pass
        def runs_loop():
            asyncio.run(main())
            uses_loop_object()
        def runs_by_hand():
            loop = asyncio.new_event_loop()
            loop.run_until_complete(main())
        def plain():
            pass
        async def main():
            threading.Thread(target=runs_loop).start()
            threading.Thread(target=runs_by_hand).start()
            threading.Thread(target=plain).start()
        """
    ) == {"plain"}


def test_bound_methods_handed_to_threads() -> None:
    facts = facts_for(
        """
        import asyncio, threading
        async def main(unknown):
            event = asyncio.Event()
            loop = asyncio.get_running_loop()
            threading.Timer(1, event.set).start()
            threading.Timer(1, unknown.set).start()
            threading.Timer(1, loop.call_soon_threadsafe, args=(event.set,)).start()
            loop.call_soon(event.set)
        """
    )
    found = [(b.method, facts.kind(b.receiver)) for b in bound_launches(facts)]
    assert found == [("set", api.EVENT), ("set", None), ("call_soon_threadsafe", api.LOOP)]
