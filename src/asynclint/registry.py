"""Every code asynclint reports and what it is: declared once, readable without libcst.

The command line (`asynclint rules`, selection, SARIF rule metadata), the cache and the flake8
plugin's option parsing read this table; they never import the analysis. Each rule class in
`asynclint.rules` names its code and takes everything else from here, and the README's rule
table and each doc's header line are generated from it (`python scripts/generate_docs.py`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from asynclint.diagnostics import Severity

ERROR = Severity.ERROR
WARNING = Severity.WARNING

FixSafety = Literal["safe", "unsafe"]


@dataclass(frozen=True)
class RuleInfo:
    """`summary`: what the rule catches, in a sentence or two (README table, `asynclint rules`).
    `preview`: runs only when selected by its full code or with `--preview`. `opt_in`: a stable
    rule left out of the default selection (style, modernisation, or findings that are mostly
    deliberate on real code); it runs only when selected by its full code.
    `fix_safety`: the safest fix it offers; `fix_note` says what the fix does (doc header)."""

    # (`fix_label`, when set, replaces `fix_safety` in the README's Fix column.)

    code: str
    name: str
    severity: Severity
    summary: str
    preview: bool = False
    opt_in: bool = False
    fix_safety: FixSafety | None = None
    fix_note: str = ""
    # For a rule whose fixes differ in safety: how the README's Fix column says so.
    fix_label: str = ""

    @property
    def status(self) -> str:
        """How it is selected: `default`, `preview` or `opt-in` (only by its full code)."""
        return "preview" if self.preview else "opt-in" if self.opt_in else "default"

    @property
    def is_tool_diagnostic(self) -> bool:
        """AIO0xx: produced by the engine itself (syntax errors, unreadable files), not a rule."""
        return self.code.startswith("AIO0")


RULES: tuple[RuleInfo, ...] = (
    RuleInfo(
        "AIO000",
        "internal-error",
        ERROR,
        (
            "asynclint itself failed on the file; flake8 shows this one line instead of a traceback"
            " (the command line reports it on stderr and exits 2). Please report it."
        ),
    ),
    RuleInfo(
        "AIO001",
        "syntax-error",
        ERROR,
        "The file does not parse. asynclint reports where, and goes on with the other files.",
    ),
    RuleInfo(
        "AIO002",
        "unreadable-file",
        ERROR,
        "The file cannot be read or decoded: permissions, a bad encoding, binary content.",
    ),
    RuleInfo(
        "AIO003",
        "file-skipped",
        ERROR,
        (
            "The file is too large, too deeply nested or too slow to analyse; it is skipped with "
            "this notice and the run goes on."
        ),
    ),
    RuleInfo(
        "AIO101",
        "queue-task-done-missing",
        WARNING,
        (
            "A consumer `get()`s from a queue that is `join()`ed, and no `task_done()` follows on "
            "any path, so `join()` never returns."
        ),
    ),
    RuleInfo(
        "AIO102",
        "queue-task-done-excess",
        ERROR,
        (
            "`task_done()` can run twice for one `get()` (for example in the body and in a "
            "`finally`): `ValueError: task_done() called too many times`, or `join()` returns "
            "early."
        ),
    ),
    RuleInfo(
        "AIO103",
        "queue-task-done-not-in-finally",
        WARNING,
        (
            "`task_done()` for a joined queue is not in a `finally`, and the code between `get()` "
            "and `task_done()` can raise or be cancelled: one exception and `join()` hangs."
        ),
    ),
    RuleInfo(
        "AIO104",
        "queue-consumer-never-exits",
        WARNING,
        "Awaited consumer loop with no way out once the queue's items run out.",
    ),
    RuleInfo(
        "AIO105",
        "queue-shutdown-requires-py313",
        ERROR,
        "Queue.shutdown() used when the target Python is older than 3.13.",
    ),
    RuleInfo(
        "AIO106",
        "queue-empty-then-get-race",
        WARNING,
        "get() after a suspension that makes an emptiness test stale.",
    ),
    RuleInfo(
        "AIO107",
        "priority-queue-unorderable-item",
        ERROR,
        "PriorityQueue item whose payload cannot be compared on a priority tie.",
        preview=True,
        fix_note="preview",
    ),
    RuleInfo(
        "AIO108",
        "asyncio-object-from-thread",
        ERROR,
        "asyncio object used from a function that runs on another thread.",
    ),
    RuleInfo(
        "AIO109",
        "wrong-queue-exception",
        ERROR,
        "except queue.Empty/queue.Full around an asyncio queue call.",
        fix_safety="safe",
    ),
    RuleInfo(
        "AIO110",
        "bounded-queue-self-deadlock",
        WARNING,
        "put() into a full bounded queue before any consumer is started.",
        preview=True,
        fix_note="preview",
    ),
    RuleInfo(
        "AIO201",
        "subprocess-wait-with-pipe",
        WARNING,
        (
            "`await proc.wait()` on a process created with `stdout=PIPE` or `stderr=PIPE` that is "
            "not read. Once the pipe buffer (64 KiB on Linux) is full, the child blocks and "
            "`wait()` never returns."
        ),
        fix_safety="unsafe",
        fix_note="replaces `proc.wait()` with `proc.communicate()`",
    ),
    RuleInfo(
        "AIO202",
        "subprocess-shell-injection",
        WARNING,
        (
            "`create_subprocess_shell()` (or `sh -c`) with a command built from non-constant "
            "values: f-strings, `%`, `.format()`, `+`, `join`."
        ),
    ),
    RuleInfo(
        "AIO203",
        "subprocess-stdin-not-closed",
        WARNING,
        "Data written to `proc.stdin`, then a wait without closing stdin.",
    ),
    RuleInfo(
        "AIO204",
        "subprocess-unread-pipe",
        WARNING,
        "One PIPE read to the end while another PIPE is not read.",
    ),
    RuleInfo(
        "AIO205",
        "subprocess-invalid-argument",
        ERROR,
        "Argument that asyncio's subprocess API rejects on every call.",
    ),
    RuleInfo(
        "AIO206",
        "subprocess-no-poll",
        ERROR,
        "`proc.poll()` on an asyncio Process, which has no such method.",
    ),
    RuleInfo(
        "AIO207",
        "stream-data-not-bytes",
        ERROR,
        "A str written to a stream or passed to `communicate()`.",
        fix_safety="safe",
        fix_note="a bytes literal; `.encode()` is offered as an unsafe fix",
        fix_label="safe (literals) / unsafe",
    ),
    RuleInfo(
        "AIO208",
        "subprocess-stream-not-piped",
        ERROR,
        "`proc.stdout/stderr/stdin` used when that stream is not a PIPE.",
    ),
    RuleInfo(
        "AIO209",
        "subprocess-not-reaped",
        WARNING,
        "A process signalled or started and never waited for.",
    ),
    RuleInfo(
        "AIO210",
        "blocking-subprocess-in-async",
        WARNING,
        "Blocking subprocess or os.wait call inside `async def`.",
    ),
    RuleInfo(
        "AIO211",
        "subprocess-pipe-unread-while-running",
        WARNING,
        (
            "A stdout/stderr PIPE that nothing reads while the process runs (kept on `self`, in "
            "a container, behind a poll loop, or next to a loop over the other stream)."
        ),
    ),
    RuleInfo(
        "AIO212",
        "subprocess-stdin-blocked-by-full-stdout",
        WARNING,
        (
            "`await proc.stdin.drain()` while a stdout/stderr PIPE of the same process is not "
            "read concurrently."
        ),
    ),
    RuleInfo(
        "AIO301",
        "lock-acquire-without-finally",
        WARNING,
        "`await lock.acquire()` whose release() an exception can skip.",
    ),
    RuleInfo(
        "AIO302",
        "lock-reacquired",
        ERROR,
        "asyncio.Lock acquired again by the task that holds it.",
    ),
    RuleInfo(
        "AIO303",
        "lock-order-inversion",
        WARNING,
        "Two locks taken in opposite orders: ABBA deadlock.",
    ),
    RuleInfo(
        "AIO304",
        "sync-lock-across-await",
        WARNING,
        "threading lock held across `await`.",
    ),
    RuleInfo(
        "AIO305",
        "async-primitive-plain-with",
        ERROR,
        "asyncio Lock/Semaphore/Condition used with plain `with`.",
        fix_safety="safe",
        fix_note="uses `async with`, inside an `async def`",
    ),
    RuleInfo(
        "AIO306",
        "condition-without-lock",
        ERROR,
        "Condition wait()/notify() outside `async with cond`.",
    ),
    RuleInfo(
        "AIO307",
        "condition-wait-not-in-loop",
        WARNING,
        "`await cond.wait()` under `if` instead of `while`.",
        preview=True,
        fix_note="preview",
    ),
    RuleInfo(
        "AIO308",
        "primitive-bound-at-import",
        ERROR,
        "asyncio primitive created at import time (Python < 3.10).",
    ),
    RuleInfo(
        "AIO401",
        "stream-write-without-drain",
        WARNING,
        (
            "`StreamWriter.write()`/`writelines()` in an `async def` not drained (or closed) "
            "before the coroutine suspends or ends: no flow control, unbounded memory, and "
            "connection errors are lost."
        ),
        fix_safety="safe",
        fix_note="inserts `await writer.drain()` after the write",
    ),
    RuleInfo(
        "AIO402",
        "stream-close-without-wait-closed",
        WARNING,
        "StreamWriter.close() with no `await writer.wait_closed()` after it.",
        fix_safety="unsafe",
        fix_note="inserts `await writer.wait_closed()` after the close",
    ),
    RuleInfo(
        "AIO403",
        "unbounded-stream-read",
        WARNING,
        "`await reader.read()` reads a network stream to EOF, without a size limit.",
        preview=True,
        fix_note="preview",
    ),
    RuleInfo(
        "AIO404",
        "network-await-without-timeout",
        WARNING,
        "Network connect or read awaited with no timeout.",
        preview=True,
        fix_note="preview",
    ),
    RuleInfo(
        "AIO501",
        "cancelled-error-swallowed",
        WARNING,
        "A coroutine catches CancelledError and does not re-raise it.",
    ),
    RuleInfo(
        "AIO502",
        "timeout-error-mismatch",
        ERROR,
        "`except TimeoutError` cannot catch asyncio's timeout before Python 3.11.",
        fix_safety="safe",
        fix_note="catches `asyncio.TimeoutError` as well",
    ),
    RuleInfo(
        "AIO503",
        "asyncio-attribute-missing",
        ERROR,
        "An asyncio name that does not exist at the target Python version.",
    ),
    RuleInfo(
        "AIO504",
        "loop-argument-removed",
        ERROR,
        "`loop=` passed to an asyncio API that no longer accepts it (Python 3.10+).",
        fix_safety="safe",
        fix_note="removes the `loop=` argument",
    ),
    RuleInfo(
        "AIO505",
        "cancellation-ends-normally",
        WARNING,
        (
            "A coroutine catches `CancelledError` and then ends normally (returns, breaks out of "
            "its loop, falls off the end): the task reports itself finished, not cancelled, and "
            "`timeout()`/`TaskGroup` misbehave."
        ),
        # Opt-in: on real projects nearly every finding is a background task ended quietly on
        # purpose; teams that want cancellation to propagate everywhere select it.
        opt_in=True,
    ),
    RuleInfo(
        "AIO601",
        "coroutine-never-awaited",
        ERROR,
        "A coroutine is created and never awaited.",
        fix_safety="safe",
        fix_note="adds `await`, inside an `async def`",
    ),
    RuleInfo(
        "AIO602",
        "task-reference-dropped",
        WARNING,
        "A task is created and no reference to it is kept.",
    ),
    RuleInfo(
        "AIO603",
        "asyncio-run-in-coroutine",
        ERROR,
        "asyncio.run() or run_until_complete() inside a coroutine.",
    ),
    RuleInfo(
        "AIO604",
        "get-event-loop-in-coroutine",
        WARNING,
        "asyncio.get_event_loop() inside a coroutine.",
        # Inside a coroutine get_event_loop() returns the running loop on every supported
        # Python: replacing it is modernisation, not a bug fix.
        opt_in=True,
        fix_safety="safe",
        fix_note="calls `get_running_loop()` instead",
    ),
    RuleInfo(
        "AIO605",
        "blocking-call-in-async",
        WARNING,
        "A blocking call inside a coroutine stalls the event loop.",
    ),
    RuleInfo(
        "AIO606",
        "busy-wait-sleep-loop",
        WARNING,
        "A loop that polls a flag with asyncio.sleep().",
        preview=True,
        fix_note="preview",
    ),
    RuleInfo(
        "AIO607",
        "blocking-file-open-in-async",
        WARNING,
        "A file is opened inside a coroutine, on the event loop's thread.",
        # Opt-in: on real projects nearly all of its findings are test suites opening small
        # local files; real, but rarely worth a thread.
        opt_in=True,
    ),
)

BY_CODE: dict[str, RuleInfo] = {info.code: info for info in RULES}
BY_NAME: dict[str, RuleInfo] = {info.name: info for info in RULES}
ALL_CODES: tuple[str, ...] = tuple(sorted(BY_CODE))
TOOL_CODES: frozenset[str] = frozenset(
    code for code in ALL_CODES if BY_CODE[code].is_tool_diagnostic
)


def metadata(code: str) -> RuleInfo | None:
    return BY_CODE.get(code)


def lookup(code_or_name: str) -> RuleInfo | None:
    """A rule by its code (any case) or its name (`stream-write-without-drain`)."""
    text = code_or_name.strip()
    return BY_CODE.get(text.upper()) or BY_NAME.get(text.lower())


def is_known_selector(selector: str) -> bool:
    """A selector is a code or a prefix of at least one code (`AIO`, `AIO4`, `AIO40`)."""
    return any(code.startswith(selector) for code in ALL_CODES)


def names(codes: Iterable[str]) -> dict[str, str]:
    return {code: info.name for code in codes if (info := BY_CODE.get(code)) is not None}


# The tool's own diagnostics, by the name the engine uses for them.
INTERNAL_ERROR = BY_CODE["AIO000"]
SYNTAX_ERROR = BY_CODE["AIO001"]
UNREADABLE_FILE = BY_CODE["AIO002"]
SKIPPED_FILE = BY_CODE["AIO003"]
