"""Cancellation and timeout facts: which catches swallow a cancellation and where that harms,
and which `except TimeoutError` clauses miss asyncio's timeout before 3.11."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from asynclint.rules.cancellation.swallowed import (
    CALLER_GOES_ON,
    ENDS,
    GOES_ON,
    cancellation_catches,
    catches_cancellation,
    swallowed_cancellations,
    timeout_mismatches,
)
from asynclint.semantics.model import ModuleFacts, build_facts
from asynclint.settings import Settings


def facts_for(source: str, target: tuple[int, int] = (3, 10)) -> ModuleFacts:
    return build_facts(cst.parse_module(textwrap.dedent(source)), Settings(target_version=target))


def swallowed(source: str) -> list[tuple[str, str]]:
    """(function name, what follows) for each swallowed cancellation."""
    return [(s.catch.function.name, s.after) for s in swallowed_cancellations(facts_for(source))]


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
    assert swallowed("import asyncio\n" + textwrap.dedent(body)) == [("loop", GOES_ON)]


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
    ) == [("worker", GOES_ON)]


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
    ) == [("read", GOES_ON)]


def test_break_then_the_end_of_the_function_ends() -> None:
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
    assert swallowed(source) == [("heartbeat", ENDS)]
    # ... and goes on when something follows the loop that awaits
    assert swallowed(source.replace('print("stopped")', "await conn.close()")) == [
        ("heartbeat", GOES_ON)
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
    assert swallowed(source) == [("fetch", CALLER_GOES_ON)]


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
def test_quiet_end_of_a_task_ends(caller: str) -> None:
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
    assert swallowed(source) == [("fetch", ENDS)]


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
    assert swallowed(source) == [("worker", GOES_ON)]


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
    ) == [("stop", GOES_ON)]


def test_a_task_cancelled_by_another_method_of_the_class_is_not_exempt() -> None:
    # join() may be cancelled itself while it waits: the handler swallows that too.
    assert swallowed(
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
    ) == [("join", GOES_ON)]


# -- re-raise on every path -----------------------------------------------------------------

PATH_SOURCE = """
import asyncio
import sys
import pytest
async def worker(q, items, log, closing, cancelled_class):
    while True:
        try:
            await q.get()
        except BaseException as exc:
HANDLER
"""


def swallowed_with(handler: str) -> list[tuple[str, str]]:
    body = textwrap.indent(textwrap.dedent(handler).strip("\n"), " " * 12)
    return swallowed(PATH_SOURCE.replace("HANDLER", body))


@pytest.mark.parametrize(
    "handler",
    [
        "if closing:\n    raise",
        "if closing:\n    raise\nelif log:\n    raise",
        "for item in items:\n    raise",
        "while closing:\n    raise",
        "for item in items:\n    continue\n    raise",
        "while True:\n    if closing:\n        break\n    raise",
        "match closing:\n    case 1:\n        raise",
        "match closing:\n    case 1:\n        raise\n    case _ if log:\n        raise",
        "if isinstance(exc, GeneratorExit):\n    raise",
        "if isinstance(exc, (GeneratorExit, KeyboardInterrupt)):\n    raise",
        "if not isinstance(exc, asyncio.CancelledError):\n    raise",
        "if isinstance(exc, Exception):\n    raise",
        "if isinstance(exc, cancelled_class()):\n    continue\nraise",
        "try:\n    raise\nexcept BaseException:\n    pass",
    ],
)
def test_a_handler_that_lets_the_cancellation_go_on_some_path(handler: str) -> None:
    assert swallowed_with(handler) == [("worker", GOES_ON)]


@pytest.mark.parametrize(
    "handler",
    [
        "raise",
        "log(exc)\nraise",
        "if closing:\n    raise\nraise RuntimeError('stopped') from exc",
        "if closing:\n    raise\nelse:\n    sys.exit(1)",
        "while True:\n    raise",
        "for item in items:\n    pass\nraise",
        "match closing:\n    case 1:\n        raise\n    case _:\n        raise",
        "if isinstance(exc, asyncio.CancelledError):\n    raise",
        "if isinstance(exc, (asyncio.CancelledError, KeyError)):\n    raise",
        "if not isinstance(exc, GeneratorExit):\n    raise",
        "if isinstance(exc, GeneratorExit):\n    return\nraise",
        "try:\n    log(exc)\nfinally:\n    raise",
        "log(exc)\npytest.fail('cancelled')",
    ],
)
def test_a_handler_that_raises_on_every_path_of_a_cancellation(handler: str) -> None:
    assert swallowed_with(handler) == []


def test_the_ways_out_of_the_handler_decide_what_follows() -> None:
    source = """
        import asyncio
        async def reader(r, done):
            while True:
                try:
                    await r.read()
                except asyncio.CancelledError:
                    if done:
                        return
                    raise
    """
    found = swallowed_cancellations(facts_for(source))
    assert [(s.after, s.ways_out) for s in found] == [(ENDS, frozenset({"return"}))]
    # a `continue` on another path makes the loop run again
    mixed = source.replace("raise", "continue")
    assert swallowed(mixed) == [("reader", GOES_ON)]


@pytest.mark.parametrize(
    "clauses",
    [
        "except BaseException:\n        raise\n    except:\n        pass",
        "except asyncio.CancelledError:\n        raise\n    except BaseException:\n        pass",
    ],
)
def test_a_clause_after_one_that_takes_the_cancellation_never_sees_it(clauses: str) -> None:
    source = f"""
import asyncio
async def f(r):
    try:
        await r.read()
    {clauses}
    await r.read()
"""
    assert swallowed(source) == []


def test_a_clause_before_the_one_that_catches_cancellation_does_not_shadow_it() -> None:
    source = """
        import asyncio
        async def f(r):
            try:
                await r.read()
            except ValueError:
                raise
            except BaseException:
                pass
            await r.read()
    """
    assert swallowed(source) == [("f", GOES_ON)]


@pytest.mark.parametrize(
    "clause",
    ["except (asyncio.CancelledError, TimeoutError):", "except (TimeoutError, CancelledError):"],
)
def test_cancellation_in_an_except_tuple(clause: str) -> None:
    source = f"""
import asyncio
from asyncio import CancelledError
async def fetch(s):
    try:
        return await s.get()
    {clause}
        return None
"""
    assert swallowed(source) == [("fetch", ENDS)]


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("asyncio.run(main())", []),
        ("if __name__ == '__main__':\n    asyncio.run(main())", []),
        ("def cli():\n    asyncio.run(main())", []),
        ("def cli():\n    asyncio.get_event_loop().run_until_complete(main())", []),
        ("asyncio.create_task(main())", [("main", ENDS)]),
    ],
)
def test_the_program_entry_point_may_end_on_cancellation(
    entry: str, expected: list[tuple[str, str]]
) -> None:
    source = f"""
import asyncio
async def main():
    try:
        await asyncio.sleep(3600)
    except asyncio.CancelledError:
        print("bye")
{entry}
"""
    assert swallowed(source) == expected


@pytest.mark.parametrize(
    "check",
    [
        "if asyncio.current_task().cancelling():\n            raise",
        "asyncio.current_task().uncancel()",
    ],
)
def test_a_handler_that_looks_at_cancelling_ends_by_decision(check: str) -> None:
    source = f"""
import asyncio
async def fetch(s):
    try:
        return await s.get()
    except asyncio.CancelledError:
        {check}
        return None
"""
    assert swallowed(source) == []


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
