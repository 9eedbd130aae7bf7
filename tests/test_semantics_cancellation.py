"""Cancellation and timeout facts: which catches swallow a cancellation and where that harms,
and which `except TimeoutError` clauses miss asyncio's timeout before 3.11."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from asynclint.semantics.cancellation import (
    cancellation_catches,
    catches_cancellation,
    swallowed_cancellations,
    timeout_mismatches,
)
from asynclint.semantics.model import ModuleFacts, build_facts
from asynclint.settings import Settings


def facts_for(source: str, target: tuple[int, int] = (3, 10)) -> ModuleFacts:
    return build_facts(cst.parse_module(textwrap.dedent(source)), Settings(target_version=target))


def swallowed(source: str) -> list[tuple[str, bool]]:
    """(function name, goes on) for each swallowed cancellation."""
    return [(s.catch.function.name, s.goes_on) for s in swallowed_cancellations(facts_for(source))]


@pytest.mark.parametrize(
    ("caught", "expected"),
    [
        (("asyncio.CancelledError",), "asyncio.CancelledError"),
        (("ValueError", "asyncio.CancelledError"), "asyncio.CancelledError"),
        (("BaseException",), "BaseException"),
        ((), "a bare except"),
        (("Exception",), None),
        (("concurrent.futures.CancelledError",), None),
        ((None,), None),
    ],
)
def test_catches_cancellation(caught: tuple[str | None, ...], expected: str | None) -> None:
    assert catches_cancellation(caught) == expected


def test_catches_resolve_imports_and_find_suppress() -> None:
    facts = facts_for(
        """
        import asyncio
        from asyncio import exceptions
        from contextlib import suppress
        async def f(x):
            try:
                await x
            except exceptions.CancelledError:
                pass
            with suppress(asyncio.CancelledError):
                await x
            try:
                await x
            except ValueError:
                pass
        def g(x):
            try:
                x()
            except asyncio.CancelledError:
                pass
        """
    )
    catches = cancellation_catches(facts)
    assert [type(c.node).__name__ for c in catches] == ["ExceptHandler", "Call"]
    assert all(c.function.name == "f" for c in catches)


def test_catch_all_counts_only_where_asyncio_is_used() -> None:
    body = """
        async def loop(step):
            while True:
                try:
                    await step()
                except BaseException:
                    pass
    """
    assert swallowed(body) == []  # trio code, say: its cancellation is another class
    assert swallowed("import asyncio\n" + textwrap.dedent(body)) == [("loop", True)]


def test_handler_in_a_loop_that_runs_again_goes_on() -> None:
    assert swallowed(
        """
        import asyncio
        async def worker(q):
            while True:
                try:
                    await q.get()
                except asyncio.CancelledError:
                    continue
        """
    ) == [("worker", True)]


def test_await_after_the_try_goes_on() -> None:
    assert swallowed(
        """
        import asyncio
        async def read(r):
            try:
                await r.read()
            except asyncio.CancelledError:
                pass
            await r.close()
        """
    ) == [("read", True)]


def test_break_then_the_end_of_the_function_ends_quietly() -> None:
    source = """
        import asyncio
        async def heartbeat(conn):
            while True:
                try:
                    await conn.ping()
                except asyncio.CancelledError:
                    break
            print("stopped")
        async def main(conn):
            task = asyncio.create_task(heartbeat(conn))
            task.cancel()
    """
    assert swallowed(source) == []
    # ... unless something follows the loop that awaits
    assert swallowed(source.replace('print("stopped")', "await conn.close()")) == [
        ("heartbeat", True)
    ]


@pytest.mark.parametrize(
    "caller",
    [
        "await fetch(s)",
        "await asyncio.gather(fetch(s), fetch(s))",
        "await asyncio.wait_for(fetch(s), 1)",
        "return fetch(s)",
        "coro = fetch(s)\n    await coro",
    ],
)
def test_quiet_end_is_harmful_when_a_caller_awaits_it(caller: str) -> None:
    source = f"""
import asyncio
async def fetch(s):
    try:
        return await s.get()
    except asyncio.CancelledError:
        return None
async def handler(s):
    {caller}
"""
    assert swallowed(source) == [("fetch", False)]


@pytest.mark.parametrize(
    "caller",
    [
        "asyncio.create_task(fetch(s))",
        "asyncio.ensure_future(fetch(s))",
        "await asyncio.shield(fetch(s))",
        "register(fetch(s))",
        "pass",
    ],
)
def test_quiet_end_of_a_task_is_left_alone(caller: str) -> None:
    source = f"""
import asyncio
async def fetch(s):
    try:
        return await s.get()
    except asyncio.CancelledError:
        return None
async def handler(s, register):
    {caller}
"""
    assert swallowed(source) == []


@pytest.mark.parametrize(
    "handler",
    [
        "raise",
        "if asyncio.current_task().cancelling():\n                raise",
        "raise RuntimeError('stopped') from None",
        "errors.append(exc)",
        "waiter.set_exception(exc)",
        "self_error = exc",
        "asyncio.current_task().uncancel()",
        "asyncio.current_task().cancel()",
        "sys.exit(1)",
    ],
)
def test_handlers_that_keep_the_cancellation(handler: str) -> None:
    source = f"""
import asyncio
import sys
async def worker(q, errors, waiter):
    while True:
        try:
            await q.get()
        except asyncio.CancelledError as exc:
            {handler}
"""
    assert swallowed(source) == []


@pytest.mark.parametrize("handler", ["log.info(exc)", "print(repr(exc))", "n += 1"])
def test_logging_the_exception_does_not_keep_it(handler: str) -> None:
    source = f"""
import asyncio
async def worker(q, log, n):
    while True:
        try:
            await q.get()
        except asyncio.CancelledError as exc:
            {handler}
"""
    assert swallowed(source) == [("worker", True)]


def test_no_suspension_point_no_cancellation() -> None:
    assert (
        swallowed(
            """
        import asyncio
        async def check(fut):
            while True:
                try:
                    fut.result()
                except asyncio.CancelledError:
                    continue
        """
        )
        == []
    )


@pytest.mark.parametrize(
    ("cancel", "awaited"),
    [
        ("task.cancel()", "await task"),
        ("loop.call_soon(task.cancel)", "await task"),
        ("for t in tasks:\n        t.cancel()", "await asyncio.gather(*tasks)"),
        ("app['t'].cancel()", "await app[ 't' ]"),
        ("asyncio.current_task().cancel()", "await asyncio.sleep(1)"),
        ("me = asyncio.current_task()\n    me.cancel()", "await asyncio.sleep(1)"),
    ],
)
def test_awaiting_what_it_cancelled_itself(cancel: str, awaited: str) -> None:
    source = f"""
import asyncio
async def stop(task, tasks, loop, app):
    {cancel}
    try:
        {awaited}
    except asyncio.CancelledError:
        pass
    await asyncio.sleep(0)
"""
    assert swallowed(source) == []


def test_awaiting_something_else_as_well_is_not_exempt() -> None:
    assert swallowed(
        """
        import asyncio
        async def stop(task, server):
            task.cancel()
            try:
                await task
                await server.wait_closed()
            except asyncio.CancelledError:
                pass
            await asyncio.sleep(0)
        """
    ) == [("stop", True)]


def test_a_task_cancelled_by_another_method_of_the_class() -> None:
    assert (
        swallowed(
            """
        import asyncio
        class Worker:
            def stop(me):
                me._task.cancel()
            async def join(self):
                try:
                    await self._task
                except asyncio.CancelledError:
                    pass
                await asyncio.sleep(0)
        """
        )
        == []
    )


# -- timeouts -------------------------------------------------------------------------------


TIMEOUT_SOURCE = """
import asyncio
async def f(r):
    try:
        return await asyncio.wait_for(r.read(), 1)
    except TimeoutError:
        return None
"""


def test_timeout_mismatch_depends_on_the_target_version() -> None:
    found = timeout_mismatches(facts_for(TIMEOUT_SOURCE, (3, 10)))
    assert [(m.source, m.handler.function.name) for m in found] == [("asyncio.wait_for", "f")]
    assert isinstance(found[0].name, cst.Name)
    assert timeout_mismatches(facts_for(TIMEOUT_SOURCE, (3, 11))) == []
    assert timeout_mismatches(facts_for(TIMEOUT_SOURCE, (3, 8))) != []


@pytest.mark.parametrize(
    "clause",
    [
        "except asyncio.TimeoutError:",
        "except (TimeoutError, asyncio.TimeoutError):",
        "except (TimeoutError, Exception):",
    ],
)
def test_timeout_clauses_that_catch_asyncio_timeout(clause: str) -> None:
    source = TIMEOUT_SOURCE.replace("except TimeoutError:", clause)
    assert timeout_mismatches(facts_for(source)) == []


def test_timeout_inside_a_nested_try_that_catches_it() -> None:
    source = """
    import asyncio
    async def f(r):
        try:
            try:
                await asyncio.wait_for(r.read(), 1)
            except Exception:
                pass
            await r.close()
        except TimeoutError:
            pass
    """
    assert timeout_mismatches(facts_for(source)) == []


def test_timeout_from_async_timeout() -> None:
    source = """
    import async_timeout
    async def f(r):
        try:
            async with async_timeout.timeout(1):
                await r.read()
        except TimeoutError:
            pass
    """
    assert [m.source for m in timeout_mismatches(facts_for(source))] == ["async_timeout.timeout"]
