"""What asynclint knows about asyncio's API: which calls create which kinds of objects, and
how the names of its submodules map to the public names."""

from __future__ import annotations

from typing import Final, Literal

# asyncio's implementation modules re-exported by the package (`asyncio.queues.Queue` is
# `asyncio.Queue`).
_SUBMODULES = frozenset(
    {
        "base_events",
        "events",
        "exceptions",
        "futures",
        "locks",
        "queues",
        "runners",
        "streams",
        "subprocess",
        "taskgroups",
        "tasks",
        "timeouts",
    }
)
# Constants that asyncio.subprocess re-exports from the stdlib subprocess module.
_SUBPROCESS_CONSTANTS = frozenset({"PIPE", "STDOUT", "DEVNULL"})

# What kind of object a value is, as far as the model can tell (never guessed from names).
ObjectKind = Literal[
    "queue",
    "lock",
    "event",
    "condition",
    "semaphore",
    "process",
    "reader",
    "writer",
    "task",
    "loop",
    "future",
    "executor",
    "threading",
    "sync-http-client",
    "path",
]

QUEUE: Final = "queue"
LOCK: Final = "lock"
EVENT: Final = "event"
CONDITION: Final = "condition"
SEMAPHORE: Final = "semaphore"
PROCESS: Final = "process"
READER: Final = "reader"
WRITER: Final = "writer"
TASK: Final = "task"
LOOP: Final = "loop"
FUTURE: Final = "future"
EXECUTOR: Final = "executor"  # a concurrent.futures.ThreadPoolExecutor
# A threading.Lock/RLock/Semaphore/Condition: a blocking primitive, not an asyncio one.
THREADING: Final = "threading"
# Synchronous objects whose methods block the event loop's thread (for AIO605, AIO607).
SYNC_HTTP_CLIENT: Final = "sync-http-client"  # httpx.Client, requests.Session, a urllib3 pool
PATH: Final = "path"  # a pathlib.Path
_SYNC_HTTP_CLIENTS = (
    "httpx.Client",
    "httpx2.Client",  # the maintained continuation of httpx
    "requests.Session",
    "requests.sessions.Session",
    "urllib3.PoolManager",
    "urllib3.ProxyManager",
    "urllib3.HTTPConnectionPool",
    "urllib3.HTTPSConnectionPool",
)
_PATHS = ("pathlib.Path", "pathlib.PosixPath", "pathlib.WindowsPath")
BLOCKING_OBJECTS: dict[str, ObjectKind] = {
    **{name: SYNC_HTTP_CLIENT for name in _SYNC_HTTP_CLIENTS},
    **{name: PATH for name in _PATHS},
}

CONSTRUCTORS: dict[str, ObjectKind] = {
    "asyncio.Queue": QUEUE,
    "asyncio.PriorityQueue": QUEUE,
    "asyncio.LifoQueue": QUEUE,
    "asyncio.Lock": LOCK,
    "asyncio.Event": EVENT,
    "asyncio.Condition": CONDITION,
    "asyncio.Semaphore": SEMAPHORE,
    "asyncio.BoundedSemaphore": SEMAPHORE,
    "asyncio.create_task": TASK,
    "asyncio.ensure_future": TASK,
    "asyncio.get_running_loop": LOOP,
    "asyncio.get_event_loop": LOOP,
    "asyncio.new_event_loop": LOOP,
    "asyncio.Future": FUTURE,
    "concurrent.futures.ThreadPoolExecutor": EXECUTOR,
    "concurrent.futures.thread.ThreadPoolExecutor": EXECUTOR,
    "threading.Lock": THREADING,
    "threading.RLock": THREADING,
    "threading.Semaphore": THREADING,
    "threading.BoundedSemaphore": THREADING,
    "threading.Condition": THREADING,
    **BLOCKING_OBJECTS,
}
# Context managers whose `__enter__` returns the object itself (`with Executor() as pool:`).
SELF_ENTERING: dict[str, ObjectKind] = {
    "concurrent.futures.ThreadPoolExecutor": EXECUTOR,
    "concurrent.futures.thread.ThreadPoolExecutor": EXECUTOR,
    **{name: SYNC_HTTP_CLIENT for name in _SYNC_HTTP_CLIENTS},
}
# Methods of an event loop whose result is an object of a known kind (`loop.create_future()`).
LOOP_PRODUCTS: dict[str, ObjectKind] = {"create_future": FUTURE, "create_task": TASK}
# Coroutine functions whose awaited result is an object of a known kind.
AWAITED_FACTORIES: dict[str, ObjectKind] = {
    "asyncio.create_subprocess_exec": PROCESS,
    "asyncio.create_subprocess_shell": PROCESS,
}
# ... and those that return a (reader, writer) pair.
STREAM_PAIR: tuple[ObjectKind, ObjectKind] = (READER, WRITER)
STREAM_PAIR_FACTORIES = frozenset({"asyncio.open_connection", "asyncio.open_unix_connection"})
SERVER_FACTORIES = frozenset({"asyncio.start_server", "asyncio.start_unix_server"})
# Awaitable wrappers whose result is their first argument's result.
PASS_THROUGH = frozenset({"asyncio.wait_for", "asyncio.shield"})

ANNOTATIONS: dict[str, ObjectKind] = {
    "asyncio.Queue": QUEUE,
    "asyncio.PriorityQueue": QUEUE,
    "asyncio.LifoQueue": QUEUE,
    "asyncio.Lock": LOCK,
    "asyncio.Event": EVENT,
    "asyncio.Condition": CONDITION,
    "asyncio.Semaphore": SEMAPHORE,
    "asyncio.BoundedSemaphore": SEMAPHORE,
    "asyncio.StreamReader": READER,
    "asyncio.StreamWriter": WRITER,
    "asyncio.subprocess.Process": PROCESS,
    "asyncio.Task": TASK,
    "asyncio.AbstractEventLoop": LOOP,
    "asyncio.BaseEventLoop": LOOP,
    "asyncio.Future": FUTURE,
    "concurrent.futures.ThreadPoolExecutor": EXECUTOR,
    "concurrent.futures.Executor": EXECUTOR,
    **BLOCKING_OBJECTS,
}

# The streams of a Process, and the kind of object each one is.
PROCESS_STREAMS: dict[str, ObjectKind] = {"stdin": WRITER, "stdout": READER, "stderr": READER}


# Decorators that leave an `async def` a coroutine function.
TRANSPARENT_DECORATORS = frozenset(
    {
        "staticmethod",
        "classmethod",
        "abc.abstractmethod",
        "functools.wraps",
        "typing.override",
        "typing_extensions.override",
    }
)


def normalize(qualname: str) -> str:
    """`asyncio.queues.Queue` -> `asyncio.Queue`; `asyncio.subprocess.PIPE` -> `subprocess.PIPE`."""
    parts = qualname.split(".")
    if len(parts) == 3 and parts[0] == "asyncio" and parts[1] in _SUBMODULES:
        if parts[1] == "subprocess":
            if parts[2] in _SUBPROCESS_CONSTANTS:
                return f"subprocess.{parts[2]}"
            if parts[2] == "Process":
                return qualname
        return f"asyncio.{parts[2]}"
    return qualname
