"""Property-based fuzzing of the engine: whatever valid Python it is given, it never raises,
never reports an internal error, reports every finding at a position inside the file, and every
fix it makes leaves code that still parses (and a second `--fix` changes nothing).

Programs come from three sources: hypothesmith's grammar-based generator, hypothesmith's
libcst-based generator, and a generator of our own that composes asyncio snippets (queues,
locks, streams, subprocesses, tasks, cancellation) inside `async def`s, `with`/`async with`,
`try`/`except`/`finally`, loops, `if` and `match`, written with varied indentation, line endings,
semicolons and `# noqa` comments, so that the rules actually fire and their fixes run.

The default run is short and deterministic, for CI: 50 examples per property, the same ones
every time, a failing one printed as found. For a longer, randomised run that also shrinks what
it finds to a small example, set ASYNCLINT_FUZZ_EXAMPLES to the number of examples per property:

    ASYNCLINT_FUZZ_EXAMPLES=2000 python -m pytest tests/test_fuzz.py

A randomised run keeps its failing examples in `.hypothesis/`, and the next run tries them
first.
"""

from __future__ import annotations

import functools
import os
import re
import sys
import warnings

import hypothesmith
import libcst
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from asynclint.diagnostics import Diagnostic
from asynclint.engine import check_source
from asynclint.results import FileResult
from asynclint.runner import check_bytes
from asynclint.settings import SUPPORTED_TARGETS, Settings

# hypothesmith compiles what it generates; Python's warnings about that code are not ours.
pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::SyntaxWarning")]

_LONG_RUN = os.environ.get("ASYNCLINT_FUZZ_EXAMPLES")
EXAMPLES = int(_LONG_RUN) if _LONG_RUN else 50

# The short run neither shrinks a failing example (that can take minutes) nor stores it: it
# prints it as found, and since it is deterministic, the next run finds it again.
_SHORT_RUN_PHASES = (Phase.explicit, Phase.generate)
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not _LONG_RUN,  # CI sees the same examples every run; long runs explore
    database=settings.default.database if _LONG_RUN else None,
    phases=tuple(Phase) if _LONG_RUN else _SHORT_RUN_PHASES,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)

_LINE_END = re.compile(r"\r\n|\r|\n")
_TARGETS = st.sampled_from(SUPPORTED_TARGETS)

# --- properties ----------------------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    """The file's lines as the engine and editors count them (\\r\\n, \\r or \\n ends a line)."""
    return _LINE_END.split(text)


def _assert_inside(text: str, line: int, column: int, what: str) -> None:
    lines = _lines(text)
    assert 1 <= line <= len(lines), f"{what}: line {line} outside 1..{len(lines)}"
    width = len(lines[line - 1])
    assert 1 <= column <= width + 1, f"{what}: column {column} outside 1..{width + 1}"


def _assert_positions(text: str, diagnostic: Diagnostic) -> None:
    what = f"{diagnostic.code} {diagnostic.message!r}"
    _assert_inside(text, diagnostic.line, diagnostic.column, what)
    if diagnostic.end_line is not None:
        assert diagnostic.end_column is not None, what
        _assert_inside(text, diagnostic.end_line, diagnostic.end_column, f"{what} (end)")
        start = (diagnostic.line, diagnostic.column)
        assert start <= (diagnostic.end_line, diagnostic.end_column), what
    for related in diagnostic.related:
        _assert_inside(text, related.line, related.column, f"{what} (related)")
    if diagnostic.fix is not None:
        for edit in diagnostic.fix.edits:
            assert 0 <= edit.start <= edit.end <= len(text), f"{what}: fix edit {edit}"


def _parses(text: str) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            libcst.parse_module(text)
        except libcst.ParserSyntaxError:
            return False
    return True


def _compiles(text: str) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(text, "fuzz.py", "exec", dont_inherit=True)
        except SyntaxError:
            return False
    return True


def _check(text: str, target: tuple[int, int]) -> FileResult:
    """Everything on, every fix allowed, no prefilter: the engine sees the whole program."""
    settings_ = Settings(preview=True, target_version=target)
    result = check_source(text, "fuzz.py", settings_, fix=True, unsafe=True, prefilter=False)
    assert result.internal_errors == []
    for diagnostic in result.diagnostics:
        _assert_positions(text, diagnostic)
    if result.fixed_text is not None:
        assert result.fixed_text != text
        assert _parses(result.fixed_text), result.fixed_text
        if _compiles(text):
            assert _compiles(result.fixed_text), result.fixed_text
    return result


def _assert_fix_is_stable(text: str, target: tuple[int, int]) -> None:
    """`--fix --unsafe-fixes` as the command line does it; then a second run changes nothing."""
    settings_ = Settings(preview=True, target_version=target)
    first = check_bytes(text.encode(), "fuzz.py", settings_, fix=True, unsafe=True)
    assert first.internal_errors == []
    if first.fixed_text is None:
        return
    assert _parses(first.fixed_text), first.fixed_text
    second = check_bytes(first.fixed_text.encode(), "fuzz.py", settings_, fix=True, unsafe=True)
    assert second.internal_errors == []
    assert second.fixed_text is None, f"a second --fix changed the code again:\n{first.fixed_text}"


# --- hypothesmith: valid Python of every shape ---------------------------------------------------


@FUZZ
@given(source=hypothesmith.from_grammar(), target=_TARGETS)
def test_programs_from_the_grammar(source: str, target: tuple[int, int]) -> None:
    result = _check(source, target)
    # hypothesmith only produces code that Python compiles, and libcst parses all of it.
    assert [d for d in result.diagnostics if d.code == "AIO001"] == []


@FUZZ
@given(source=hypothesmith.from_node(), target=_TARGETS)
def test_programs_from_libcst_nodes(source: str, target: tuple[int, int]) -> None:
    result = _check(source, target)
    assert [d for d in result.diagnostics if d.code == "AIO001"] == []


# --- programs biased toward asyncio --------------------------------------------------------------

# Simple statements. Names repeat on purpose (q, writer, proc, lock, ...), so that a `get()` in
# one snippet meets a `task_done()` in another and a `write()` meets a `drain()` or a `close()`.
SIMPLE = [
    "pass",
    "x = 1",
    "print(item)",
    "return",
    "return await q.get()",
    "raise",
    "raise RuntimeError('stop')",
    # queues
    "q = asyncio.Queue()",
    "q = asyncio.Queue(maxsize=1)",
    "q = asyncio.PriorityQueue()",
    "q: asyncio.Queue[int] = asyncio.LifoQueue()",
    "item = await q.get()",
    "item = q.get_nowait()",
    "q.task_done()",
    "await q.join()",
    "await q.put(item)",
    "await q.put((1, object()))",
    "q.put_nowait(item)",
    "q.shutdown()",
    "size = q.qsize()",
    # streams
    "reader, writer = await asyncio.open_connection(host, 80)",
    "reader, writer = await asyncio.wait_for(asyncio.open_connection(host, 80), 5)",
    "writer.write(b'data')",
    "writer.write('text')",
    "writer.writelines([b'a', b'b'])",
    "await writer.drain()",
    "writer.close()",
    "await writer.wait_closed()",
    "data = await reader.read()",
    "data = await reader.read(100)",
    "line = await reader.readline()",
    "data = await asyncio.wait_for(reader.read(100), timeout=5)",
    # subprocesses
    "proc = await asyncio.create_subprocess_exec('ls', stdout=asyncio.subprocess.PIPE)",
    "proc = await asyncio.create_subprocess_exec('cat', stdin=PIPE, stdout=PIPE, stderr=PIPE)",
    "proc = await asyncio.create_subprocess_exec(['ls'], text=True)",
    "proc = await asyncio.create_subprocess_shell(f'ls {path}', stdout=PIPE)",
    "proc = await asyncio.create_subprocess_shell('ls ' + path)",
    "await proc.wait()",
    "code = await proc.wait()",
    "out, err = await proc.communicate()",
    "out, err = await proc.communicate('input')",
    "proc.stdin.write(b'data')",
    "proc.stdin.write('text')",
    "proc.stdin.close()",
    "data = await proc.stdout.read()",
    "line = await proc.stderr.readline()",
    "proc.kill()",
    "proc.terminate()",
    "status = proc.poll()",
    "subprocess.run(['ls'])",
    "os.system('ls')",
    "time.sleep(1)",
    "requests.get(url)",
    # locks and conditions
    "lock = asyncio.Lock()",
    "tlock = threading.Lock()",
    "other = asyncio.Lock()",
    "cond = asyncio.Condition()",
    "sem = asyncio.Semaphore(2)",
    "await lock.acquire()",
    "lock.release()",
    "await other.acquire()",
    "other.release()",
    "tlock.acquire()",
    "tlock.release()",
    "await cond.wait()",
    "cond.notify()",
    "cond.notify_all()",
    "await cond.wait_for(ready)",
    # tasks, loops, cancellation
    "task = asyncio.create_task(worker(q))",
    "asyncio.create_task(worker(q))",
    "asyncio.ensure_future(worker(q))",
    "tasks.append(asyncio.create_task(worker(q)))",
    "worker(q)",
    "await worker(q)",
    "await asyncio.gather(*tasks)",
    "await asyncio.wait_for(worker(q), timeout=1)",
    "await asyncio.sleep(0)",
    "await asyncio.sleep(1, loop=loop)",
    "loop = asyncio.get_event_loop()",
    "loop = asyncio.get_running_loop()",
    "asyncio.run(worker(q))",
    "loop.run_until_complete(worker(q))",
    "await loop.run_in_executor(None, blocking)",
    "await asyncio.to_thread(blocking)",
    "loop.call_soon_threadsafe(q.put_nowait, item)",
    "threading.Thread(target=consume, args=(q,)).start()",
    "task.cancel()",
    "await asyncio.timeout(1)",
    "asyncio.current_task().uncancel()",
    "coro = asyncio.sleep(1)",
    "fut = asyncio.get_event_loop().create_future()",
]
IN_LOOP = ["break", "continue", "if q.empty():\n    break"]
HEADERS = [
    "async with lock:",
    "async with lock, other:",
    "async with (lock, sem):",
    "with lock:",
    "with tlock:",
    "async with cond:",
    "async with sem:",
    "async with asyncio.timeout(1):",
    "async with asyncio.TaskGroup() as tg:",
    "with open(path) as handle:",
    "if item is None:",
    "if not q.empty():",
    "if (n := q.qsize()) > 1:",
    "if sys.version_info >= (3, 11):",
]
LOOPS = [
    "while True:",
    "while not q.empty():",
    "for i in range(3):",
    "async for line in reader:",
    "async for chunk in proc.stdout:",
]
HANDLERS = [
    "except asyncio.CancelledError:",
    "except asyncio.TimeoutError:",
    "except TimeoutError:",
    "except (asyncio.QueueEmpty, queue.Empty):",
    "except queue.Empty:",
    "except BaseException:",
    "except Exception as error:",
    "except:",
]
IMPORTS = (
    "import asyncio\nimport os\nimport queue\nimport subprocess\nimport sys\n"
    "import threading\nimport time\nfrom asyncio.subprocess import PIPE\n"
)
INDENTS = st.sampled_from(["    ", "  ", "\t"])
NEWLINES = st.sampled_from(["\n", "\r\n", "\r"])

Lines = list[tuple[int, str]]  # (indent level, text)


def _indent(lines: Lines) -> Lines:
    return [(level + 1, text) for level, text in lines]


def _is_sync(text: str) -> bool:
    return "await " not in text and not text.startswith("async ")


@functools.cache
def _simple(is_async: bool, in_loop: bool) -> st.SearchStrategy[Lines]:
    pool = SIMPLE + IN_LOOP if in_loop else SIMPLE
    if not is_async:
        pool = [text for text in pool if _is_sync(text)]

    def lines(text: str) -> Lines:
        return [(line.count("    "), line.strip()) for line in text.split("\n")]

    single = st.sampled_from(pool).map(lines)
    # Several statements on one line: fixes must not assume a statement has its line alone.
    joined = st.lists(st.sampled_from([t for t in pool if "\n" not in t]), min_size=2, max_size=3)
    noqa = st.tuples(
        st.sampled_from([t for t in pool if "\n" not in t]),
        st.sampled_from(["# noqa", "# noqa: AIO401", "# noqa:AIO2,AIO6"]),
    )
    return st.one_of(
        single,
        single,
        single,
        joined.map(lambda parts: [(0, "; ".join(parts))]),
        noqa.map(lambda pair: [(0, f"{pair[0]}  {pair[1]}")]),
    )


@functools.cache
def _block(depth: int, is_async: bool, in_loop: bool) -> st.SearchStrategy[Lines]:
    """Statements for a body in an `async def` (or a plain `def`), inside a loop or not:
    Python rejects `await` in a plain function and `break` outside a loop."""
    statement = _statement(depth, is_async, in_loop)
    return st.lists(statement, min_size=1, max_size=4).map(
        lambda parts: [line for part in parts for line in part]
    )


@functools.cache
def _statement(depth: int, is_async: bool, in_loop: bool) -> st.SearchStrategy[Lines]:
    simple = _simple(is_async, in_loop)
    if depth <= 0:
        return simple

    def body(loop: bool = in_loop, coroutine: bool = is_async) -> st.SearchStrategy[Lines]:
        return st.deferred(lambda: _block(depth - 1, coroutine, loop))

    def allowed(headers: list[str]) -> list[str]:
        return headers if is_async else [h for h in headers if _is_sync(h)]

    headed = st.tuples(st.sampled_from(allowed(HEADERS)), body()).map(
        lambda pair: [(0, pair[0]), *_indent(pair[1])]
    )
    looped = st.tuples(st.sampled_from(allowed(LOOPS)), body(True)).map(
        lambda pair: [(0, pair[0]), *_indent(pair[1])]
    )
    if_else = st.tuples(body(), body()).map(
        lambda pair: [(0, "if item:"), *_indent(pair[0]), (0, "else:"), *_indent(pair[1])]
    )
    handlers = st.lists(
        st.tuples(st.sampled_from(HANDLERS), body()),
        min_size=0,
        max_size=2,
        unique_by=lambda handler: handler[0],
    )
    star = st.booleans()
    try_stmt = st.tuples(body(), handlers, st.one_of(st.none(), body()), star).map(_try)
    match = st.tuples(body(), body(), body()).map(
        lambda bodies: [
            (0, "match item:"),
            (1, "case None:"),
            *_indent(_indent(bodies[0])),
            (1, "case [first, *rest] if rest:"),
            *_indent(_indent(bodies[1])),
            (1, "case {'kind': kind, **other}:"),
            *_indent(_indent(bodies[2])),
        ]
    )
    nested_async = body(False, True).map(lambda b: [(0, "async def inner():"), *_indent(b)])
    nested_sync = body(False, False).map(lambda b: [(0, "def inner():"), *_indent(b)])
    return st.one_of(
        simple, simple, headed, looped, if_else, try_stmt, match, nested_async, nested_sync
    )


def _try(parts: tuple[Lines, list[tuple[str, Lines]], Lines | None, bool]) -> Lines:
    body, handlers, final, star = parts
    if not handlers and final is None:
        final = [(0, "pass")]
    # A bare `except:` must come last; except* needs a type in every handler (Python 3.11+).
    handlers = sorted(handlers, key=lambda handler: handler[0] == "except:")
    star = star and sys.version_info >= (3, 11) and all(h != "except:" for h, _ in handlers)
    lines: Lines = [(0, "try:"), *_indent(body)]
    for header, handler_body in handlers:
        if star:
            header = "except* " + header[len("except ") :]
            # `return`, `break` and `continue` cannot appear in an except* block.
            handler_body = [(n, "pass" if _jumps(text) else text) for n, text in handler_body]
        lines += [(0, header), *_indent(handler_body)]
    if final is not None:
        lines += [(0, "finally:"), *_indent(final)]
    return lines


def _jumps(text: str) -> bool:
    """Whether a line (of simple statements joined by `;`) has a return, break or continue."""
    return any(part.split(" ")[0] in {"return", "break", "continue"} for part in text.split("; "))


FUNCTION_HEADERS = [
    "async def worker(q):",
    "async def handle(reader, writer):",
    "async def run(path, host='localhost', *, url=None):",
    "async def main():",
    "def consume(q):",
    "async def producer[T](queue: asyncio.Queue[T], item: T, /) -> None:",
]


def _function() -> st.SearchStrategy[Lines]:
    header = st.sampled_from(FUNCTION_HEADERS)
    decorated = st.sampled_from(["", "@decorator", "@functools.cache"])
    return st.tuples(decorated, header).flatmap(
        lambda pair: _block(2, not _is_sync(pair[1]), False).map(
            lambda body: [
                *([(0, pair[0])] if pair[0] else []),
                (0, pair[1]),
                *_indent(body),
            ]
        )
    )


def _method() -> st.SearchStrategy[Lines]:
    return _block(2, True, False).map(
        lambda body: [
            (0, "class Service:"),
            (1, "lock = asyncio.Lock()"),
            (1, "async def serve(self, reader, writer):"),
            *_indent(_indent(body)),
        ]
    )


def _render(parts: tuple[list[Lines], str, str, bool]) -> str:
    units, indent, newline, final_newline = parts
    out = IMPORTS.split("\n")
    for unit in units:
        out.append("")
        for level, text in unit:
            out.extend(indent * level + piece for piece in text.split("\n"))
    text = newline.join(out).rstrip() + (newline if final_newline else "")
    if sys.version_info < (3, 12):
        # PEP 695 generics only parse from 3.12 on: keep the program valid for this Python.
        text = text.replace("producer[T]", "producer")
    return text


ASYNC_PROGRAMS = st.tuples(
    st.lists(st.one_of(_function(), _function(), _method()), min_size=1, max_size=3),
    INDENTS,
    NEWLINES,
    st.booleans(),
).map(_render)


@FUZZ
@given(source=ASYNC_PROGRAMS, target=_TARGETS)
def test_async_programs(source: str, target: tuple[int, int]) -> None:
    # The generator writes valid Python: Python compiles it, and nothing may call it invalid.
    compile(source, "fuzz.py", "exec", dont_inherit=True)
    result = _check(source, target)
    assert [d for d in result.diagnostics if d.code.startswith("AIO00")] == []


@FUZZ
@given(source=ASYNC_PROGRAMS, target=_TARGETS)
def test_fixing_async_programs_settles(source: str, target: tuple[int, int]) -> None:
    _assert_fix_is_stable(source, target)


def test_the_async_generator_reaches_the_rules_and_their_fixes() -> None:
    """Guard the generator itself: if the snippets stopped matching what the rules look for,
    the properties above would pass without testing anything."""
    codes: set[str] = set()
    fixed = 0

    @settings(max_examples=60, deadline=None, derandomize=True, database=None)
    @given(source=ASYNC_PROGRAMS)
    def collect(source: str) -> None:
        nonlocal fixed
        result = check_source(source, "fuzz.py", Settings(preview=True), fix=True, unsafe=True)
        codes.update(d.code for d in result.diagnostics)
        fixed += result.fixed_text is not None

    collect()
    assert len(codes) >= 10, codes
    assert fixed >= 10


# Programs the properties above once failed on, kept so that they are checked on every run.
FOUND_BY_FUZZING = {
    # AIO305's fix (`with lock:` -> `async with lock:`) regenerated the statement one level
    # too shallow inside a `case` block: the fixed code did not parse.
    "aio305-fix-inside-match-case": (
        "import asyncio\n\n\nasync def worker(item):\n    lock = asyncio.Lock()\n"
        "    match item:\n        case None:\n            with lock:\n                pass\n"
    ),
}


@pytest.mark.parametrize("source", FOUND_BY_FUZZING.values(), ids=FOUND_BY_FUZZING.keys())
def test_programs_found_by_fuzzing(source: str) -> None:
    _check(source, (3, 11))
    _assert_fix_is_stable(source, (3, 11))


@pytest.mark.parametrize(
    "source",
    [
        "",
        "\n",
        "\r\n",
        "\ufeff",
        "async def f():\n    pass",
        "async def f():\r    w.write(b'x')\r",
        "async def f(): pass\n\x0c\n",
        "async def f():\n\tawait x\n",
        "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\nasync def f(): ...\n",
    ],
)
def test_edge_programs(source: str) -> None:
    result = _check(source, (3, 11))
    assert [d for d in result.diagnostics if d.code.startswith("AIO00")] == []
