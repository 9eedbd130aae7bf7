"""Rules about asyncio subprocesses (AIO2xx)."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from asynclint.diagnostics import Severity
from asynclint.rules.base import Finding, FixSpec, Rule
from asynclint.semantics import asyncio_api as api
from asynclint.semantics.events import Event
from asynclint.semantics.model import ModuleFacts
from asynclint.semantics.processes import unread_waits
from asynclint.semantics.shell import SHELLS, interpolated_command, string_value


class SubprocessWaitWithPipe(Rule):
    code = "AIO201"
    name = "subprocess-wait-with-pipe"
    severity = Severity.WARNING
    summary = "`await proc.wait()` while a stdout/stderr PIPE is not read"
    fix_safety = "unsafe"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        for unread in unread_waits(facts):
            call = unread.event.node
            streams = " and ".join(unread.streams)
            assert isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)
            process = facts.module.code_for_node(call.func.value)
            fix = None
            if not call.args:
                fix = FixSpec(
                    "replace",
                    call,
                    f"{process}.communicate()",
                    safe=False,
                    description=f"Replace `{process}.wait()` with `{process}.communicate()`",
                )
            yield self.finding(
                call,
                f"`{process}.wait()` while {streams} is a PIPE that nothing reads: the child "
                "blocks once the pipe buffer fills and wait() never returns; "
                "use `communicate()`",
                fix,
            )


class SubprocessShellInjection(Rule):
    code = "AIO202"
    name = "subprocess-shell-injection"
    severity = Severity.WARNING
    summary = "Shell command built from non-constant values"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        for function, event in facts.events():
            call = event.node
            if event.kind != "call" or not isinstance(call, cst.Call):
                continue
            positional = [a.value for a in call.args if a.keyword is None and not a.star]
            command: cst.BaseExpression | None = None
            api_name = ""
            if event.qualname == "asyncio.create_subprocess_shell":
                command = _argument(call, 0, "cmd")
                api_name = "create_subprocess_shell()"
            elif event.method == "subprocess_shell" and facts.kind(event.root) == api.LOOP:
                command = _argument(call, 1, "cmd")
                api_name = "loop.subprocess_shell()"
            else:
                offset = _exec_offset(facts, event)
                if offset is not None and len(positional) >= offset + 3:
                    shell = string_value(positional[offset])
                    flag = string_value(positional[offset + 1])
                    if shell in SHELLS and flag == "-c":
                        command = positional[offset + 2]
                        api_name = f"`{shell} -c`"
            if command is not None and interpolated_command(facts, function, command):
                yield self.finding(
                    call,
                    f"{api_name} runs a command built from non-constant values: a value with "
                    "shell metacharacters runs arbitrary commands; pass an argument list to "
                    "`create_subprocess_exec()` or quote each value with `shlex.quote()`",
                )


def _argument(call: cst.Call, position: int, keyword: str) -> cst.BaseExpression | None:
    positional = [a for a in call.args if a.keyword is None]
    if any(a.star for a in positional[: position + 1]):
        return None
    if len(positional) > position:
        return positional[position].value
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg.value
    return None


def _exec_offset(facts: ModuleFacts, event: Event) -> int | None:
    """Where the program name sits in an exec-style call's positional arguments."""
    if event.qualname == "asyncio.create_subprocess_exec":
        return 0
    if event.method == "subprocess_exec" and facts.kind(event.root) == api.LOOP:
        return 1
    return None
