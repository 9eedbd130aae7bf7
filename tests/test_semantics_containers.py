"""Elements of containers: a subscript, `get()`/`setdefault()` result or loop variable of a
container whose every store is one kind has that kind; anything else leaves it unknown."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from asynclint.semantics.model import ModuleFacts, build_facts
from asynclint.settings import Settings

HEADER = """\
import asyncio
import collections
import threading
from asyncio.subprocess import PIPE
"""


def facts_for(source: str) -> ModuleFacts:
    return build_facts(cst.parse_module(HEADER + textwrap.dedent(source)), Settings())


def probed_kind(source: str) -> str | None:
    """The kind of the receiver of the one `.probe()` call in `source`."""
    facts = facts_for(source)
    (event,) = [e for _f, e in facts.events() if e.kind == "call" and e.method == "probe"]
    return facts.kind(event.root)


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        # dict comprehension, subscript
        (
            """
            async def f(names, name):
                locks = {n: asyncio.Lock() for n in names}
                locks[name].probe()
            """,
            "lock",
        ),
        # item assignment on an attribute, then a subscript in another method
        (
            """
            class C:
                def __init__(self):
                    self._locks = {}
                def add(self, key):
                    self._locks[key] = asyncio.Lock()
                async def use(self, key):
                    self._locks[key].probe()
            """,
            "lock",
        ),
        # defaultdict with the constructor as its factory, `.get()`
        (
            """
            LOCKS = collections.defaultdict(asyncio.Lock)
            async def f(name):
                LOCKS.get(name).probe()
            """,
            "lock",
        ),
        # defaultdict with a lambda factory
        (
            """
            LOCKS = collections.defaultdict(lambda: asyncio.Semaphore(3))
            async def f(name):
                LOCKS[name].probe()
            """,
            "semaphore",
        ),
        # list comprehension, loop variable
        (
            """
            async def f(n):
                locks = [asyncio.Lock() for _ in range(n)]
                for lock in locks:
                    lock.probe()
            """,
            "lock",
        ),
        # tasks appended, loop over a copy
        (
            """
            class C:
                def __init__(self):
                    self._tasks = []
                def spawn(self, coro):
                    self._tasks.append(asyncio.create_task(coro))
                def stop(self):
                    for task in list(self._tasks):
                        task.probe()
            """,
            "task",
        ),
        # a task variable added to a set
        (
            """
            class C:
                def __init__(self):
                    self._tasks = set()
                def spawn(self, coro):
                    task = asyncio.create_task(coro)
                    self._tasks.add(task)
                def stop(self):
                    for task in self._tasks:
                        task.probe()
            """,
            "task",
        ),
        # loop.create_task() where `loop` is a loop
        (
            """
            def spawn(coro, tasks):
                loop = asyncio.get_running_loop()
                tasks.append(loop.create_task(coro))
                tasks[0].probe()
            """,
            "task",
        ),
        # setdefault's result
        (
            """
            class C:
                def __init__(self):
                    self._conditions = {}
                async def wait(self, key):
                    condition = self._conditions.setdefault(key, asyncio.Condition())
                    condition.probe()
            """,
            "condition",
        ),
        # dict values, `.items()` loop
        (
            """
            async def f(host):
                r, w = await asyncio.open_connection(host, 80)
                writers = {"a": w}
                for name, writer in writers.items():
                    writer.probe()
            """,
            "writer",
        ),
        # a process and its stream
        (
            """
            async def f(argv):
                procs = [await asyncio.create_subprocess_exec(*argv, stdout=PIPE)]
                procs[0].stdout.probe()
            """,
            "reader",
        ),
        # the element type of an annotation
        (
            """
            async def f(locks: dict[str, asyncio.Lock], name):
                locks[name].probe()
            """,
            "lock",
        ),
        (
            """
            class C:
                def __init__(self):
                    self._tasks: set[asyncio.Task] = set()
                def stop(self):
                    for task in self._tasks:
                        task.probe()
            """,
            "task",
        ),
        # a module function's return kind
        (
            """
            def make():
                return asyncio.Event()
            async def f(n):
                events = [make() for _ in range(n)]
                events[0].probe()
            """,
            "event",
        ),
        # a threading lock is a threading lock
        (
            """
            async def f(names, name):
                locks = {n: threading.Lock() for n in names}
                locks[name].probe()
            """,
            "threading",
        ),
    ],
)
def test_every_store_of_one_kind_gives_the_elements_that_kind(source: str, kind: str) -> None:
    assert probed_kind(source) == kind


@pytest.mark.parametrize(
    "source",
    [
        # two kinds in one dict
        """
        async def f(name):
            locks = {"a": asyncio.Lock(), "b": threading.Lock()}
            locks[name].probe()
        """,
        # one store of unknown kind
        """
        async def f(name, other):
            locks = {"a": asyncio.Lock()}
            locks["b"] = other.make()
            locks[name].probe()
        """,
        # filled by a function that is not checked
        """
        async def f(name, registry):
            locks = registry.make_locks()
            locks[name].probe()
        """,
        # handed to a callee that is not checked
        """
        async def f(name, registry):
            locks = {"a": asyncio.Lock()}
            registry.fill(locks)
            locks[name].probe()
        """,
        # extended with whatever another iterable holds
        """
        def f(coro, more):
            tasks = [asyncio.create_task(coro)]
            tasks.extend(more)
            for task in tasks:
                task.probe()
        """,
        # a module function that stores something else into it
        """
        def fill(locks):
            locks["b"] = threading.Lock()
        async def f(name):
            locks = {"a": asyncio.Lock()}
            fill(locks)
            locks[name].probe()
        """,
        # a parameter's elements are whatever the callers stored
        """
        async def f(locks, name):
            locks[name].probe()
        """,
        # a name alone says nothing
        """
        async def f(name, lock_table):
            lock_table[name].probe()
        """,
    ],
)
def test_any_other_store_leaves_the_elements_unknown(source: str) -> None:
    assert probed_kind(source) is None


def test_reading_calls_keep_the_kind() -> None:
    source = """
    async def f(coros):
        tasks = [asyncio.create_task(c) for c in coros]
        await asyncio.gather(*tasks)
        print(len(tasks))
        for task in tasks:
            task.probe()
    """
    assert probed_kind(source) == "task"


def test_elements_under_different_keys_are_told_apart_by_identity() -> None:
    facts = facts_for(
        """
        async def f(names, a, b):
            locks = {n: asyncio.Lock() for n in names}
            locks[a].acquire()
            locks[a].release()
            locks[b].release()
        """
    )
    first, again, other = [e for _f, e in facts.events() if e.method in ("acquire", "release")]
    assert first.identity == again.identity
    assert first.identity != other.identity
    assert first.root == other.root  # what is done to one element may be done to the other
    assert facts.kind(other.root) == "lock"


def test_an_annotation_holds_against_stores_of_unknown_kind_but_not_another_kind() -> None:
    declared = """
    class C:
        def __init__(self, registry):
            self._tasks: set[asyncio.Task] = set()
            registry.watch(self._tasks)
        def spawn(self, coro, loop):
            self._tasks.add(asyncio.Task(coro, loop=loop))
        def stop(self):
            for task in self._tasks:
                task.probe()
    """
    assert probed_kind(declared) == "task"
    conflicting = """
    class C:
        def __init__(self):
            self._tasks: set[asyncio.Task] = set()
        def spawn(self):
            self._tasks.add(asyncio.Event())
        def stop(self):
            for task in self._tasks:
                task.probe()
    """
    assert probed_kind(conflicting) is None


DICT_OF_TASKS = """
class C:
    def __init__(self):
        self.connections = {}
    def add(self, conn):
        self.connections[conn] = asyncio.create_task(conn.handle())
    def close(self):
        {loop}
"""


@pytest.mark.parametrize(
    ("loop", "kind"),
    [
        ("for c in list(self.connections):\n            c.probe()", None),  # the keys
        ("for c in self.connections:\n            c.probe()", None),
        ("for t in self.connections.values():\n            t.probe()", "task"),
        ("for t in list(self.connections.values()):\n            t.probe()", "task"),
        ("tasks = list(self.connections.values())\n        tasks[0].probe()", "task"),
        ("keys = list(self.connections)\n        keys[0].probe()", None),
        ("for i, t in enumerate(self.connections.values()):\n            t.probe()", "task"),
    ],
)
def test_iterating_a_dict_gives_its_keys(loop: str, kind: str | None) -> None:
    assert probed_kind(DICT_OF_TASKS.replace("{loop}", loop)) == kind


def test_iterating_a_container_of_unknown_shape_gives_nothing() -> None:
    source = """
    async def f(locks):
        locks["a"] = asyncio.Lock()
        for lock in locks:
            lock.probe()
    """
    assert probed_kind(source) is None


RECORD = """
STATE = {"lock": asyncio.Lock(), "ready": asyncio.Event(), "count": 0}
{more}
async def f(name):
    {use}.probe()
"""


@pytest.mark.parametrize(
    ("more", "use", "kind"),
    [
        ("", 'STATE["lock"]', "lock"),
        ("", "STATE['ready']", "event"),
        ("", 'STATE["count"]', None),
        ("", 'STATE["missing"]', None),  # nothing stored under that key
        ("", "STATE[name]", None),  # any entry
        ('STATE["lock"] = threading.Lock()', 'STATE["lock"]', None),
        ('STATE.setdefault("lock", asyncio.Lock())', 'STATE["lock"]', "lock"),
        ("STATE[key] = threading.Lock()", 'STATE["lock"]', None),  # may be under "lock"
        ("other.update(STATE)", 'STATE["lock"]', None),  # handed to unchecked code
    ],
)
def test_a_record_dict_gives_each_literal_key_its_own_kind(
    more: str, use: str, kind: str | None
) -> None:
    assert probed_kind(RECORD.replace("{more}", more).replace("{use}", use)) == kind


def test_comprehension_variables_are_elements() -> None:
    source = """
    class C:
        def __init__(self):
            self._writers = {}
        async def join(self, peer, host):
            _reader, writer = await asyncio.open_connection(host, 80)
            self._writers[peer] = writer
        async def flush(self):
            await asyncio.gather(*(w.probe() for w in self._writers.values()))
    """
    assert probed_kind(source) == "writer"
