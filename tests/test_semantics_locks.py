"""The lock facts on their own: what is held where, what a function takes, which names are one
lock, and which acquire() calls an exception can leave held."""

from __future__ import annotations

import textwrap

import libcst as cst

from asynclint.rules.locks.facts import Acquisition, LockFacts, lock_facts, loose_acquires
from asynclint.semantics import asyncio_api as api
from asynclint.semantics.events import Event
from asynclint.semantics.model import FunctionInfo, ModuleFacts, build_facts
from asynclint.settings import Settings


def facts_for(source: str) -> ModuleFacts:
    return build_facts(cst.parse_module(textwrap.dedent(source)), Settings())


def function(facts: ModuleFacts, qualname: str) -> FunctionInfo:
    return next(f for f in facts.functions if f.qualname == qualname)


def code(facts: ModuleFacts, node: cst.CSTNode) -> str:
    return facts.module.code_for_node(node)


def held_names(locks: LockFacts, event: Event) -> list[str]:
    return [locks.names(h) for h in locks.held_at(event)]


def call(facts: ModuleFacts, qualname: str, text: str) -> Event:
    """The call event of `qualname` whose source is `text`."""
    return next(
        e
        for e in function(facts, qualname).events
        if e.kind == "call" and code(facts, e.node) == text
    )


def acquisitions(locks: LockFacts, qualname: str) -> list[Acquisition]:
    return [a for a in locks.acquisitions if a.function.qualname == qualname]


def test_async_with_items_and_earlier_items_of_the_statement_are_held() -> None:
    facts = facts_for(
        """
        import asyncio
        lock = asyncio.Lock()
        sem = asyncio.Semaphore(2)
        async def f():
            async with lock, sem, asyncio.timeout(1):
                await asyncio.sleep(0)
            await asyncio.sleep(1)
        """
    )
    locks = lock_facts(facts)
    enters = [e for e in function(facts, "f").events if e.kind == "enter"]
    assert [held_names(locks, e) for e in enters] == [[], ["lock"], ["lock", "sem"]]
    assert held_names(locks, call(facts, "f", "asyncio.sleep(0)")) == ["lock", "sem"]
    assert held_names(locks, call(facts, "f", "asyncio.sleep(1)")) == []


def test_acquire_holds_until_release_on_every_path() -> None:
    facts = facts_for(
        """
        import asyncio
        lock = asyncio.Lock()
        async def f(flag):
            await lock.acquire()
            try:
                await work()
            finally:
                lock.release()
            await after()
        async def g(flag):
            await lock.acquire()
            if flag:
                lock.release()
            await maybe()
        """
    )
    locks = lock_facts(facts)
    assert held_names(locks, call(facts, "f", "work()")) == ["lock"]
    assert held_names(locks, call(facts, "f", "after()")) == []
    # Held on one path is enough to say "may be held".
    assert held_names(locks, call(facts, "g", "maybe()")) == ["lock"]


def test_a_primitive_handed_to_other_code_is_no_longer_known_to_be_held() -> None:
    facts = facts_for(
        """
        import asyncio
        async def f(cond: asyncio.Condition):
            await cond.acquire()
            waiter = asyncio.create_task(cond.wait())
            await step()
        """
    )
    locks = lock_facts(facts)
    assert held_names(locks, call(facts, "f", "step()")) == []


def test_a_condition_built_on_a_lock_holds_that_lock_too() -> None:
    facts = facts_for(
        """
        import asyncio
        class Buffer:
            def __init__(self):
                self._lock = asyncio.Lock()
                self._ready = asyncio.Condition(self._lock)
                self._plain = asyncio.Condition()
            async def put(self, item):
                async with self._ready:
                    await self.log(item)
        """
    )
    locks = lock_facts(facts)
    log = call(facts, "Buffer.put", "self.log(item)")
    held = locks.held_at(log)
    assert [locks.key((h.identity, h.root)) for h in held] == [
        ("object", ("attr", "Buffer", "_ready")),
        ("object", ("attr", "Buffer", "_lock")),
    ]
    plain = facts.objects.find(("attr", "Buffer", "_plain"))
    assert facts.kind(plain) == api.CONDITION
    assert locks.lock_of(plain) is None


def test_takes_follows_awaited_calls_but_not_tasks() -> None:
    facts = facts_for(
        """
        import asyncio
        class Cache:
            def __init__(self):
                self._lock = asyncio.Lock()
            async def _load(self):
                async with self._lock:
                    pass
            async def refresh(self):
                await self._load()
            async def refresh_later(self):
                asyncio.create_task(self._load())
            def sync_helper(self):
                return self._load()
        """
    )
    locks = lock_facts(facts)
    lock = ("attr", "Cache", "_lock")
    assert {ref[0] for ref in locks.takes(function(facts, "Cache.refresh"))} == {lock}
    assert locks.takes(function(facts, "Cache.refresh_later")) == frozenset()
    assert locks.takes(function(facts, "Cache.sync_helper")) == frozenset()
    (via,) = acquisitions(locks, "Cache.refresh")
    assert via.via is function(facts, "Cache._load")
    assert code(facts, via.event.node) == "self._load()"


def test_a_parameter_taken_by_the_callee_becomes_the_callers_argument() -> None:
    facts = facts_for(
        """
        import asyncio
        first = asyncio.Lock()
        second = asyncio.Lock()
        async def locked(lock, job):
            async with lock:
                await job()
        async def a():
            async with first:
                await locked(second, step)
        async def b():
            async with second:
                await locked(first, step)
        async def c(job):
            await locked(job, step)
        """
    )
    locks = lock_facts(facts)
    (inner,) = [x for x in acquisitions(locks, "a") if x.via is not None]
    ((identity, root),) = inner.taken
    assert identity == ("var", 0, "second")
    # `lock` received both module locks: two constructions, so it is no single object...
    assert not locks.single_object(root)
    # ...but each call says which one it passes.
    outer = next(x for x in acquisitions(locks, "a") if x.via is None)
    assert not locks.same(inner.taken[0], outer.taken[0])
    # `c` passes its own parameter: the lock is named by that parameter, one of neither.
    (passed,) = acquisitions(locks, "c")
    assert passed.taken[0][0] == ("var", function(facts, "c").id, "job")
    assert not any(locks.same(passed.taken[0], x.taken[0]) for x in acquisitions(locks, "a"))


def test_same_lock_by_single_construction_or_by_name() -> None:
    facts = facts_for(
        """
        import asyncio
        class Pool:
            _guard: asyncio.Lock
            def __init__(self):
                self._guard = asyncio.Lock()
            def reset(self):
                self._guard = asyncio.Lock()
            async def use(self):
                guard = self._guard
                async with self._guard:
                    async with guard:
                        pass
        """
    )
    locks = lock_facts(facts)
    outer, inner = (a for a in acquisitions(locks, "Pool.use"))
    # Two constructions (and an annotation): only the name itself is known to be one lock.
    assert not locks.single_object(outer.taken[0][1])
    assert locks.key(outer.taken[0]) == ("name", ("attr", "Pool", "_guard"))
    assert not locks.same(outer.taken[0], inner.taken[0])
    assert inner.held[0].site is outer.event


def test_held_by_callers_needs_every_call_to_hold_it() -> None:
    facts = facts_for(
        """
        import asyncio
        class Jobs:
            def __init__(self):
                self._changed = asyncio.Condition()
            def _wake(self):
                self._changed.notify_all()
            def _wake_later(self):
                self._changed.notify_all()
            def _unused(self):
                self._changed.notify_all()
            async def add(self):
                async with self._changed:
                    self._wake()
                    self._wake_later()
            async def add_unlocked(self):
                self._wake_later()
        """
    )
    locks = lock_facts(facts)
    ref = (("attr", "Jobs", "_changed"), ("attr", "Jobs", "_changed"))
    assert locks.held_by_callers(function(facts, "Jobs._wake"), ref)
    assert not locks.held_by_callers(function(facts, "Jobs._wake_later"), ref)
    assert not locks.held_by_callers(function(facts, "Jobs._unused"), ref)


def test_loose_acquires() -> None:
    facts = facts_for(
        """
        import asyncio
        lock = asyncio.Lock()
        async def leaks():
            await lock.acquire()
            await work()
            lock.release()
        async def guarded():
            await lock.acquire()
            try:
                await work()
            finally:
                lock.release()
        async def guarded_by_handler():
            await lock.acquire()
            try:
                await work()
            except BaseException:
                lock.release()
                raise
            lock.release()
        async def inside_try():
            try:
                await lock.acquire()
                await work()
            finally:
                lock.release()
        async def handed_over():
            await lock.acquire()
            return True
        async def timed():
            await asyncio.wait_for(lock.acquire(), 1)
            try:
                await work()
            finally:
                lock.release()
        async def nothing_between():
            await lock.acquire()
            counter = 1
            lock.release()
        async def local_only():
            mine = asyncio.Lock()
            await mine.acquire()
            await work()
            mine.release()
        async def second_kept():
            await lock.acquire()
            lock.release()
            await lock.acquire()
            await work()
            return True
        cond = asyncio.Condition()
        async def notify_between():
            await cond.acquire()
            cond.notify_all()
            cond.release()
        async def wait_between():
            await cond.acquire()
            await cond.wait()
            cond.release()
        """
    )
    found = {(_function_of(facts, x.event), x.inside_try) for x in loose_acquires(facts)}
    assert found == {("leaks", False), ("inside_try", True), ("wait_between", False)}


def _function_of(facts: ModuleFacts, event: Event) -> str:
    return next(f.qualname for f in facts.functions if event in f.events)


def test_a_call_that_passes_no_known_primitive_takes_nothing_known() -> None:
    facts = facts_for(
        """
        import asyncio
        shared = asyncio.Lock()
        async def locked(lock, job):
            async with lock:
                await job()
        async def uses_shared():
            await locked(shared, step)
        async def uses_fresh():
            await locked(make_lock(), step)
        async def uses_default():
            await locked(job=step)
        """
    )
    locks = lock_facts(facts)
    assert len(acquisitions(locks, "uses_shared")) == 1
    assert acquisitions(locks, "uses_fresh") == []
    assert acquisitions(locks, "uses_default") == []


def test_passing_a_held_lock_to_a_followed_function_keeps_it_held() -> None:
    facts = facts_for(
        """
        import asyncio
        lock = asyncio.Lock()
        async def helper(lock):
            await asyncio.sleep(0)
        async def f(log):
            await lock.acquire()
            await helper(lock)
            await step()
            log.register(lock)
            await after()
            lock.release()
        """
    )
    locks = lock_facts(facts)
    assert held_names(locks, call(facts, "f", "step()")) == ["lock"]
    # Handed to code the model does not follow: who holds it now is unknown.
    assert held_names(locks, call(facts, "f", "after()")) == []


def test_an_acquisition_a_parameter_switches_off_is_not_charged_to_callers() -> None:
    facts = facts_for(
        """
        import asyncio
        class Channel:
            def __init__(self):
                self._lock = asyncio.Lock()
            async def send(self, data, locked=False):
                if not locked:
                    async with self._lock:
                        await self.write(data)
                else:
                    await self.write(data)
            async def send_early(self, data, *, locked=False):
                if locked:
                    return await self.write(data)
                async with self._lock:
                    await self.write(data)
            async def send_after_check(self, data, timeout=None):
                if timeout is not None:
                    self.deadline = timeout
                async with self._lock:
                    await self.write(data)
            async def flush(self, data):
                if self.dirty:
                    async with self._lock:
                        await self.write(data)
        """
    )
    locks = lock_facts(facts)
    assert locks.takes(function(facts, "Channel.send")) == frozenset()
    assert locks.takes(function(facts, "Channel.send_early")) == frozenset()
    # A test of a parameter that does not leave the function switches nothing off.
    assert locks.takes(function(facts, "Channel.send_after_check")) != frozenset()
    assert locks.takes(function(facts, "Channel.flush")) != frozenset()
