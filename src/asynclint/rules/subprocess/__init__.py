"""Rules about asyncio subprocesses (AIO2xx)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import libcst as cst

from asynclint.rules.base import Finding, FixSpec, Rule
from asynclint.rules.subprocess.live_pipes import blocked_drains, idle_pipes
from asynclint.rules.subprocess.shell import (
    ShellHelper,
    interpolated_command,
    shell_command,
    shell_helpers,
)
from asynclint.rules.subprocess.sync_calls import blocking_subprocess_calls
from asynclint.semantics import asyncio_api as api
from asynclint.semantics.events import Event
from asynclint.semantics.expressions import call_argument
from asynclint.semantics.model import ModuleFacts
from asynclint.semantics.processes import (
    NOT_PIPED,
    expects_error,
    invalid_arguments,
    never_waited,
    process_streams,
    reads_blocking_on_unread_pipe,
    unclosed_stdin_writes,
    unpiped_stream_uses,
    unread_waits,
    unreaped_signals,
)
from asynclint.semantics.str_values import bytes_literal, str_description


class SubprocessWaitWithPipe(Rule):
    code = "AIO201"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        for unread in unread_waits(facts):
            call = unread.event.node
            streams = _pipes(unread.streams)
            assert isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)
            process = facts.module.code_for_node(call.func.value)
            fix = None
            if unread.through is not None:
                yield self.finding(
                    call,
                    f"`{process}.wait()` runs as a task that is awaited while {streams} is a "
                    "PIPE that nothing reads: the child blocks once the pipe buffer fills and "
                    "the task never ends; read the output concurrently or use `communicate()`",
                    related=((unread.through.node, "the task is awaited here"),),
                )
                continue
            if not call.args:
                fix = FixSpec(
                    "replace",
                    call,
                    f"{process}.communicate()",
                    safe=False,
                    description=f"Replace `{process}.wait()` with `{process}.communicate()`",
                )
            helper = _helper_given(facts, unread.event)
            note = ""
            related: tuple[tuple[cst.CSTNode, str], ...] = ()
            elsewhere: tuple[tuple[str, int, str], ...] = ()
            if helper is not None:
                name, place = helper
                if isinstance(place, tuple):
                    note = f" (`{name}()` is given it, {place[0]}:{place[1]}, and does not read it)"
                    elsewhere = ((place[0], place[1], f"`{name}()` does not read the output"),)
                else:
                    note = f" (`{name}()` is given it and does not read it)"
                    related = ((place, f"`{name}()` does not read the output"),)
            yield self.finding(
                call,
                f"`{process}.wait()` while {streams} that nothing reads{note}: the child "
                "blocks once the pipe buffer fills and wait() never returns; "
                "use `communicate()`",
                fix,
                related=related,
                elsewhere=elsewhere,
            )


class SubprocessShellInjection(Rule):
    code = "AIO202"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        for function, event in facts.events():
            call = event.node
            if event.kind != "call" or not isinstance(call, cst.Call):
                continue
            sink = shell_command(facts, event)
            if sink is not None:
                command, api_name = sink
                if interpolated_command(facts, function, command):
                    yield self.finding(
                        call,
                        f"{api_name} runs a command built from non-constant values: a value with "
                        "shell metacharacters runs arbitrary commands; pass an argument list to "
                        "`create_subprocess_exec()` or quote each value with `shlex.quote()`",
                    )
                continue
            for helper in shell_helpers(facts, event):
                if interpolated_command(facts, function, helper.argument):
                    yield self._through_helper(call, helper)

    def _through_helper(self, call: cst.Call, helper: ShellHelper) -> Finding:
        place = helper.place
        where = f" ({place[0]}:{place[1]})" if isinstance(place, tuple) else ""
        message = (
            f"`{helper.name}()` passes `{helper.param}` to {helper.sink}{where}, and this "
            "call builds it from non-constant values: a value with shell metacharacters runs "
            "arbitrary commands; pass an argument list to `create_subprocess_exec()` or quote "
            "each value with `shlex.quote()`"
        )
        note = f"`{helper.param}` becomes a shell command here"
        if isinstance(place, tuple):
            return self.finding(call, message, elsewhere=((place[0], place[1], note),))
        return self.finding(call, message, related=((place, note),))


def _helper_given(
    facts: ModuleFacts, wait: Event
) -> tuple[str, cst.CSTNode | tuple[str, int]] | None:
    """The first summarised helper that the waited process was handed to before the wait, in
    the same function, and that does not read it: (its name, its `def` or (path, line))."""
    for function in facts.functions:
        if wait not in function.events:
            continue
        for event in function.events[: function.events.index(wait)]:
            call = event.arg_of
            if event.kind != "escape" or call is None or event.root != wait.root:
                continue
            if call.target is not None:
                return call.target.qualname, call.target.node
            summary = facts.call_summary(call)
            if summary is not None:
                return summary.name, (summary.path, summary.line)
        return None
    return None


def _pipes(streams: Sequence[str]) -> str:
    """`stdout is a PIPE`, or `stderr and stdout are PIPEs`."""
    if len(streams) == 1:
        return f"{streams[0]} is a PIPE"
    return f"{' and '.join(streams)} are PIPEs"


def _receiver(facts: ModuleFacts, event: Event) -> str:
    """Source text of a method call's receiver (`proc`, `self._proc.stdin`)."""
    return facts.receiver_text(event) or facts.module.code_for_node(event.node)


def _describe_wait(facts: ModuleFacts, event: Event) -> str:
    if event.kind == "iter":
        node = event.node
        assert isinstance(node, (cst.For, cst.CompFor))
        return f"`async for` over `{facts.module.code_for_node(node.iter)}`"
    return f"`{_receiver(facts, event)}.{event.method}()`"


class SubprocessStdinNotClosed(Rule):
    code = "AIO203"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        for found in unclosed_stdin_writes(facts):
            stdin = _receiver(facts, found.write)
            why = "a child that reads its input to the end waits for EOF for ever"
            if found.probe.kind == "call" and found.probe.method == "communicate":
                target = ".".join(map(str, facts.settings.target_version))
                why = (
                    f"on Python {target} (the target version) `communicate()` without input "
                    "leaves stdin open (it closes it only from 3.12), so a child that reads its "
                    "input to the end waits for EOF for ever"
                )
            yield self.finding(
                found.write.node,
                f"`{stdin}` is never closed after this write before "
                f"{_describe_wait(facts, found.probe)}: {why}; call `{stdin}.close()` first, "
                "or pass the data to `communicate(input)`",
            )


class SubprocessUnreadPipe(Rule):
    code = "AIO204"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        for found in reads_blocking_on_unread_pipe(facts):
            unread = _pipes(found.unread)
            yield self.finding(
                found.event.node,
                f"{_describe_wait(facts, found.event)} reads {found.stream} to the end while "
                f"{unread} that nothing reads yet: once the child fills it, the child "
                f"blocks and {found.stream} never ends; read both at once with `communicate()` "
                "or `asyncio.gather()`",
            )


class SubprocessInvalidArgument(Rule):
    code = "AIO205"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        for found in invalid_arguments(facts):
            yield self.finding(found.node, found.problem)


class SubprocessNoPoll(Rule):
    code = "AIO206"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        for _function, event in facts.method_calls(api.PROCESS, "poll"):
            process = _receiver(facts, event)
            yield self.finding(
                event.node,
                f"asyncio's Process has no `poll()` (AttributeError): read "
                f"`{process}.returncode`, which is None while the child runs",
            )


class StreamDataNotBytes(Rule):
    code = "AIO207"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        for function, event in facts.events():
            data_values = _stream_data(facts, event)
            if data_values and expects_error(facts, function, event, _DATA_ERRORS):
                continue
            for data in data_values:
                what = str_description(facts, function, data)
                if what is None:
                    continue
                target = f"{_receiver(facts, event)}.{event.method}()"
                yield self.finding(
                    data,
                    f"`{target}` is given {what}: streams carry bytes, and a str raises "
                    "TypeError (AssertionError on a pipe); encode it or write bytes",
                    _to_bytes(facts, data),
                )


_DATA_ERRORS = frozenset({"TypeError", "AssertionError"})


def _stream_data(facts: ModuleFacts, event: Event) -> list[cst.BaseExpression]:
    call = event.node
    if event.kind != "call" or not isinstance(call, cst.Call):
        return []
    kind = facts.kind(event.root)
    if kind == api.WRITER and event.method in ("write", "writelines"):
        data = call_argument(call, 0, "data")
    elif kind == api.PROCESS and event.method == "communicate":
        data = call_argument(call, 0, "input")
    else:
        return []
    if event.method == "writelines" and isinstance(data, (cst.List, cst.Tuple)):
        return [
            element.value
            for element in data.elements
            if not isinstance(element, cst.StarredElement)
        ]
    return [data] if data is not None else []


def _to_bytes(facts: ModuleFacts, data: cst.BaseExpression) -> FixSpec | None:
    if isinstance(data, cst.SimpleString):
        literal = bytes_literal(data)
        if literal is not None:
            return FixSpec("replace", data, literal, safe=True, description="Use a bytes literal")
    code = facts.module.code_for_node(data)
    if isinstance(data, (cst.BinaryOperation, cst.ConcatenatedString)):
        code = f"({code})"
    return FixSpec(
        "replace", data, f"{code}.encode()", safe=False, description="Encode the str as UTF-8"
    )


_NONE_ERRORS = frozenset({"AttributeError", "TypeError"})


class SubprocessStreamNotPiped(Rule):
    code = "AIO208"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        for found in unpiped_stream_uses(facts):
            if expects_error(facts, found.function, found.event, _NONE_ERRORS):
                continue
            event = found.event
            if event.method == "communicate":
                message = (
                    f"`{_receiver(facts, event)}.communicate()` is given input, but the process "
                    "was started without `stdin=PIPE`: writing it raises AttributeError"
                )
            else:
                stream = _describe_wait(facts, event) if event.kind == "iter" else None
                stream = stream or f"`{_receiver(facts, event)}.{event.method}()`"
                message = (
                    f"{stream} fails: the process was started without `{found.stream}=PIPE`, "
                    f"so the stream is None (AttributeError)"
                )
            yield self.finding(event.node, message)


class SubprocessNotReaped(Rule):
    code = "AIO209"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        for event in unreaped_signals(facts):
            process = _receiver(facts, event)
            reap = _reaping_call(facts, event.root)
            yield self.finding(
                event.node,
                f"`{process}.{event.method}()` is not followed by `await {process}.{reap}`: the "
                "child may still be running when the code moves on, nobody sees how it ended, "
                "and a loop that closes first warns 'Loop ... that handles pid ... is closed'",
            )
        for event in never_waited(facts):
            yield self.finding(
                event.node,
                "this process is never waited for: nobody sees whether it failed, and a loop "
                "that closes before it exits warns 'Loop ... that handles pid ... is closed'; "
                "`await proc.wait()` (or `communicate()`)",
            )


def _reaping_call(facts: ModuleFacts, process: object) -> str:
    """`communicate()` for a process with piped output (wait() alone may hang), else `wait()`."""
    modes = process_streams(facts, facts.objects.find(process)) or {}
    piped = any(modes.get(name) != NOT_PIPED for name in ("stdout", "stderr"))
    return "communicate()" if piped else "wait()"


class BlockingSubprocessInAsync(Rule):
    code = "AIO210"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        for found in blocking_subprocess_calls(facts):
            yield self.finding(
                found.node,
                f"{found.name} blocks the event loop until the child exits; use "
                "`asyncio.create_subprocess_exec()` and `await proc.wait()`, or "
                "`asyncio.to_thread()`",
            )


class SubprocessPipeUnreadWhileRunning(Rule):
    code = "AIO211"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        for found in idle_pipes(facts):
            stream = found.stream
            related: tuple[tuple[cst.CSTNode, str], ...] = ()
            if found.how == "stored":
                how = "the process is kept on the instance and nothing in the module reads it"
            elif found.how == "container":
                how = "the process is stored in a container and nothing in the module reads it"
            elif found.how == "awaits":
                assert found.at is not None
                how = "the code goes on to wait in a loop for something else before reading it"
                related = ((found.at.node, "waits here with the pipe unread"),)
            else:
                assert found.at is not None
                other = "stderr" if stream == "stdout" else "stdout"
                how = f"the code streams {other} in a loop and never reads {stream}"
                related = ((found.at.node, f"reads {other} here while {stream} fills"),)
            yield self.finding(
                found.create.node,
                f"{stream} is a PIPE that nothing reads while the process runs: {how}; once "
                "about 64 KiB are waiting the child blocks and never finishes; read it in a "
                "task, or use `DEVNULL` or a file",
                related=related,
            )


class SubprocessStdinBlockedByFullOutput(Rule):
    code = "AIO212"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        for found in blocked_drains(facts):
            streams = " and ".join(found.streams)
            stdin = _receiver(facts, found.drain)
            yield self.finding(
                found.drain.node,
                f"`await {stdin}.drain()` while {streams} is a PIPE that no task reads yet: "
                "once the child's output fills the pipe it stops reading its input, and "
                "`drain()` never returns; read the output in a task started before writing, "
                "or use `communicate(input)`",
            )
