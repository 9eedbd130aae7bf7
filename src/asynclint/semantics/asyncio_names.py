"""Which names the `asyncio` package has, per Python version, and which of its calls lost the
`loop` parameter.

A name "exists" at a version when `asyncio.<name>` can be looked up after `import asyncio` on
some platform: everything the package exports on Linux and on Windows (its `windows_events`
names), its submodules, and names it serves through a module `__getattr__` (the event loop
policy classes that 3.14 deprecates). The table starts at 3.8, the oldest supported target;
each later version lists what it added and removed. Checked against the packages of CPython
3.8 to 3.13 (see tests/test_semantics_asyncio_names.py, which compares the running
interpreter's `dir(asyncio)` with the table) and the 3.14 release's `asyncio/__init__.py`."""

from __future__ import annotations

import difflib

# Submodules of the package (importable as `asyncio.<name>`), as of 3.8.
_SUBMODULES_38 = frozenset(
    {
        "base_events",
        "base_futures",
        "base_subprocess",
        "base_tasks",
        "constants",
        "coroutines",
        "events",
        "exceptions",
        "format_helpers",
        "futures",
        "locks",
        "log",
        "proactor_events",
        "protocols",
        "queues",
        "runners",
        "selector_events",
        "sslproto",
        "staggered",
        "streams",
        "subprocess",
        "tasks",
        "transports",
        "trsock",
        "unix_events",
        "windows_events",
        "windows_utils",
    }
)

_NAMES_38 = frozenset(
    {
        # events, base_events
        "AbstractEventLoop",
        "AbstractEventLoopPolicy",
        "AbstractServer",
        "BaseEventLoop",
        "Handle",
        "TimerHandle",
        "get_child_watcher",
        "get_event_loop",
        "get_event_loop_policy",
        "get_running_loop",
        "new_event_loop",
        "set_child_watcher",
        "set_event_loop",
        "set_event_loop_policy",
        # coroutines
        "coroutine",
        "iscoroutine",
        "iscoroutinefunction",
        # exceptions
        "CancelledError",
        "IncompleteReadError",
        "InvalidStateError",
        "LimitOverrunError",
        "SendfileNotAvailableError",
        "TimeoutError",
        # futures
        "Future",
        "isfuture",
        "wrap_future",
        # locks
        "BoundedSemaphore",
        "Condition",
        "Event",
        "Lock",
        "Semaphore",
        # protocols
        "BaseProtocol",
        "BufferedProtocol",
        "DatagramProtocol",
        "Protocol",
        "SubprocessProtocol",
        # queues
        "LifoQueue",
        "PriorityQueue",
        "Queue",
        "QueueEmpty",
        "QueueFull",
        # runners
        "run",
        # streams
        "StreamReader",
        "StreamReaderProtocol",
        "StreamWriter",
        "open_connection",
        "open_unix_connection",
        "start_server",
        "start_unix_server",
        # subprocess
        "create_subprocess_exec",
        "create_subprocess_shell",
        # tasks
        "ALL_COMPLETED",
        "FIRST_COMPLETED",
        "FIRST_EXCEPTION",
        "Task",
        "all_tasks",
        "as_completed",
        "create_task",
        "current_task",
        "ensure_future",
        "gather",
        "run_coroutine_threadsafe",
        "shield",
        "sleep",
        "wait",
        "wait_for",
        # transports
        "BaseTransport",
        "DatagramTransport",
        "ReadTransport",
        "SubprocessTransport",
        "Transport",
        "WriteTransport",
        # unix_events (Unix only)
        "AbstractChildWatcher",
        "DefaultEventLoopPolicy",
        "FastChildWatcher",
        "MultiLoopChildWatcher",
        "SafeChildWatcher",
        "SelectorEventLoop",
        "ThreadedChildWatcher",
        # windows_events (Windows only)
        "IocpProactor",
        "ProactorEventLoop",
        "WindowsProactorEventLoopPolicy",
        "WindowsSelectorEventLoopPolicy",
        # the package imports it, so `asyncio.sys` resolves
        "sys",
    }
)

# version -> (names added, names removed) relative to the version before it.
CHANGES: dict[tuple[int, int], tuple[frozenset[str], frozenset[str]]] = {
    (3, 9): (frozenset({"PidfdChildWatcher", "Server", "threads", "to_thread"}), frozenset()),
    (3, 10): (frozenset({"mixins"}), frozenset()),
    (3, 11): (
        frozenset(
            {
                "Barrier",
                "BrokenBarrierError",
                "Runner",
                "TaskGroup",
                "Timeout",
                "taskgroups",
                "timeout",
                "timeout_at",
                "timeouts",
            }
        ),
        frozenset({"coroutine"}),
    ),
    (3, 12): (frozenset({"create_eager_task_factory", "eager_task_factory"}), frozenset()),
    (3, 13): (frozenset({"EventLoop", "QueueShutDown"}), frozenset()),
    (3, 14): (
        frozenset(
            {
                "FrameCallGraphEntry",
                "FutureCallGraph",
                "capture_call_graph",
                "format_call_graph",
                "future_add_to_awaited_by",
                "future_discard_from_awaited_by",
                "graph",
                "print_call_graph",
                "tools",
            }
        ),
        frozenset(
            {
                "AbstractChildWatcher",
                "FastChildWatcher",
                "MultiLoopChildWatcher",
                "PidfdChildWatcher",
                "SafeChildWatcher",
                "ThreadedChildWatcher",
                "get_child_watcher",
                "set_child_watcher",
            }
        ),
    ),
}
FIRST_VERSION = (3, 8)
LAST_VERSION = max(CHANGES)

_BY_VERSION: dict[tuple[int, int], frozenset[str]] = {}


def _build() -> None:
    names = _NAMES_38 | _SUBMODULES_38
    _BY_VERSION[FIRST_VERSION] = names
    for version in sorted(CHANGES):
        added, removed = CHANGES[version]
        names = (names | added) - removed
        _BY_VERSION[version] = names


_build()
EVERY_NAME: frozenset[str] = frozenset().union(*_BY_VERSION.values())


def names_at(version: tuple[int, int]) -> frozenset[str]:
    """The public names of `asyncio` at `version` (clamped to the versions the table knows)."""
    version = min(max(version, FIRST_VERSION), LAST_VERSION)
    return _BY_VERSION[version]


def exists(name: str, version: tuple[int, int]) -> bool:
    return name in names_at(version)


def added_in(name: str) -> tuple[int, int] | None:
    """The first version that has `name` when it was added after 3.8 (None otherwise)."""
    for version in sorted(CHANGES):
        if name in CHANGES[version][0]:
            return version
    return None


def removed_in(name: str) -> tuple[int, int] | None:
    """The version that removed `name` (None when no version in the table removed it)."""
    for version in sorted(CHANGES):
        if name in CHANGES[version][1]:
            return version
    return None


def closest(name: str) -> str | None:
    """The asyncio name `name` was most likely meant to be (`QueueShutdown` -> `QueueShutDown`)."""
    for known in sorted(EVERY_NAME):
        if known.lower() == name.lower():
            return known
    matches = difflib.get_close_matches(name, sorted(EVERY_NAME), n=1, cutoff=0.8)
    return matches[0] if matches else None


# High-level functions and primitives whose `loop` parameter was removed in 3.10: passing it
# raises TypeError (an unexpected keyword, or "As of 3.10, the *loop* parameter was removed").
# Checked against the 3.9 and 3.10 signatures. Low-level APIs (Future, Task, StreamReader,
# ensure_future, wrap_future, all_tasks, current_task, run_coroutine_threadsafe) keep it.
LOOP_PARAMETER_REMOVED = frozenset(
    f"asyncio.{name}"
    for name in (
        "as_completed",
        "create_subprocess_exec",
        "create_subprocess_shell",
        "gather",
        "open_connection",
        "open_unix_connection",
        "shield",
        "sleep",
        "start_server",
        "start_unix_server",
        "wait",
        "wait_for",
        "BoundedSemaphore",
        "Condition",
        "Event",
        "Lock",
        "Semaphore",
        "Queue",
        "PriorityQueue",
        "LifoQueue",
    )
)
LOOP_PARAMETER_REMOVED_IN = (3, 10)
