"""Facts about asyncio subprocesses: how each was created (which streams are pipes, with
which arguments), which outputs are read before a wait or while another waits, whether input
is closed before waiting, and whether a process is waited for after it is signalled."""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from dataclasses import dataclass

import libcst as cst

from asynclint.semantics import asyncio_api as api
from asynclint.semantics.effects import hands_over
from asynclint.semantics.events import Event, RawRef
from asynclint.semantics.expressions import call_qualname
from asynclint.semantics.flow import If
from asynclint.semantics.model import FunctionInfo, ModuleFacts
from asynclint.semantics.obligations import pending_at, unmet_obligations
from asynclint.semantics.str_values import bound_only_by_assignment
from asynclint.semantics.streams import reads_to_eof, stream_of
from asynclint.semantics.walk import child_nodes

OUTPUT_STREAMS = ("stdout", "stderr")


@dataclass(frozen=True)
class UnreadWait:
    """`await proc.wait()` reached while `streams` of the process are piped and unread. When
    the wait runs as a task (`t = create_task(proc.wait())`), `event` is the `proc.wait()` call
    and `through` the `await t` that waits for it."""

    event: Event
    streams: tuple[str, ...]
    through: Event | None = None


def is_wait(facts: ModuleFacts, event: Event) -> bool:
    return (
        event.kind == "call"
        and event.method == "wait"
        and event.awaited
        and facts.kind(event.root) == api.PROCESS
    )


def unread_waits(facts: ModuleFacts) -> Iterator[UnreadWait]:
    for function in facts.functions:
        if not any(is_wait(facts, e) or e.method == "wait" for e in function.events):
            continue
        yield from _waits_after_create(facts, function)
        yield from _waits_elsewhere(facts, function)


def task_waits(facts: ModuleFacts, function: FunctionInfo) -> dict[Event, Event]:
    """`await t` where `t = asyncio.create_task(proc.wait())` (or `ensure_future`), mapped to
    the `proc.wait()` call: a wait through a task is still a wait."""
    calls = {id(e.node): e for e in function.events if e.kind == "call"}
    found: dict[Event, Event] = {}
    for event in function.events:
        if event.kind != "await" or facts.kind(event.root) != api.TASK:
            continue
        for origin in facts.objects.origins(event.root):
            node = origin.node
            if not (isinstance(node, cst.Call) and node.args):
                continue
            wait = calls.get(id(node.args[0].value))
            if wait is not None and wait.method == "wait" and facts.kind(wait.root) == api.PROCESS:
                found[event] = wait
    return found


def _waits_after_create(facts: ModuleFacts, function: FunctionInfo) -> Iterator[UnreadWait]:
    """The process was created in this function: follow each path from creation to wait."""
    through_tasks = task_waits(facts, function)

    def opens(event: Event) -> Hashable | None:
        if event.kind != "create":
            return None
        pipes = event.pipes
        assert isinstance(pipes, frozenset)
        return frozenset(
            (event.root, stream_of(facts, event.root, s), s) for s in OUTPUT_STREAMS if s in pipes
        )

    def closes(event: Event, key: Hashable) -> bool:
        assert isinstance(key, tuple)
        process, stream, _name = key
        return reads_to_eof(facts, event, stream, process)

    found = pending_at(
        function,
        opens,
        closes,
        lambda e: is_wait(facts, e) or e in through_tasks,
        lambda n: dead_none_branch(facts, n),
    )
    for event, pending in found.items():
        wait = through_tasks.get(event, event)
        unread = sorted(key[2] for key in pending if isinstance(key, tuple) and key[0] == wait.root)
        if unread:
            yield UnreadWait(wait, tuple(unread), event if wait is not event else None)


def _waits_elsewhere(facts: ModuleFacts, function: FunctionInfo) -> Iterator[UnreadWait]:
    """The process came from elsewhere (`self._proc`, a parameter): report only streams that
    nothing in the module ever reads."""
    created_here = {e.root for e in function.events if e.kind == "create"}
    for event in function.events:
        if not is_wait(facts, event) or event.root in created_here:
            continue
        piped: set[str] = set()
        for origin in facts.objects.origins(event.root):
            piped |= origin.detail & set(OUTPUT_STREAMS)
        unread = sorted(name for name in piped if not _read_anywhere(facts, event.root, name))
        if unread:
            yield UnreadWait(event, tuple(unread))


def dead_none_branch(facts: ModuleFacts, node: If) -> str | None:
    """After `stdout=PIPE`, `proc.stdout` is never None: the branch of `if proc.stdout is
    None:` (or of `if proc.stderr is not None:`, `if not proc.stdout:`) that runs when it is
    None is dead. Typed code writes these tests for mypy."""
    guard = node.guard
    if guard is None:
        return None
    owner = stream_owner(facts, guard.root)
    if owner is None:
        return None
    process, name = owner
    modes = process_streams(facts, process)
    if modes is None or modes.get(name) != PIPED:
        return None
    branch = guard.none_branch
    return branch if isinstance(branch, str) else None


def _read_anywhere(facts: ModuleFacts, process: Hashable, name: str) -> bool:
    stream = stream_of(facts, process, name)
    return any(reads_to_eof(facts, e, stream, process) for _f, e in facts.events())


# -- how a process was created -------------------------------------------------------------

EXEC = "asyncio.create_subprocess_exec"
SHELL = "asyncio.create_subprocess_shell"
CREATORS = {EXEC: "exec", SHELL: "shell"}
PIPED = "pipe"
NOT_PIPED = "none"  # the Process attribute is None: inherited, DEVNULL, STDOUT, a file, an fd
UNKNOWN = "unknown"
_NOT_PIPES = frozenset(
    {"subprocess.DEVNULL", "subprocess.STDOUT", "sys.stdin", "sys.stdout", "sys.stderr"}
)
SIGNALS = frozenset({"kill", "terminate", "send_signal"})
# Exceptions that code catching them around a call expects the call to raise.
ARGUMENT_ERRORS = frozenset({"ValueError", "TypeError", "OSError"})
START_ERRORS = frozenset({"FileNotFoundError", "PermissionError", "OSError"})
REAPS = frozenset({"wait", "communicate"})


@dataclass(frozen=True)
class SubprocessCall:
    """A call that starts a subprocess through asyncio."""

    function: FunctionInfo
    event: Event
    call: cst.Call
    style: str  # "exec" or "shell"
    offset: int  # positional index of the program / command
    api_name: str  # as written in messages: `create_subprocess_exec()`


def subprocess_calls(facts: ModuleFacts) -> Iterator[SubprocessCall]:
    """`create_subprocess_exec/shell()` and `loop.subprocess_exec/shell()` on a known loop."""
    for function, event in facts.events():
        call = event.node
        if event.kind != "call" or not isinstance(call, cst.Call):
            continue
        style = CREATORS.get(call_qualname(function, event) or "")
        if style is not None:
            yield SubprocessCall(function, event, call, style, 0, f"create_subprocess_{style}()")
        elif event.method in ("subprocess_exec", "subprocess_shell") and (
            facts.kind(event.root) == api.LOOP
        ):
            style = event.method.removeprefix("subprocess_")
            yield SubprocessCall(function, event, call, style, 1, f"loop.{event.method}()")


def stream_modes(facts: ModuleFacts, call: cst.Call) -> dict[str, str]:
    """For a `create_subprocess_*()` call: is each of stdin, stdout and stderr a pipe?"""
    spread = any(arg.star == "**" for arg in call.args)
    modes = {name: UNKNOWN if spread else NOT_PIPED for name in api.PROCESS_STREAMS}
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in modes:
            modes[arg.keyword.value] = _stream_mode(facts, arg.value)
    return modes


def _stream_mode(facts: ModuleFacts, value: cst.BaseExpression) -> str:
    if isinstance(value, cst.Name) and value.value == "None":
        return NOT_PIPED
    if isinstance(value, cst.Integer):  # a file descriptor; PIPE is -1, a unary minus
        return NOT_PIPED
    qualname = facts.qualify(value)
    if qualname == "subprocess.PIPE":
        return PIPED
    if qualname in _NOT_PIPES:
        return NOT_PIPED
    return UNKNOWN


def process_streams(facts: ModuleFacts, process: Hashable) -> dict[str, str] | None:
    """Stream modes of a process, agreed by every place it can come from; None when any of
    them is not a `create_subprocess_*()` call of this module (an annotation, say)."""
    if facts.kind(process) != api.PROCESS:
        return None
    origins = facts.objects.origins(process)
    merged: dict[str, str] = {}
    for origin in origins:
        if origin.constructor not in CREATORS or not isinstance(origin.node, cst.Call):
            return None
        for name, mode in stream_modes(facts, origin.node).items():
            merged[name] = mode if merged.get(name, mode) == mode else UNKNOWN
    return merged or None


def holds_only_created_processes(
    facts: ModuleFacts, function: FunctionInfo, ref: RawRef | None
) -> bool:
    """Is every value the module stores in the variable or `self` attribute behind `ref`
    (`proc` of `proc.stdout`) a `create_subprocess_*()` call (or None)? A value from
    elsewhere (`self._proc = await self._spawn()`) may be a process created otherwise."""
    if ref is not None and ref[0] == "sub":
        ref = ref[1]  # type: ignore[assignment]
    if ref is None:
        return False
    if ref[0] == "name":
        scope = _scope_of(facts, function, str(ref[2]))
        values = facts.assignments.get(scope.id, {}).get(str(ref[2]), [])
        if scope.kind != "function" or not bound_only_by_assignment(facts, scope.node, str(ref[2])):
            return False
    elif ref[0] == "attr":
        found = _attribute_values(facts, str(ref[1]), str(ref[2]))
        if found is None:
            return False
        values = found
    else:
        return False
    return bool(values) and all(_is_creation(facts, value) for value in values)


def _scope_of(facts: ModuleFacts, function: FunctionInfo, name: str) -> FunctionInfo:
    scope: FunctionInfo | None = function
    while scope is not None:
        if name in scope.locals and (scope is function or scope.kind != "class"):
            return scope
        scope = scope.parent
    return facts.functions[0]


def _attribute_values(
    facts: ModuleFacts, class_name: str, attr: str
) -> list[cst.BaseExpression] | None:
    """Every value assigned to `self.<attr>` in the class's methods; None when it is also
    bound some other way (`+=`, unpacking, `with ... as self.<attr>`)."""
    values: list[cst.BaseExpression] = []
    for function in facts.functions:
        if function.class_name != class_name or function.self_name is None:
            continue
        for node in _walk(function.node):
            if isinstance(node, cst.Assign):
                for target in node.targets:
                    if _is_self_attr(target.target, function.self_name, attr):
                        values.append(node.value)
                    elif _mentions_self_attr(target.target, function.self_name, attr):
                        return None
            elif isinstance(node, cst.AnnAssign) and node.value is not None:
                if _is_self_attr(node.target, function.self_name, attr):
                    values.append(node.value)
            elif isinstance(node, (cst.AugAssign, cst.AsName, cst.For, cst.NamedExpr)):
                bound: cst.CSTNode = node.name if isinstance(node, cst.AsName) else node.target
                if _mentions_self_attr(bound, function.self_name, attr):
                    return None
    return values


def _walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    yield node
    for child in child_nodes(node):
        yield from _walk(child)


def _is_self_attr(node: cst.CSTNode, self_name: str, attr: str) -> bool:
    return (
        isinstance(node, cst.Attribute)
        and node.attr.value == attr
        and isinstance(node.value, cst.Name)
        and node.value.value == self_name
    )


def _mentions_self_attr(node: cst.CSTNode, self_name: str, attr: str) -> bool:
    return any(_is_self_attr(child, self_name, attr) for child in _walk(node))


def _is_creation(facts: ModuleFacts, value: cst.BaseExpression) -> bool:
    """`[await] create_subprocess_*(...)`, also inside `wait_for()`/`shield()`, or None."""
    while isinstance(value, cst.Await):
        value = value.expression
    if isinstance(value, cst.Name):
        return value.value == "None"
    if not isinstance(value, cst.Call):
        return False
    qualname = facts.qualify(value.func)
    if qualname in CREATORS:
        return True
    return (
        qualname in api.PASS_THROUGH
        and bool(value.args)
        and _is_creation(facts, value.args[0].value)
    )


def stream_owner(facts: ModuleFacts, root: object) -> tuple[Hashable, str] | None:
    """(process, "stdin"/"stdout"/"stderr") when `root` is a stream of a known process."""
    if not (isinstance(root, tuple) and len(root) == 3 and root[0] == "sub"):
        return None
    if facts.kind(root[1]) != api.PROCESS or root[2] not in api.PROCESS_STREAMS:
        return None
    return facts.objects.find(root[1]), str(root[2])


def known_processes(facts: ModuleFacts) -> set[Hashable]:
    """Every process identity the module's events touch, directly or through a stream."""
    found: set[Hashable] = set()
    for _function, event in facts.events():
        if facts.kind(event.root) == api.PROCESS:
            found.add(facts.objects.find(event.root))
        else:
            owner = stream_owner(facts, event.root)
            if owner is not None:
                found.add(owner[0])
    return found


def expects_error(
    facts: ModuleFacts, function: FunctionInfo, event: Event, errors: frozenset[str]
) -> bool:
    """Does the code around the event expect it to fail: `with pytest.raises(...)`,
    `with self.assertRaises(...)`, or a `try` whose handler names one of `errors`?"""
    for held in event.held:
        node = held.node
        if not isinstance(node, cst.Call):
            continue
        if held.qualname == "pytest.raises":
            return True
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value.startswith("assertRaises"):
            return True
    return any(
        handler.function is function
        and any(name in errors for name in handler.caught)
        and _contains(handler.try_node.body, event.node)
        for handler in facts.handlers
    )


def _contains(tree: cst.CSTNode, node: cst.CSTNode) -> bool:
    if tree is node:
        return True
    if isinstance(tree, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
        return False
    return any(_contains(child, node) for child in child_nodes(tree))


# -- streams used when they are not pipes (AIO208) -----------------------------------------


@dataclass(frozen=True)
class UnpipedUse:
    function: FunctionInfo
    event: Event
    stream: str


def unpiped_stream_uses(facts: ModuleFacts) -> Iterator[UnpipedUse]:
    """`proc.stdout.read()`, `async for line in proc.stdout`, `proc.stdin.write()` and
    `proc.communicate(input)` when every way the process is created leaves that stream None."""
    if not any(e.kind == "create" for _f, e in facts.events()):
        return  # modes come only from creations in this module
    processes = known_processes(facts)
    modes = {process: process_streams(facts, process) for process in processes}
    for function, event in facts.events():
        if event.kind == "call" and event.method == "communicate":
            if facts.kind(event.root) != api.PROCESS or not _has_input(event):
                continue
            found = modes.get(facts.objects.find(event.root))
            if (
                found is not None
                and found["stdin"] == NOT_PIPED
                and holds_only_created_processes(facts, function, event.ref)
            ):
                yield UnpipedUse(function, event, "stdin")
            continue
        if not (event.kind == "iter" or (event.kind == "call" and event.method)):
            continue
        if event.ref is None or event.ref[0] != "sub":  # only `<process>.stdout` as written
            continue
        owner = stream_owner(facts, event.root)
        if owner is None:
            continue
        name = owner[1]
        sharing = [p for p in processes if stream_of(facts, p, name) == event.root]
        if (
            sharing
            and all(
                (found := modes.get(p)) is not None and found[name] == NOT_PIPED for p in sharing
            )
            and holds_only_created_processes(facts, function, event.ref)
        ):
            yield UnpipedUse(function, event, name)


def _has_input(event: Event) -> bool:
    """Does a `communicate()` call pass data (anything but a missing or literal None)?"""
    call = event.node
    if not isinstance(call, cst.Call):
        return False
    for arg in call.args:
        if arg.star:
            return False
        if arg.keyword is None or arg.keyword.value == "input":
            value = arg.value
            return not (isinstance(value, cst.Name) and value.value == "None")
    return False


# -- reading to the end while something else blocks (AIO203, AIO204) ------------------------


def blocking_read_to_eof(facts: ModuleFacts, event: Event) -> tuple[Hashable, str] | None:
    """(process, stream) when `event` waits here until that output stream ends: an awaited
    `read()` / `read(-1)`, or an `async for` over it that neither breaks nor returns."""
    if event.kind == "iter":
        if _leaves_early(event.node):
            return None
    elif not (
        event.kind == "call"
        and event.awaited
        and event.method == "read"
        and _reads_everything(event.node)
    ):
        return None
    owner = stream_owner(facts, event.root)
    if owner is None or owner[1] == "stdin":
        return None
    return owner


def _reads_everything(node: cst.CSTNode) -> bool:
    if not isinstance(node, cst.Call) or not node.args:
        return True
    first = node.args[0].value
    return (
        isinstance(first, cst.UnaryOperation)
        and isinstance(first.operator, cst.Minus)
        and isinstance(first.expression, cst.Integer)
    )


def _leaves_early(node: cst.CSTNode) -> bool:
    """Does an `async for` loop's body break or return (so it may stop before the end)?"""
    return isinstance(node, cst.For) and _exits(node.body, breaks=True)


def _exits(node: cst.CSTNode, breaks: bool) -> bool:
    if isinstance(node, cst.Return) or (breaks and isinstance(node, cst.Break)):
        return True
    if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
        return False
    if isinstance(node, (cst.For, cst.While)):  # a break there leaves the inner loop only
        inner = [node.body, *([node.orelse] if node.orelse else [])]
        return any(_exits(child, breaks=False) for child in inner)
    return any(_exits(child, breaks) for child in child_nodes(node))


# From CPython 3.12 `communicate()` always closes stdin; before, without input it left stdin
# open (3.10/3.11 feed it with a no-op), so a child reading to EOF never saw the end.
COMMUNICATE_CLOSES_STDIN_IN = (3, 12)


def communicate_closes_stdin(facts: ModuleFacts, event: Event) -> bool:
    """Does this `communicate()` call close stdin on the target version?"""
    return _has_input(event) or facts.settings.target_version >= COMMUNICATE_CLOSES_STDIN_IN


def waits_for_exit(facts: ModuleFacts, event: Event) -> Hashable | None:
    """The process whose exit (or end of output) `event` waits for: `await proc.wait()`,
    `communicate()` that leaves stdin open, or a blocking read of stdout/stderr to the end."""
    if event.kind == "call" and facts.kind(event.root) == api.PROCESS:
        if is_wait(facts, event) or (
            event.method == "communicate" and not communicate_closes_stdin(facts, event)
        ):
            return facts.objects.find(event.root)
        return None
    owner = blocking_read_to_eof(facts, event)
    return owner[0] if owner is not None else None


def _calls(facts: ModuleFacts, event: Event) -> frozenset[tuple[Hashable, str]]:
    return facts.calls_by(event)


def closes_stdin(facts: ModuleFacts, event: Event, process: Hashable) -> bool:
    """Does `event` end the process's input: `stdin.close()`, `write_eof()`,
    `communicate(input)`, killing the process, or handing the stream or process over?"""
    stdin = stream_of(facts, process, "stdin")
    if event.kind == "escape":
        return event.root in (stdin, process) and hands_over(facts, event)
    if event.kind != "call":
        return False
    if event.root == stdin and event.method in ("close", "write_eof"):
        return True
    if event.root == process and (
        event.method in SIGNALS
        or (event.method == "communicate" and communicate_closes_stdin(facts, event))
    ):
        return True
    return any(
        (m in ("close", "write_eof") and is_stream(facts, root, process, "stdin"))
        or (root == process and m in SIGNALS | {"communicate"})
        for root, m in _calls(facts, event)
    )


def is_stream(facts: ModuleFacts, root: object, process: Hashable, name: str) -> bool:
    """Is `root` that stream of the process? Compares owners, so a helper's `proc.stdin`
    matches its caller's when `proc` is bound to the caller's process."""
    return root == stream_of(facts, process, name) or stream_owner(facts, root) == (
        process,
        name,
    )


@dataclass(frozen=True)
class UnclosedWrite:
    """A write to `proc.stdin` still open when the code waits for the process (`probe`)."""

    write: Event
    probe: Event


def unclosed_stdin_writes(facts: ModuleFacts) -> Iterator[UnclosedWrite]:
    for function in facts.functions:
        if any(_stdin_write_owner(facts, e) is not None for e in function.events):
            yield from _unclosed_in(facts, function)


def _unclosed_in(facts: ModuleFacts, function: FunctionInfo) -> Iterator[UnclosedWrite]:
    talking = conversations(facts, function)
    writers = {e: _stdin_write_owner(facts, e) for e in function.events}
    writers = {e: p for e, p in writers.items() if p is not None and p not in talking}
    probes = {e: waits_for_exit(facts, e) for e in function.events}

    def opens(event: Event) -> Hashable | None:
        process = writers.get(event)
        return None if process is None else (process, event)

    def closes(event: Event, key: Hashable) -> bool:
        assert isinstance(key, tuple)
        return closes_stdin(facts, event, key[0])

    found = pending_at(function, opens, closes, lambda e: probes.get(e) is not None)
    order = {event: index for index, event in enumerate(function.events)}
    reported: set[Event] = set()
    for probe in sorted(found, key=order.__getitem__):
        writes = [
            key[1] for key in found[probe] if isinstance(key, tuple) and key[0] == probes[probe]
        ]
        if not writes:
            continue
        last = max(writes, key=order.__getitem__)
        if last in reported or writes_a_command(last):
            continue
        if not _closed_in_same_try(facts, function, last):
            reported.add(last)
            yield UnclosedWrite(last, probe)


def writes_a_command(write: Event) -> bool:
    """`proc.stdin.write(b"quit\n")`: a fixed literal sent last is a command (ffmpeg's `q`,
    `quit`, `exit`) that the child may well act on by exiting, not data it reads to the end."""
    call = write.node
    if not isinstance(call, cst.Call) or not call.args:
        return False
    data = call.args[0].value
    if (
        isinstance(data, cst.Call)
        and isinstance(data.func, cst.Attribute)
        and data.func.attr.value == "encode"
    ):
        data = data.func.value
    return isinstance(data, (cst.SimpleString, cst.ConcatenatedString))


def _closed_in_same_try(facts: ModuleFacts, function: FunctionInfo, write: Event) -> bool:
    """`try: write; drain; close  except BrokenPipeError: ...`: stdin stays open only when the
    child has already gone away, and then nothing waits for its input."""
    process = _stdin_write_owner(facts, write)
    closing = [
        e.node
        for e in function.events
        if e is not write and process is not None and closes_stdin(facts, e, process)
    ]
    return any(
        handler.function is function
        and _contains(handler.try_node.body, write.node)
        and any(_contains(handler.try_node.body, node) for node in closing)
        for handler in facts.handlers
    )


PARTIAL_READS = frozenset({"readline", "readuntil", "readexactly", "readchunk"})


def conversations(facts: ModuleFacts, function: FunctionInfo) -> set[Hashable]:
    """Processes whose output the function reads line by line (`readline()`, `readuntil()`,
    an `async for` that stops early): a child that answers request by request, and may well
    exit on a command rather than at the end of its input."""
    talking: set[Hashable] = set()
    for event in function.events:
        owners: list[tuple[Hashable, str] | None] = []
        line_by_line = (event.kind == "iter" and _leaves_early(event.node)) or (
            event.kind == "call" and event.method in PARTIAL_READS
        )
        if line_by_line:
            owners.append(stream_owner(facts, event.root))
        elif event.kind == "call":
            for root, method in _calls(facts, event):
                if method in PARTIAL_READS:
                    owners.append(stream_owner(facts, root))
        talking.update(owner[0] for owner in owners if owner is not None and owner[1] != "stdin")
    return talking


def _stdin_write_owner(facts: ModuleFacts, event: Event) -> Hashable | None:
    if event.kind != "call" or event.method not in ("write", "writelines"):
        return None
    owner = stream_owner(facts, event.root)
    return owner[0] if owner is not None and owner[1] == "stdin" else None


@dataclass(frozen=True)
class BlockedRead:
    """A read to the end of one output while the other piped output is not being read."""

    event: Event
    stream: str
    unread: tuple[str, ...]


def reads_blocking_on_unread_pipe(facts: ModuleFacts) -> Iterator[BlockedRead]:
    for function in facts.functions:
        probes = {e: blocking_read_to_eof(facts, e) for e in function.events}
        if not any(probes.values()):
            continue
        created = {e.root for e in function.events if e.kind == "create"}
        yield from _blocked_after_create(facts, function, probes)
        for event, owner in probes.items():
            if owner is None or owner[0] in created:
                continue
            process, name = owner
            modes = process_streams(facts, process)
            if modes is None or modes[name] != PIPED:
                continue
            if not holds_only_created_processes(facts, function, event.ref):
                continue
            unread = tuple(
                other
                for other in OUTPUT_STREAMS
                if other != name
                and modes[other] == PIPED
                and not _read_anywhere(facts, process, other)
            )
            if unread:
                yield BlockedRead(event, name, unread)


def _blocked_after_create(
    facts: ModuleFacts,
    function: FunctionInfo,
    probes: dict[Event, tuple[Hashable, str] | None],
) -> Iterator[BlockedRead]:
    def opens(event: Event) -> Hashable | None:
        if event.kind != "create":
            return None
        pipes = event.pipes
        assert isinstance(pipes, frozenset)
        if not all(name in pipes for name in OUTPUT_STREAMS):
            return None
        return frozenset((event.root, stream_of(facts, event.root, s), s) for s in OUTPUT_STREAMS)

    def closes(event: Event, key: Hashable) -> bool:
        assert isinstance(key, tuple)
        process, stream, _name = key
        return reads_to_eof(facts, event, stream, process)

    found = pending_at(
        function,
        opens,
        closes,
        lambda e: probes.get(e) is not None,
        lambda n: dead_none_branch(facts, n),
    )
    for event, pending in found.items():
        owner = probes[event]
        assert owner is not None
        process, name = owner
        unread = tuple(
            sorted(
                key[2]
                for key in pending
                if isinstance(key, tuple) and key[0] == process and key[2] != name
            )
        )
        if unread:
            yield BlockedRead(event, name, unread)


# -- reaping (AIO209) ----------------------------------------------------------------------


def reaps(facts: ModuleFacts, event: Event, process: Hashable) -> bool:
    """Does `event` wait for the process (`wait()`, `communicate()`, also unawaited inside
    `gather()` or a task), or hand it to other code that may?"""
    if event.kind == "escape":
        return event.root == process and hands_over(facts, event)
    if event.kind != "call":
        return False
    if event.root == process and event.method in REAPS:
        return True
    return any(root == process and m in REAPS for root, m in _calls(facts, event))


def is_signal(facts: ModuleFacts, event: Event) -> bool:
    return (
        event.kind == "call" and event.method in SIGNALS and facts.kind(event.root) == api.PROCESS
    )


def unreaped_signals(facts: ModuleFacts) -> Iterator[Event]:
    """`kill()`/`terminate()`/`send_signal()` that no wait follows on any path, for processes
    this module creates and waits for nowhere else."""
    for function in facts.functions:
        if not any(is_signal(facts, e) for e in function.events):
            continue
        never = unmet_obligations(
            function,
            lambda e: facts.objects.find(e.root) if is_signal(facts, e) else None,
            lambda e, process: reaps(facts, e, process),
            raising_paths=True,
        )
        for event in never:
            process = facts.objects.find(event.root)
            if process_streams(facts, process) is None:
                continue  # not created here: its owner may wait for it
            if _reaped_elsewhere(facts, process, function):
                continue
            yield event


def _reaped_elsewhere(facts: ModuleFacts, process: Hashable, function: FunctionInfo) -> bool:
    for other, event in facts.events():
        if event.kind == "escape" and event.root == process and hands_over(facts, event):
            return True
        if other is not function and reaps(facts, event, process):
            return True
    return False


def never_waited(facts: ModuleFacts) -> Iterator[Event]:
    """`create_subprocess_*()` calls whose process is never waited for, read, signalled or
    handed to other code anywhere (reported at the call), including a dropped result."""
    for function in facts.functions:
        for event in function.events:
            found = _unwaited_start(facts, function, event)
            if found is not None and not expects_error(facts, function, found, START_ERRORS):
                yield found


def _unwaited_start(facts: ModuleFacts, function: FunctionInfo, event: Event) -> Event | None:
    if event.kind == "call" and event.role == "discarded" and event.awaited:
        return event if call_qualname(function, event) in CREATORS else None
    if event.kind != "create" or event.ref is None or event.ref[0] != "name":
        return None
    if (
        _polls_returncode(function)
        or _ever_used(facts, event.root)
        or _name_used(function.node, str(event.ref[2]))
    ):
        return None
    return next((e for e in function.events if e.kind == "call" and e.node is event.node), None)


def _ever_used(facts: ModuleFacts, process: Hashable) -> bool:
    """Is the process, or one of its streams, touched by anything but its creation?"""
    used = facts.memo(_used_roots)
    if process in used:
        return True
    return any(stream_of(facts, process, name) in used for name in api.PROCESS_STREAMS)


def _used_roots(facts: ModuleFacts) -> frozenset[Hashable]:
    """Every object some event other than a creation touches, or calls a method of."""
    used: set[Hashable] = set()
    for _function, event in facts.events():
        if event.kind == "create":
            continue
        if event.root is not None:
            used.add(event.root)
        used.update(root for root, _m in _calls(facts, event))
    return frozenset(used)


_INERT_ATTRIBUTES = frozenset({"pid", "returncode"})


def _name_used(node: cst.CSTNode, name: str) -> bool:
    """Is the name read anywhere but in `name.pid` / `name.returncode`, say stored in a dict
    (`self._procs[key] = proc`) where the events cannot follow it?"""
    if isinstance(node, cst.Name):
        return node.value == name
    if isinstance(node, cst.Attribute):
        if node.attr.value in _INERT_ATTRIBUTES and isinstance(node.value, cst.Name):
            return False
        return _name_used(node.value, name)
    if isinstance(node, cst.Assign):
        plain = all(isinstance(t.target, cst.Name) for t in node.targets)
        children: list[cst.CSTNode] = [node.value] if plain else [node.value, *node.targets]
        return any(_name_used(child, name) for child in children)
    if isinstance(node, cst.Param):
        return False
    return any(_name_used(child, name) for child in child_nodes(node))


def _polls_returncode(function: FunctionInfo) -> bool:
    """`while proc.returncode is None: ...` waits as well as `wait()` does."""
    return any(
        isinstance(node, cst.While) and _mentions_returncode(node.test)
        for node in function.loop_nodes.values()
    )


def _mentions_returncode(node: cst.CSTNode) -> bool:
    if isinstance(node, cst.Attribute) and node.attr.value == "returncode":
        return True
    return any(_mentions_returncode(child) for child in child_nodes(node))


# -- arguments asyncio rejects (AIO205) ------------------------------------------------------

# Keywords that subprocess.run() takes but Popen() does not: asyncio hands unknown keywords to
# Popen, which raises TypeError ("unexpected keyword argument").
RUN_ONLY_KEYWORDS = frozenset({"capture_output", "check", "timeout", "input"})


@dataclass(frozen=True)
class InvalidArgument:
    event: Event
    node: cst.CSTNode  # the argument (or the call) to report
    problem: str  # what is wrong and what it raises: the finding's message


def invalid_arguments(facts: ModuleFacts) -> Iterator[InvalidArgument]:
    """Arguments that make a subprocess call fail on every run (checked against CPython 3.11:
    `base_events.subprocess_exec/shell` and `subprocess.Popen`). Calls inside
    `with pytest.raises(...)` / `self.assertRaises(...)` expect the error and are skipped."""
    for sub in subprocess_calls(facts):
        if not expects_error(facts, sub.function, sub.event, ARGUMENT_ERRORS):
            yield from _creation_problems(facts, sub)
    for function, event in facts.events():
        if (
            event.kind == "call"
            and event.method in REAPS
            and facts.kind(event.root) == api.PROCESS
            and not expects_error(facts, function, event, ARGUMENT_ERRORS)
        ):
            yield from _method_problems(event)


def _creation_problems(facts: ModuleFacts, sub: SubprocessCall) -> Iterator[InvalidArgument]:
    subject = f"`{facts.module.code_for_node(sub.call.func)}()`"

    def problem(node: cst.CSTNode, text: str) -> InvalidArgument:
        return InvalidArgument(sub.event, node, f"{subject}: {text}")

    positional = [arg for arg in sub.call.args if arg.keyword is None]
    if len(positional) > sub.offset and not any(a.star for a in positional[: sub.offset + 1]):
        first = positional[sub.offset].value
        if isinstance(first, (cst.List, cst.Tuple, cst.ListComp)):
            if sub.style == "exec":
                yield problem(
                    first,
                    "takes the program and its arguments as separate arguments, not one list "
                    "(TypeError: expected str, bytes or os.PathLike object); unpack it with `*`",
                )
            else:
                yield problem(first, "takes one command string, not a list (ValueError)")
    for arg in sub.call.args:
        if arg.keyword is None:
            continue
        keyword, value = arg.keyword.value, arg.value
        if keyword in ("text", "universal_newlines") and _truthy(value):
            yield problem(arg, f"`{keyword}=` must be False: pipes carry bytes (ValueError)")
        elif keyword in ("encoding", "errors") and _is_text(value):
            yield problem(arg, f"`{keyword}=` must be None: pipes carry bytes (ValueError)")
        elif keyword == "bufsize" and _nonzero_int(value):
            yield problem(arg, "`bufsize=` must be 0 (ValueError)")
        elif keyword == "shell" and sub.style == "exec" and _truthy(value):
            yield problem(
                arg, "`shell=True` is not allowed: use create_subprocess_shell() (ValueError)"
            )
        elif keyword == "shell" and sub.style == "shell" and _falsy(value):
            yield problem(
                arg, "`shell=False` is not allowed: use create_subprocess_exec() (ValueError)"
            )
        elif keyword in ("stdin", "stdout") and facts.qualify(value) == "subprocess.STDOUT":
            yield problem(
                arg,
                f"`{keyword}=STDOUT` is not a file descriptor (OSError: Bad file descriptor); "
                "only `stderr=STDOUT` is allowed",
            )
        elif keyword in RUN_ONLY_KEYWORDS:
            yield problem(
                arg, f"`{keyword}=` belongs to subprocess.run(); Popen() rejects it (TypeError)"
            )


def _method_problems(event: Event) -> Iterator[InvalidArgument]:
    """`proc.wait()` takes no arguments and `proc.communicate()` only `input`."""
    call = event.node
    if not isinstance(call, cst.Call) or any(arg.star for arg in call.args):
        return
    allowed = () if event.method == "wait" else ("input",)
    hint = "; for a time limit use `asyncio.wait_for()` or `asyncio.timeout()`"
    positional = [arg for arg in call.args if arg.keyword is None]
    if len(positional) > len(allowed):
        takes = "only `input`" if allowed else "no arguments"
        yield InvalidArgument(
            event,
            positional[len(allowed)],
            f"`Process.{event.method}()` takes {takes} (TypeError){hint}",
        )
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value not in allowed:
            keyword = arg.keyword.value
            yield InvalidArgument(
                event,
                arg,
                f"`Process.{event.method}()` has no `{keyword}=` parameter (TypeError)"
                + (hint if keyword == "timeout" else ""),
            )


def _truthy(value: cst.BaseExpression) -> bool:
    if isinstance(value, cst.Name):
        return value.value == "True"
    return isinstance(value, cst.Integer) and value.evaluated_value != 0


def _falsy(value: cst.BaseExpression) -> bool:
    if isinstance(value, cst.Name):
        return value.value in ("False", "None")
    return isinstance(value, cst.Integer) and value.evaluated_value == 0


def _is_text(value: cst.BaseExpression) -> bool:
    if isinstance(value, cst.SimpleString):
        return "b" not in value.prefix.lower()
    return isinstance(value, (cst.FormattedString, cst.ConcatenatedString))


def _nonzero_int(value: cst.BaseExpression) -> bool:
    if isinstance(value, cst.UnaryOperation) and isinstance(value.operator, cst.Minus):
        return isinstance(value.expression, cst.Integer)
    return isinstance(value, cst.Integer) and value.evaluated_value != 0
