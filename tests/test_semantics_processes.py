"""The subprocess facts on their own: how a process was created, its streams, waits, input,
signals and reaping; str values headed for a stream; blocking subprocess calls."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from asynclint.rules.subprocess import SubprocessStdinNotClosed
from asynclint.rules.subprocess.sync_calls import blocking_subprocess_calls
from asynclint.semantics import processes as p
from asynclint.semantics.events import Event
from asynclint.semantics.flow import If
from asynclint.semantics.model import FunctionInfo, ModuleFacts, build_facts
from asynclint.semantics.obligations import unmet_obligations
from asynclint.semantics.str_values import bytes_literal, str_description
from asynclint.settings import Settings

HEADER = (
    "import asyncio, subprocess, sys, json\nfrom asyncio.subprocess import PIPE, STDOUT, DEVNULL\n"
)


def facts_for(source: str) -> ModuleFacts:
    return build_facts(cst.parse_module(HEADER + textwrap.dedent(source)), Settings())


def function(facts: ModuleFacts, qualname: str) -> FunctionInfo:
    return next(f for f in facts.functions if f.qualname == qualname)


def code(facts: ModuleFacts, node: cst.CSTNode) -> str:
    return facts.module.code_for_node(node)


def calls(facts: ModuleFacts, qualname: str, method: str) -> list[Event]:
    return [e for e in function(facts, qualname).events if e.kind == "call" and e.method == method]


def created(facts: ModuleFacts, qualname: str) -> object:
    return next(e.root for e in function(facts, qualname).events if e.kind == "create")


@pytest.mark.parametrize(
    ("argument", "mode"),
    [
        ("stdout=PIPE", p.PIPED),
        ("stdout=asyncio.subprocess.PIPE", p.PIPED),
        ("stdout=subprocess.PIPE", p.PIPED),
        ("", p.NOT_PIPED),
        ("stdout=None", p.NOT_PIPED),
        ("stdout=DEVNULL", p.NOT_PIPED),
        ("stdout=STDOUT", p.NOT_PIPED),
        ("stdout=sys.stderr", p.NOT_PIPED),
        ("stdout=2", p.NOT_PIPED),
        ("stdout=-1", p.UNKNOWN),
        ("stdout=target", p.UNKNOWN),
        ("stdout=PIPE if target else None", p.UNKNOWN),
        ("**target", p.UNKNOWN),
        ("stdout=PIPE, **target", p.PIPED),
    ],
)
def test_stream_modes_of_a_creation_call(argument: str, mode: str) -> None:
    facts = facts_for(
        f"""
        async def run(target):
            proc = await asyncio.create_subprocess_exec("ls", {argument})
        """
    )
    call = next(e.node for e in function(facts, "run").events if e.kind == "create")
    assert isinstance(call, cst.Call)
    assert p.stream_modes(facts, call)["stdout"] == mode


def test_process_streams_agree_across_every_origin() -> None:
    facts = facts_for(
        """
        async def both(flag):
            if flag:
                proc = await asyncio.create_subprocess_exec("a", stdout=PIPE, stderr=PIPE)
            else:
                proc = await asyncio.create_subprocess_exec("b", stdout=PIPE)
            await proc.wait()
        async def annotated(proc: asyncio.subprocess.Process):
            await proc.wait()
        """
    )
    both = calls(facts, "both", "wait")[0].root
    assert p.process_streams(facts, both) == {
        "stdin": p.NOT_PIPED,
        "stdout": p.PIPED,
        "stderr": p.UNKNOWN,
    }
    assert p.process_streams(facts, calls(facts, "annotated", "wait")[0].root) is None


def test_stream_owner_through_aliases_and_not_for_other_objects() -> None:
    facts = facts_for(
        """
        async def run(other: asyncio.StreamReader):
            proc = await asyncio.create_subprocess_exec("ls", stdout=PIPE)
            out = proc.stdout
            await out.read()
            await other.read()
        """
    )
    process = created(facts, "run")
    owned, foreign = calls(facts, "run", "read")
    assert p.stream_owner(facts, owned.root) == (process, "stdout")
    assert p.stream_owner(facts, foreign.root) is None
    assert p.known_processes(facts) == {process}


@pytest.mark.parametrize(
    ("statement", "blocking"),
    [
        ("await proc.stdout.read()", True),
        ("await proc.stdout.read(-1)", True),
        ("await asyncio.wait_for(proc.stderr.read(), 5)", True),
        ("await proc.stdout.read(100)", False),
        ("await proc.stdout.readline()", False),
        ("proc.stdout.read()", False),
        ("await asyncio.gather(proc.stdout.read())", False),
        ("async for line in proc.stdout:\n                print(line)", True),
        ("async for line in proc.stdout:\n                break", False),
        (
            "async for line in proc.stdout:\n                for c in line:\n"
            "                    break",
            True,
        ),
        (
            "async for line in proc.stdout:\n                while line:\n"
            "                    return",
            False,
        ),
    ],
)
def test_blocking_reads_to_the_end(statement: str, blocking: bool) -> None:
    facts = facts_for(
        f"""
        async def run():
            proc = await asyncio.create_subprocess_exec("ls", stdout=PIPE, stderr=PIPE)
            {statement}
        """
    )
    found = [p.blocking_read_to_eof(facts, e) for e in function(facts, "run").events]
    owners = [owner for owner in found if owner is not None]
    assert bool(owners) == blocking
    if blocking:
        assert owners[0][0] == created(facts, "run")


def test_waits_for_exit_and_what_closes_stdin() -> None:
    facts = facts_for(
        """
        async def helper(proc):
            proc.stdin.close()
        async def run(data):
            proc = await asyncio.create_subprocess_exec("cat", stdin=PIPE, stdout=PIPE)
            await proc.communicate()
            await proc.communicate(data)
            await proc.communicate(None)
            await proc.wait()
            proc.stdin.close()
            proc.stdin.write_eof()
            proc.kill()
            await helper(proc)
            await proc.stdin.drain()
        """
    )
    process = created(facts, "run")
    events = [e for e in function(facts, "run").events if e.kind == "call" and e.method]
    waits = {code(facts, e.node) for e in events if p.waits_for_exit(facts, e) == process}
    assert waits == {"proc.communicate()", "proc.communicate(None)", "proc.wait()"}
    closing = {code(facts, e.node) for e in events if p.closes_stdin(facts, e, process)}
    assert closing == {
        "proc.communicate(data)",
        "proc.stdin.close()",
        "proc.stdin.write_eof()",
        "proc.kill()",
    }
    helper_call = next(e for e in function(facts, "run").events if e.target is not None)
    assert p.closes_stdin(facts, helper_call, process)


def test_unclosed_stdin_writes_report_the_last_write_and_spare_conversations() -> None:
    facts = facts_for(
        """
        async def filter_(a, b):
            proc = await asyncio.create_subprocess_exec("sort", stdin=PIPE, stdout=PIPE)
            proc.stdin.write(a)
            proc.stdin.write(b)
            out = await proc.stdout.read()
            await proc.wait()
        async def chat(q):
            proc = await asyncio.create_subprocess_exec("bc", stdin=PIPE, stdout=PIPE)
            proc.stdin.write(q)
            answer = await proc.stdout.readline()
            proc.stdin.write(b"quit\\n")
            await proc.wait()
        async def closed(a):
            proc = await asyncio.create_subprocess_exec("sort", stdin=PIPE, stdout=PIPE)
            proc.stdin.write(a)
            proc.stdin.close()
            await proc.wait()
        """
    )
    found = list(p.unclosed_stdin_writes(facts))
    assert [(code(facts, f.write.node), code(facts, f.probe.node)) for f in found] == [
        ("proc.stdin.write(b)", "proc.stdout.read()")
    ]


STREAM_THEN_COMMUNICATE = """
async def compress(data):
    proc = await asyncio.create_subprocess_exec("gzip", stdin=PIPE, stdout=PIPE)
    proc.stdin.write(data)
    await proc.stdin.drain()
    out, _ = await proc.communicate()
    return out
async def compress_by_reading(data):
    proc = await asyncio.create_subprocess_exec("gzip", stdin=PIPE, stdout=PIPE)
    proc.stdin.write(data)
    out = await proc.stdout.read()
    await proc.wait()
    return out
"""


@pytest.mark.parametrize(
    ("target", "reported"),
    [
        ((3, 10), ["proc.communicate()", "proc.stdout.read()"]),
        ((3, 11), ["proc.communicate()", "proc.stdout.read()"]),
        ((3, 12), ["proc.stdout.read()"]),
        ((3, 13), ["proc.stdout.read()"]),
    ],
)
def test_communicate_without_input_closes_stdin_from_312(
    target: tuple[int, int], reported: list[str]
) -> None:
    facts = build_facts(
        cst.parse_module(HEADER + STREAM_THEN_COMMUNICATE), Settings(target_version=target)
    )
    found = list(p.unclosed_stdin_writes(facts))
    assert [code(facts, f.probe.node) for f in found] == reported


@pytest.mark.parametrize("target", [(3, 10), (3, 11)])
def test_aio203_names_the_target_version_when_communicate_leaves_stdin_open(
    target: tuple[int, int],
) -> None:
    facts = build_facts(
        cst.parse_module(HEADER + STREAM_THEN_COMMUNICATE), Settings(target_version=target)
    )
    messages = [f.message for f in SubprocessStdinNotClosed().check(facts)]
    assert len(messages) == 2
    version = f"Python {target[0]}.{target[1]} (the target version)"
    assert version in messages[0] and "`communicate()` without input" in messages[0]
    assert version not in messages[1]


def test_reads_blocking_on_an_unread_pipe() -> None:
    facts = facts_for(
        """
        async def sequential():
            proc = await asyncio.create_subprocess_exec("gcc", stdout=PIPE, stderr=PIPE)
            out = await proc.stdout.read()
            err = await proc.stderr.read()
        async def concurrent():
            proc = await asyncio.create_subprocess_exec("gcc", stdout=PIPE, stderr=PIPE)
            task = asyncio.create_task(asyncio.sleep(0, proc.stderr))
            out = await proc.stdout.read()
        class Job:
            async def start(self):
                self.proc = await asyncio.create_subprocess_exec("x", stdout=PIPE, stderr=PIPE)
            async def out(self):
                return await self.proc.stdout.read()
        """
    )
    found = [
        (f.stream, f.unread, code(facts, f.event.node))
        for f in p.reads_blocking_on_unread_pipe(facts)
    ]
    assert sorted(found) == [
        ("stdout", ("stderr",), "proc.stdout.read()"),
        ("stdout", ("stderr",), "self.proc.stdout.read()"),
    ]


def test_raising_paths_count_as_ends_for_signals_and_any_follow_up_meets_them() -> None:
    facts = facts_for(
        """
        async def run(flag):
            proc = await asyncio.create_subprocess_exec("x")
            try:
                await asyncio.wait_for(proc.wait(), 1)
            except TimeoutError:
                proc.kill()
                raise
            if flag:
                proc.terminate()
                if flag > 1:
                    await proc.wait()
        """
    )
    run = function(facts, "run")
    never = unmet_obligations(
        run,
        lambda e: e.root if p.is_signal(facts, e) else None,
        lambda e, process: p.reaps(facts, e, process),
        raising_paths=True,
    )
    assert [e.method for e in never] == ["kill"]


def test_unreaped_signals_skip_processes_waited_elsewhere_or_not_created_here() -> None:
    facts = facts_for(
        """
        class Service:
            async def run(self):
                self._proc = await asyncio.create_subprocess_exec("x")
                await self._proc.wait()
            async def stop(self):
                self._proc.terminate()
        class Recorder:
            async def start(self):
                self._proc = await asyncio.create_subprocess_exec("x")
            def stop(self):
                self._proc.terminate()
        async def given(proc: asyncio.subprocess.Process):
            proc.kill()
        """
    )
    found = [(e.method, code(facts, e.node)) for e in p.unreaped_signals(facts)]
    assert found == [("terminate", "self._proc.terminate()")]
    assert function(facts, "Recorder.stop").events[0] in list(p.unreaped_signals(facts))


def test_never_waited_processes() -> None:
    facts = facts_for(
        """
        async def dropped():
            await asyncio.create_subprocess_exec("notify-send")
        async def pid_only():
            proc = await asyncio.create_subprocess_exec("x")
            print(proc.pid)
        async def polled():
            proc = await asyncio.create_subprocess_exec("x")
            while proc.returncode is None:
                await asyncio.sleep(1)
        async def returned():
            proc = await asyncio.create_subprocess_exec("x")
            return proc
        async def read():
            proc = await asyncio.create_subprocess_exec("x", stdout=PIPE)
            return await proc.stdout.read()
        async def expected():
            try:
                await asyncio.create_subprocess_exec("missing")
            except FileNotFoundError:
                pass
        """
    )
    found = [code(facts, e.node) for e in p.never_waited(facts)]
    assert found == [
        'asyncio.create_subprocess_exec("notify-send")',
        'asyncio.create_subprocess_exec("x")',
    ]


def test_expects_error_from_raises_blocks_and_handlers() -> None:
    facts = facts_for(
        """
        import pytest
        async def run(self, proc):
            with pytest.raises(ValueError):
                proc.one()
            with self.assertRaisesRegex(ValueError, "x"):
                proc.two()
            try:
                proc.three()
            except (TypeError, KeyError):
                pass
            try:
                proc.four()
            except Exception:
                pass
            proc.five()
        """
    )
    run = function(facts, "run")
    expecting = {
        e.method
        for e in run.events
        if e.kind == "call" and p.expects_error(facts, run, e, frozenset({"TypeError"}))
    }
    assert expecting == {"one", "two", "three"}


def test_invalid_arguments_name_the_problem() -> None:
    facts = facts_for(
        """
        async def run(flag):
            await asyncio.create_subprocess_exec(["ls"], text=True, bufsize=0, shell=False)
            await asyncio.create_subprocess_shell("ls", shell=True, errors=None, stdin=STDOUT)
            proc = await asyncio.create_subprocess_exec("ls", universal_newlines=flag)
            await proc.wait(timeout=1)
            await proc.communicate(b"", 2)
        """
    )
    problems = [(code(facts, f.node), f.problem) for f in p.invalid_arguments(facts)]
    assert [node for node, _ in problems] == [
        '["ls"]',
        "text=True, ",
        "stdin=STDOUT",
        "timeout=1",
        "2",
    ]
    assert "TypeError" in problems[0][1] and "ValueError" in problems[1][1]
    assert "OSError" in problems[2][1]


@pytest.mark.parametrize(
    ("expression", "description"),
    [
        ('"x"', "a str literal"),
        ('"x" "y"', "a str literal"),
        ('b"x"', None),
        ('f"{v}"', "an f-string"),
        ("str(v)", "`str()`"),
        ("repr(v)", "`repr()`"),
        ("json.dumps(v)", "`json.dumps()`"),
        ('"%s" % v', "a %-formatted str"),
        ('b"%s" % v', None),
        ('"a" + v', "a str concatenation"),
        ('",".join(v)', "`str.join()`"),
        ('"{}".format(v)', "`str.format()`"),
        ('"x".encode()', None),
        ("v", None),
        ("s", "`s`, a str"),
        ("t", None),
        ("u", None),
        ("w", "`w`, annotated str"),
        ("x", None),
        ("y", None),
    ],
)
def test_str_descriptions(expression: str, description: str | None) -> None:
    facts = facts_for(
        f"""
        async def run(v, w: str, x: bytes, y: str):
            y = y.encode()
            s = "a"
            s = f"{{v}}"
            t = "a"
            t = t.encode()
            u = "a"
            for u in v:
                pass
            return {expression}
        """
    )
    run = function(facts, "run")
    statement = run.node.body.body[-1]  # type: ignore[attr-defined]
    value = statement.body[0].value
    assert str_description(facts, run, value) == description


def test_str_builtin_shadowed_by_a_local_function() -> None:
    facts = facts_for(
        """
        async def run(v):
            def str(x):
                return b""
            return str(v)
        """
    )
    run = function(facts, "run")
    value = run.node.body.body[-1].body[0].value  # type: ignore[attr-defined]
    assert str_description(facts, run, value) is None


@pytest.mark.parametrize(
    ("literal", "converted"),
    [
        ('"ok\\n"', 'b"ok\\n"'),
        ("'QUIT\\r\\n'", "b'QUIT\\r\\n'"),
        ('r"\\d+"', 'br"\\d+"'),
        ('u"x"', 'b"x"'),
        ('"""a\nb"""', 'b"""a\nb"""'),
        ('"\\x41"', 'b"\\x41"'),
        ('"caf\\u00e9"', None),
        ('"\\u0041"', None),
        ('"\\N{BULLET}"', None),
        ('"grüße"', None),
        ('b"x"', None),
    ],
)
def test_bytes_literal_only_when_the_bytes_are_the_same(
    literal: str, converted: str | None
) -> None:
    node = cst.parse_expression(literal)
    assert isinstance(node, cst.SimpleString)
    assert bytes_literal(node) == converted


def test_blocking_subprocess_calls_resolve_imports_and_popen_names() -> None:
    facts = facts_for(
        """
        import os
        import subprocess as sp
        from subprocess import run as execute, Popen
        async def coro(argv, pid, options):
            execute(argv)
            sp.getoutput("ls")
            child = Popen(argv)
            child.wait()
            Popen(argv).communicate()
            os.waitpid(pid, 0)
            os.waitpid(pid, os.WNOHANG)
            os.waitpid(pid, options)
            with sp.Popen(argv) as inner:
                inner.wait()
            await asyncio.to_thread(sp.run, argv)
            def sync():
                sp.run(argv)
        def plain(argv):
            sp.run(argv)
        """
    )
    found = [found.name for found in blocking_subprocess_calls(facts)]
    assert found == [
        "`subprocess.run()`",
        "`subprocess.getoutput()`",
        "`Popen.wait()`",
        "`Popen.communicate()`",
        "`os.waitpid()`",
        "leaving `with subprocess.Popen(...)`, which waits,",
        "`Popen.wait()`",
    ]


def test_holds_only_created_processes() -> None:
    facts = facts_for(
        """
        class Worker:
            def __init__(self):
                self._proc = None
                self._other = None
            async def start(self):
                self._proc = await asyncio.wait_for(asyncio.create_subprocess_exec("x"), 5)
                self._other = await asyncio.create_subprocess_exec("y")
            async def swap(self, spawn):
                self._other = await spawn()
            async def use(self):
                await self._proc.stdout.read()
                await self._other.stdout.read()
        async def local(flag):
            proc = await asyncio.create_subprocess_exec("x")
            await proc.stdout.read()
        async def parameter(proc):
            await proc.stdout.read()
        async def rebound(items):
            proc = await asyncio.create_subprocess_exec("x")
            for proc in items:
                await proc.stdout.read()
        """
    )

    def held(qualname: str) -> list[bool]:
        scope = function(facts, qualname)
        return [
            p.holds_only_created_processes(facts, scope, e.ref)
            for e in calls(facts, qualname, "read")
        ]

    assert held("Worker.use") == [True, False]
    assert held("local") == [True]
    assert held("parameter") == [False]
    assert held("rebound") == [False]


def test_none_guards_on_piped_streams_have_a_dead_none_branch() -> None:
    facts = facts_for(
        """
        async def run(flag):
            proc = await asyncio.create_subprocess_exec("x", stdout=PIPE)
            if proc.stdout is None:
                pass
            if proc.stdout is not None:
                pass
            if not proc.stdout:
                pass
            if proc.stdout:
                pass
            if proc.stderr is None:
                pass
            if flag is None:
                pass
        """
    )
    run = function(facts, "run")
    ifs = [item for item in run.body.items if isinstance(item, If)]
    assert [p.dead_none_branch(facts, node) for node in ifs] == [
        "body",
        "orelse",
        "body",
        "orelse",
        None,  # stderr is not piped: it is None
        None,  # not a stream
    ]


def test_a_wait_through_a_task_is_found_at_the_await() -> None:
    facts = facts_for(
        """
        async def run():
            proc = await asyncio.create_subprocess_exec("x", stderr=PIPE)
            waiter = asyncio.create_task(proc.wait())
            other = asyncio.create_task(asyncio.sleep(1))
            await other
            await waiter
        """
    )
    found = p.task_waits(facts, function(facts, "run"))
    assert [(code(facts, a.node), code(facts, w.node)) for a, w in found.items()] == [
        ("await waiter", "proc.wait()")
    ]
